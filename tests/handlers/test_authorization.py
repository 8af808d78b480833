"""Who may do what: every registered command and every registered button, pressed or sent by
a learner, a pupil (hours with organisation A), an organizer of A, an organizer of B and an
administrator, against one documented table.

The tables below are the documentation: README.md's "Who may do what" section is rendered
from them (`python -m tests.handlers.test_authorization` prints it) and a test checks the two agree.
A command or button pattern registered without a row here fails the test, so every new one
gets documented. Button data is forged (as a malicious client would send it) on a message
the presser really has; a refused or expired press must leave the database as it was.

One Application serves the whole matrix (starting it per cell would take minutes); failing
cells are collected and reported together.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.app import running
from bot.services import (
    badges,
    broadcasts,
    certificates,
    orgs,
    playlists,
    schools,
    verification_digests,
)
from bot.services import hours as hour_rules
from bot.storage.catalog_tables import Opportunity, SearchQuery
from bot.storage.models import BadgeRule, Base, Follow, HourEntry, Membership, utcnow
from bot.storage.playlist_tables import Playlist, PlaylistMember
from bot.transports.polling import build_polling_application
from handlers.commands import COMMANDS as MENU
from handlers.commands import ORGANIZER_COMMANDS
from tests.fakes import FakeBotAPI, SentMessage

README = Path(__file__).resolve().parents[2] / "README.md"
ADMIN, ORG_A, ORG_B, LEARNER, PUPIL = 900, 911, 912, 913, 914
ROLES = {"learner": LEARNER, "pupil": PUPIL, "organizer_a": ORG_A, "organizer_b": ORG_B,
         "admin": ADMIN}
# Owners act last within a row, so a permitted change never precedes the others' attempts.
PRESS_ORDER = ("learner", "organizer_b", "admin", "pupil", "organizer_a")
A, B = "Utenos biblioteka", "Kauno mokykla"


@dataclass(frozen=True)
class Outcome:
    kind: str  # "allowed", "refused" or "expired" (the button does nothing for them)
    text: str  # a fragment of the reply that shows it worked, or the refusal itself


def ok(fragment: str) -> Outcome:
    return Outcome("allowed", fragment)


def no(text: str) -> Outcome:
    return Outcome("refused", text)


def gone(text: str = "This button has expired.") -> Outcome:
    return Outcome("expired", text)


def each(outcome: Outcome, **others: Outcome) -> dict[str, Outcome]:
    return {role: others.get(role, outcome) for role in ROLES}


NOT_ORG = no("Only organizers of that organisation can do that.")
NOT_ADMIN = no("Only administrators can do that.")
NOT_FEEDS = no("Only administrators can manage feeds.")
NOTHING_WAITS = "Nothing waits for your verification."
# What a learner or pupil (an organizer of nothing) hears for an organizer's command.
FOR_ORGANIZERS = no("This command is for organizers of an organisation on Takas.")
LEARNERS = {"learner": FOR_ORGANIZERS, "pupil": FOR_ORGANIZERS}
NO_HOURS = "No hours logged yet."
NO_PLAYLIST = no("This playlist does not exist or is not published.")
NO_BADGE = no("This badge is no longer available.")
PLAYLISTS = "Your learning playlists"
STALE_SEARCH = gone("This button has expired; send your search again.")
NO_DRAFT = gone("This entry is no longer open; start again with /log.")

# {command with arguments: {role: outcome}}; placeholders: see `values()` and SHOWN.
COMMAND_TABLE: dict[str, dict[str, Outcome]] = {
    "/start": each(ok("Hello, ")),
    "/help": each(ok("What I can do"), organizer_a=ok("For organizers"),
                  organizer_b=ok("For organizers"), admin=ok("For organizers")),
    "/log": each(ok("What did you do?")),
    "/hours": each(ok(NO_HOURS), pupil=ok("Approved: 1 hour · waiting: 7 hours")),
    "/export": each(ok(NO_HOURS), pupil=ok("All your entries (CSV).")),
    f"/export {PUPIL}": each(ok(NO_HOURS), pupil=ok("All your entries (CSV).")),
    f"/follow {A}": each(ok(f"Done: I will tell you about new opportunities for 🏛 {A}")),
    "/following": each(ok("What you follow")),
    "/profile": each(ok("Your profile")),
    "/language": each(ok("Choose the language")),
    "/mydata": each(ok("Everything Takas stores about you.")),
    "/forgetme": each(ok("This erases your profile")),
    "/pending": each(ok(NOTHING_WAITS), organizer_a=ok("Hours to verify (Utenos biblioteka)"),
                     **LEARNERS),
    "/broadcast": each(FOR_ORGANIZERS,
                       organizer_a=ok("Write the announcement"),
                       organizer_b=ok("Write the announcement"),
                       admin=ok("For which organisation?")),
    "/checkin 2 Talka": each(NOT_ORG, organizer_a=ok(f"Check-in for «Talka» (2 h, {A})"),
                             organizer_b=ok(f"Check-in for «Talka» (2 h, {B})"), **LEARNERS),
    "/verify {cert}": each(ok("✔ Valid certificate")),
    "/verify TK-AAAA-BBBB": each(ok("No certificate has that code.")),
    "/revoke TK-AAAA-BBBB": each(NOT_ADMIN, admin=ok("No certificate has that code.")),
    "/org": each(ok("/org new NAME"), organizer_a=ok(f"Your organisations\n1. {A}"),
                 organizer_b=ok(f"Your organisations\n2. {B}"),
                 admin=ok(f"Your organisations\n2. {B}\n1. {A}")),
    "/org new Vilniaus centras": each(NOT_ADMIN, admin=ok("Organisation Vilniaus centras created")),
    f"/org invite {A}": each(NOT_ORG, organizer_a=ok("Send this link"), admin=ok("Send this link"),
                             **LEARNERS),
    f"/org invite {B} many": each(NOT_ORG, organizer_b=ok("Send this link"),
                                  admin=ok("Send this link"), **LEARNERS),
    f"/org target {A} 40": each(NOT_ORG, organizer_a=ok(f"Yearly target of {A}: 40 hours"),
                                admin=ok(f"Yearly target of {A}: 40 hours"), **LEARNERS),
    "/feeds": each(NOT_FEEDS, admin=ok("1 feed")),
    "/badge": each(NOT_ORG, organizer_a=ok("• Skaitovas: earned at 20 h"),
                   organizer_b=ok(f"{B} has no badges yet."), **LEARNERS),
    "/badge new Talkininkas; Helps at events; 5 approved hours; 5": each(
        NOT_ORG, organizer_a=ok(f"Badge created for {A}"),
        organizer_b=ok(f"Badge created for {B}"), **LEARNERS),
    "/badge new Keramikas; Finished the course; The playlist; #{published}": each(
        NOT_ORG, organizer_a=ok(f"Badge created for {A}"), **LEARNERS),
    "/badges": each(ok("No badges yet."), pupil=ok(f"Pagalbininkas, {A}")),
    "/playlist": each(NOT_ORG, organizer_a=ok("📝 Plakatų dirbtuvės"),
                      organizer_b=ok("None yet."), **LEARNERS),
    "/playlists": each(ok("You have not joined a learning playlist yet."),
                       pupil=ok("1. Keramikos pradmenys — 0 of 2 required activities done")),
    "/start pl_{published}": each(ok("Keramikos pradmenys\nUtenos biblioteka")),
    "/start pl_{draft}": each(NO_PLAYLIST, organizer_a=ok("Plakatų dirbtuvės")),
    # Schools: B is a school with class 8B (a pupil not on Telegram); A becomes one below.
    "/classes": each(NOT_ORG, organizer_a=ok(f"{A}, school year"),
                     organizer_b=ok("Class 8B · pupils: 1"), **LEARNERS),
    "/classes new 9A": each(NOT_ORG, organizer_a=ok("Class 9A"), organizer_b=ok("Class 9A"),
                            **LEARNERS),
    "/classes add 8B Jonas Jonaitis": each(
        NOT_ORG, organizer_a=no("That class no longer exists."),
        organizer_b=ok("Jonas Jonaitis is now on the list of class 8B"), **LEARNERS),
    "/targets": each(NOT_ORG, organizer_a=ok("Grade 5: 10 hours"),
                     organizer_b=ok("Grade 9: 20 hours"), **LEARNERS),
    "/targets 8 12": each(NOT_ORG, organizer_a=ok("Grade 8: 12 hours"),
                          organizer_b=ok("Grade 8: 12 hours"), **LEARNERS),
    "/attendance 2 Talka": each(NOT_ORG, organizer_a=ok("Which class?"),
                                organizer_b=ok("Which class?"), **LEARNERS),
    "/report": each(NOT_ORG, organizer_a=ok(f"{A}, school year"),
                    organizer_b=ok(f"{B}, school year"), **LEARNERS),
    "/claim P-AAAA-BBBB": each(no("This code is not valid or was already used.")),
    "/start rp_P-AAAA-BBBB": each(no("This code is not valid or was already used.")),
    "/start cl_{class_token}": each(ok(f"Class 8B (grade 8) of {B}"),
                                    organizer_b=no("You organize for this school")),
}
# How README shows the placeholders of COMMAND_TABLE.
SHOWN = {"{cert}": "CODE", str(PUPIL): "PUPIL_ID", "{published}": "PLAYLIST_ID",
         "{draft}": "DRAFT_ID", "{class_token}": "TOKEN"}
NO_ATTENDANCE = no("This attendance list was already saved or replaced.")

# (callback data, what it stands for, {role: outcome}). Placeholders: see `values()`.
BUTTON_TABLE: list[tuple[str, str, dict[str, Outcome]]] = [
    ("va:{pending1}", "approve a pending entry of A",
     each(NOT_ORG, organizer_a=ok("Approved."))),
    ("vr:{pending2}", "reject an entry of A: choose the reason",
     each(NOT_ORG, organizer_a=ok("not seen at the activity"))),
    ("vb:{pending2}", "back from the reasons",
     each(NOT_ORG, organizer_a=ok("✔ Approve"))),
    ("vx:{pending2}:absent", "reject an entry of A with a reason",
     each(NOT_ORG, organizer_a=ok("Rejected."))),
    ("vd:ask:{digest}", "approve all of the digest sent to A's organizer: the confirmation",
     each(NOT_ORG, organizer_a=ok("Approve the 1 entry of this digest that still waits?"))),
    ("vd:no:{digest}", "do not approve a digest's entries after all",
     each(ok("Nothing was approved."))),
    ("vd:yes:{digest}", "approve all of the digest sent to A's organizer",
     each(NOT_ORG, organizer_a=ok("Approved: 1."))),
    # /pending, the queue: only A's organizers see, decide and approve A's entries; anyone's
    # own (empty) queue just says so.
    ("vq:o", "open one's own verification queue (under the reminder)",
     each(ok(NOTHING_WAITS), organizer_a=ok(f"Hours to verify ({A})"))),
    ("vq:p:1", "a page of one's own verification queue",
     each(ok(NOTHING_WAITS), organizer_a=ok(f"Hours to verify ({A})"))),
    ("vq:f:{pending5}", "the photo of an entry of A",
     each(NOT_ORG, organizer_a=ok("📷 Photo from"))),
    ("vq:r:{pending5}:0", "reject an entry of A from the queue: choose the reason",
     each(NOT_ORG, organizer_a=ok("Reject this entry?"))),
    ("vq:x:{pending5}:0:absent", "reject an entry of A from the queue with a reason",
     each(NOT_ORG, organizer_a=ok("Rejected."))),
    ("vq:r:{pending5}:0", "reject an entry of A that was decided meanwhile",
     each(NOT_ORG, organizer_a=no("This entry was already rejected."))),
    ("vq:a:{pending6}:0", "approve an entry of A from the queue",
     each(NOT_ORG, organizer_a=ok("Approved."))),
    ("vq:a:{pending6}:0", "approve it again (a double tap)",
     each(NOT_ORG, organizer_a=no("This entry was already approved."))),
    ("vq:b:0", "approve the entries of a page of one's own queue: the confirmation",
     each(ok(NOTHING_WAITS), organizer_a=ok("Approve these entries?"))),
    ("vq:t:{bulk}:1:0", "leave an entry out of the confirmation sent to A's organizer",
     each(NOT_ORG, organizer_a=ok("☐ 1."))),
    ("vq:y:{bulk}:1:0", "approve the confirmation's entries, one left out",
     each(NOT_ORG, organizer_a=ok("Approved: 1."))),
    ("vq:y:{bulk}:1:0", "approve them again (a double tap)",
     each(NOT_ORG, organizer_a=no("These entries were already decided"))),
    ("bc:l:{opportunity}", "link A's catalog opportunity to one's announcement draft",
     each(gone(), organizer_b=ok("Who should get it?"), organizer_a=ok("Who should get it?"))),
    ("bc:a:followers", "send one's draft to the organisation's followers",
     each(gone(), organizer_b=ok("It goes to 0 people"), organizer_a=ok("It goes to 4 people"))),
    ("bc:t:{town}", "send one's draft to the followers of a town A serves",
     each(gone(), organizer_b=no("This button is not valid."),
          organizer_a=ok("It goes to 1 person"))),
    ("bc:s:{draft_a}", "send A's announcement",
     each(no("This announcement no longer exists."), organizer_a=ok("Sending to 1 person"))),
    ("bc:x:{draft_a}", "cancel A's announcement",
     each(NOT_ORG, admin=ok("Cancelled."), organizer_a=ok("Cancelled."))),
    ("bc:o:{org_a}", "start an announcement for A",
     each(NOT_ORG, admin=ok("Write the announcement"), organizer_a=ok("Write the announcement"))),
    ("mu:{org_a}", "mute A's announcements (for oneself)",
     each(ok(f"Muted: no more announcements from {A}."))),
    ("nf:{query}", "follow the pupil's search",
     each(STALE_SEARCH, pupil=ok("Done: I will tell you"))),
    ("sp:{query}:0", "a page of the pupil's search results",
     each(STALE_SEARCH, pupil=ok("Keramikos kursai"))),
    ("sl:{query}:1", "the pupil's results in one language",
     each(STALE_SEARCH, pupil=ok("Keramikos kursai"))),
    ("ss:{query}", "the pupil's \"did you mean\"",
     each(STALE_SEARCH, pupil=ok("Keramikos kursai"))),
    ("od:{opportunity}:{query}:0", "an opportunity's details (public)",
     each(ok("Keramikos kursai"))),
    ("oc:{opportunity}", "an opportunity as a calendar file (public)",
     each(ok("Open the file to add «Keramikos kursai»"))),
    ("fl:list", "one's own follows", each(ok("What you follow"))),
    ("ff:{follow}:daily", "change how often the pupil hears of a follow",
     each(gone(), pupil=ok("Done."))),
    ("uf:{follow}", "stop the pupil's follow", each(gone(), pupil=ok("Done."))),
    ("fm:no", "keep one's data (after /forgetme)", each(ok("Nothing was erased."))),
    ("cy:0", "a certificate of one's own approved hours of all school years",
     each(no("none are approved in that school year"),
          pupil=ok("Your certificate of approved hours"))),
    ("cy:x", "a certificate's school year, forged", each(gone())),
    ("lang:en", "one's own language", each(ok("Done: from now on I write"))),
    ("pf:s:school", "start changing one's own profile",
     each(ok("Write the name of your school."))),
    ("pf:x", "stop changing one's own profile", each(ok("Nothing changed."))),
    ("pf:r:0", "turn off one's own monthly target reminders",
     each(ok("behind your yearly target: off"))),
    ("pf:r:1", "turn on one's own monthly target reminders",
     each(ok("behind your yearly target: on"))),
    ("nm", "be asked for one's location, for what is near (under a reminder)",
     each(ok("Share your location with the button below"))),
    ("lg:r:{approved}", "log again the pupil's activity", each(NO_DRAFT, pupil=ok("Which day?"))),
    ("lg:o:{org_a}", "have A verify one's own draft entry",
     each(ok("What did you do?"), pupil=ok("Which day?"))),
    # Each answer acts on the presser's own draft only: the others' stay at the activity.
    ("lg:d:0", "today, for one's own draft entry",
     each(ok("What did you do?"), pupil=ok("How many hours?"))),
    ("lg:h:120", "2 hours, for one's own draft entry",
     each(ok("What did you do?"), pupil=ok("Add a note or a photo"))),
    ("lg:n", "no note on one's own draft entry",
     each(ok("What did you do?"), pupil=ok("Please check and confirm"))),
    ("lg:e:h", "change the hours of one's own draft entry",
     each(ok("What did you do?"), pupil=ok("How many hours?"))),
    ("lg:b:hours", "back from the hours of one's own draft entry",
     each(ok("What did you do?"), pupil=ok("Which day?"))),
    ("lg:op:1", "the next organisations for one's own draft entry",
     each(ok("What did you do?"), pupil=ok("Which day?"))),
    ("lg:t", "keep one's own words for one's own draft entry",
     each(ok("What did you do?"), pupil=ok("Which day?"))),
    ("lg:s:{opportunity}", "link a catalog entry one's draft was not offered", each(NO_DRAFT)),
    ("lg:p:{item_own}", "log an activity of A's playlist (the pupil joined it)",
     each(NO_DRAFT, pupil=ok("Which day?"))),
    ("lg:k", "continue one's own draft entry",
     each(ok("What did you do?"), pupil=ok("Which day?"))),
    ("lg:c:forged", "confirm a draft with a nonce it does not carry", each(NO_DRAFT)),
    ("lg:new", "start one's own draft entry again", each(ok("What did you do?"))),
    ("lg:x", "cancel one's own draft entry", each(ok("Cancelled. Nothing was logged."))),
    ("feeds:sync", "sync all feeds", each(NOT_FEEDS, admin=ok("Syncing"))),
    # Open Badges: only A's organizers see, change, award and revoke A's badges.
    ("bd:o:{badge_hours}", "open A's badge", each(NOT_ORG, organizer_a=ok("Criteria: 20 hours"))),
    ("bd:c:{badge_hours}:blue", "change the colour of A's badge",
     each(NOT_ORG, organizer_a=ok("🔵⭐ Skaitovas"))),
    ("bd:e:{badge_hours}:book", "change the emblem of A's badge",
     each(NOT_ORG, organizer_a=ok("🔵📖 Skaitovas"))),
    ("bd:d:{badge_hours}", "stop awarding A's badge",
     each(NOT_ORG, organizer_a=ok("Not awarded any more."))),
    ("bd:w:{badge_hand}:0", "the learners who may get A's badge",
     each(NOT_ORG, organizer_a=ok("Who gets «Pagalbininkas»?"))),
    ("bd:a:{badge_hand}:{learner}", "award A's badge to someone without hours at A",
     each(NOT_ORG, organizer_a=no("I don't know that learner."))),
    ("bd:a:{badge_hand}:{pupil}", "award A's badge to the pupil (who has it)",
     each(NOT_ORG, organizer_a=ok("They already have this badge."))),
    ("bd:r:{badge_hand}", "the awards of A's badge to revoke",
     each(NOT_ORG, organizer_a=ok("Whose «Pagalbininkas» do you revoke?"))),
    ("bd:v:{award}", "ask to revoke the pupil's award",
     each(NOT_ORG, organizer_a=ok("Revoke «Pagalbininkas»?"))),
    ("bd:p:0", "a page of one's own badges",
     each(ok("No badges yet."), pupil=ok(f"Pagalbininkas, {A}"))),
    ("bd:s:{award}", "send the pupil's badge again",
     each(NO_BADGE, pupil=ok(f"Your badge «Pagalbininkas» from {A}"))),
    ("bd:y:{award}", "revoke the pupil's award",
     each(NOT_ORG, organizer_a=ok("Revoked: the badge no longer verifies."))),
    ("bd:s:{award}", "send a revoked badge again", each(NO_BADGE)),
    # Learning playlists: anyone opens and joins a published one; only A's organizers see
    # A's drafts and edit A's playlists.
    ("pl:v:{published}", "open A's published playlist", each(ok("Keramikos pradmenys"))),
    ("pl:v:{draft}", "open A's draft playlist",
     each(NO_PLAYLIST, organizer_a=ok("Plakatų dirbtuvės"))),
    ("pl:j:{draft}", "join A's draft playlist", each(NO_PLAYLIST)),
    ("pl:j:{published}", "join A's published playlist (the pupil has joined it)",
     each(ok("You joined the playlist."), pupil=ok(""))),
    ("pl:pg:0", "a page of one's own playlists", each(ok(PLAYLISTS))),
    ("pl:x", "close one's own editor", each(ok("Closed. /playlist opens your playlists"))),
    ("pl:m", "one's own organisations' playlists",
     each(NOT_ORG, organizer_a=ok(PLAYLISTS), organizer_b=ok(PLAYLISTS))),
    ("pl:n", "a new playlist for one's own organisation",
     each(NOT_ORG, organizer_a=ok("Write the playlist's title in English."),
          organizer_b=ok("Write the playlist's title in English."))),
    ("pl:no:{org_a}", "a new playlist for A",
     each(NOT_ORG, organizer_a=ok("Write the playlist's title in English."))),
    ("pl:e:{published}", "A's playlist in the editor",
     each(NOT_ORG, organizer_a=ok("Published: learners find it"))),
    ("pl:e:forged", "the editor with data it does not take", each(gone())),
    ("pl:ac:{published}", "add a catalog opportunity to A's playlist: the search",
     each(NOT_ORG, organizer_a=ok("Write words to find the opportunity"))),
    ("pl:ao:{draft}:{opportunity}", "add that opportunity to A's draft",
     each(NOT_ORG, organizer_a=ok("2. ★ 🔎 Keramikos kursai"))),
    ("pl:aa:{published}", "add an own activity to A's playlist",
     each(NOT_ORG, organizer_a=ok("Write the name of your own activity"))),
    ("pl:t:{item_own}:0", "make an activity of A's playlist optional",
     each(NOT_ORG, organizer_a=ok("2. ☆ ✍ Talka bibliotekoje"))),
    ("pl:u:{item_own}", "move an activity of A's playlist up",
     each(NOT_ORG, organizer_a=ok("1. ☆ ✍ Talka bibliotekoje"))),
    ("pl:l:{published}", "the languages of A's playlist",
     each(NOT_ORG, organizer_a=ok("In which language do you want to write"))),
    ("pl:lg:{published}:de", "write A's playlist in German",
     each(NOT_ORG, organizer_a=ok("Write the playlist's title in German."))),
    ("pl:c:{published}", "a check-in code for A's playlist: the activity",
     each(NOT_ORG, organizer_a=ok("For which activity?"))),
    ("pl:ci:{item_own}", "a check-in code for A's activity: the hours",
     each(NOT_ORG, organizer_a=ok("How many hours is «Talka bibliotekoje» worth?"))),
    ("pl:ch:{item_own}:60", "open a check-in code for A's activity",
     each(NOT_ORG, organizer_a=ok("Check-in for «Talka bibliotekoje» (1 h, Utenos"))),
    ("pl:s:{published}", "the link of A's playlist",
     each(NOT_ORG, organizer_a=ok("Share this link"))),
    ("pl:p:{draft}:1", "publish A's draft",
     each(NOT_ORG, organizer_a=ok("Published: learners find it"))),
    ("pl:rm:{item_draft}", "remove an activity of A's playlist",
     each(NOT_ORG, organizer_a=ok("1. ★ 🔎 Keramikos kursai"))),
    # Schools: only B's organizers open, move up and take attendance in B's classes.
    ("scs:{org_b}", "act in B's classes (an organizer of several chooses)",
     each(NOT_ORG, organizer_b=ok(f"{B}, school year"))),
    ("sco", "the organisations one could act in", each(
        NOT_ORG, organizer_a=ok("In which school do you work now?"),
        organizer_b=ok("In which school do you work now?"))),
    ("scc:{class_b}", "open B's class", each(NOT_ORG, organizer_b=ok("Link for its pupils"))),
    ("scp:{class_b}", "ask to move B's class up a grade",
     each(NOT_ORG, organizer_b=ok("Move class 8B (pupils: 2) up to grade 9"))),
    ("scy:{class_b}", "move B's class up a grade", each(NOT_ORG, organizer_b=ok("Done: class 9B"))),
    ("scj", "join the class of one's own link (after writing one's full name)",
     each(gone("This button is not valid any more."))),
    ("scx", "cancel one's own joining", each(ok("Cancelled."))),
    ("sac:{class_b}", "take attendance in B's class (one's own list)",
     each(NO_ATTENDANCE, organizer_a=NOT_ORG, organizer_b=ok("Class 8B: who took part"))),
    ("sat:{roster}:0", "tick B's pupil on one's own list",
     each(NO_ATTENDANCE, organizer_b=ok("☑ Rūta Rūtaitė"))),
    ("sap:0", "a page of one's own list", each(NO_ATTENDANCE, organizer_b=ok("Ticked: 1"))),
    ("sas", "save one's own list",
     each(NO_ATTENDANCE, organizer_a=no("Tick at least one pupil first."),
          organizer_b=ok("Recorded and approved"))),
    ("zz:forged", "data no flow knows", each(gone())),
]


def feed(folder: Path) -> Path:
    """One catalog course by A in Utena: A serves Utena and has an opportunity to link."""
    start = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT18:00:00+02:00")
    (folder / "a.jsonld").write_text(json.dumps([
        {"@type": "Course", "@id": "a1", "name": "Keramikos kursai", "inLanguage": "lt",
         "provider": {"@type": "Organization", "name": A},
         "location": {"@type": "Place", "address": {"addressLocality": "Utena"}},
         "startDate": start}]))
    (folder / "feeds.toml").write_text('[[feed]]\nname = "a"\nurl = "file:a.jsonld"\n')
    return folder / "feeds.toml"


@pytest.fixture
async def world(fake: FakeBotAPI, make_settings, i18n, tmp_path: Path):
    settings = make_settings(bot_token=fake.token, bot_api_url=fake.url, admin_ids=str(ADMIN),
                             feeds_file=str(feed(tmp_path)), user_flood_burst=1000,
                             user_flood_rate=100)
    application = build_polling_application(settings, i18n)
    async with running(application, polling=True):
        assert all(r.ok for r in await application.bot_data.catalog.sync())
        for uid in ROLES.values():
            fake.send_text(fake.user(uid, language_code="en"), "/start")
            await fake.wait_for_messages(uid, 1)
        pupil = fake.user(PUPIL, language_code="en")
        fake.send_text(pupil, "/follow Utena")
        fake.send_text(pupil, "Keramikos kursai")
        await fake.wait_for_messages(PUPIL, 3)
        photo = fake.send_photo(pupil, content=b"\xff\xd8\xff\xe0evidence")
        photo_id = photo.update["message"]["photo"][-1]["file_id"]
        await fake.wait_idle()
        values: dict[str, Any] = {}
        async with application.bot_data.db.transaction() as session:
            a = await orgs.create_organisation(session, A, actor_id=ADMIN, is_admin=True)
            b = await orgs.create_organisation(session, B, actor_id=ADMIN, is_admin=True)
            session.add(Membership(organisation_id=a.id, user_id=ORG_A))
            session.add(Membership(organisation_id=b.id, user_id=ORG_B))
            await session.flush()
            for n in (1, 2, 3, 4, 5, 6, 7, 8):
                entry, _new = await hour_rules.log_entry(session, hour_rules.NewEntry(
                    user_id=PUPIL, organisation_id=a.id, activity=f"Talka {n}",
                    day=hour_rules.today(), minutes=60, key=f"pupil-{n}",
                    photo_file_id=photo_id if n == 5 else None))
                values[f"pending{n}"] = entry.id
            approved = values.pop("pending4")
            pending3 = await session.get(HourEntry, values["pending3"])
            assert pending3 is not None
            values["digest"] = await verification_digests.record(session, ORG_A, [pending3])
            listed = [await session.get(HourEntry, values[f"pending{n}"]) for n in (7, 8)]
            values["bulk"] = await verification_digests.record(
                session, ORG_A, [entry for entry in listed if entry is not None])
            await hour_rules.decide(session, approved, organizer_id=ORG_A, approve=True)
            cert = await certificates.issue(session, user_id=PUPIL, learner="Pupil",
                                            approved_minutes=60, issued_on=hour_rules.today(),
                                            school_year=None)
            follow = (await session.scalars(select(Follow).where(Follow.user_id == PUPIL))).one()
            query = (await session.scalars(
                select(SearchQuery).where(SearchQuery.user_id == PUPIL))).one()
            opportunity = (await session.scalars(select(Opportunity))).one()
            values.update(approved=approved, cert=cert.code, org_a=a.id, org_b=b.id,
                          town=follow.value, follow=follow.id, query=query.id,
                          opportunity=opportunity.id, learner=LEARNER, pupil=PUPIL)
            values.update(await badges_and_playlists(session, a.id, opportunity))
            values.update(await school_b(session, b.id))
        await fake.wait_for_request(  # the pupil's badge, delivered
            "sendDocument", lambda r: r.ok and str(r.params.get("chat_id")) == str(PUPIL),
            timeout=30)
        application.bot_data.extras["values"] = values
        yield application
        await fake.wait_idle()


async def badges_and_playlists(session: Any, org_a: int,
                               opportunity: Opportunity) -> dict[str, int]:
    """A's badges (by hours, by hand: the pupil holds the latter) and playlists (published,
    with a catalog course and an own activity, the pupil joined; a draft)."""
    by_hours = await badges.create_badge(
        session, org_a, actor_id=ORG_A, name="Skaitovas", description="Reads to children",
        criteria="20 hours", rule=BadgeRule.HOURS, hours_minutes=20 * 60)
    by_hand = await badges.create_badge(
        session, org_a, actor_id=ORG_A, name="Pagalbininkas", description="Helped at the fair",
        criteria="Chosen by the organizers")
    award, _new = await badges.award_by_hand(session, by_hand.id, PUPIL, actor_id=ORG_A)
    ids = {}
    for title, activity in (("Keramikos pradmenys", "Talka bibliotekoje"),
                            ("Plakatų dirbtuvės", "Plakatas")):
        playlist = Playlist(organisation_id=org_a, created_by=ORG_A, language="en",
                            titles={"en": title}, descriptions={})
        session.add(playlist)
        await session.flush()
        if activity == "Talka bibliotekoje":
            await playlists.add_item(session, playlist.id, ORG_A, title=opportunity.title,
                                     opportunity_id=opportunity.id)
        item, _new = await playlists.add_item(session, playlist.id, ORG_A, title=activity)
        ids[activity] = (playlist.id, item.id)
    published, item_own = ids["Talka bibliotekoje"]
    draft, item_draft = ids["Plakatas"]
    await playlists.set_published(session, published, ORG_A, True)
    await playlists.join(session, published, PUPIL)
    return {"badge_hours": by_hours.id, "badge_hand": by_hand.id, "award": award.id,
            "published": published, "item_own": item_own, "draft": draft,
            "item_draft": item_draft}


async def school_b(session: Any, org_b: int) -> dict[str, Any]:
    """B is a school: class 8B of this school year with a pupil who is not on Telegram."""
    year = schools.school_year_of(utcnow())
    eight_b = await schools.create_class(session, org_b, schools.ClassName(8, "B"),
                                         actor_id=ORG_B, year=year)
    roster = await schools.add_roster_pupil(session, eight_b.id, "Rūta Rūtaitė",
                                            actor_id=ORG_B)
    return {"class_b": eight_b.id, "class_token": eight_b.token, "roster": roster.id}


async def drafts(application: Any) -> None:
    """Announcement drafts waiting for their audience: A's by its organizer, B's by B's."""
    values = application.bot_data.extras["values"]
    async with application.bot_data.db.transaction() as session:
        for author, org in ((ORG_A, values["org_a"]), (ORG_B, values["org_b"])):
            draft = await broadcasts.start(session, author, org, is_admin=False)
            draft.text = "Come to the library"
            values["draft_a" if author == ORG_A else "draft_b"] = draft.id


def registered(application: Any, kind: type) -> list[Any]:
    return [h for handlers in application.handlers.values() for h in handlers
            if isinstance(h, kind)]


def command_names(application: Any) -> set[str]:
    names = {c.name for c in (*MENU, *ORGANIZER_COMMANDS)}
    for handler in registered(application, CommandHandler):
        names |= set(handler.commands)
    return names


def owner_pattern(application: Any, data: str) -> str:
    """The pattern of the handler that takes `data` (the first that matches, as PTB does);
    "(any other)" for the catch-all."""
    for handler in registered(application, CallbackQueryHandler):
        if handler.pattern is None:
            return "(any other)"
        if isinstance(handler.pattern, re.Pattern) and handler.pattern.match(data):
            return str(handler.pattern.pattern)
    return "(none)"


def button_patterns(application: Any) -> set[str]:
    return {"(any other)" if h.pattern is None else str(h.pattern.pattern)
            for h in registered(application, CallbackQueryHandler)}


async def snapshot(application: Any) -> dict[str, list[str]]:
    """Every table's rows, minus what changes by itself (last seen, delivery progress)."""
    state: dict[str, list[str]] = {}
    async with application.bot_data.db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in ("inbox_updates",):
                continue
            rows = []
            for row in (await session.execute(select(table))).mappings():
                kept = {k: v for k, v in row.items() if k not in VOLATILE
                        and (table.name != "outbox" or k not in ("status", "not_before"))}
                if table.name == "broadcasts" and kept.get("status") == "done":
                    kept["status"] = "sending"  # the progress job finishes it meanwhile
                rows.append(repr(sorted(kept.items())))
            state[table.name] = sorted(rows)
    return state


VOLATILE = {"seen_at", "status_changed_at", "attempts", "sent_at", "next_attempt_at",
            "claimed_at", "claimed_by", "error", "telegram_message_id", "progress_chat_id",
            "progress_message_id", "last_error", "updated_at"}


def seen(messages: list[SentMessage]) -> dict[int, str]:
    return {m.message_id: f"{m.text or m.caption or ''} {m.buttons}" for m in messages}


def shown_since(before: dict[int, str], after: dict[int, str]) -> str:
    return "\n".join(text for mid, text in after.items() if before.get(mid) != text)


def sent_to(requests: list[Any], chat_id: int) -> list[str]:
    """The texts (tags removed) of what the bot sent or edited in the chat, even when an
    edit left the message as it was."""
    return [re.sub(r"<[^>]+>", "", str(r.params.get("text") or r.params.get("caption") or ""))
            for r in requests if str(r.params.get("chat_id")) == str(chat_id)]


async def send_commands(fake: FakeBotAPI, application: Any, failures: list[str]) -> None:
    values = application.bot_data.extras["values"]
    for command, expected in COMMAND_TABLE.items():
        text = command.format(**values)
        before = {role: seen(fake.messages(uid)) for role, uid in ROLES.items()}
        for uid in ROLES.values():  # roles are separate chats: all at once
            fake.send_text(fake.user(uid, language_code="en"), text)
        for role, uid in ROLES.items():
            await fake.wait_for_messages(uid, len(before[role]) + 1)
        await fake.wait_idle(quiet=0.1)
        for role, uid in ROLES.items():
            reply = shown_since(before[role], seen(fake.messages(uid)))
            if expected[role].text not in reply:
                failures.append(f"{command} as {role}: expected {expected[role]}, got {reply!r}")


async def press_buttons(fake: FakeBotAPI, application: Any, failures: list[str]) -> None:
    values = application.bot_data.extras["values"]
    for uid in ROLES.values():  # a fresh text message to press on
        fake.send_text(fake.user(uid, language_code="en"), "/start")
    await fake.wait_idle(quiet=0.1)
    state: dict[str, list[str]] | None = None  # the database now, when known
    for template, _meaning, expected in BUTTON_TABLE:
        data = template.format(**values)
        for role in PRESS_ORDER:
            uid, outcome = ROLES[role], expected[role]
            before = seen(fake.messages(uid))
            if state is None:
                state = await snapshot(application)
            requests = len(fake.requests)
            on = [m for m in fake.messages(uid) if m.text][-1]  # not a badge file
            press = fake.press_button(fake.user(uid, language_code="en"), on, data, forge=True)
            answer = await answered(fake, press.query_id)
            if answer is None:
                failures.append(f"{data} as {role}: the press was never answered")
            await fake.wait_idle(quiet=0.1)
            shown = "\n".join([str(answer), shown_since(before, seen(fake.messages(uid))),
                               *sent_to(fake.requests[requests:], uid)])
            if outcome.text not in shown:
                failures.append(f"{data} as {role}: expected {outcome}, got {shown!r}")
            if outcome.kind != "allowed":
                after = await snapshot(application)
                changed = [name for name in state if state[name] != after.get(name)]
                if changed:
                    failures.append(f"{data} as {role} ({outcome.kind}) changed {changed}")
                state = after  # a refused press changed nothing: the next one starts here
            else:
                state = None  # an allowed press may change anything: look again


async def answered(fake: FakeBotAPI, query_id: str | None) -> str | None:
    """The answer's text once the bot answered the press (every press must be answered);
    None if it never was."""
    for _attempt in range(1000):
        found = [a for a in fake.callback_answers if a.query_id == query_id]
        if found:
            return found[-1].text or ""
        await asyncio.sleep(0.01)
    return None


async def test_every_command_and_button_for_every_role(fake: FakeBotAPI, world) -> None:
    failures: list[str] = []
    await send_commands(fake, world, failures)
    await drafts(world)
    await press_buttons(fake, world, failures)
    assert not failures, "\n".join(failures)
    # A forged press that re-renders what the message already shows is answered by Telegram
    # with "message is not modified", which the bot expects (handlers/errors.py) and ignores.
    refused = [r for r in fake.rejected if "message is not modified" not in (r.description or "")]
    assert refused == [], "\n".join(f"{r.summary()} {r.description}" for r in refused)
    async with world.bot_data.db.transaction() as session:
        statuses = {e.id: e.status for e in await session.scalars(select(HourEntry))}
    values = world.bot_data.extras["values"]
    assert [statuses[values[f"pending{n}"]] for n in (1, 2, 3, 5, 6, 7, 8)] == [
        "approved", "rejected", "approved", "rejected", "approved", "pending", "approved"]
    async with world.bot_data.db.transaction() as session:  # joining twice: one membership
        members = (await session.scalars(select(PlaylistMember.user_id).where(
            PlaylistMember.playlist_id == values["published"]))).all()
    assert sorted(members) == sorted(ROLES.values())


async def test_every_command_and_button_has_a_row(bot) -> None:
    documented = {command.split()[0][1:] for command in COMMAND_TABLE}
    assert command_names(bot) == documented, "document every command in COMMAND_TABLE"
    sample: defaultdict[str, int] = defaultdict(lambda: 1)
    covered = {owner_pattern(bot, t.format_map(sample)) for t, _m, _e in BUTTON_TABLE}
    assert button_patterns(bot) <= covered, "document every button pattern in BUTTON_TABLE"
    for expected in (*COMMAND_TABLE.values(), *(e for _t, _m, e in BUTTON_TABLE)):
        assert set(expected) == set(ROLES)


MARKS = {"allowed": "✔", "refused": "✖", "expired": "–"}


def readme_table() -> str:
    """The README's "Who may do what" tables, rendered from the tables above."""
    head = "| | " + " | ".join(role.replace("_", " ") for role in ROLES) + " |"
    rule = "|---" * (len(ROLES) + 1) + "|"
    lines = [head, rule]
    for command, expected in COMMAND_TABLE.items():
        shown = command
        for placeholder, name in SHOWN.items():
            shown = shown.replace(placeholder, name)
        lines.append(f"| `{shown}` | " + " | ".join(MARKS[expected[r].kind] for r in ROLES)
                     + " |")
    lines += ["", head, rule]
    for template, meaning, expected in BUTTON_TABLE:
        prefix = template.split("{")[0]
        lines.append(f"| `{prefix}` {meaning} | "
                     + " | ".join(MARKS[expected[r].kind] for r in ROLES) + " |")
    return "\n".join(lines)


def test_the_readme_documents_this_table() -> None:
    text = README.read_text(encoding="utf-8")
    assert readme_table() in text, "run `python -m tests.handlers.test_authorization`, paste it " \
                                   "into README.md's 'Who may do what'"


async def test_the_pupil_cannot_verify_their_own_entry(fake: FakeBotAPI, world) -> None:
    entry_id = world.bot_data.extras["values"]["pending1"]
    async with world.bot_data.db.transaction() as session:
        session.add(Membership(organisation_id=world.bot_data.extras["values"]["org_a"],
                               user_id=PUPIL))  # even as an organizer of A
    for data in (f"va:{entry_id}", f"vr:{entry_id}"):
        press = fake.press_button(fake.user(PUPIL, language_code="en"),
                                  fake.messages(PUPIL)[-1], data, forge=True)
        assert await answered(fake, press.query_id) == "Nobody can verify their own hours."


if __name__ == "__main__":
    print(readme_table())
