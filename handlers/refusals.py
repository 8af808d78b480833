"""What to tell the user when a rule refuses: one translated message per refusal code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.formatting import date_text, hours
from bot.i18n import _
from bot.services.errors import Refusal
from bot.text import esc

MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "admins_only": lambda p: _("Only administrators can do that."),
    "org_name": lambda p: _("An organisation needs a name of at most {limit} characters.")
    .format(limit=p["limit"]),
    "org_exists": lambda p: _("An organisation called {name} already exists.")
    .format(name=esc(p["name"])),
    "org_unknown": lambda p: _("I don't know that organisation."),
    "not_your_org": lambda p: _("Only organizers of that organisation can do that."),
    "choose_school": lambda p: _("You organize for several organisations: send /classes and "
                                 "choose the school you work in first."),
    "invite_invalid": lambda p: _("This invitation link is not valid."),
    "invite_expired": lambda p: _("This invitation link has expired or was already used. "
                                  "Ask for a new one."),
    "activity_empty": lambda p: _("Please describe the activity in a few words."),
    "activity_long": lambda p: _("Please describe the activity in at most {limit} characters.")
    .format(limit=p["limit"]),
    "note_long": lambda p: _("The note can be at most {limit} characters long.")
    .format(limit=p["limit"]),
    "hours_range": lambda p: _("Hours must be more than 0 and at most 24."),
    "day_future": lambda p: _("That day has not come yet: hours can be logged once they are "
                              "done."),
    "day_too_old": lambda p: _("That is too long ago: hours can be logged from {earliest} on.")
    .format(earliest=esc(date_text(p["earliest"]))),
    "day_full": lambda p: _("That day already has {logged} logged: a day holds at most 24 "
                            "hours.").format(logged=esc(hours(p["logged"] / 60))),
    "entry_unknown": lambda p: _("That entry no longer exists."),
    "own_hours": lambda p: _("Nobody can verify their own hours."),
    "already_decided": lambda p: _("This entry was already approved.")
    if p.get("status") == "approved" else _("This entry was already rejected.")
    if p.get("status") == "rejected" else _("This entry was already decided by another "
                                            "organizer."),
    "queue_decided": lambda p: _("These entries were already decided; the list is up to "
                                 "date now."),
    "code_invalid": lambda p: _("This check-in code is not valid."),
    "code_closed": lambda p: _("This check-in code is not open now."),
    "certificate_unknown": lambda p: _("No certificate has that code."),
    "full_name": lambda p: _("Write your full name (first name and surname), at most {limit} "
                             "characters.").format(limit=p["limit"]),
    "checks_limit": lambda p: _("You have checked {limit} certificates in the last hour; "
                                "please wait a while before the next.").format(limit=p["limit"]),
    "nothing_approved": lambda p: _("The certificate lists approved hours; none are approved "
                                    "in that school year."),
    "follows_full": lambda p: _("You follow {limit} things already; /following lets you "
                                "stop some.").format(limit=p["limit"]),
    "broadcast_limit": lambda p: _("Your organisation has sent {limit} announcements in the "
                                   "last 24 hours; that is the daily limit.")
    .format(limit=p["limit"]),
    "broadcast_unknown": lambda p: _("This announcement no longer exists."),
    # Forged button data naming a town the organisation does not serve.
    "town_not_served": lambda p: _("This button is not valid."),
    "target_range": lambda p: _("Write the yearly target in hours, between 1 and 1000."),
    "badge_unknown": lambda p: _("That badge no longer exists."),
    "badge_name": lambda p: _("A badge needs a name of at most {limit} characters.")
    .format(limit=p["limit"]),
    "badge_text": lambda p: _("A badge needs a description and criteria, each at most "
                              "{limit} characters.").format(limit=p["limit"]),
    "badge_rule": lambda p: _("The rule is a number of hours (up to 1000), #N for a "
                              "learning playlist, or nothing to award the badge by hand."),
    "own_badge": lambda p: _("Nobody can award a badge to themselves."),
    "badge_inactive": lambda p: _("This badge is not awarded any more."),
    "learner_unknown": lambda p: _("I don't know that learner."),
    "award_unknown": lambda p: _("That award no longer exists."),
    "playlist_unknown": lambda p: _("This playlist does not exist or is not published."),
    "title_long": lambda p: _("A title can be at most {limit} characters long.")
    .format(limit=p["limit"]),
    "description_long": lambda p: _("A description can be at most {limit} characters long.")
    .format(limit=p["limit"]),
    "playlist_full": lambda p: _("A playlist holds at most {limit} activities.")
    .format(limit=p["limit"]),
    "playlist_busy": lambda p: _("The playlist changed at the same moment; please try again."),
    "playlist_empty": lambda p: _("Add at least one activity before publishing."),
    "opportunity_unknown": lambda p: _("That opportunity is no longer in the catalog."),
    "class_name": lambda p: _("Write the class as a grade from 1 to 12 and a letter, for "
                              "example 8B."),
    "class_unknown": lambda p: _("That class no longer exists."),
    "class_link_invalid": lambda p: _("This class link is not valid. Ask your class teacher "
                                      "for a new one."),
    "organizer_not_pupil": lambda p: _("You organize for this school, so you cannot join it "
                                       "as a pupil."),
    "claim_invalid": lambda p: _("This code is not valid or was already used. Ask your "
                                 "class teacher."),
    "already_pupil": lambda p: _("You are already a pupil of this school. Ask your class "
                                 "teacher to record your hours on your own record."),
    "class_last_grade": lambda p: _("Grade 12 is the last one: this class leaves school."),
    "pupil_unknown": lambda p: _("That pupil is not on this school's list."),
    "no_classes": lambda p: _("Your school has no classes this school year yet: /classes "
                              "new 8B creates one."),
    "attendance_gone": lambda p: _("This attendance list was already saved or replaced. "
                                   "/attendance starts a new one."),
    "attendance_empty": lambda p: _("Tick at least one pupil first."),
}


def explain(refusal: Refusal) -> str:
    """The translated, escaped message for a refusal."""
    message = MESSAGES.get(refusal.code)
    return message(refusal.params) if message else _("That is not possible.")
