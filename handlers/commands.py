"""The bot's public commands: one table for the menu (setMyCommands) and for /help."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_, gettext


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # an English message id, translated where shown


COMMANDS: tuple[Command, ...] = (
    Command("start", N_("What Takas is and how to begin")),
    Command("help", N_("Everything I can do")),
    Command("language", N_("Change the language")),
)


def described(commands: tuple[Command, ...] = COMMANDS) -> list[tuple[str, str]]:
    """(name, translated description) pairs in the current language."""
    return [(command.name, gettext(command.description)) for command in commands]
