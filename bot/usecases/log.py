"""/log: the guided flow and the one-line shortcut, one transaction per step.

Every step loads the pupil's draft (bot.services.drafts), applies the answer, saves it and
gathers what the next question shows (recent activities, playlist items, organisations,
the confirmation's organisation name) in the same transaction, and returns a `Question`.
The rules of the flow live here: which button may set what (`apply_choice`), what Back
and Edit clear, and that a confirmed draft stored already is found, not stored twice.
Confirming queues the verification requests in the transaction that stores the entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import drafts, orgs
from bot.services import playlists as playlist_rules
from bot.services.hours import NewEntry, log_entry, today
from bot.storage.catalog_tables import Opportunity
from bot.storage.db import Database
from bot.storage.models import HourEntry
from bot.text import is_id
from bot.usecases.verification import queue_requests

# What each step's Back undoes, and what each Edit on the confirmation asks again: the
# draft fields cleared, so `drafts.next_step` lands on that step.
BACK_TO = {"pick": "a", "organisation": "a", "day": "o", "hours": "d", "note": "h",
           "confirm": "n"}
CLEARS = {"a": ("activity", "candidates", "opportunity_id", "playlist_item_id"),
          "o": ("organisation_id", "org_query"), "d": ("day",), "h": ("minutes",),
          "n": ("note_done", "note", "photo")}
# Steps answered by a message (at the organisation step: words of its name to search).
TYPED_STEPS = ("activity", "organisation", "day", "hours", "note")

@dataclass(frozen=True)
class Question:
    """The draft after a step, and what its next question shows."""

    data: dict[str, Any]
    recent: tuple[tuple[int, str], ...] = ()  # (entry id, activity) at the activity step
    todo: tuple[tuple[int, str], ...] = ()  # (playlist item id, title) at the activity step
    organisations: tuple[tuple[int, str], ...] = ()  # (id, name) at the organisation step
    organisation: str | None = None  # the chosen one's name, on the confirmation

    @property
    def step(self) -> str:
        return str(self.data["step"])


@dataclass(frozen=True)
class Started:
    question: Question | None  # None: an unfinished draft waits (resume or start again)


@dataclass(frozen=True)
class Logged:
    minutes: int
    day: date
    new: bool  # False: a double tap or redelivery found it stored already
    requests: int  # verification requests queued


async def _question(session: AsyncSession, user_id: int, data: dict[str, Any]) -> Question:
    step = data["step"]
    if step == "activity":
        recent = await drafts.recent_activities(session, user_id)
        todo = await playlist_rules.open_items(session, user_id)
        return Question(data, recent=tuple((e.id, e.activity) for e in recent),
                        todo=tuple((item.id, item.title) for item, _playlist in todo))
    if step == "organisation":
        wanted = data.get("org_query")
        found = (await orgs.search_organisations(session, wanted) if wanted
                 else await orgs.picker_organisations(session, user_id))
        return Question(data, organisations=tuple((o.id, o.name) for o in found))
    if step == "confirm":
        return Question(data, organisation=await orgs.name_of(
            session, data.get("organisation_id")))
    return Question(data)


async def start(db: Database, user_id: int) -> Started:
    """/log without words: a new draft, unless one is unfinished."""
    async with db.transaction() as session:
        if await drafts.get(session, user_id) is not None:
            return Started(None)
        data = await drafts.save(session, user_id, {})
        return Started(await _question(session, user_id, data))


async def resume(db: Database, user_id: int) -> Question | None:
    """The unfinished draft's current question; None if there is none."""
    async with db.transaction() as session:
        data = await drafts.get(session, user_id)
        return None if data is None else await _question(session, user_id, data)


async def shortcut(db: Database, user_id: int, *, activity: str, minutes: int,
                   day: date | None, nonce: str) -> Question:
    """/log HOURS ACTIVITY [DAY]: a draft with everything but the organisation, which
    defaults to the pupil's last one; the confirmation (or the organisation) is next."""
    async with db.transaction() as session:
        organisation_id = await drafts.last_organisation(session, user_id)
        data = await drafts.save(session, user_id, {
            "activity": activity, "minutes": minutes, "note_done": True,
            "day": (day or today()).isoformat(), "nonce": nonce,
            "organisation_id": organisation_id,
        })
        return await _question(session, user_id, data)


async def waiting_step(db: Database, user_id: int) -> str | None:
    """The step of the pupil's draft if it waits for a typed answer."""
    async with db.transaction() as session:
        data = await drafts.get(session, user_id)
    step = data["step"] if data is not None else None
    return step if step in TYPED_STEPS else None


async def answer(db: Database, user_id: int, changes: Callable[[str], dict[str, Any] | None],
                 ) -> Question | None:
    """A typed answer: `changes(step)` gives the draft fields it sets at that step (None:
    the draft does not wait for text, or the answer is refused: nothing is saved).
    The next question; None when nothing was saved."""
    async with db.transaction() as session:
        data = await drafts.get(session, user_id)
        if data is None or data["step"] not in TYPED_STEPS:
            return None
        changed = changes(data["step"])
        if changed is None:
            return None
        data = await drafts.save(session, user_id, {**data, **changed})
        return await _question(session, user_id, data)


@dataclass(frozen=True)
class Chosen:
    question: Question | None  # None: the draft is gone (or the choice was not valid)
    cancelled: bool = False


async def choose(db: Database, user_id: int, action: str, value: str) -> Chosen:
    """A button of the flow (not Confirm): x cancel, new start again, or a choice."""
    async with db.transaction() as session:
        if action == "x":
            await drafts.drop(session, user_id)
            return Chosen(None, cancelled=True)
        if action == "new":
            await drafts.drop(session, user_id)
            data: dict[str, Any] | None = await drafts.save(session, user_id, {})
        else:
            data = await drafts.get(session, user_id)
            if data is not None:
                data = await apply_choice(session, user_id, data, action, value)
                if data is not None:
                    data = await drafts.save(session, user_id, data)
        return Chosen(None if data is None else await _question(session, user_id, data))


async def apply_choice(session: AsyncSession, user_id: int, data: dict[str, Any], action: str,
                       value: str) -> dict[str, Any] | None:
    """The draft after a button press; None when the press is not valid for this draft
    (a forged or stale button)."""
    if action == "s" and is_id(value):
        if int(value) not in [oid for oid, _label in data.get("candidates", [])]:
            return None
        opportunity = await session.get(Opportunity, int(value))
        if opportunity is None:
            return None
        data.update(activity=opportunity.title[:300], opportunity_id=opportunity.id,
                    candidates=[])
        data["organisation_id"] = await drafts.organisation_for_provider(
            session, opportunity.provider) or data.get("organisation_id")
    elif action == "t":
        data["candidates"] = []
    elif action == "p" and is_id(value):
        found = await playlist_rules.item_for_log(session, int(value), user_id)
        if found is None:
            return None
        item, playlist = found
        data.update(activity=item.title, playlist_item_id=item.id, candidates=[],
                    opportunity_id=item.opportunity_id,
                    organisation_id=playlist.organisation_id)
    elif action == "r" and is_id(value):
        entry = await session.get(HourEntry, int(value))
        if entry is None or entry.user_id != user_id:
            return None
        data.update(activity=entry.activity, organisation_id=entry.organisation_id)
    elif action == "o" and is_id(value):
        data["organisation_id"] = int(value)
        data.pop("org_query", None)
    elif action == "op" and is_id(value):
        data["org_page"] = int(value)
    elif action == "d" and value in ("0", "1"):
        data["day"] = (today() - timedelta(days=int(value))).isoformat()
    elif action == "h" and is_id(value) and 0 < int(value) <= 24 * 60:
        data["minutes"] = int(value)
    elif action == "n":
        data["note_done"] = True
    elif action == "b" and BACK_TO.get(value) and data.get("step") == value:
        _clear(data, BACK_TO[value])
    elif action == "e" and value in CLEARS and data.get("step") == "confirm":
        _clear(data, value)
    return data


def _clear(data: dict[str, Any], field: str) -> None:
    """Forget one answer, so the flow asks for it again (see `CLEARS`)."""
    for key in CLEARS[field]:
        data.pop(key, None)
    if field == "o":
        data.pop("org_page", None)


async def confirm(db: Database, user_id: int, nonce: str) -> Logged | None:
    """Store the confirmed draft as an entry (a `Refusal` if a rule says no) and queue
    its verification requests; a repeated Confirm finds the entry stored the first
    time (`new` False). None: no such draft and no such entry."""
    key = f"log:{user_id}:{nonce}"
    async with db.transaction() as session:
        data = await drafts.get(session, user_id)
        if data is None or data.get("nonce") != nonce or data["step"] != "confirm":
            found = await already_logged(session, key)
            return None if found is None else Logged(found.minutes, found.day, False, 0)
        entry, new = await log_entry(session, NewEntry(
            user_id=user_id, organisation_id=int(data["organisation_id"]),
            activity=data["activity"], day=date.fromisoformat(data["day"]),
            minutes=int(data["minutes"]), key=key, note=data.get("note"),
            photo_file_id=data.get("photo"), opportunity_id=data.get("opportunity_id"),
            playlist_item_id=data.get("playlist_item_id")))
        await drafts.drop(session, user_id)
        requests = await queue_requests(session, entry) if new else 0
        return Logged(entry.minutes, entry.day, new, requests)


async def already_logged(session: AsyncSession, key: str) -> HourEntry | None:
    """The entry a Confirm with this key stored, if any."""
    return (await session.scalars(
        select(HourEntry).where(HourEntry.idempotency_key == key))).first()

