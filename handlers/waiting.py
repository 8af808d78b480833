"""One mechanism for flows that wait for the user's next typed message.

Usage::

    waiting.register("profile", on_profile_text)    # once, where the flow is defined
    await waiting.expect(context, "profile", field="town")   # ask, then wait
    await waiting.clear(context)                      # answered or cancelled

async def on_profile_text(update, context, state) -> bool:   # True: handled, not a search

One record per user (the `waiting` table, so a restart loses nothing) says which flow waits
and keeps its small state; the middleware reads it with the user in the update's first
transaction. One dispatcher (`HANDLER`, registered before the flows' handlers) hands a typed
message or photo to the registered flow and stops the update there when the flow took it.
A flow may step aside (return False): the text then goes on to the search as usual.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.context import TakasContext
from bot.services.waiting import Expecting
from bot.usecases import waiting as usecase

FlowCallback = Callable[[Update, TakasContext, dict[str, Any]], Awaitable[bool]]
_FLOWS: dict[str, FlowCallback] = {}


def register(flow: str, callback: FlowCallback) -> None:
    """Name the callback that receives the typed message `flow` waits for."""
    known = _FLOWS.get(flow)
    if known is not None and known is not callback:
        raise ValueError(f"flow {flow!r} is already registered")
    _FLOWS[flow] = callback


def flows() -> frozenset[str]:
    return frozenset(_FLOWS)


def _user_id(context: TakasContext) -> int:
    if context.user_id is None:
        raise RuntimeError("waiting needs the update's user (set by the middleware)")
    return context.user_id


async def expect(context: TakasContext, flow: str, **state: Any) -> None:
    """From now on the user's next typed message goes to `flow`, with `state`."""
    if flow not in _FLOWS:
        raise KeyError(f"flow {flow!r} is not registered")
    wanted = Expecting(flow, dict(state))
    if context.expecting_known and context.expecting == wanted:
        return  # already so: no write
    context.expecting = await usecase.expect(context.db, _user_id(context), flow, dict(state))
    context.expecting_known = True


async def clear(context: TakasContext, flow: str | None = None) -> None:
    """Nothing waits for the user's text any more (only if `flow` waits, when given)."""
    if context.expecting_known and (context.expecting is None or (
            flow is not None and context.expecting.flow != flow)):
        return  # nothing to clear: no write
    await usecase.clear(context.db, _user_id(context), flow)
    context.expecting, context.expecting_known = None, True


async def current(context: TakasContext) -> Expecting | None:
    """What waits for this user's text (read once per update)."""
    if not context.expecting_known:
        context.expecting = await usecase.current(context.db, _user_id(context))
        context.expecting_known = True
    return context.expecting


async def dispatch(update: Update, context: TakasContext) -> None:
    if update.effective_user is None or context.user_id is None:
        return
    expecting = await current(context)
    if expecting is None:
        return
    callback = _FLOWS.get(expecting.flow)
    if callback is None:
        return  # a flow this version no longer has: the text is searched as usual
    if await callback(update, context, expecting.state):
        raise ApplicationHandlerStop  # answered: not a search


HANDLER = MessageHandler(
    filters.ChatType.PRIVATE & (filters.TEXT | filters.PHOTO) & ~filters.COMMAND, dispatch)
