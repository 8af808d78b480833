"""Small-talk intents: greetings, thanks, help and goodbyes in eight languages are told
apart from searches, including searches that start with a greeting."""

from __future__ import annotations

import json

import pytest

from catalog.search.intents import DATA, Intent, detect

LANGUAGES = ("lt", "lv", "et", "en", "ru", "uk", "pl", "de")

GREETINGS = {
    "lt": ["labas", "Labas!", "laba diena", "labdien", "sveiki", "labas rytas", "Labukas :)"],
    "lv": ["sveiki", "labdien", "čau", "cau", "labrīt", "Sveiks!"],
    "et": ["tere", "Tere!", "tervist", "tere hommikust", "tsau", "tšau"],
    "en": ["hi", "hello", "Hello!", "hiii", "hey there", "good morning", "hi, how are you?"],
    "ru": ["привет", "Привет!", "privet", "здравствуйте", "здраствуйте", "добрый день"],
    "uk": ["привіт", "вітаю", "добрий день", "доброго ранку", "привiт"],
    "pl": ["cześć", "czesc", "dzień dobry", "dzien dobry", "hej", "witam"],
    "de": ["hallo", "Hallo!", "guten Tag", "guten Morgen", "moin", "servus", "wie geht's?"],
}
THANKS = {
    "lt": ["ačiū", "aciu", "Ačiū labai!", "labai ačiū", "dėkui", "dekoju"],
    "lv": ["paldies", "Paldies!", "liels paldies", "paldies tev"],
    "et": ["aitäh", "aitah", "tänan", "suur aitäh", "tänud"],
    "en": ["thanks", "thank you", "Thank you so much!", "thx", "ok thanks"],
    "ru": ["спасибо", "Спасибо большое!", "spasibo", "спс", "благодарю"],
    "uk": ["дякую", "Дуже дякую!", "щиро дякую", "дякую за допомогу"],
    "pl": ["dziękuję", "dziekuje", "dzięki", "wielkie dzięki", "dziękuję bardzo"],
    "de": ["danke", "Danke schön!", "vielen Dank", "dankeschön"],
}
HELP = {
    "lt": ["pagalba", "ką tu moki?", "ka moki", "gal gali padėti?", "kaip naudotis?"],
    "lv": ["palīdzība", "ko tu proti?", "ko tu māki", "vai vari palīdzēt?"],
    "et": ["abi", "mida sa oskad?", "kas sa saad aidata?", "kes sa oled?"],
    "en": ["help", "Hello, can you help me?", "what can you do?", "hi, what can you do?"],
    "ru": ["помощь", "что ты умеешь?", "что ты умеешь", "привет, что ты умеешь?", "помогите"],
    "uk": ["допомога", "що ти вмієш?", "привіт, що ти вмієш", "допоможіть"],
    "pl": ["pomoc", "co umiesz?", "cześć, co potrafisz?", "możesz mi pomóc?"],
    "de": ["Hilfe", "was kannst du?", "Hallo, was kannst du?", "kannst du mir helfen?"],
}
GOODBYES = {
    "lt": ["viso gero"], "lv": ["uz redzēšanos"], "et": ["nägemist"], "en": ["bye"],
    "ru": ["пока"], "uk": ["до побачення"], "pl": ["do widzenia"], "de": ["tschüss"],
}
# Real searches, many with a greeting, a thanks or a help word in front: never small talk.
SEARCHES = {
    "lt": ["labas, anglų kalbos kursai Vilniuje", "sveiki, ieškau keramikos kursų",
           "keramika", "pirmosios pagalbos mokymai", "iki 50 eur", "ačiū, o kur šokiai?"],
    "lv": ["sveiki, angļu valodas kursi Rīgā", "labdien, keramikas kursi", "palīdzība ukraiņu "
           "bērniem"],
    "et": ["tere, eesti keele kursus", "tere, vabatahtlik töö loomadega"],
    "en": ["hello, English courses in Riga", "hi, ceramics for beginners", "help with homework",
           "thanks, now volunteering in Vilnius", "museum night", "first aid"],
    "ru": ["привет, курсы английского", "здравствуйте, ищу волонтёрство в Риге",
           "помощь пожилым"],
    "uk": ["привіт, курси англійської", "допомога дітям з уроками"],
    "pl": ["cześć, kurs angielskiego w Wilnie", "pomoc dla seniorów"],
    "de": ["Hallo, Töpferkurs für Anfänger", "Hilfe für Senioren", "danke, und Museumsnacht?"],
}


def cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(language, text) for language, texts in table.items() for text in texts]


@pytest.mark.parametrize(("language", "text"), cases(GREETINGS))
def test_greetings(language: str, text: str) -> None:
    assert detect(text) is Intent.GREETING, (language, text)


@pytest.mark.parametrize(("language", "text"), cases(THANKS))
def test_thanks(language: str, text: str) -> None:
    assert detect(text) is Intent.THANKS, (language, text)


@pytest.mark.parametrize(("language", "text"), cases(HELP))
def test_help_and_what_can_you_do(language: str, text: str) -> None:
    assert detect(text) is Intent.HELP, (language, text)


@pytest.mark.parametrize(("language", "text"), cases(GOODBYES))
def test_goodbyes(language: str, text: str) -> None:
    assert detect(text) is Intent.GOODBYE, (language, text)


@pytest.mark.parametrize(("language", "text"), cases(SEARCHES))
def test_searches_with_a_greeting_in_front_are_searches(language: str, text: str) -> None:
    assert detect(text) is None, (language, text)


@pytest.mark.parametrize("text", ["", "   ", "!!!", "👋", "ok", "please", "bot",
                                  " ".join(["hello"] * 13)])
def test_no_intent_in_empty_framing_only_or_long_messages(text: str) -> None:
    assert detect(text) is None


def test_every_intent_is_written_in_all_eight_languages() -> None:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for key in (*(intent.value for intent in Intent), "framing"):
        assert sorted(data[key]) == sorted(LANGUAGES), key
        assert all(data[key][language] for language in LANGUAGES), key


def test_the_stronger_intent_wins_when_a_message_holds_several() -> None:
    assert detect("thanks, bye") is Intent.THANKS
    assert detect("labas, ačiū") is Intent.THANKS
    assert detect("привет, помоги мне пожалуйста") is Intent.HELP
