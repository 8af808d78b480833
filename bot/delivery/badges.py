"""Badge documents: the PNG with its baked credential and a caption, made when sent.

The outbox row of a badge award (kind `badge`) holds only the award's id; the sender asks
`BadgeDocuments.render` for the file at send time, so the caption speaks the learner's
current language and a badge revoked before it went out is not sent. The picture goes
with sendDocument, never sendPhoto: Telegram recompresses photos, which would drop the
`openbadgecredential` chunk.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.badges import image
from bot.delivery.kinds import Notice, Part
from bot.formatting import date_text, hours
from bot.i18n import I18n, _
from bot.services import badges
from bot.services.hours import LOCAL
from bot.storage.db import Database
from bot.storage.models import User
from bot.text import esc, is_id


@dataclass(frozen=True)
class BadgeDocument:
    png: bytes
    filename: str
    caption: str  # Telegram HTML


def file_name(name: str, award_id: int) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")
    return f"badge-{(safe or 'takas')[:40]}-{award_id}.png"


def caption(found: badges.AwardView, *, resent: bool = False,
            playlist: str | None = None) -> str:
    """The document's caption; a new badge for a finished learning `playlist` opens with
    the congratulation for finishing it."""
    award, badge = found.award, found.badge
    lines: list[str] = []
    if playlist and not resent:
        lines.append(_("🎉 Congratulations: you finished the learning playlist «{playlist}»!")
                     .format(playlist=esc(playlist)))
    lines += [(_("🏅 Your badge «{name}» from {organisation}") if resent
              else _("🏅 You earned the badge «{name}» from {organisation}!")).format(
        name=esc(badge.name), organisation=esc(found.organisation))]
    lines.append(_("Awarded on {day}.").format(
        day=esc(date_text(award.issued_at.astimezone(LOCAL).date()))))
    if award.minutes:
        lines.append(_("Verified hours: {hours}.").format(hours=esc(hours(award.minutes / 60))))
    lines.append(_("The picture is an Open Badge: it holds a signed credential anyone can "
                   "check. Keep the file as it is."))
    return "\n".join(lines)


class BadgeDocuments:
    """Renders award documents with the deployment's issuer key."""

    def __init__(self, db: Database, i18n: I18n, issuer: badges.Issuer) -> None:
        self.db, self.i18n, self.issuer = db, i18n, issuer

    async def notice(self, notice: Notice) -> list[Part]:
        """The renderer of kind `badge` (bot/delivery/kinds.py): the award's document."""
        document = await self.render(int(notice.ref)) if is_id(notice.ref) else None
        if document is None:
            return []
        return [Part(text=document.caption, document=document.png, filename=document.filename)]

    async def render(self, award_id: int, *, for_user: int | None = None,
                     resent: bool = False) -> BadgeDocument | None:
        """The award's document; None if it is unknown, revoked, or not `for_user`'s."""
        async with self.db.transaction() as session:
            found = await badges.view(session, award_id)
            if (found is None or found.award.revoked_at is not None
                    or (for_user is not None and found.award.user_id != for_user)):
                return None
            token = await badges.issue_credential(session, found, self.issuer)
            learner = (await session.get(User, found.award.user_id)
                       if found.award.user_id else None)
            language = self.i18n.language_of(learner)
            playlist = await badges.playlist_title(session, found.badge, language)
        with self.i18n.use(language):
            text = caption(found, resent=resent, playlist=playlist)
        badge = found.badge
        png = await asyncio.to_thread(_picture, badge.name, badge.colour, badge.emblem,
                                      found.organisation, token)
        return BadgeDocument(png, file_name(badge.name, award_id), text)


def _picture(name: str, colour: str, emblem: str, organisation: str, token: str) -> bytes:
    return image.bake(image.render(name, colour, emblem, organisation), token)
