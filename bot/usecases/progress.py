"""A learner's progress: hours by school year against the yearly target, and the e-profile
(entries, badges, playlists, certificates, classes) the Mini App draws.

/hours in the chat and the Mini App's profile read the same `summary`, so both show the
same numbers; `eprofile` adds what the page lists. A shared read-only link shows the
e-profile without the notes and reasons of entries (`private=False`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import badges as badge_rules
from bot.services import hours as hour_rules
from bot.services import playlists as playlist_rules
from bot.services import reminders as reminder_rules
from bot.services import schools, users
from bot.storage.db import Database
from bot.storage.models import EntryStatus, utcnow


@dataclass(frozen=True)
class YearHours:
    first: date  # 1 September of the school year
    last: date
    approved: int  # minutes
    pending: int
    by_organisation: tuple[tuple[str, int, int], ...]  # (name, approved, pending), by name
    by_kind: tuple[tuple[str, int], ...]  # (kind, approved minutes), by kind
    target: int | None  # minutes; only for the current school year

    @property
    def passed(self) -> bool:
        return self.target is not None and self.approved >= self.target


@dataclass(frozen=True)
class Summary:
    """Hours by school year, newest first; `current` is the first day of this one."""

    years: tuple[YearHours, ...]
    current: date

    def this_year(self) -> YearHours | None:
        return next((year for year in self.years if year.first == self.current), None)


@dataclass(frozen=True)
class EntryLine:
    id: int
    organisation: str
    activity: str
    day: date
    minutes: int
    status: str
    reason: str | None  # None in a shared view
    note: str | None  # None in a shared view


@dataclass(frozen=True)
class BadgeLine:
    id: int  # the award's id
    name: str
    organisation: str
    issued: date
    minutes: int | None


@dataclass(frozen=True)
class PlaylistLine:
    id: int
    titles: dict[str, str]  # by language
    language: str  # the playlist's own
    done: int
    total: int
    complete: bool

    def title(self, language: str) -> str:
        return playlist_rules.localized(self.titles, language, self.language)


@dataclass(frozen=True)
class ClassLine:
    school: str
    name: str  # "8B"
    year: int  # the calendar year the school year begins in


@dataclass(frozen=True)
class EProfile:
    first_name: str
    full_name: str | None
    language: str | None  # chosen with /language
    telegram_language: str | None
    summary: Summary
    status: str  # passed, on_track, behind, no_target
    entries: tuple[EntryLine, ...]  # newest first
    badges: tuple[BadgeLine, ...]
    playlists: tuple[PlaylistLine, ...]
    certificate_years: tuple[date, ...]  # school years with approved hours, newest first
    classes: tuple[ClassLine, ...]


def target_status(year: YearHours | None, today: date) -> str:
    """passed, behind (as the monthly reminders judge it: bot/services/reminders.py),
    on_track or no_target."""
    if year is None or year.target is None:
        return "no_target"
    if year.passed:
        return "passed"
    pace = reminder_rules.Progress(year.approved, year.pending, year.target)
    return "behind" if reminder_rules.behind(pace, today) else "on_track"


async def _summary(session: AsyncSession, user_id: int, now: datetime) -> Summary:
    current = hour_rules.school_year(hour_rules.today(now))[0]
    totals = await hour_rules.totals(session, user_id)
    record = await users.get_user(session, user_id)
    # The target of the pupil's grade at their school wins over any other (pick_target).
    grade = await schools.grade_target_of(session, user_id, current.year)
    years = []
    for year in totals:
        target = None
        if year.first == current:
            target = reminder_rules.pick_target(
                grade[1] if grade else None, record.yearly_target_minutes if record else None,
                year.organisation_target)
        years.append(YearHours(
            year.first, year.last, year.approved, year.pending,
            tuple((name, both[0], both[1]) for name, both in sorted(
                year.by_organisation.items())),
            tuple(sorted(year.by_kind.items())), target))
    return Summary(tuple(years), current)


async def summary(db: Database, user_id: int, *, now: datetime | None = None) -> Summary:
    """What /hours shows: every school year's approved and pending hours, by organisation
    and kind, and this year's target."""
    async with db.transaction() as session:
        return await _summary(session, user_id, now or utcnow())


async def eprofile(db: Database, user_id: int, *, private: bool = True,
                   now: datetime | None = None) -> EProfile | None:
    """The e-profile of `user_id` (None: no such user). `private=False` (a shared link)
    leaves out the notes and reasons of entries."""
    async with db.transaction() as session:
        return await load(session, user_id, private=private, now=now or utcnow())


async def load(session: AsyncSession, user_id: int, *, private: bool,
               now: datetime) -> EProfile | None:
    """`eprofile` within the caller's unit of work."""
    user = await users.get_user(session, user_id)
    if user is None:
        return None
    found = await _summary(session, user_id, now)
    entries = await hour_rules.entries_with_organisation(session, user_id)
    awards = await badge_rules.awards_of(session, user_id)
    joined = await playlist_rules.joined(session, user_id)
    progress = await playlist_rules.progress_of(session, user_id, [p.id for p in joined])
    classes = await schools.classes_of_user(session, user_id)
    lines = tuple(EntryLine(entry.id, organisation, entry.activity, entry.day, entry.minutes,
                            entry.status, entry.reason if private else None,
                            entry.note if private else None)
                  for entry, organisation in entries)
    playlists = []
    for playlist in joined:
        state = progress[playlist.id]
        total = state.required_total or len(state.items)
        done = state.required_done if state.required_total else state.done
        playlists.append(PlaylistLine(playlist.id, dict(playlist.titles), playlist.language,
                                      done, total, state.complete))
    years = sorted({hour_rules.school_year(entry.day)[0] for entry, _name in entries
                    if entry.status == EntryStatus.APPROVED.value}, reverse=True)
    return EProfile(
        first_name=user.first_name, full_name=user.full_name, language=user.language,
        telegram_language=user.telegram_language, summary=found,
        status=target_status(found.this_year(), hour_rules.today(now)),
        entries=lines,
        badges=tuple(BadgeLine(view.award.id, view.badge.name, view.organisation,
                               view.award.issued_at.astimezone(hour_rules.LOCAL).date(),
                               view.award.minutes) for view in awards),
        playlists=tuple(playlists), certificate_years=tuple(years),
        classes=tuple(ClassLine(school, name, year) for school, name, year in classes))
