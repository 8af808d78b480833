"""Typed callback data: one small frozen dataclass per button action, in the manner of
aiogram's `CallbackData`.

Usage::

    class Approve(CallbackData, prefix="va"):
        entry: int                     # a table id: checked with bot.text.is_row_id

    Approve(entry=5).pack()            # "va:5"
    Approve.parse("va:5")              # Approve(entry=5); ValueError when malformed
    CallbackQueryHandler(on_approve, pattern=Approve.pattern)   # one handler per action

Field types:

- `int`: one of our tables' ids (0 .. ROW_ID_MAX, canonical digits). A forged
  "va:99999999999999" matches no pattern, so it never reaches a query: the fallback
  answers the press politely.
- `Count` (or any `Annotated[int, Bounded(low, high)]`): a small number such as a page.
- `bool`: "0" or "1".
- `Literal["a", "b"]`: one of the listed words.
- `str`: a token of letters, digits, "_" and "-" (at most 24 characters).

Prefixes are lowercase, unique, and none is a ":"-segment prefix of another ("pl" and
"pl:e" cannot both exist), so exactly one action claims any data. Every class checks at
definition that its longest possible data fits Telegram's 64 bytes.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Self

from telegram import Update

from bot.text import ROW_ID_MAX

MAX_BYTES = 64  # Telegram's limit on callback_data
SEPARATOR = ":"
_PREFIX = re.compile(r"[a-z][a-z0-9]*(?::[a-z][a-z0-9]*)*")
_WORD = r"[A-Za-z0-9_\-]{1,24}"
_WORD_MAX = 24


@dataclass(frozen=True)
class Bounded:
    """Marks an int field that is not a table id: a number between `low` and `high`."""

    low: int
    high: int


Count = Annotated[int, Bounded(0, 99_999)]  # pages, minutes, positions, days ago
UserId = Annotated[int, Bounded(1, 2**53)]  # a Telegram user id (not one of our row ids)


def _up_to(high: int) -> str:
    """A regular expression for the canonical decimals 0..high (no leading zeros), so the
    handler's pattern itself refuses a number out of range."""
    digits = str(high)
    options = ["0"] if high >= 0 else []
    if len(digits) > 1:  # every shorter number
        options.append(f"[1-9][0-9]{{0,{len(digits) - 2}}}" if len(digits) > 2 else "[1-9]")
    for i, d in enumerate(digits):  # same length, smaller at position i, equal before it
        low = 1 if i == 0 else 0
        if int(d) > low:
            rest = len(digits) - i - 1
            options.append(digits[:i] + f"[{low}-{int(d) - 1}]" + (f"[0-9]{{{rest}}}" if rest
                                                                    else ""))
    if len(digits) > 1 or high > 0:
        options.append(digits)
    return "(?:" + "|".join(dict.fromkeys(options)) + ")"


# One of our tables' ids (0 .. ROW_ID_MAX, canonical digits), also for deep links' values.
ROW_ID = _up_to(ROW_ID_MAX)


@dataclass(frozen=True)
class _Field:
    """How one field is written, read and matched."""

    name: str
    regex: str
    widest: int  # the most characters a packed value can take
    read: Callable[[str], Any]
    write: Callable[[Any], str]


def _number(name: str, low: int, high: int) -> _Field:
    def read(text: str) -> int:
        if not re.fullmatch(_up_to(high), text) or int(text) < low:
            raise ValueError(f"{name}: not a number in {low}..{high}")
        return int(text)

    def write(value: Any) -> str:
        if type(value) is not int or not low <= value <= high:
            raise ValueError(f"{name}: {value!r} is not in {low}..{high}")
        return str(value)

    if low not in (0, 1):  # the pattern states the range exactly: 0 or 1 up to `high`
        raise TypeError(f"{name}: a range starts at 0 or 1")
    regex = _up_to(high) if low == 0 else f"(?!0){_up_to(high)}"
    return _Field(name, regex, len(str(high)), read, write)


def _choice(name: str, words: tuple[str, ...]) -> _Field:
    for word in words:
        if not re.fullmatch(_WORD, word):
            raise TypeError(f"{name}: {word!r} cannot be written in callback data")

    def read(text: str) -> str:
        if text not in words:
            raise ValueError(f"{name}: {text!r} is not one of {words}")
        return text

    def write(value: Any) -> str:
        return read(value)

    regex = "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"
    return _Field(name, regex, max(map(len, words)), read, write)


def _token(name: str) -> _Field:
    def read(text: str) -> str:
        if not isinstance(text, str) or not re.fullmatch(_WORD, text):
            raise ValueError(f"{name}: {text!r} is not a token")
        return text

    return _Field(name, _WORD, _WORD_MAX, read, read)


def _flag(name: str) -> _Field:
    def read(text: str) -> bool:
        if text not in ("0", "1"):
            raise ValueError(f"{name}: {text!r} is not 0 or 1")
        return text == "1"

    def write(value: Any) -> str:
        if type(value) is not bool:
            raise ValueError(f"{name}: {value!r} is not a bool")
        return "1" if value else "0"

    return _Field(name, "[01]", 1, read, write)


def _field(name: str, hint: Any) -> _Field:
    if hint is int:
        return _number(name, 0, ROW_ID_MAX)
    if hint is bool:
        return _flag(name)
    if hint is str:
        return _token(name)
    if typing.get_origin(hint) is Annotated:
        base, *extras = typing.get_args(hint)
        bounds = [e for e in extras if isinstance(e, Bounded)]
        if base is int and len(bounds) == 1:
            return _number(name, bounds[0].low, bounds[0].high)
    if typing.get_origin(hint) is Literal:
        return _choice(name, tuple(str(word) for word in typing.get_args(hint)))
    raise TypeError(f"callback data field {name}: unsupported type {hint!r}")


_PREFIXES: dict[str, type[CallbackData]] = {}


@typing.dataclass_transform(frozen_default=True)
class CallbackData:
    """Base of every action's data; subclasses name a `prefix` and declare fields."""

    prefix: ClassVar[str]
    pattern: ClassVar[re.Pattern[str]]
    _fields: ClassVar[tuple[_Field, ...]]

    def __init_subclass__(cls, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not _PREFIX.fullmatch(prefix):
            raise TypeError(f"callback prefix {prefix!r}: lowercase words joined by ':'")
        for other in _PREFIXES:
            if (other == prefix or other.startswith(prefix + SEPARATOR)
                    or prefix.startswith(other + SEPARATOR)):
                raise TypeError(f"callback prefix {prefix!r} collides with {other!r}")
        dataclass(frozen=True)(cls)
        hints = typing.get_type_hints(cls, include_extras=True)
        cls.prefix = prefix
        cls._fields = tuple(_field(f.name, hints[f.name])
                            for f in dataclasses.fields(typing.cast(Any, cls)))
        cls.pattern = re.compile("^" + re.escape(prefix) + "".join(
            SEPARATOR + f"({f.regex})" for f in cls._fields) + r"\Z")
        widest = len(prefix) + sum(1 + f.widest for f in cls._fields)
        if widest > MAX_BYTES:
            raise TypeError(f"callback data {prefix!r} can take {widest} bytes; "
                            f"Telegram allows {MAX_BYTES}")
        _PREFIXES[prefix] = cls

    def pack(self) -> str:
        """The callback_data string (ValueError for a value the parser would refuse)."""
        packed = SEPARATOR.join([self.prefix, *(
            f.write(getattr(self, f.name)) for f in self._fields)])
        if len(packed.encode()) > MAX_BYTES:  # cannot happen: checked per class
            raise ValueError(f"callback data {packed!r} is longer than {MAX_BYTES} bytes")
        return packed

    @classmethod
    def parse(cls, data: str | None) -> Self:
        """The action's data, or ValueError when `data` is not exactly what pack() writes."""
        if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
            raise ValueError("no callback data, or longer than Telegram allows")
        if cls.pattern.match(data) is None:
            raise ValueError(f"not {cls.__name__} data")
        parts = data[len(cls.prefix):].split(SEPARATOR)[1:]
        values = {f.name: f.read(part) for f, part in zip(cls._fields, parts, strict=True)}
        return cls(**values)

    @classmethod
    def of(cls, update: Update) -> Self:
        """The pressed button's data; the handler's `pattern` has already matched it."""
        query = update.callback_query
        return cls.parse(query.data if query is not None else None)


def registered() -> dict[str, type[CallbackData]]:
    """Every action's class by prefix (for tests and documentation)."""
    return dict(_PREFIXES)


__all__ = ["ROW_ID", "Bounded", "CallbackData", "Count", "UserId", "registered"]


# --- Every action's data, by flow. A new button gets a class here (prefixes stay unique).

# handlers/verification.py
class Approve(CallbackData, prefix="va"):
    entry: int


class Reject(CallbackData, prefix="vr"):
    entry: int


class RejectFor(CallbackData, prefix="vx"):
    entry: int
    reason: str


class BackToDecision(CallbackData, prefix="vb"):
    entry: int


class ApproveDigest(CallbackData, prefix="vd:ask"):
    digest: int


class ApproveDigestYes(CallbackData, prefix="vd:yes"):
    digest: int


class ApproveDigestNo(CallbackData, prefix="vd:no"):
    digest: int


# handlers/pending.py: the /pending queue (vq:...); `page` is the page to redraw after
RejectReason = Literal["absent", "hours", "organisation", "evidence"]


class PendingPage(CallbackData, prefix="vq:p"):
    page: Count


class PendingOpen(CallbackData, prefix="vq:o"):  # under the reminder: the list, as a new message
    pass


class PendingPhoto(CallbackData, prefix="vq:f"):
    entry: int


class PendingApprove(CallbackData, prefix="vq:a"):
    entry: int
    page: Count


class PendingReject(CallbackData, prefix="vq:r"):
    entry: int
    page: Count


class PendingRejectFor(CallbackData, prefix="vq:x"):
    entry: int
    page: Count
    reason: RejectReason


class PendingBulk(CallbackData, prefix="vq:b"):
    page: Count


class PendingBulkToggle(CallbackData, prefix="vq:t"):
    digest: int
    left_out: Count  # a mask: bit i leaves out the list's i-th entry
    page: Count


class PendingBulkYes(CallbackData, prefix="vq:y"):
    digest: int
    left_out: Count
    page: Count


# handlers/pupil.py
class ProfileField(CallbackData, prefix="pf:s"):
    field: str


class ProfileCancel(CallbackData, prefix="pf:x"):
    pass


class ProfileReminders(CallbackData, prefix="pf:r"):
    """Monthly reminders while behind the yearly target: on or off (also under a reminder)."""

    on: bool


class ForgetMe(CallbackData, prefix="fm"):
    erase: Literal["yes", "no"]


# handlers/location.py
class NearMe(CallbackData, prefix="nm"):
    """Ask for the user's location, to show what is nearest (under a target reminder)."""


# handlers/search.py, views.py, smalltalk.py, alerts.py (query 0: not from a stored search)
class SearchPage(CallbackData, prefix="sp"):
    query: int
    page: Count


class SearchScope(CallbackData, prefix="sl"):
    query: int
    only_language: bool


class Suggestion(CallbackData, prefix="ss"):
    query: int


class Details(CallbackData, prefix="od"):
    opportunity: int
    query: int
    page: Count


class Calendar(CallbackData, prefix="oc"):
    opportunity: int


# handlers/follow.py
class NotifyMe(CallbackData, prefix="nf"):
    query: int


class FollowList(CallbackData, prefix="fl:list"):
    pass


class Unfollow(CallbackData, prefix="uf"):
    follow: int


class FollowFrequency(CallbackData, prefix="ff"):
    follow: int
    frequency: str


# handlers/badges.py
class BadgesPage(CallbackData, prefix="bd:p"):
    page: Count


class BadgeOpen(CallbackData, prefix="bd:o"):
    badge: int


class BadgeColour(CallbackData, prefix="bd:c"):
    badge: int
    colour: str  # a name of bot.badges.image.COLOURS (another one changes nothing)


class BadgeEmblem(CallbackData, prefix="bd:e"):
    badge: int
    emblem: str  # one of bot.badges.image.EMBLEMS (another one changes nothing)


class BadgeToggle(CallbackData, prefix="bd:d"):
    badge: int


class BadgeLearners(CallbackData, prefix="bd:w"):
    badge: int
    page: Count


class BadgeAward(CallbackData, prefix="bd:a"):
    badge: int
    learner: UserId


class BadgeHolders(CallbackData, prefix="bd:r"):
    badge: int


class BadgeRevokeAsk(CallbackData, prefix="bd:v"):
    award: int


class BadgeRevoke(CallbackData, prefix="bd:y"):
    award: int


class BadgeResend(CallbackData, prefix="bd:s"):
    award: int


# handlers/log.py: the guided /log, one class per kind of answer.
LogStep = Literal["pick", "organisation", "day", "hours", "note", "confirm"]  # with a Back
LogAnswer = Literal["a", "o", "d", "h", "n"]  # activity, organisation, day, hours, note


class LogRecent(CallbackData, prefix="lg:r"):  # a recent activity of the pupil's
    entry: int


class LogPlaylistItem(CallbackData, prefix="lg:p"):  # an activity of a joined playlist
    item: int


class LogCatalogEntry(CallbackData, prefix="lg:s"):  # the catalog entry the words describe
    opportunity: int


class LogOwnWords(CallbackData, prefix="lg:t"):  # none of them: keep the typed words
    pass


class LogOrganisation(CallbackData, prefix="lg:o"):
    organisation: int


class LogOrganisationsPage(CallbackData, prefix="lg:op"):
    page: Count


class LogDay(CallbackData, prefix="lg:d"):
    days_ago: Annotated[int, Bounded(0, 1)]  # today or yesterday


class LogMinutes(CallbackData, prefix="lg:h"):
    minutes: Annotated[int, Bounded(1, 24 * 60)]


class LogNoNote(CallbackData, prefix="lg:n"):
    pass


class LogConfirm(CallbackData, prefix="lg:c"):
    nonce: str  # the draft's: a double tap finds the entry stored already


class LogCancel(CallbackData, prefix="lg:x"):
    pass


class LogResume(CallbackData, prefix="lg:k"):  # continue the unfinished draft
    pass


class LogStartAgain(CallbackData, prefix="lg:new"):
    pass


class LogBack(CallbackData, prefix="lg:b"):  # back from that step to the one before
    step: LogStep


class LogEdit(CallbackData, prefix="lg:e"):  # edit that answer from the confirmation
    answer: LogAnswer


# handlers/language.py
class Language(CallbackData, prefix="lang"):
    code: str  # checked against the catalogs this deployment has


# handlers/feeds.py
class FeedsSync(CallbackData, prefix="feeds:sync"):
    pass


# handlers/playlists.py: organizers (the editor)
LanguageCode = Literal["lt", "lv", "et", "en", "ru", "uk", "pl", "de"]  # SUPPORTED_LANGUAGES


class PlaylistNew(CallbackData, prefix="pl:n"):
    pass


class PlaylistNewFor(CallbackData, prefix="pl:no"):
    organisation: int


class PlaylistEdit(CallbackData, prefix="pl:e"):
    playlist: int


class PlaylistFromCatalog(CallbackData, prefix="pl:ac"):
    playlist: int


class PlaylistAddOpportunity(CallbackData, prefix="pl:ao"):
    playlist: int
    opportunity: int


class PlaylistOwnActivity(CallbackData, prefix="pl:aa"):
    playlist: int


class PlaylistItemRequired(CallbackData, prefix="pl:t"):
    item: int
    required: bool


class PlaylistItemUp(CallbackData, prefix="pl:u"):
    item: int


class PlaylistItemRemove(CallbackData, prefix="pl:rm"):
    item: int


class PlaylistLanguages(CallbackData, prefix="pl:l"):
    playlist: int


class PlaylistWriteIn(CallbackData, prefix="pl:lg"):
    playlist: int
    language: LanguageCode


class PlaylistPublish(CallbackData, prefix="pl:p"):
    playlist: int
    published: bool


class PlaylistShare(CallbackData, prefix="pl:s"):
    playlist: int


class PlaylistCheckin(CallbackData, prefix="pl:c"):
    playlist: int


class PlaylistCheckinHours(CallbackData, prefix="pl:ci"):
    item: int


class PlaylistCheckinOpen(CallbackData, prefix="pl:ch"):
    item: int
    minutes: Count


class PlaylistMine(CallbackData, prefix="pl:m"):
    pass


class PlaylistClose(CallbackData, prefix="pl:x"):
    pass


# handlers/playlists.py: learners (views.py shows PlaylistOpen under search results)
class PlaylistOpen(CallbackData, prefix="pl:v"):
    playlist: int


class PlaylistJoin(CallbackData, prefix="pl:j"):
    playlist: int


class PlaylistsPage(CallbackData, prefix="pl:pg"):
    page: Count


# handlers/broadcast.py
class BroadcastFor(CallbackData, prefix="bc:o"):
    organisation: int


class BroadcastLink(CallbackData, prefix="bc:l"):
    opportunity: int  # 0: no link


class BroadcastAudience(CallbackData, prefix="bc:a"):
    audience: Literal["followers", "pupils"]


class BroadcastTown(CallbackData, prefix="bc:t"):
    place: str


class BroadcastSend(CallbackData, prefix="bc:s"):
    broadcast: int


class BroadcastCancel(CallbackData, prefix="bc:x"):
    broadcast: int


class MuteOrganisation(CallbackData, prefix="mu"):
    organisation: int
