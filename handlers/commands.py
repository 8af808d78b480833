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
    Command("log", N_("Log volunteering hours")),
    Command("hours", N_("Your hours and progress")),
    Command("export", N_("Your hours as CSV and a PDF certificate")),
    Command("badges", N_("Your badges, to keep and share")),
    Command("following", N_("What you follow and how often you hear")),
    Command("playlists", N_("Learning playlists you joined and your progress")),
    Command("profile", N_("Your school, grade and yearly target")),
    Command("claim", N_("Take over the record your class teacher made for you")),
    Command("language", N_("Change the language")),
    Command("mydata", N_("Everything stored about you")),
    Command("verify", N_("Check a certificate's code")),
    Command("forgetme", N_("Erase your data")),
)

# Shown in /help to organizers and administrators, not in everyone's menu.
ORGANIZER_COMMANDS: tuple[Command, ...] = (
    Command("pending", N_("Hours waiting for your verification")),
    Command("broadcast", N_("Announce something to your followers or pupils")),
    Command("checkin", N_("Open a check-in code for an event")),
    Command("badge", N_("Define, award and revoke your organisation's badges")),
    Command("playlist", N_("Build learning playlists of opportunities and activities")),
    Command("org", N_("Organisations and invitation links")),
    Command("classes", N_("Your school's classes, their links and pupils")),
    Command("attendance", N_("Record who took part in an activity")),
    Command("targets", N_("Yearly targets per grade")),
    Command("report", N_("Your organisation's report for the e-diary (CSV and PDF)")),
    Command("feeds", N_("Partner feeds (administrators)")),
    Command("revoke", N_("Revoke a certificate (administrators)")),
)


def described(commands: tuple[Command, ...] = COMMANDS) -> list[tuple[str, str]]:
    """(name, translated description) pairs in the current language."""
    return [(command.name, gettext(command.description)) for command in commands]
