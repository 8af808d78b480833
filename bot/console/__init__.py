"""The terminal console: talk to the real Application without Telegram or a token."""

from bot.console.session import run_console

__all__ = ["run_console"]
