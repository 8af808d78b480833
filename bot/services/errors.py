"""A refusal by a domain rule, with a code the handlers turn into a translated message."""

from __future__ import annotations

from typing import Any


class Refusal(Exception):  # noqa: N818 - a refusal is an outcome, not a programming error
    """The rule `code` refuses the request; `params` fill the message's placeholders."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
