"""Open Badges: organisations define badges, award them by rule or by hand, revoke them.

Rules (each refusal is a `Refusal` with a code the handlers translate):
- only organizers of a badge's organisation define, award, revoke or change it; nobody
  awards a badge to themselves; by hand, only to learners with approved hours at the
  organisation (whom it knows: a forged button cannot send badges to strangers); a
  playlist badge is for one of the organisation's own playlists;
- a badge has a name (at most 100 characters), a description and criteria (at most 1000
  each), and a rule: by hand, N approved hours with the organisation in a school year,
  or a completed learning playlist;
- a badge is awarded at most once per learner and period (the school year for the hours
  rule, once otherwise): the unique constraint decides between racing approvals, so a
  redelivered update or two organizers approving at once award it exactly once;
- a new award is queued for delivery in the same transaction (outbox kind `badge`,
  one dedupe key per award): the learner receives it exactly once;
- a rule badge created when learners already meet its rule is awarded to them at once,
  the same way;
- the signed credential is made when the award is first delivered (`issue_credential`);
  everything it states is stored with the award, so re-signing gives the same bytes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.badges import credential as cred
from bot.badges import status as status_list
from bot.badges import vcjwt
from bot.badges.image import COLOURS, EMBLEMS
from bot.badges.keys import SigningKey
from bot.services import audit, playlists
from bot.services.durations import parse_minutes
from bot.services.errors import Refusal
from bot.services.orgs import is_organizer
from bot.storage import outbox
from bot.storage.models import (
    Badge,
    BadgeAward,
    BadgeRule,
    EntryStatus,
    HourEntry,
    Organisation,
    User,
    utcnow,
)
from bot.storage.playlist_tables import Playlist, PlaylistMember

MAX_NAME = 100
MAX_TEXT = 1000
MAX_EVIDENCE = 30  # entries named as evidence in one credential (the newest)
ONCE = "once"
OUTBOX_KIND = "badge"


@dataclass(frozen=True)
class Issuer:
    """The deployment's signing key and the public address of its status lists (None:
    no public server, revocation is checked against the database only)."""

    key: SigningKey
    base_url: str | None = None


def parse_rule(text: str) -> tuple[BadgeRule, int | None, int | None]:
    """(rule, hours threshold in minutes, playlist id) from what an organizer writes as a
    badge's RULE: #N (learning playlist N completed), a number of hours, or nothing (by
    hand)."""
    text = text.strip()
    playlist = re.fullmatch(r"#\s*(\d{1,9})", text)
    if playlist:
        return BadgeRule.PLAYLIST, None, int(playlist.group(1))
    minutes = parse_minutes(text) if text else None
    if minutes:
        return BadgeRule.HOURS, minutes, None
    return BadgeRule.MANUAL, None, None


def period_of(day: date) -> str:
    from bot.services.hours import school_year

    first, last = school_year(day)
    return f"{first.year}/{last.year}"


async def organizer_badge(session: AsyncSession, badge_id: int, actor_id: int) -> Badge:
    """The badge, if `actor_id` organizes its organisation (`Refusal` otherwise)."""
    badge = await session.get(Badge, badge_id)
    if badge is None:
        raise Refusal("badge_unknown")
    if not await is_organizer(session, actor_id, badge.organisation_id):
        raise Refusal("not_your_org")
    return badge


async def create_badge(session: AsyncSession, organisation_id: int, *, actor_id: int,
                       name: str, description: str, criteria: str,
                       rule: BadgeRule = BadgeRule.MANUAL, hours_minutes: int | None = None,
                       playlist_id: int | None = None, colour: str = "green",
                       emblem: str = "star", now: datetime | None = None) -> Badge:
    now = now or utcnow()
    if not await is_organizer(session, actor_id, organisation_id):
        raise Refusal("not_your_org")
    name, description, criteria = (" ".join(text.split())
                                   for text in (name, description, criteria))
    if not name or len(name) > MAX_NAME:
        raise Refusal("badge_name", limit=MAX_NAME)
    if not description or not criteria or max(len(description), len(criteria)) > MAX_TEXT:
        raise Refusal("badge_text", limit=MAX_TEXT)
    if rule is BadgeRule.HOURS and not (hours_minutes and 0 < hours_minutes <= 1000 * 60):
        raise Refusal("badge_rule")
    if rule is BadgeRule.PLAYLIST:
        playlist = await session.get(Playlist, playlist_id) if playlist_id else None
        if playlist is None:
            raise Refusal("playlist_unknown")
        if playlist.organisation_id != organisation_id:  # another organisation's playlist
            raise Refusal("not_your_org")
    badge = Badge(organisation_id=organisation_id, name=name, description=description,
                  criteria=criteria, rule=rule.value,
                  hours_minutes=hours_minutes if rule is BadgeRule.HOURS else None,
                  playlist_id=playlist_id if rule is BadgeRule.PLAYLIST else None,
                  colour=colour if colour in COLOURS else "green",
                  emblem=emblem if emblem in EMBLEMS else "star",
                  created_by=actor_id, active=True, created_at=now)
    session.add(badge)
    await session.flush()
    audit.record(session, "badge.created", actor_id=actor_id, organisation_id=organisation_id,
                 at=now, badge_id=badge.id, rule=rule.value)
    await award_already_earned(session, badge, now)
    return badge


async def award_already_earned(session: AsyncSession, badge: Badge,
                               now: datetime) -> list[BadgeAward]:
    """A new rule badge goes at once to the learners who already meet its rule, each award
    made and queued as an approval would (`_award`: once per learner and period)."""
    new: list[BadgeAward] = []
    if badge.rule == BadgeRule.HOURS.value and badge.hours_minutes:
        approved = (await session.execute(
            select(HourEntry.user_id, HourEntry.day, HourEntry.minutes)
            .where(HourEntry.organisation_id == badge.organisation_id,
                   HourEntry.status == EntryStatus.APPROVED.value))).all()
        minutes: dict[tuple[int, str], int] = {}
        for user_id, day, spent in approved:
            if user_id is not None:  # erased learners' hours stay, anonymous
                key = (user_id, period_of(day))
                minutes[key] = minutes.get(key, 0) + spent
        earned = sorted(key for key, total in minutes.items() if total >= badge.hours_minutes)
    elif badge.rule == BadgeRule.PLAYLIST.value and badge.playlist_id:
        members = (await session.scalars(select(PlaylistMember.user_id).where(
            PlaylistMember.playlist_id == badge.playlist_id).order_by(PlaylistMember.id))).all()
        earned = [(user_id, ONCE) for user_id in members
                  if badge.playlist_id in await completed_playlists(session, user_id)]
    else:
        return new
    for user_id, period in earned:
        award, created = await _award(session, badge, user_id, period=period,
                                      awarded_by=None, now=now)
        if created:
            new.append(award)
    return new


async def change_badge(session: AsyncSession, badge_id: int, *, actor_id: int,
                       colour: str | None = None, emblem: str | None = None,
                       active: bool | None = None) -> Badge:
    """Change a badge's colour, emblem or whether it is still awarded."""
    badge = await organizer_badge(session, badge_id, actor_id)
    if colour is not None and colour in COLOURS:
        badge.colour = colour
    if emblem is not None and emblem in EMBLEMS:
        badge.emblem = emblem
    if active is not None and active != badge.active:
        badge.active = active
        audit.record(session, "badge.activated" if active else "badge.deactivated",
                     actor_id=actor_id, organisation_id=badge.organisation_id,
                     badge_id=badge.id)
    await session.flush()
    return badge


async def badges_of(session: AsyncSession, organisation_id: int) -> list[Badge]:
    return list((await session.scalars(
        select(Badge).where(Badge.organisation_id == organisation_id)
        .order_by(Badge.active.desc(), Badge.id))).all())


async def learners_of(session: AsyncSession, organisation_id: int) -> list[User]:
    """Learners with approved hours at the organisation, by name: who may get a badge."""
    ids = (select(HourEntry.user_id).where(HourEntry.organisation_id == organisation_id,
                                           HourEntry.status == EntryStatus.APPROVED.value)
           .distinct())
    return list((await session.scalars(
        select(User).where(User.id.in_(ids)).order_by(User.first_name, User.id))).all())


async def _has_approved_hours(session: AsyncSession, user_id: int,
                              organisation_id: int) -> bool:
    return (await session.scalar(select(HourEntry.id).where(
        HourEntry.user_id == user_id, HourEntry.organisation_id == organisation_id,
        HourEntry.status == EntryStatus.APPROVED.value).limit(1))) is not None


async def _evidence(session: AsyncSession, user_id: int, organisation_id: int,
                    period: str | None) -> tuple[int, list[dict[str, Any]]]:
    """Approved minutes (in `period`, or ever) and the newest entries as evidence."""
    rows = (await session.execute(
        select(HourEntry.activity, HourEntry.day, HourEntry.minutes)
        .where(HourEntry.user_id == user_id, HourEntry.organisation_id == organisation_id,
               HourEntry.status == EntryStatus.APPROVED.value)
        .order_by(HourEntry.day.desc(), HourEntry.id.desc()))).all()
    chosen = [row for row in rows if period is None or period_of(row.day) == period]
    evidence = [{"name": row.activity, "day": row.day.isoformat(), "minutes": row.minutes}
                for row in chosen[:MAX_EVIDENCE]]
    return sum(row.minutes for row in chosen), evidence


async def _award(session: AsyncSession, badge: Badge, user_id: int, *, period: str,
                 awarded_by: int | None, now: datetime) -> tuple[BadgeAward, bool]:
    """The award of `badge` to `user_id` for `period`: (it, whether it is new)."""
    existing = await _find(session, badge.id, user_id, period)
    if existing is not None:
        return existing, False
    minutes, evidence = await _evidence(session, user_id, badge.organisation_id,
                                        period if badge.rule == BadgeRule.HOURS else None)
    award = BadgeAward(badge_id=badge.id, user_id=user_id, period=period,
                       awarded_by=awarded_by, minutes=minutes, issued_at=now,
                       details={"salt": secrets.token_hex(16), "evidence": evidence})
    try:
        async with session.begin_nested():  # a racing approval may award it first
            session.add(award)
    except IntegrityError:
        twin = await _find(session, badge.id, user_id, period)
        if twin is None:
            raise
        return twin, False
    await outbox.enqueue(session, dedupe_key=f"badge:{award.id}", chat_id=user_id,
                         kind=OUTBOX_KIND, text=str(award.id))
    audit.record(session, "badge.awarded", actor_id=awarded_by,
                 organisation_id=badge.organisation_id, at=now, badge_id=badge.id,
                 award_id=award.id, user_id=user_id, period=period)
    return award, True


async def _find(session: AsyncSession, badge_id: int, user_id: int,
                period: str) -> BadgeAward | None:
    return (await session.scalars(select(BadgeAward).where(
        BadgeAward.badge_id == badge_id, BadgeAward.user_id == user_id,
        BadgeAward.period == period))).first()


async def award_by_hand(session: AsyncSession, badge_id: int, user_id: int, *,
                        actor_id: int, now: datetime | None = None) -> tuple[BadgeAward, bool]:
    now = now or utcnow()
    badge = await organizer_badge(session, badge_id, actor_id)
    if user_id == actor_id:
        raise Refusal("own_badge")
    if not badge.active:
        raise Refusal("badge_inactive")
    if not await _has_approved_hours(session, user_id, badge.organisation_id):
        raise Refusal("learner_unknown")
    return await _award(session, badge, user_id, period=ONCE, awarded_by=actor_id, now=now)


async def completed_playlists(session: AsyncSession, user_id: int) -> set[int]:
    """The learning playlists `user_id` has completed: the one place badges meet playlists."""
    return set(await playlists.completed_playlists(session, user_id))


async def award_automatic(session: AsyncSession, user_id: int,
                          now: datetime | None = None) -> list[BadgeAward]:
    """Award every active rule badge `user_id` now meets and does not have yet; the new
    awards. Called in the transaction that approves hours."""
    now = now or utcnow()
    new: list[BadgeAward] = []
    approved = (await session.execute(
        select(HourEntry.organisation_id, HourEntry.day, HourEntry.minutes)
        .where(HourEntry.user_id == user_id,
               HourEntry.status == EntryStatus.APPROVED.value))).all()
    minutes: dict[tuple[int, str], int] = {}
    for organisation_id, day, spent in approved:
        key = (organisation_id, period_of(day))
        minutes[key] = minutes.get(key, 0) + spent
    organisations = {organisation_id for organisation_id, _period in minutes}
    if organisations:
        hour_badges = (await session.scalars(select(Badge).where(
            Badge.active.is_(True), Badge.rule == BadgeRule.HOURS.value,
            Badge.organisation_id.in_(organisations)).order_by(Badge.id))).all()
        for badge in hour_badges:
            for (organisation_id, period), total in sorted(minutes.items()):
                if (organisation_id == badge.organisation_id
                        and total >= (badge.hours_minutes or 0) > 0):
                    award, created = await _award(session, badge, user_id, period=period,
                                                  awarded_by=None, now=now)
                    if created:
                        new.append(award)
    completed = await completed_playlists(session, user_id)
    if completed:
        playlist_badges = (await session.scalars(select(Badge).where(
            Badge.active.is_(True), Badge.rule == BadgeRule.PLAYLIST.value,
            Badge.playlist_id.in_(completed)).order_by(Badge.id))).all()
        for badge in playlist_badges:
            award, created = await _award(session, badge, user_id, period=ONCE,
                                          awarded_by=None, now=now)
            if created:
                new.append(award)
    return new


async def revoke(session: AsyncSession, award_id: int, *, actor_id: int, reason: str,
                 now: datetime | None = None) -> BadgeAward:
    now = now or utcnow()
    award = await session.get(BadgeAward, award_id)
    if award is None:
        raise Refusal("award_unknown")
    await organizer_badge(session, award.badge_id, actor_id)
    await session.execute(
        update(BadgeAward).where(BadgeAward.id == award_id, BadgeAward.revoked_at.is_(None))
        .values(revoked_at=now, revoke_reason=reason[:300])
        .execution_options(synchronize_session=False))
    await session.refresh(award)
    audit.record(session, "badge.revoked", actor_id=actor_id, at=now, award_id=award_id,
                 reason=reason[:300])
    return award


@dataclass(frozen=True)
class AwardView:
    award: BadgeAward
    badge: Badge
    organisation: str


async def playlist_title(session: AsyncSession, badge: Badge, language: str) -> str | None:
    """The title (in `language` when written in it) of the playlist a badge rewards."""
    playlist = await session.get(Playlist, badge.playlist_id) if badge.playlist_id else None
    if playlist is None:
        return None
    return playlists.localized(playlist.titles, language, playlist.language)


async def awards_of(session: AsyncSession, user_id: int, *,
                    include_revoked: bool = False) -> list[AwardView]:
    """A learner's badges, newest first."""
    query = (select(BadgeAward, Badge, Organisation.name)
             .join(Badge, Badge.id == BadgeAward.badge_id)
             .join(Organisation, Organisation.id == Badge.organisation_id)
             .where(BadgeAward.user_id == user_id)
             .order_by(BadgeAward.issued_at.desc(), BadgeAward.id.desc()))
    if not include_revoked:
        query = query.where(BadgeAward.revoked_at.is_(None))
    return [AwardView(award, badge, name)
            for award, badge, name in (await session.execute(query)).all()]


async def awards_given(session: AsyncSession, organisation_id: int,
                       limit: int = 50) -> list[tuple[BadgeAward, Badge, str]]:
    """The organisation's awards still in force, newest first, with the learner's name."""
    query = (select(BadgeAward, Badge, func.coalesce(User.first_name, "?"))
             .join(Badge, Badge.id == BadgeAward.badge_id)
             .outerjoin(User, User.id == BadgeAward.user_id)
             .where(Badge.organisation_id == organisation_id,
                    BadgeAward.revoked_at.is_(None))
             .order_by(BadgeAward.issued_at.desc(), BadgeAward.id.desc()).limit(limit))
    return [(award, badge, name) for award, badge, name in (await session.execute(query)).all()]


async def view(session: AsyncSession, award_id: int) -> AwardView | None:
    row = (await session.execute(
        select(BadgeAward, Badge, Organisation.name)
        .join(Badge, Badge.id == BadgeAward.badge_id)
        .join(Organisation, Organisation.id == Badge.organisation_id)
        .where(BadgeAward.id == award_id))).first()
    return AwardView(row[0], row[1], row[2]) if row else None


def credential_of(found: AwardView, issuer: Issuer) -> dict[str, Any]:
    """The unsigned credential of an award, from what was stored when it was made."""
    award, badge = found.award, found.badge
    details = award.details or {}
    return cred.build(cred.Award(
        award_id=award.id, badge_id=badge.id, badge_name=badge.name,
        description=badge.description, criteria=badge.criteria,
        organisation=found.organisation,
        recipient=f"telegram:{award.user_id}", salt=str(details.get("salt", "")),
        issued_at=award.issued_at, minutes=award.minutes,
        evidence=tuple(cred.Evidence(item["name"], date.fromisoformat(item["day"]),
                                     int(item["minutes"]))
                       for item in details.get("evidence", [])),
        status=(status_list.entry(issuer.base_url, award.id) if issuer.base_url else None),
    ), issuer.key.did)


async def issue_credential(session: AsyncSession, found: AwardView, issuer: Issuer) -> str:
    """The award's signed credential, made and stored the first time it is needed."""
    if found.award.credential:
        return found.award.credential
    token = vcjwt.sign(credential_of(found, issuer), issuer.key)
    await session.execute(
        update(BadgeAward).where(BadgeAward.id == found.award.id,
                                 BadgeAward.credential.is_(None))
        .values(credential=token).execution_options(synchronize_session=False))
    await session.refresh(found.award)
    return found.award.credential or token


async def revoked_positions(session: AsyncSession, number: int) -> list[int]:
    """Indices set in status list `number`: the revoked awards whose place is in it."""
    first = number * status_list.LIST_SIZE
    ids = (await session.scalars(select(BadgeAward.id).where(
        BadgeAward.revoked_at.is_not(None), BadgeAward.id >= first,
        BadgeAward.id < first + status_list.LIST_SIZE))).all()
    return [award_id - first for award_id in ids]


def fingerprint(token: str) -> str:
    """What an award keeps of its credential once its learner is forgotten: enough to
    recognise the credential, nothing to recover the hashed identity from."""
    return "sha256:" + hashlib.sha256(token.strip().encode()).hexdigest()


async def is_revoked(session: AsyncSession, token: str) -> bool | None:
    """Whether the award this deployment issued as `token` is revoked; None when the
    token is not one of ours (then only its status list can tell)."""
    found = (await session.execute(select(BadgeAward.revoked_at).where(
        BadgeAward.credential.in_([token.strip(), fingerprint(token)])))).first()
    return None if found is None else found[0] is not None


async def status_list_token(session: AsyncSession, number: int, issuer: Issuer,
                            now: datetime | None = None) -> str | None:
    """The signed status list credential `number` (None without a public address)."""
    if issuer.base_url is None or number < 0:
        return None
    url = status_list.list_url(issuer.base_url, number)
    unsigned = status_list.list_credential(url, issuer.key.did,
                                           await revoked_positions(session, number),
                                           now or utcnow())
    return vcjwt.sign(unsigned, issuer.key)
