"""Badges speak every supported language: /badges, the badge's caption, the organizer's
card and every verification reason render with no English left in them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.badges.verify import REASONS, reason_text
from bot.delivery.badges import caption
from bot.i18n import I18n
from bot.services.badges import AwardView
from bot.storage.models import Badge, BadgeAward, BadgeRule
from bot.usecases.badges import badge_view, earned_view
from handlers.badges import badge_card, badge_usage, badges_page

AWARD = AwardView(
    award=BadgeAward(id=5, badge_id=1, user_id=902, period="2026/2027", minutes=150,
                     issued_at=datetime(2026, 11, 20, 10, tzinfo=UTC), details={}),
    badge=Badge(id=1, organisation_id=1, name="Skaitovas", description="—", criteria="—",
                colour="blue", emblem="book", rule=BadgeRule.HOURS.value,
                hours_minutes=120, active=True),
    organisation="Utenos gimnazija")


def rendered() -> list[str]:
    text, markup = badges_page((earned_view(AWARD),) * 7, 0)
    buttons = [button.text for row in markup.inline_keyboard for button in row]
    return [text, *buttons, caption(AWARD), caption(AWARD, resent=True),
            badge_card(badge_view(AWARD.badge)), badge_usage(),
            *(reason_text(code) for code in REASONS)]


def english_words(text: str) -> set[str]:
    """The English words of a rendering, leaving out names, numbers and commands."""
    text = re.sub(r"/\w+|<[^>]+>|Skaitovas|Utenos gimnazija|Open Badges?|[Nn]ovemb\w*", " ",
                  text)  # names, commands, tags and the date's month (et: "november")
    return {word.lower() for word in re.findall(r"[A-Za-z]{4,}", text)}


@pytest.mark.parametrize("language", ["lt", "lv", "et", "ru", "uk", "pl", "de"])
def test_badge_texts_have_no_english_left(i18n: I18n, language: str) -> None:
    with i18n.use("en"):
        english = rendered()
    with i18n.use(language):
        translated = rendered()
    assert len(translated) == len(english)
    for source, text in zip(english, translated, strict=True):
        assert text != source or not english_words(source), (language, source)
        leftover = english_words(text) & english_words(source) - {"open", "badge"}
        # German shares a few words with English (Name, Regel...): only whole sentences
        # left untranslated count.
        assert len(leftover) <= (2 if language == "de" else 0), (language, text, leftover)


def test_english_renders_what_the_learner_sees(i18n: I18n) -> None:
    with i18n.use("en"):
        text, markup = badges_page((earned_view(AWARD),) * 7, 0)
        # (the year shows only when it is not this year's)
        assert re.search(r"🏅 <b>Skaitovas</b>, Utenos gimnazija, November 20(, 2026)?, 2\.5 h",
                         text)
        assert [b.text for b in markup.inline_keyboard[-1]] == ["More »"]
        assert caption(AWARD).startswith("🏅 You earned the badge «Skaitovas»")
