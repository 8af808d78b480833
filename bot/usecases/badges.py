"""Open Badges in chat: an organizer's /badge (define, restyle, stop or resume, award by
hand, revoke) and a learner's /badges.

Each function is one unit of work over bot/services/badges.py (which holds the rules and
queues new awards for delivery) and returns frozen views; a rule's no is a `Refusal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import badges as rules
from bot.services import orgs
from bot.services.errors import Refusal
from bot.services.hours import LOCAL
from bot.storage.db import Database
from bot.storage.models import Badge, BadgeRule, Organisation

REVOKED_BY_ORGANIZER = "revoked by an organizer"


@dataclass(frozen=True)
class BadgeView:
    id: int
    organisation_id: int
    name: str
    description: str
    criteria: str
    rule: str  # a BadgeRule value
    hours_minutes: int | None  # the hours rule's threshold
    playlist_id: int | None  # the playlist rule's playlist
    colour: str
    emblem: str
    active: bool  # False: not awarded any more

    @property
    def by_hours(self) -> bool:
        return self.rule == BadgeRule.HOURS.value

    @property
    def by_playlist(self) -> bool:
        return self.rule == BadgeRule.PLAYLIST.value


@dataclass(frozen=True)
class Overview:
    """/badge: the organizer's (first) organisation and its badges, active ones first."""

    organisation: str
    badges: tuple[BadgeView, ...]


@dataclass(frozen=True)
class Created:
    organisation: str
    badge: BadgeView


@dataclass(frozen=True)
class Person:
    id: int  # the Telegram user id
    name: str


@dataclass(frozen=True)
class Learners:
    """Who may get a badge by hand: learners with approved hours at its organisation."""

    badge: BadgeView
    learners: tuple[Person, ...]


@dataclass(frozen=True)
class Awarded:
    created: bool  # False: they had it already
    badge: str  # its name


@dataclass(frozen=True)
class Holding:
    award_id: int
    learner: str  # "?" once the learner erased their data
    issued_on: date


@dataclass(frozen=True)
class Holders:
    """The awards of a badge still in force (newest first), to revoke one."""

    badge: BadgeView
    holders: tuple[Holding, ...]


@dataclass(frozen=True)
class AwardOf:
    award_id: int
    badge_id: int
    badge: str  # its name


@dataclass(frozen=True)
class Earned:
    """One of a learner's badges, as /badges lists it."""

    award_id: int
    badge: str
    organisation: str
    issued_on: date
    minutes: int  # the approved hours it stands for (0: awarded by hand)


def badge_view(badge: Badge) -> BadgeView:
    return BadgeView(badge.id, badge.organisation_id, badge.name, badge.description,
                     badge.criteria, badge.rule, badge.hours_minutes, badge.playlist_id,
                     badge.colour, badge.emblem, badge.active)


def earned_view(found: rules.AwardView) -> Earned:
    return Earned(found.award.id, found.badge.name, found.organisation,
                  found.award.issued_at.astimezone(LOCAL).date(), found.award.minutes)


async def _organisation(session: AsyncSession, user_id: int) -> Organisation:
    """The organisation /badge speaks for: the organizer's first (`Refusal` for others)."""
    mine = await orgs.organisations_of(session, user_id)
    if not mine:
        raise Refusal("not_your_org")
    return mine[0]


async def overview(db: Database, user_id: int) -> Overview:
    async with db.transaction() as session:
        organisation = await _organisation(session, user_id)
        defined = await rules.badges_of(session, organisation.id)
        return Overview(organisation.name, tuple(badge_view(b) for b in defined))


async def create(db: Database, user_id: int, *, name: str, description: str, criteria: str,
                 rule: str) -> Created:
    """/badge new NAME; DESCRIPTION; CRITERIA; RULE (see `rules.parse_rule`); learners who
    already meet a rule badge's rule get it at once."""
    kind, minutes, playlist = rules.parse_rule(rule)
    async with db.transaction() as session:
        organisation = await _organisation(session, user_id)
        badge = await rules.create_badge(
            session, organisation.id, actor_id=user_id, name=name, description=description,
            criteria=criteria, rule=kind, hours_minutes=minutes, playlist_id=playlist)
        return Created(organisation.name, badge_view(badge))


async def open_badge(db: Database, user_id: int, badge_id: int) -> BadgeView:
    async with db.transaction() as session:
        return badge_view(await rules.organizer_badge(session, badge_id, user_id))


async def restyle(db: Database, user_id: int, badge_id: int, *, colour: str | None = None,
                  emblem: str | None = None) -> BadgeView:
    """A new colour or emblem (one it does not know changes nothing)."""
    async with db.transaction() as session:
        return badge_view(await rules.change_badge(session, badge_id, actor_id=user_id,
                                                   colour=colour, emblem=emblem))


async def toggle(db: Database, user_id: int, badge_id: int) -> BadgeView:
    """Stop awarding the badge, or award it again."""
    async with db.transaction() as session:
        current = await session.get(Badge, badge_id)
        return badge_view(await rules.change_badge(
            session, badge_id, actor_id=user_id,
            active=not current.active if current else None))


async def learners(db: Database, user_id: int, badge_id: int) -> Learners:
    async with db.transaction() as session:
        badge = await rules.organizer_badge(session, badge_id, user_id)
        found = await rules.learners_of(session, badge.organisation_id)
        return Learners(badge_view(badge), tuple(
            Person(learner.id, learner.first_name or str(learner.id)) for learner in found))


async def award(db: Database, user_id: int, badge_id: int, learner_id: int) -> Awarded:
    """Award by hand (once: a second press changes nothing); queued for delivery."""
    async with db.transaction() as session:
        given, created = await rules.award_by_hand(session, badge_id, learner_id,
                                                   actor_id=user_id)
        found = await rules.view(session, given.id)
        return Awarded(created, found.badge.name if found else "")


async def holders(db: Database, user_id: int, badge_id: int) -> Holders:
    async with db.transaction() as session:
        badge = await rules.organizer_badge(session, badge_id, user_id)
        given = await rules.awards_given(session, badge.organisation_id)
        return Holders(badge_view(badge), tuple(
            Holding(award.id, name, award.issued_at.astimezone(LOCAL).date())
            for award, of, name in given if of.id == badge.id))


async def _award_of(session: AsyncSession, award_id: int) -> rules.AwardView:
    found = await rules.view(session, award_id)
    if found is None:
        raise Refusal("award_unknown")
    return found


async def ask_revoke(db: Database, user_id: int, award_id: int) -> AwardOf:
    """What the question before revoking names; the right to revoke is checked first."""
    async with db.transaction() as session:
        found = await _award_of(session, award_id)
        await rules.organizer_badge(session, found.badge.id, user_id)
        return AwardOf(award_id, found.badge.id, found.badge.name)


async def revoke(db: Database, user_id: int, award_id: int) -> None:
    """Revoke the award: its credential no longer verifies."""
    async with db.transaction() as session:
        await _award_of(session, award_id)
        await rules.revoke(session, award_id, actor_id=user_id, reason=REVOKED_BY_ORGANIZER)


async def earned(db: Database, user_id: int) -> tuple[Earned, ...]:
    """/badges: the learner's badges in force, newest first."""
    async with db.transaction() as session:
        return tuple(earned_view(found) for found in await rules.awards_of(session, user_id))
