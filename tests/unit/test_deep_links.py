"""Deep links (handlers/deep_links.py): built with create_deep_linked_url, followed only
when the payload has its kind's shape, read back by the same pattern."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from handlers import deep_links as links

BOT: Any = SimpleNamespace(username="takas_bot")
KINDS = (links.INVITE, links.CHECK_IN, links.PLAYLIST, links.CLASS, links.CLAIM)


def kinds_following(text: str) -> list[str]:
    return [kind.prefix for kind in KINDS if kind.filter.pattern.search(text)]


def test_links_are_built_and_read_back() -> None:
    assert links.PLAYLIST.url(BOT, 42) == "https://t.me/takas_bot?start=pl_42"
    assert links.CLAIM.url(BOT, "P-AB12-CD34") == "https://t.me/takas_bot?start=rp_P-AB12-CD34"
    assert links.from_group(BOT) == "https://t.me/takas_bot?start=group"
    for kind, value in ((links.INVITE, "a-B_3"), (links.PLAYLIST, "42"),
                        (links.CLASS, "x" * 61)):
        payload = kind.payload(value)
        assert kinds_following(f"/start {payload}") == [kind.prefix]
        assert kind.value(SimpleNamespace(args=[payload])) == value


@pytest.mark.parametrize("text", [
    "/start", "/start group", "/start org_", "/start pl_²", "/start pl_٣", "/start pl_007",
    "/start pl_" + "9" * 18, "/start cl_" + "x" * 62, "/start ci_a.b", "/startpl_4",
    "/start xx_4",
])
def test_a_payload_of_no_kinds_shape_is_not_followed(text: str) -> None:
    assert kinds_following(text) == []


def test_what_no_handler_would_take_is_never_built() -> None:
    for kind, value in ((links.PLAYLIST, "abc"), (links.INVITE, "a b"), (links.CLASS, "")):
        with pytest.raises(ValueError):  # noqa: PT011 - the codec's one error
            kind.payload(value)
    assert kinds_following("/start@takas_bot rp_P-AB12-CD34") == ["rp"]
