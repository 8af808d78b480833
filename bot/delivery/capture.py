"""Replies that commit with their update: Bot API calls captured while an update is processed.

A web process must not talk to Telegram while it handles an update from the inbox: if it
died between sending a reply and marking the update processed, the update would be handled
again and the reply sent twice. So while an update is processed, `CapturingRequest` keeps
every Bot API call that changes something (sendMessage, editMessageText, answerCallbackQuery,
sendDocument, ...) in a `Captured` list and answers the handler at once with a plausible
result. The processor then writes the captured calls into the outbox in the same
transaction that marks the update done, and the sender delivers them (in order, paced with
everything else the bot sends). Either the update's replies are all queued, exactly once,
or the update is not marked done and is processed again from scratch.

Calls that only read (getMe, getFile, getChat...) pass through. A message sent and then
edited within the same update (a "please wait" turned into the result) is sent once, edited
before it leaves. Outside an update (start-up, jobs) nothing is captured.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from telegram import InputFile
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.wrapped_request import WrappedRequest

# Methods that change nothing in Telegram: sent at once, whatever the context.
READ_ONLY = frozenset({
    "getMe", "getFile", "getChat", "getChatMember", "getChatAdministrators",
    "getChatMemberCount", "getUpdates", "getWebhookInfo", "getMyCommands", "getMyName",
    "getMyDescription", "getMyShortDescription", "getUserProfilePhotos", "getStickerSet",
    "logOut", "close", "setWebhook", "deleteWebhook",
})
# Methods that make a new message (the handler is told a synthetic, negative message_id),
# and those whose result is a Message; all others captured here answer `true`.
_NEW_MESSAGE = ("send", "forwardMessage", "copyMessage")
_MESSAGE_RESULT = (*_NEW_MESSAGE, "edit", "stopMessageLiveLocation")
_EDITS = ("editMessageText", "editMessageCaption", "editMessageReplyMarkup")
_EDIT_FIELDS = ("text", "caption", "parse_mode", "reply_markup", "entities",
                "link_preview_options", "caption_entities")


@dataclass
class CapturedCall:
    """One Bot API call, as the HTTP layer would have posted it."""

    method: str
    params: dict[str, str]  # JSON-encoded values, as `RequestData.json_parameters`
    files: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # b64 content
    synthetic_id: int | None = None  # the message_id the handler was told

    @property
    def chat_id(self) -> int | None:
        raw = self.params.get("chat_id")
        try:
            return int(raw) if raw is not None else None
        except ValueError:
            return None  # a @channel username

    @property
    def text(self) -> str:
        return self.params.get("text") or self.params.get("caption") or ""

    def stored(self) -> dict[str, Any]:
        """What the outbox keeps (JSON)."""
        return {"params": self.params, "files": {k: list(v) for k, v in self.files.items()}}


@dataclass
class Captured:
    """The calls one update made, in order."""

    calls: list[CapturedCall] = field(default_factory=list)
    _next_id: int = -1

    def synthetic_id(self) -> int:
        value = self._next_id
        self._next_id -= 1
        return value


_current: contextvars.ContextVar[Captured | None] = contextvars.ContextVar(
    "takas_captured_calls", default=None)


@contextlib.contextmanager
def capturing() -> Iterator[Captured]:
    """Capture the Bot API calls made in this context (and the tasks it starts)."""
    captured = Captured()
    token = _current.set(captured)
    try:
        yield captured
    finally:
        _current.reset(token)


def stored_request(stored: dict[str, Any]) -> RequestData:
    """A captured call (`CapturedCall.stored()`), ready to be posted again by the sender.

    The parameters are kept JSON-encoded; as string values they are posted unchanged. Each
    file goes back under the multipart field name it had (a `document` parameter, or the
    `attach://` name a media parameter refers to)."""
    parameters = [RequestParameter(name, value, None)
                  for name, value in (stored.get("params") or {}).items()]
    for name, (filename, content, mime) in (stored.get("files") or {}).items():
        upload = InputFile(base64.b64decode(content), filename=filename, attach=True)
        upload.attach_name = name
        upload.mimetype = mime
        parameters.append(RequestParameter(f"_file_{name}", None, [upload]))
    return RequestData(parameters)


def _read(content: Any) -> bytes:
    if isinstance(content, bytes):
        return content
    data = content.read()  # a file handle (PTB reads it when posting, so may we)
    return data if isinstance(data, bytes) else str(data).encode()


class CapturingRequest(WrappedRequest):
    """Wraps the real request: captures state-changing calls made inside `capturing()`."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        captured = _current.get()
        api_method = url.rsplit("/", 1)[-1]
        if captured is None or api_method in READ_ONLY:
            return await self.forward(url, method, request_data, read_timeout, write_timeout,
                                      connect_timeout, pool_timeout)
        params = request_data.json_parameters if request_data else {}
        files: dict[str, tuple[str, str, str]] = {}
        for name, (filename, content, mime) in (
                request_data.multipart_data if request_data else {}).items():
            files[name] = (filename, base64.b64encode(_read(content)).decode("ascii"), mime)
        result = _record(captured, api_method, dict(params), files)
        return 200, json.dumps({"ok": True, "result": result}).encode()


def _record(captured: Captured, method: str, params: dict[str, str],
            files: dict[str, tuple[str, str, str]]) -> Any:
    """Add the call (or fold an edit into the send it edits); the result to answer."""
    if method in _EDITS:
        target = _synthetic_target(captured, params)
        if target is not None:  # edits a message not sent yet: change what will be sent
            for name in _EDIT_FIELDS:
                if name in params:
                    target.params[name] = params[name]
            return _message(target.params, target.synthetic_id)
    call = CapturedCall(method, params, files)
    captured.calls.append(call)
    if method.startswith(_NEW_MESSAGE):
        call.synthetic_id = captured.synthetic_id()
    if method == "copyMessage":  # its result is a MessageId, not a Message
        return {"message_id": call.synthetic_id}
    if not method.startswith(_MESSAGE_RESULT) or "inline_message_id" in params:
        return True
    return _message(params, call.synthetic_id)


def _synthetic_target(captured: Captured, params: dict[str, str]) -> CapturedCall | None:
    try:
        message_id = int(params.get("message_id", "0"))
    except ValueError:
        return None
    if message_id >= 0:
        return None
    return next((call for call in captured.calls if call.synthetic_id == message_id), None)


def _message(params: dict[str, str], synthetic_id: int | None) -> dict[str, Any]:
    """A Message object good enough for a handler that looks at what it sent."""
    chat_id = params.get("chat_id", "0")
    try:
        chat: dict[str, Any] = {"id": int(chat_id)}
        chat["type"] = "private" if chat["id"] > 0 else "supergroup"
    except ValueError:
        chat = {"id": 0, "type": "channel", "username": chat_id.lstrip("@")}
    message_id = synthetic_id if synthetic_id is not None else int(params.get("message_id", 0))
    message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "chat": chat}
    if "text" in params:
        message["text"] = params["text"]
    if "caption" in params:
        message["caption"] = params["caption"]
    if "reply_markup" in params:
        with contextlib.suppress(ValueError):
            message["reply_markup"] = json.loads(params["reply_markup"])
    return message


__all__ = ["READ_ONLY", "Captured", "CapturedCall", "CapturingRequest", "capturing",
           "stored_request"]
