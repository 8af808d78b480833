"""Typed callback data: one class per button action (pack, parse, pattern).

Provisional minimal base until helper `routing` lands the shared one; the classes below
follow its documented API (`X(field=1).pack()`, `X.parse(data)`, `X.pattern`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Self

from bot.text import CALLBACK_DATA_LIMIT


class CallbackData:
    """Fields are ints, packed after the prefix with ':' between them."""

    prefix: ClassVar[str]
    pattern: ClassVar[re.Pattern[str]]

    def __init_subclass__(cls, prefix: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.prefix = prefix

    def pack(self) -> str:
        values = [str(getattr(self, item.name)) for item in fields(self)]  # type: ignore[arg-type]
        data = ":".join([self.prefix, *values])
        if len(data.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError("callback data longer than Telegram allows")
        return data

    @classmethod
    def parse(cls, data: str) -> Self:
        parts = data.split(":")
        names = [item.name for item in fields(cls)]  # type: ignore[arg-type]
        if parts[0] != cls.prefix or len(parts) != len(names) + 1:
            raise ValueError("not this button")
        if not all(re.fullmatch(r"[0-9]{1,9}", part) for part in parts[1:]):
            raise ValueError("malformed button data")
        return cls(**dict(zip(names, map(int, parts[1:]), strict=True)))


@dataclass(frozen=True)
class CertificateYear(CallbackData, prefix="cy"):
    year: int  # the first calendar year of the school year; 0: all years


CertificateYear.pattern = re.compile(r"^cy:")
