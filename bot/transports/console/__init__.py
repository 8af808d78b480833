"""The terminal console: talk to the real Application without Telegram or a token."""

from bot.transports.console.session import run_console

__all__ = ["run_console"]
