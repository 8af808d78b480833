"""Every language at work in the running bot: the main flows with no English source string
left in a reply, plural forms with the right grammatical case, and the console.

Every message in all eight languages is checked once, rendered, in
tests/unit/test_rendered_messages.py; the journeys here run in one language of each kind
(`JOURNEY_LANGUAGES`), which is what they add: the user's language chosen and used on
every path, in each script and kind of plural rule."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.app import running
from bot.config import Settings
from bot.formatting import hours_words
from bot.i18n import I18n
from bot.languages import SUPPORTED_LANGUAGES
from bot.transports.console import run_console
from bot.transports.polling import build_polling_application
from tests.conftest import REPO
from tests.fakes import FakeBotAPI

LANGUAGES = [code for code in SUPPORTED_LANGUAGES if code != "en"]
# One of each kind: Baltic (Latin script with diacritics, three plural forms), East Slavic
# (Cyrillic, the one/few/many plural), Finnic and Germanic (two forms, formal address).
JOURNEY_LANGUAGES = ["lt", "ru", "et", "de"]
FRAGMENT = re.compile(r"\{[a-z_]+\}|<[^>]+>|\n")


def english_fragments(language: str) -> list[str]:
    """Pieces of English source text (12+ characters) whose translation differs, leaving
    out words the language itself uses ('Organisation' is German too)."""
    with (REPO / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = "\n".join(
        s for m in catalog if m.id
        for s in ([m.string] if isinstance(m.string, str) else list(m.string)))
    pieces: set[str] = set()
    for message in catalog:
        sources = [message.id] if isinstance(message.id, str) else list(message.id or ())
        targets = [message.string] if isinstance(message.string, str) else list(message.string)
        for source in sources:
            if not source or source in targets:
                continue
            pieces.update(p.strip() for p in FRAGMENT.split(source) if len(p.strip()) >= 12)
    return sorted(p for p in pieces if p not in translated)


def test_all_eight_languages_are_available(i18n: I18n) -> None:
    assert set(i18n.languages) == set(SUPPORTED_LANGUAGES)


@pytest.fixture
async def multilingual_bot(bot_settings: Settings, i18n: I18n):
    application = build_polling_application(bot_settings, i18n)
    async with running(application, polling=True):
        assert all(r.ok for r in await application.bot_data.catalog.sync())
        yield application


@pytest.mark.parametrize("language", JOURNEY_LANGUAGES)
async def test_main_flows_have_no_english_left(
    fake: FakeBotAPI, multilingual_bot, language: str
) -> None:
    user_id = 500 + LANGUAGES.index(language)
    user = fake.user(user_id, language_code=language)
    for text in ("/start", "/help", "keramika", "suvirinimo kursai", "/nonsense",
                 "/language"):
        fake.send_text(user, text)
    replies = await fake.wait_for_messages(user_id, 6)
    results = replies[2]
    fake.press_button(user, results, next(d for _t, d in results.buttons if d.startswith("od:")))
    await fake.wait_idle()
    texts = [m.text for m in fake.messages(user_id)]
    texts += [label for m in fake.messages(user_id) for label, _data in m.buttons]
    texts += [a.text or "" for a in fake.callback_answers]
    transcript = "\n".join(texts)
    leaks = [piece for piece in english_fragments(language) if piece in transcript]
    assert not leaks, f"English left in the {language} replies: {leaks}"
    for each in LANGUAGES:  # set at start-up for every language at once
        commands = fake.commands[("default", each)]
        assert [c["command"] for c in commands] == [
            "start", "help", "log", "hours", "export", "badges", "following", "playlists",
            "profile", "claim", "language", "mydata", "verify", "forgetme"]
        assert fake.short_descriptions[each] != fake.short_descriptions[""]
    assert fake.rejected == []


@pytest.mark.parametrize(("language", "forms"), [
    ("lt", ["1 rezultatas", "2 rezultatai", "5 rezultatai", "10 rezultatų", "21 rezultatas"]),
    ("ru", ["1 результат", "2 результата", "5 результатов", "11 результатов", "21 результат"]),
    ("uk", ["1 результат", "2 результати", "5 результатів", "11 результатів", "21 результат"]),
    ("pl", ["1 wynik", "2 wyniki", "5 wyników", "11 wyników", "22 wyniki"]),
])
def test_plural_forms_take_the_right_case(i18n: I18n, language: str, forms: list[str]) -> None:
    numbers = [int(form.split()[0]) for form in forms]
    translations = i18n.catalogs[language]
    rendered = [
        re.sub(r"<[^>]+>", "", translations.ngettext(
            "<b>{count} result</b> for «{query}»", "<b>{count} results</b> for «{query}»", n,
        ).format(count=n, query="q"))
        for n in numbers
    ]
    for form, text in zip(forms, rendered, strict=True):
        assert text.startswith(form), (form, text)


@pytest.mark.parametrize("language", JOURNEY_LANGUAGES)
async def test_console_speaks_every_language(settings: Settings, i18n: I18n,
                                             language: str, tmp_path: Path) -> None:
    typed = iter([f"/lang {language}\n", "/start\n", "/help\n"])
    out: list[str] = []
    assert await run_console(settings, i18n, read_line=lambda: next(typed, ""),
                             write=out.append, interactive=False) == 0
    transcript = "\n".join(out)
    assert "Hello," not in transcript
    assert "What I can do" not in transcript
    assert "Takas" in transcript


HOUR_FORMS = {
    "en": ["1 hour", "2 hours", "5 hours", "11 hours", "21 hours"],
    "lt": ["1 valanda", "2 valandos", "5 valandos", "11 valandų", "21 valanda"],
    "lv": ["1 stunda", "2 stundas", "5 stundas", "11 stundas", "21 stunda"],
    "et": ["1 tund", "2 tundi", "5 tundi", "11 tundi", "21 tundi"],
    "ru": ["1 час", "2 часа", "5 часов", "11 часов", "21 час"],
    "uk": ["1 година", "2 години", "5 годин", "11 годин", "21 година"],
    "pl": ["1 godzina", "2 godziny", "5 godzin", "11 godzin", "21 godzin"],
    "de": ["1 Stunde", "2 Stunden", "5 Stunden", "11 Stunden", "21 Stunden"],
}


@pytest.mark.parametrize("language", sorted(HOUR_FORMS))
def test_hours_in_words_take_the_right_case(i18n: I18n, language: str) -> None:
    """1, 2, 5, 11 and 21 hours as /hours writes them, in every language."""
    with i18n.use(language):
        shown = [hours_words(total * 60) for total in (1, 2, 5, 11, 21)]
    assert shown == HOUR_FORMS[language]


@pytest.mark.parametrize("language", ["en", *JOURNEY_LANGUAGES])
async def test_hours_summary_speaks_each_language_with_the_right_case(
    fake: FakeBotAPI, bot, language: str
) -> None:
    """The /hours summary with 1, 2, 5, 11 and 21 approved hours (every language:
    `test_hours_in_words_take_the_right_case`)."""
    from bot.services import hours as hour_rules
    from bot.services import orgs
    from bot.services.hours import NewEntry

    pupil_id = 700 + sorted(HOUR_FORMS).index(language)
    user = fake.user(pupil_id, language_code=language)
    fake.send_text(user, "/start")  # registers the pupil
    await fake.wait_for_messages(pupil_id, 1)
    db = bot.bot_data.db
    async with db.transaction() as session:
        organisation = await orgs.create_organisation(session, f"Mokykla {language}",
                                                      actor_id=0, is_admin=True)
    seen: list[str] = []
    for total, form in zip((1, 2, 5, 11, 21), HOUR_FORMS[language], strict=True):
        async with db.transaction() as session:
            # Approved entries on past days add up to `total` hours for this school year.
            current = sum(e.minutes for e in await hour_rules.entries_of(session, pupil_id))
            day = hour_rules.today() - timedelta(days=total)
            await hour_rules.log_entry(session, NewEntry(
                user_id=pupil_id, organisation_id=organisation.id, activity="Talka",
                day=max(day, hour_rules.school_year(hour_rules.today())[0]),
                minutes=total * 60 - current, key=f"{language}-{total}", approved_by=1))
        fake.send_text(user, "/hours")
        messages = await fake.wait_for_messages(pupil_id, 2 + len(seen))
        seen.append(messages[-1].text)
        assert form in messages[-1].text, (form, messages[-1].text)
    assert fake.rejected == []
