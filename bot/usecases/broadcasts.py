"""Broadcasts: an organizer announces something to the followers of their organisation, the
followers of a town it serves, or the pupils who logged hours with it, after a preview.

Each function is one unit of work. Confirming queues one outbox row per recipient, of the
kind `ANNOUNCEMENT` with the broadcast's id as reference (bot/delivery/kinds.py): the
announcement is rendered when it is sent, in the recipient's language of that moment, and
not at all once the broadcast was cancelled, its organisation deleted, or the recipient
muted the organisation meanwhile (`announcement`). The rules (who may broadcast, the daily
limit, who is in an audience) are bot/services/broadcasts.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.delivery import kinds
from bot.services import broadcasts as rules
from bot.services.errors import Refusal
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.models import Broadcast, Organisation, User, utcnow
from bot.text import shorten
from catalog.search.index import SearchDoc
from catalog.search.service import SearchService

ANNOUNCEMENT = "announcement"  # ref: a broadcast's id; to one of its recipients
ORGANISATIONS_SHOWN = 20  # /broadcast offers at most this many organisations
LINKS = 5  # catalog opportunities offered to link
TOWNS = 4  # towns offered as an audience


@dataclass(frozen=True)
class OrganisationChoice:
    id: int
    name: str


@dataclass(frozen=True)
class Draft:
    """A draft being composed, and the organisation it speaks for."""

    id: int
    organisation_id: int
    organisation: str


@dataclass(frozen=True)
class Announcement:
    """What recipients see: the organisation's name, the text or photo with its caption,
    and the linked catalog opportunity (its id; the card comes from the search index)."""

    broadcast_id: int
    organisation_id: int
    organisation: str
    text: str
    photo_file_id: str | None
    opportunity_id: int | None


@dataclass(frozen=True)
class Preview:
    announcement: Announcement
    recipients: int


@dataclass(frozen=True)
class Author:
    """A broadcast's author as `I18n.language_of` reads a person."""

    language: str | None  # chosen in /language
    telegram_language: str | None  # what their Telegram app reported


@dataclass(frozen=True)
class Progress:
    """How far a broadcast's delivery is, for its author's progress message."""

    broadcast_id: int
    total: int
    sent: int
    failed: int
    blocked: int
    left: int  # queued or being sent
    author: Author | None  # None: no longer known
    chat_id: int | None  # the progress message, when one was recorded
    message_id: int | None


def offers(search: SearchService, organisation: str) -> list[SearchDoc]:
    """The organisation's catalog opportunities (it is their provider), soonest first: the
    ones a draft may link."""
    docs = search.offered_by(organisation)
    return sorted(docs, key=lambda d: (d.start is None, d.start or utcnow()))[:LINKS]


def towns(search: SearchService, organisation: str) -> list[tuple[str, str]]:
    """(place id, name) of the towns where the organisation's opportunities take place: the
    towns whose followers it may address."""
    return search.towns_of(organisation)[:TOWNS]


def _announcement(broadcast: Broadcast, organisation: Organisation) -> Announcement:
    return Announcement(broadcast.id, organisation.id, organisation.name, broadcast.text,
                        broadcast.photo_file_id, broadcast.opportunity_id)


async def organisations(db: Database, user_id: int, *,
                        is_admin: bool) -> list[OrganisationChoice]:
    """The organisations `user_id` may broadcast for (admins: all), the first few."""
    async with db.transaction() as session:
        allowed = await rules.may_broadcast(session, user_id, is_admin=is_admin)
        found = [await session.get(Organisation, oid) for oid in allowed[:ORGANISATIONS_SHOWN]]
        return [OrganisationChoice(o.id, o.name) for o in found if o is not None]


async def start(db: Database, user_id: int, organisation_id: int, *, is_admin: bool) -> Draft:
    """A new draft for the organisation (an earlier draft of the author is dropped);
    `not_your_org` when the user may not speak for it."""
    async with db.transaction() as session:
        draft = await rules.start(session, user_id, organisation_id, is_admin=is_admin)
        organisation = await session.get(Organisation, organisation_id)
        return Draft(draft.id, organisation_id, organisation.name if organisation else "")


async def take_text(db: Database, user_id: int, text: str,
                    photo_file_id: str | None) -> Draft | None:
    """The announcement's text (or a photo's caption) for the author's draft that waits for
    it; None when none waits (the message is not the draft's)."""
    async with db.transaction() as session:
        draft = await rules.draft_of(session, user_id)
        if draft is None or draft.text or draft.photo_file_id:
            return None
        draft.text = shorten(text, rules.MAX_TEXT)
        draft.photo_file_id = photo_file_id
        organisation = await session.get(Organisation, draft.organisation_id)
        return Draft(draft.id, draft.organisation_id, organisation.name if organisation else "")


async def choose_link(db: Database, search: SearchService, user_id: int,
                      opportunity_id: int) -> Draft | None:
    """Link one of the organisation's offered opportunities (another id, such as 0: no
    link); None when no draft waits for this choice."""
    async with db.transaction() as session:
        draft = await rules.draft_of(session, user_id)
        organisation = (await session.get(Organisation, draft.organisation_id)
                        if draft is not None else None)
        if draft is None or organisation is None or draft.link_decided:
            return None
        offered = {doc.id for doc in offers(search, organisation.name)}
        draft.opportunity_id = opportunity_id if opportunity_id in offered else None
        draft.link_decided = True
        return Draft(draft.id, organisation.id, organisation.name)


async def choose_audience(db: Database, search: SearchService, user_id: int, audience: str,
                          value: str | None) -> Preview | None:
    """Address the draft to an audience; the preview and how many it reaches. None when no
    draft waits; `town_not_served` for a town the organisation has no opportunities in."""
    async with db.transaction() as session:
        draft = await rules.draft_of(session, user_id)
        organisation = (await session.get(Organisation, draft.organisation_id)
                        if draft is not None else None)
        if draft is None or organisation is None or audience not in rules.AUDIENCES:
            return None
        served = {place for place, _name in towns(search, organisation.name)}
        rules.choose_audience(draft, audience, value, served)
        recipients = await rules.audience(session, draft)
        return Preview(_announcement(draft, organisation), len(recipients))


async def confirm(db: Database, user_id: int, broadcast_id: int, *, progress_chat_id: int,
                  progress_message_id: int) -> int:
    """Send the author's draft: one announcement per recipient queued, and where its
    progress is shown. How many it goes to; confirming twice queues nothing twice.
    `broadcast_unknown` for someone else's or no draft, `broadcast_limit` after the
    organisation's daily limit."""
    async with db.transaction() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        if broadcast is None or broadcast.author_id != user_id:
            raise Refusal("broadcast_unknown")
        recipients = await rules.confirm(session, broadcast)
        if recipients is not None:  # confirmed now (not by a twin press)
            await kinds.enqueue_to_many(session, ANNOUNCEMENT, broadcast.id, recipients,
                                        broadcast_id=broadcast.id)
            broadcast.progress_chat_id = progress_chat_id
            broadcast.progress_message_id = progress_message_id
        return broadcast.recipients


async def cancel(db: Database, broadcast_id: int, user_id: int, *, is_admin: bool) -> int:
    """Cancel a draft or a broadcast being delivered; how many messages were still queued
    (none of them goes; one being sent at that moment may still arrive)."""
    async with db.transaction() as session:
        return await rules.cancel(session, broadcast_id, user_id, is_admin=is_admin)


async def mute(db: Database, user_id: int, organisation_id: int) -> str | None:
    """No more announcements from the organisation for this user; its name (None when it
    no longer exists)."""
    async with db.transaction() as session:
        organisation = await session.get(Organisation, organisation_id)
        if organisation is None:
            return None
        await rules.mute(session, user_id, organisation.id)
        return organisation.name


async def progress(db: Database) -> list[Progress]:
    """The broadcasts being delivered and how far each is; those with nothing left are
    marked done (their final report is the last progress shown)."""
    async with db.transaction() as session:
        found = []
        for broadcast in await rules.active(session):
            counts = await outbox.broadcast_counts(session, broadcast.id)
            author = await session.get(User, broadcast.author_id)
            if rules.delivered(counts):
                broadcast.status = "done"
            found.append(Progress(
                broadcast.id, broadcast.recipients, counts.get("sent", 0),
                counts.get("failed", 0), counts.get("blocked", 0),
                counts.get("queued", 0) + counts.get("sending", 0),
                Author(author.language, author.telegram_language) if author else None,
                broadcast.progress_chat_id, broadcast.progress_message_id))
        return found


async def announcement(db: Database, broadcast_id: int, chat_id: int) -> Announcement | None:
    """The announcement as it is to be sent to `chat_id` now; None when it is not to be
    sent any more (cancelled, its organisation deleted, or muted by the recipient)."""
    async with db.transaction() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        if broadcast is None or broadcast.status not in ("sending", "done"):
            return None
        organisation = await session.get(Organisation, broadcast.organisation_id)
        if organisation is None or await rules.is_muted(session, chat_id, organisation.id):
            return None
        return _announcement(broadcast, organisation)
