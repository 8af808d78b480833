"""Logging set-up with secret redaction.

The bot token, webhook secret, database password and badge signing key (from
`BADGE_SIGNING_KEY` or its key file: `Settings.secrets()`; and their URL-encoded forms: the token
sits in every Bot API URL) are replaced with `[REDACTED]` in two places:

- when a record is created (`install_redaction`): its message, arguments and traceback text
  are redacted before any handler sees them, so pytest's caplog, a third-party handler or
  a library's own handler get clean records too;
- when a line is formatted (`RedactingFormatter`): a last check on the finished line.

httpx logs full request URLs at INFO; it is quietened as well, and so are PTB's DEBUG
lines, which hold every update and every message sent.

Personal data: a database error's text can carry the values of its statement (a name in a
unique violation's detail, an id the driver could not convert). Engines hide SQL
parameters (`bot.storage.db.create_engine`), and the same record factory replaces the message of
every database error in a record's arguments and traceback with `safe_error()`: its type
and SQLSTATE, no values. Nothing logs an update's payload or a message's text.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
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


_DATABASE_MODULES = ("sqlalchemy.", "asyncpg.", "sqlite3", "aiosqlite.", "psycopg")


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error` and what caused it, as a traceback shows them (each once)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or (None if current.__suppress_context__
                                        else current.__context__)


def _from_database(error: BaseException) -> bool:
    return type(error).__module__.startswith(_DATABASE_MODULES)


def safe_error(error: BaseException) -> str:
    """What went wrong without the values involved: the type (and, for a database error,
    the driver's error types, SQLSTATE and the statement with its placeholders), never the
    message, which may quote a name, an id or a text. For logs and the inbox's error
    column."""
    chain = list(_chain(error))
    described = type(error).__name__
    if any(_from_database(item) for item in chain):
        causes = [type(item).__name__ for item in chain[1:]]
        state = next((getattr(item, "sqlstate", None) or getattr(item, "pgcode", None)
                      for item in chain if getattr(item, "sqlstate", None)
                      or getattr(item, "pgcode", None)), None)
        if causes:
            described += f" ({' <- '.join(causes)})"
        if state:
            described += f" [SQLSTATE {state}]"
        statement = next((getattr(item, "statement", None) for item in chain
                          if isinstance(getattr(item, "statement", None), str)), None)
        if statement:  # the SQL, with placeholders: code, not data
            described += f" in: {' '.join(statement.split())[:150]}"
    return described


def _safe_traceback(error: BaseException) -> str:
    """The traceback of `error` and its causes, each database error's message replaced."""
    parts: list[str] = []
    for item in reversed(list(_chain(error))):
        if parts:
            parts.append("\nThe above exception was followed by:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(item.__traceback__))
        message = safe_error(item) if _from_database(item) else "".join(
            traceback.format_exception_only(type(item), item)).rstrip()
        parts.append(f"{message}\n")
    return "".join(parts).rstrip()


def scrub_database_errors(record: logging.LogRecord) -> None:
    """Replace database errors in `record` (arguments and traceback) by `safe_error`."""
    if isinstance(record.args, tuple) and any(
            isinstance(arg, BaseException) and any(map(_from_database, _chain(arg)))
            for arg in record.args):
        record.args = tuple(
            safe_error(arg) if isinstance(arg, BaseException) else arg for arg in record.args)
    if record.exc_info and record.exc_info[1] is not None and any(
            map(_from_database, _chain(record.exc_info[1]))):
        record.exc_text = _safe_traceback(record.exc_info[1])
        record.exc_info = None


def install_redaction(secrets: Iterable[str]) -> Callable[[], None]:
    """Redact every log record created from now on (secrets, and database errors: see the
    module docstring); returns a function that undoes it."""
    forms = secret_forms(secrets)
    previous = logging.getLogRecordFactory()
    traceback_formatter = logging.Formatter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        scrub_database_errors(record)
        if not forms:
            return record
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging reports it when it formats
            return record
        clean = redact(message, forms)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(traceback_formatter.formatException(record.exc_info), forms)
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, forms)
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
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite", "sqlalchemy"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # PTB logs every Bot API call with its parameters (message texts) and every update at
    # DEBUG: even LOG_LEVEL=DEBUG must not write people's messages into the logs.
    logging.getLogger("telegram").setLevel(max(logging.INFO, root.level))
