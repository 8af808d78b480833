"""The callback data codec: what pack() writes, parse() reads back exactly, and nothing else.

Every action registered by the handlers is checked: a packed button fits Telegram's 64
bytes, round-trips, and a forged, malformed or oversized string is refused by both the
parser and the handler's pattern (so it never reaches a query)."""

from __future__ import annotations

import re
import typing
from typing import Annotated, Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import handlers  # noqa: F401  (registers every action's data)
from bot.text import ROW_ID_MAX
from handlers.callback_data import MAX_BYTES, Bounded, CallbackData, Count, registered

# The machine may be busy: generating inputs is not what these tests measure.
RELAXED = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
ACTIONS = sorted(registered().values(), key=lambda cls: cls.prefix)


class Sample(CallbackData, prefix="zz:sample"):
    entry: int
    page: Count
    on: bool
    kind: Literal["followers", "pupils"]
    code: str


def strategy_for(hint: Any) -> st.SearchStrategy[Any]:
    if hint is int:
        return st.integers(0, ROW_ID_MAX)
    if hint is bool:
        return st.booleans()
    if hint is str:
        return st.from_regex(r"[A-Za-z0-9_\-]{1,24}", fullmatch=True)
    if typing.get_origin(hint) is Literal:
        return st.sampled_from(typing.get_args(hint))
    base, bounds = typing.get_args(hint)[0], typing.get_args(hint)[1]
    assert base is int
    assert isinstance(bounds, Bounded)
    return st.integers(bounds.low, bounds.high)


def instances(cls: type[CallbackData]) -> st.SearchStrategy[CallbackData]:
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = {name: strategy_for(hint) for name, hint in hints.items()
              if typing.get_origin(hint) is not typing.ClassVar and name not in (
                  "prefix", "pattern", "_fields")}
    return st.builds(cls, **fields)


def any_action() -> st.SearchStrategy[CallbackData]:
    return st.sampled_from([*ACTIONS, Sample]).flatmap(instances)


def test_the_example_packs_as_documented() -> None:
    data = Sample(entry=5, page=2, on=True, kind="pupils", code="a-b_1")
    assert data.pack() == "zz:sample:5:2:1:pupils:a-b_1"
    assert Sample.parse("zz:sample:5:2:1:pupils:a-b_1") == data
    assert Sample.pattern.match(data.pack())


@RELAXED
@given(any_action())
def test_every_action_round_trips_within_64_bytes(data: CallbackData) -> None:
    packed = data.pack()
    assert len(packed.encode()) <= MAX_BYTES
    assert type(data).parse(packed) == data
    assert type(data).pattern.match(packed)
    # Exactly one action claims it: prefixes never overlap.
    assert [cls for cls in ACTIONS if cls.pattern.match(packed)] in ([], [type(data)])


@RELAXED
@given(any_action(), st.integers(ROW_ID_MAX + 1, 10**30))
def test_a_forged_table_id_is_refused_before_any_query(data: CallbackData, huge: int) -> None:
    cls = type(data)
    for index, field in enumerate(cls._fields):
        # Only table ids (plain int); a Telegram user id (UserId) is larger by nature.
        if typing.get_type_hints(cls, include_extras=True)[field.name] is not int:
            continue
        parts = data.pack()[len(cls.prefix) + 1:].split(":")
        parts[index] = str(huge)
        forged = ":".join([cls.prefix, *parts])
        assert cls.pattern.match(forged) is None
        with pytest.raises(ValueError, match=r"not|Telegram"):
            cls.parse(forged)


@RELAXED
@given(st.sampled_from([*ACTIONS, Sample]), st.text(max_size=80))
def test_parse_accepts_only_what_pack_writes(cls: type[CallbackData], text: str) -> None:
    for candidate in (text, cls.prefix + ":" + text, cls.prefix + text):
        try:
            parsed = cls.parse(candidate)
        except ValueError:
            assert cls.pattern.match(candidate) is None or len(candidate.encode()) > MAX_BYTES
            continue
        assert parsed.pack() == candidate


@pytest.mark.parametrize("forged", [
    "zz:sample:05:2:1:pupils:x",     # leading zero: not what pack writes
    "zz:sample:5:100000:1:pupils:x",  # page out of range
    "zz:sample:5:2:2:pupils:x",      # not a flag
    "zz:sample:5:2:1:admins:x",      # not one of the words
    "zz:sample:5:2:1:pupils:a:b",    # one field too many
    "zz:sample:5:2:1:pupils",        # one too few
    "zz:sample:5:2:1:pupils:" + "x" * 25,  # token too long
    "zz:sample:-1:2:1:pupils:x",
    "zz:sample:５:2:1:pupils:x",     # a digit int() reads but we never write
    "zz:sample:5:2:1:pupils:x\n",
    "ZZ:sample:5:2:1:pupils:x",
    None,
    "zz:sample:5:2:1:pupils:" + "é" * 40,
])
def test_malformed_data_is_refused(forged: str | None) -> None:
    with pytest.raises(ValueError, match=r"no callback data|not"):
        Sample.parse(forged)
    if forged is not None:
        assert Sample.pattern.match(forged) is None


def test_pack_refuses_what_parse_would() -> None:
    with pytest.raises(ValueError, match="entry"):
        Sample(entry=ROW_ID_MAX + 1, page=0, on=False, kind="pupils", code="x").pack()
    with pytest.raises(ValueError, match="code"):
        Sample(entry=1, page=0, on=False, kind="pupils", code="a:b").pack()


def test_prefixes_are_lowercase_unique_and_never_overlap() -> None:
    prefixes = [cls.prefix for cls in ACTIONS]
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(:[a-z][a-z0-9]*)*", p) for p in prefixes)
    lowered = [p.lower() for p in prefixes]
    assert len(set(lowered)) == len(lowered)
    with pytest.raises(TypeError, match="collides"):
        class Again(CallbackData, prefix="zz:sample"):
            entry: int
    with pytest.raises(TypeError, match="collides"):
        class Inside(CallbackData, prefix="zz"):
            entry: int
    with pytest.raises(TypeError, match="lowercase"):
        class Upper(CallbackData, prefix="Zq"):
            entry: int


def test_a_class_whose_data_could_exceed_64_bytes_is_refused() -> None:
    with pytest.raises(TypeError, match="64"):
        class Long(CallbackData, prefix="zz:long"):
            a: str
            b: str
            c: str


def test_unsupported_field_types_are_refused() -> None:
    with pytest.raises(TypeError, match="unsupported"):
        class Floaty(CallbackData, prefix="zz:float"):
            value: float
    with pytest.raises(TypeError, match="unsupported"):
        class Unbounded(CallbackData, prefix="zz:ann"):
            value: Annotated[int, "no bounds"]


def test_a_playlist_can_be_written_in_every_supported_language_and_no_other() -> None:
    from bot.languages import SUPPORTED_LANGUAGES
    from handlers.callback_data import LanguageCode, PlaylistWriteIn

    assert typing.get_args(LanguageCode) == SUPPORTED_LANGUAGES
    assert PlaylistWriteIn.parse("pl:lg:5:de") == PlaylistWriteIn(playlist=5, language="de")
    with pytest.raises(ValueError, match="not"):
        PlaylistWriteIn.parse("pl:lg:5:fr")
