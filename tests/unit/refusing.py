"""`refused`: a use case's awaited call is a `Refusal` with this code (for the use-case
tests, which check many refusals in a row)."""

from __future__ import annotations

from collections.abc import Awaitable

import pytest

from bot.services.errors import Refusal


async def refused(code: str, work: Awaitable[object]) -> None:
    with pytest.raises(Refusal) as caught:
        await work
    assert caught.value.code == code
