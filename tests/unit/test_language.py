"""What the bot says reads well in every language (issue 15, item 17).

Each test renders real catalog messages through the real gettext and Babel formatting:
- no sentence ends with two full stops after an abbreviation ('gruodžio 7 d..', '2 Std..');
- names of organisations, towns and people stand where they need no grammatical case;
- each language has one term for learning playlists (lt: "mokymosi grojaraštis");
- a language is named as a sentence needs it ('lietuviškai', not '(Lietuvių)');
- a zero count is not announced, counts take their plural forms;
- the yearly target reads as label and value ('Gada mērķis: 40 stundas');
- every locale shows prices with '€'.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.formatting import date_text, hours_words, price
from bot.i18n import I18n, _, ngettext, pgettext
from bot.language_names import in_language, language_name
from bot.languages import NATIVE_NAMES, SUPPORTED_LANGUAGES
from handlers.broadcast import cancelled_text
from handlers.playlists import question
from tests.conftest import REPO

LANGUAGES = SUPPORTED_LANGUAGES
TRANSLATED = tuple(code for code in LANGUAGES if code != "en")
PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_][a-z0-9_]*)\}")
DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


def catalog(language: str) -> Catalog:
    path = (REPO / "locales" / "messages.pot" if language == "en"
            else REPO / "locales" / language / "LC_MESSAGES" / "messages.po")
    with Path(path).open("rb") as handle:
        return read_po(handle)


def rendered(language: str, i18n: I18n, value: str) -> list[tuple[str, str]]:
    """Every message of the catalog, translated as the bot does, with `value` everywhere."""
    out: list[tuple[str, str]] = []
    with i18n.use(language):
        for message in catalog(language):
            if not message.id:
                continue
            if isinstance(message.id, str):
                template = (pgettext(message.context, message.id) if message.context
                            else _(message.id))
                templates = [template]
            else:
                templates = [ngettext(message.id[0], message.id[1], n) for n in (1, 2, 5, 0)]
            for template in templates:
                names = set(PLACEHOLDER.findall(template))
                out.append((str(message.id), template.format(**dict.fromkeys(names, value))))
    return out


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_ends_a_sentence_with_two_full_stops(i18n: I18n, language: str) -> None:
    # The worst case: every value ends with an abbreviation's period, as a Lithuanian date
    # ('gruodžio 7 d.') or the hours in lt, lv, pl and de ('2 val.', '2 st.', '2 godz.', '2 Std.').
    doubled = [(key, text) for key, text in rendered(language, i18n, "7 d.")
               if DOUBLE_STOP.search(text)]
    assert doubled == []


def test_a_lithuanian_date_ends_the_sentence_once(i18n: I18n) -> None:
    with i18n.use("lt"):
        day = date_text(date(2026, 12, 7), now=datetime(2026, 12, 8, tzinfo=UTC))
        assert day == "gruodžio 7 d."
        assert _("Awarded on {day}.").format(day=day) == "Suteiktas gruodžio 7 d."
    with i18n.use("de"):
        assert _("Verified hours: {hours}.").format(hours="2 Std.") == "Bestätigte Stunden: 2 Std."


# Prepositions that put the following noun into a case other than the nominative.
CASE_PREPOSITIONS = {
    "lt": "iš|už|apie|pas|prie|nuo|iki|be|dėl|su|į|po|per|pagal",
    "lv": "no|pie|ar|par|pēc|bez|uz|līdz",
    "ru": "от|для|у|к|с|о|об|по|без|из|до|на",
    "uk": "від|для|у|в|до|з|із|про|без|на",
    "pl": "od|dla|do|z|u|przez|bez|o|przy|na",
}
NAMES = "organisation|town|pupil|learner|place|label"


@pytest.mark.parametrize("language", sorted(CASE_PREPOSITIONS))
def test_names_are_never_forced_into_a_case(language: str) -> None:
    forced = re.compile(rf"(?<!\w)({CASE_PREPOSITIONS[language]})\s+\{{({NAMES})\}}",
                        re.IGNORECASE)
    wrong = [message.string for message in catalog(language) if message.id
             for text in ([message.string] if isinstance(message.string, str)
                          else message.string) if forced.search(text)]
    assert wrong == []


def test_polish_badge_award_is_grammatical(i18n: I18n) -> None:
    with i18n.use("pl"):
        text = _("🏅 You earned the badge «{name}» from {organisation}!").format(
            name="Czytelnik", organisation="Kauno apskrities viešoji biblioteka")
    assert text == ("🏅 Gratulacje! Kauno apskrities viešoji biblioteka przyznaje Ci odznakę "
                    "„Czytelnik”.")


# The one word for a learning playlist per language, and the words it replaced.
PLAYLIST_TERM = {
    # Stems, because the words change inside: grojaraštis/grojaraščiai, добірка/добірці.
    "lt": ("grojara", r"mokymosi kel|\b[Kk]el(io|ią|yje|iai|iuose)\b"),
    "lv": ("ceļ", r"mācību sarakst"),
    "et": ("õpira", r"õppeloend"),
    "ru": ("подборк", r"плейлист"),
    "uk": ("добір", r"плейлист"),
    "pl": ("ścież", r"ścieżk\w* nauki"),
    "de": ("Lernpfad", r"Playlist"),
}


@pytest.mark.parametrize("language", sorted(PLAYLIST_TERM))
def test_each_language_has_one_term_for_playlists(language: str) -> None:
    term, replaced = PLAYLIST_TERM[language]
    missing, old = [], []
    for message in catalog(language):
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        texts = [message.string] if isinstance(message.string, str) else list(message.string)
        mentions = re.search(r"playlist", source.replace("/playlist", ""), re.IGNORECASE)
        if mentions and not all(term.casefold() in text.casefold() for text in texts):
            missing.append(texts[0])
        old += [text for text in texts if re.search(replaced, text)]
    assert (missing, old) == ([], [])


def test_ukrainian_digest_is_not_called_a_playlist(i18n: I18n) -> None:
    with i18n.use("uk"):
        assert "добірк" not in _("daily digest") + _("weekly digest")


@pytest.mark.parametrize("language", LANGUAGES)
def test_languages_are_named_as_a_sentence_needs(i18n: I18n, language: str) -> None:
    with i18n.use(language):
        phrase = in_language(language)
        title, _rows = question("title", language, 1)
        done = _("Done: from now on I write {in_language}.").format(in_language=phrase)
        only = _("Only {in_language}").format(in_language=phrase)
        every = {in_language(code) for code in LANGUAGES}
    assert phrase in title
    assert phrase in done
    assert phrase in only
    assert len(every) == len(LANGUAGES)
    if language != "en":
        assert not phrase.startswith("in ")  # translated, not the English
        assert f"({NATIVE_NAMES[language]})" not in title


def test_lithuanian_language_names_in_context(i18n: I18n) -> None:
    with i18n.use("lt"):
        assert question("title", "lt", 1)[0] == (
            "Parašykite mokymosi grojaraščio pavadinimą lietuviškai.")
        assert _("Only {in_language}").format(in_language=in_language("lt")) == "Tik lietuviškai"
        assert [language_name(code) for code in ("lt", "lv")] == ["lietuvių", "latvių"]
    with i18n.use("pl"):
        assert in_language("pl") == "po polsku"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_cancelled_broadcast_does_not_announce_zero(i18n: I18n, language: str) -> None:
    with i18n.use(language):
        nothing, some = cancelled_text(0), cancelled_text(3)
    assert "0" not in nothing
    assert "3" in some


def test_lithuanian_unsent_messages_take_plural_forms(i18n: I18n) -> None:
    with i18n.use("lt"):
        assert [cancelled_text(n) for n in (1, 3, 10)] == [
            "Atšaukta: 1 žinutė liko neišsiųsta.", "Atšaukta: 3 žinutės liko neišsiųstos.",
            "Atšaukta: 10 žinučių liko neišsiųsta."]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_yearly_target_reads_as_label_and_value(i18n: I18n, language: str) -> None:
    with i18n.use(language):
        target = hours_words(40 * 60)
        line = _("Yearly target: {target} · {bar} {share}%").format(target=target, bar="▓▓░",
                                                                   share=50)
    assert f": {target}" in line
    if language == "lv":
        assert line.startswith("Gada mērķis: 40 stundas")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_locale_shows_the_euro_sign(i18n: I18n, language: str) -> None:
    with i18n.use(language):
        text = price(45, "EUR")
    assert text is not None
    assert "€" in text
    assert "EUR" not in text
    assert "45" in text


# Babel writes Latvian and Estonian dates in the nominative ('7. decembris', '7. detsember');
# a sentence there must show a date as a value, never inflect it ('Piešķirta 7. decembris'):
# after a colon, a bracket, a comma or a dash, after "date", or after "is" ('... on 7. detsember').
DATE_VALUE = re.compile(r"(?:^|[:(,–—]\s*|(?:kuupäev|datums|on|ir)\s+)$")


@pytest.mark.parametrize("language", ["lv", "et"])
def test_dates_in_nominative_languages_stand_as_values(language: str) -> None:
    wrong = []
    for message in catalog(language):
        texts = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in texts:
            for match in re.finditer(r"\{(day|date|earliest)\}", text):
                if not DATE_VALUE.search(text[: match.start()]):
                    wrong.append(text)
    assert wrong == []


def test_latvian_award_date_reads_as_a_value(i18n: I18n) -> None:
    with i18n.use("lv"):
        day = date_text(date(2026, 12, 7), now=datetime(2026, 12, 8, tzinfo=UTC))
        assert _("Awarded on {day}.").format(day=day) == "Piešķiršanas datums: 7. decembris."
