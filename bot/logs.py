"""Logging set-up with secret redaction.

The bot token, webhook secret, database password and badge signing key (from
`BADGE_SIGNING_KEY` or its key file: `Settings.secrets()`; and their URL-encoded forms: the token
sits in every Bot API URL) are replaced with `[REDACTED]` in two places:

- when a record is created (`install_redaction`): its message, arguments and traceback text
  are redacted before any handler sees them, so pytest's caplog, a third-party handler or
  a library's own handler get clean records too;
- when a line is formatted (`RedactingFormatter`): a last check on the finished line.

httpx logs full request URLs at INFO; it is quietened as well.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[REDACTED]"


def secret_forms(secrets: Iterable[str]) -> list[str]:
    """Each secret as written and URL-encoded, longest first (a secret containing another
    is replaced whole). Values under 4 characters are too common to replace."""
    forms = set()
    for secret in secrets:
        if len(secret) >= 4:
            forms |= {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    return sorted(forms, key=len, reverse=True)


def redact(text: str, forms: list[str]) -> str:
    for form in forms:
        text = text.replace(form, REDACTED)
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter that removes known secrets from the finished line."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._forms = secret_forms(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._forms)


def install_redaction(secrets: Iterable[str]) -> Callable[[], None]:
    """Redact every log record created from now on; returns a function that undoes it."""
    forms = secret_forms(secrets)
    previous = logging.getLogRecordFactory()
    if not forms:
        return lambda: None
    traceback_formatter = logging.Formatter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging reports it when it formats
            return record
        clean = redact(message, forms)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(traceback_formatter.formatException(record.exc_info), forms)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, forms)
        return record

    logging.setLogRecordFactory(factory)
    return lambda: logging.setLogRecordFactory(previous)


def setup_logging(level: str, secrets: Iterable[str]) -> None:
    """Configure the root logger once for the process."""
    secrets = list(secrets)
    install_redaction(secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
