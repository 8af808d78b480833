"""What a request's failure means to the person who made it.

A `Refusal` is a domain rule saying no (a code the handlers turn into a translated message;
the central error handler, handlers/errors.py, answers it). `unavailable` tells a failure
of the storage underneath (down, restarting, out of space) from a mistake in the request,
so callers above the storage floor need not know which database runs.
"""

from __future__ import annotations

from typing import Any

from bot.storage import db


class Refusal(Exception):  # noqa: N818 - a refusal is an outcome, not a programming error
    """The rule `code` refuses the request; `params` fill the message's placeholders."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def unavailable(error: BaseException | None) -> bool:
    """Whether `error` (or what caused it) says the storage could not be reached or could
    not write, rather than that the request itself was wrong."""
    return db.unavailable(error)
