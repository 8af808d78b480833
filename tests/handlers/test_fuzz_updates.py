"""Property-based fuzzing of the whole Application over the fake Bot API.

One real Application (long polling the fake, on a database of its own, with the demo
catalog synced) serves every example of this module. Hypothesis draws batches of what
people and clients can send: Unicode text of every kind (emoji sequences, RTL, zero-width
and combining marks, astral characters, 4096-character messages), every command with odd
arguments, edited messages, channel posts, group and supergroup messages, stickers,
photos without captions, documents, locations, forged and stale callback data, and inline
queries. After each batch the bot must be idle with:

- no unhandled exception (nothing logged at ERROR, which is where the error handler and
  python-telegram-bot report them);
- no request the fake Telegram refused (HTML, lengths, callback data, buttons, answers),
  except "message is not modified": a second press of a button that re-renders the same
  page gets it from Telegram too, and the error handler ignores it on purpose;
- an answer to every private message, every button press and every inline query.

`TAKAS_FUZZ_EXAMPLES` sets the batches per test (default 150; each batch holds up to eight
updates), e.g. `TAKAS_FUZZ_EXAMPLES=2000 pytest tests/handlers/test_fuzz_updates.py` for a long run.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build_application, running
from bot.config import load_settings
from bot.context import TakasApplication
from bot.i18n import I18n
from handlers.commands import COMMANDS, ORGANIZER_COMMANDS
from tests.conftest import fresh_database
from tests.fakes import FakeBotAPI, FakeChat, FakeUser, utf16_len

pytestmark = pytest.mark.asyncio(loop_scope="module")

EXAMPLES = int(os.environ.get("TAKAS_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

LANGUAGES = ("lt", "lv", "et", "en", "ru", "uk", "pl", "de", "be", "sv", "zz-ZZ", None)
USERS = tuple(FakeUser(7000 + i, first_name=name, language_code=LANGUAGES[i % len(LANGUAGES)])
              for i, name in enumerate(["Ona", "‮Jonas", "Анна", "<b>Eva</b>", "💥", "z\u0301",
                                        "ميرا", "a" * 64, "&amp;", "\u200b", "Ļ", "Ω"]))
GROUP = FakeChat(-4001, "group", title="Būrelis")
SUPERGROUP = FakeChat(-1004002, "supergroup", title="Klubas <i>")
CHANNEL = FakeChat(-1004003, "channel", title="Naujienos")
RESPONSES = frozenset({"sendmessage", "senddocument", "sendphoto", "editmessagetext",
                       "editmessagereplymarkup", "editmessagecaption"})

# -- text ---------------------------------------------------------------------------------

# Characters that break naive code: zero-width and joiners, bidi controls, combining marks,
# astral characters (two UTF-16 units each: Telegram counts offsets in those), emoji
# sequences, HTML and SQL syntax, look-alikes. Lone surrogates are left out: Telegram
# delivers UTF-8, so no update can carry one.
SPECIAL = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u202d", "\u2066",
           "\u061c", "\u0301", "\u0336", "\u20dd", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇱🇹", "😀", "𝕿", "𐍈",
           "ﷺ", "\ufffd", "\uffff", "<", ">", "&", "&lt;", "<b>", "</i>", "<a href='x'>",
           "'", '"', ";--", "%s", "{name}", "{}", "\\", "\n", "\t", "/", "@", "#", "ё", "ą",
           "Ō", "İ", "ß", "ﬁ", "١٢٣", "½", "−1", "0", "9" * 20)
CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))


def telegram_text(raw: str, limit: int = 4096) -> str | None:
    """What Telegram would deliver for `raw`: trimmed, non-empty, at most `limit` UTF-16
    code units; None when nothing is left."""
    text = raw.strip()
    while utf16_len(text) > limit:
        text = text[: len(text) - max(1, (utf16_len(text) - limit) // 2)].strip()
    return text or None


pieces = st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(CHARACTERS, max_size=12)),
                  min_size=1, max_size=12).map("".join)
long_text = st.tuples(pieces, st.integers(100, 4096)).map(lambda p: (p[0] or "x") * p[1])
texts = st.one_of(pieces, pieces, pieces, long_text, st.text(CHARACTERS, min_size=1))

NAMES = sorted({c.name for c in (*COMMANDS, *ORGANIZER_COMMANDS)} | {"follow", "unknown",
                                                                      "START", "Help"})
ARGUMENTS = st.one_of(
    st.just(""),
    st.sampled_from(["-1", "0", "-0", "1e309", "NaN", "inf", "9" * 40, "2,5", "1h30",
                     "2026-02-30", "99999-12-31", "2,5 Reading 2026-11-18", "org_", "org_x",
                     "ci_00000000", "org_" + "A" * 60, "'; DROP TABLE users;--",
                     "<b>bold</b>", "&amp;", "target -5", "target 99999999999",
                     "school <i>", "grade ✨", "new", "new Būrelis", "invite nowhere",
                     "sync", "add x http://127.0.0.1:1/x", "remove x", "Utena", "weekly",
                     "lt", "zz", "\u202e", "yes", "confirm"]),
    pieces,
    long_text,
)


@st.composite
def commands(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(NAMES))
    mention = draw(st.sampled_from(["", "", "@takas_test_bot", "@other_bot"]))
    argument = draw(ARGUMENTS)
    return telegram_text(f"/{name}{mention} {argument}") or f"/{name}"


# -- updates ------------------------------------------------------------------------------


@dataclass
class Expect:
    """What the batch must have caused: answers in private chats and to queries."""

    private_chats: set[int] = field(default_factory=set)
    callbacks: dict[str, str] = field(default_factory=dict)  # query id -> data
    inline: set[str] = field(default_factory=set)


Action = Callable[[FakeBotAPI, Expect], None]


def message_action(user: FakeUser, where: str, body: dict[str, Any] | str) -> Action:
    def act(fake: FakeBotAPI, expect: Expect) -> None:
        chat = {"private": None, "group": GROUP, "supergroup": SUPERGROUP}[where]
        if isinstance(body, str):
            fake.send_text(user, body, chat=chat)
        else:
            fake._user_message(user, chat, body)
        if chat is None:
            expect.private_chats.add(user.id)
    return act


def media(kind: str, serial: int) -> dict[str, Any]:
    file = {"file_id": f"F{kind}{serial}", "file_unique_id": f"U{kind}{serial}",
            "file_size": 1000}
    kinds: dict[str, dict[str, Any]] = {
        "sticker": {"sticker": file | {"width": 512, "height": 512, "type": "regular",
                                       "is_animated": False, "is_video": False,
                                       "emoji": "😀"}},
        "photo": {"photo": [file | {"width": 90, "height": 90}]},
        "document": {"document": file | {"file_name": "<x>.pdf",
                                         "mime_type": "application/pdf"}},
        "location": {"location": {"latitude": 54.6872, "longitude": 25.2797}},
        "far_location": {"location": {"latitude": -89.9, "longitude": 179.99}},
        "voice": {"voice": file | {"duration": 3}},
        "contact": {"contact": {"phone_number": "+37060000000", "first_name": "X"}},
        "dice": {"dice": {"emoji": "🎲", "value": 6}},
    }
    return kinds[kind]


@st.composite
def actions(draw: st.DrawFn) -> Action:
    user = draw(st.sampled_from(USERS))
    kind = draw(st.sampled_from(["text", "text", "command", "command", "media", "edit",
                                 "group", "channel", "callback", "callback", "inline"]))
    if kind in ("text", "command"):
        body = draw(texts if kind == "text" else commands())
        return message_action(user, "private", telegram_text(body) or "x")
    if kind == "media":
        what = draw(st.sampled_from(["sticker", "photo", "document", "location",
                                     "far_location", "voice", "contact", "dice"]))
        return message_action(user, draw(st.sampled_from(["private", "group"])),
                              media(what, draw(st.integers(0, 10**6))))
    if kind == "group":
        where = draw(st.sampled_from(["group", "supergroup"]))
        return message_action(user, where, telegram_text(draw(st.one_of(texts, commands())))
                              or "x")
    if kind == "edit":
        new_text = telegram_text(draw(st.one_of(texts, commands()))) or "x"

        def edit(fake: FakeBotAPI, expect: Expect) -> None:
            earlier = [m for m, raw in fake._user_messages.get(user.id, {}).items()
                       if "text" in raw]
            if earlier:
                fake.edit_text(user, earlier[-1], new_text)
        return edit
    if kind == "channel":
        text = telegram_text(draw(texts)) or "x"

        def post(fake: FakeBotAPI, expect: Expect) -> None:
            fake.inject_update({"channel_post": {
                "message_id": fake._new_message_id(CHANNEL.id), "chat": CHANNEL.to_dict(),
                "date": int(time.time()), "text": text,
                "sender_chat": CHANNEL.to_dict()}})
        return post
    if kind == "inline":
        query = draw(st.one_of(pieces, st.just(""), long_text.map(lambda t: t[:256])))
        offset = draw(st.sampled_from(["", "0", "5", "-1", "x", "99999999999999"]))

        def ask(fake: FakeBotAPI, expect: Expect) -> None:
            expect.inline.add(fake.send_inline_query(user, query[:256], offset).query_id)
        return ask
    return callback_action(draw, user)


def callback_action(draw: st.DrawFn, user: FakeUser) -> Action:
    """A button press: stale data of a real earlier message (possibly someone else's),
    a known prefix with a wrong id, or random bytes, on a real or a missing message.

    Everything is drawn up front and resolved against what the chats show when the press
    happens, so the drawing never depends on the bot's state (Hypothesis replays it)."""
    prefixes = ["sp:", "sl:", "ss:", "od:", "oc:", "nf:", "fl:list", "uf:", "ff:", "lg:",
                "fm:", "va:", "vr:", "vx:", "vb:", "vd:ask:", "vd:yes:", "vd:no:", "bc:", "mu:",
                "lang:",
                "feeds:sync"]
    forged = draw(st.one_of(
        st.tuples(st.sampled_from(prefixes),
                  st.sampled_from(["", "0", "-1", "999999999", "x", "1:2:3", "::", "9" * 40,
                                   "abc:def", "ø"])).map("".join),
        st.binary(min_size=1, max_size=64).map(lambda b: b.decode("utf-8", "replace")),
    ))
    real, own = draw(st.booleans()), draw(st.booleans())
    pick, missing_id = draw(st.integers(0, 10**6)), draw(st.integers(1, 10**6))

    def press(fake: FakeBotAPI, expect: Expect) -> None:
        shown = sorted({(m.chat_id, m.message_id, data) for chat in list(fake._bot_messages)
                        for m in fake.messages(chat) for data in m.callback_data})
        mine = [s for s in shown if s[0] == user.id]
        choices = mine if own and mine else shown
        if real and choices:
            chat_id, message_id, data = choices[pick % len(choices)]
        else:
            chat_id, message_id, data = user.id, missing_id, forged
        data = data.encode()[:64].decode("utf-8", "ignore") or "x"
        chat = None if chat_id == user.id else fake._chats.get(chat_id)
        pressed = fake.press_button(user, message_id, data, chat=chat, forge=True)
        expect.callbacks[pressed.query_id or ""] = data
    return press


@st.composite
def callbacks(draw: st.DrawFn) -> Action:
    return callback_action(draw, draw(st.sampled_from(USERS)))


# -- the running bot ----------------------------------------------------------------------


class ErrorLog(logging.Handler):
    """Every record at ERROR or above, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class World:
    fake: FakeBotAPI
    application: TakasApplication
    errors: ErrorLog
    processed: int = 0  # updates the application finished handling

    def count_processed(self) -> None:
        """Wrap `process_update` so a batch can wait until every update was handled."""
        handle = self.application.process_update

        async def counted(update: object) -> None:
            try:
                await handle(update)
            finally:
                self.processed += 1
                self.fake._notify()

        self.application.process_update = counted  # type: ignore[method-assign]

    async def run(self, batch: list[Action]) -> None:
        start, injected = len(self.fake.requests), self.fake.updates._next_id
        expect = Expect()
        for act in batch:
            act(self.fake, expect)
        expected = self.processed + self.fake.updates._next_id - injected
        await self.fake._wait_until(lambda: True if self.processed >= expected else None, 60,
                                    lambda: f"{expected} handled updates, {self.processed}")
        await self.fake.wait_idle(quiet=0.02, timeout=60)
        new = self.fake.requests[start:]
        assert not self.errors.records, "\n".join(
            self.errors.format(r) for r in self.errors.records)
        refused = [r for r in self.fake.rejected
                   if "message is not modified" not in (r.description or "")]
        assert not refused, "\n".join(r.summary() for r in refused)
        answered = {int(r.params["chat_id"]) for r in new
                    if r.method.lower() in RESPONSES and "chat_id" in r.params}
        assert expect.private_chats <= answered, (
            f"no answer in chats {expect.private_chats - answered}\n{self.fake.describe()}")
        callback_answers = {a.query_id for a in self.fake.callback_answers}
        unanswered = {data for query, data in expect.callbacks.items()
                      if query not in callback_answers}
        assert not unanswered, f"button presses never answered: {unanswered}"
        inline_answers = {a.query_id for a in self.fake.inline_answers}
        assert expect.inline <= inline_answers, "an inline query was never answered"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory, i18n: I18n) -> AsyncIterator[World]:
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        async with FakeBotAPI() as fake, fresh_database(tmp_path_factory.mktemp("fuzz")) as url:
            for user in USERS:
                fake.user(user.id, user.first_name, user.language_code)
            for chat in (GROUP, SUPERGROUP, CHANNEL):
                fake.group(chat.id, chat.title or "", chat.type)
            # A few users send thousands of updates: per-user flood control (tested in
            # test_e2e_flood.py) would rightly drop most of them, so it is opened wide here.
            config = load_settings(_env_file=None, database_url=url, feed_sync_interval=0,
                                   bot_token=fake.token, bot_api_url=fake.url,
                                   user_flood_burst=1000, user_flood_rate=100)
            application = build_application(config, i18n)
            async with running(application, polling=True):
                await application.bot_data.catalog.sync()  # the demo catalog: real results
                await fake.wait_idle(quiet=0.05)
                world = World(fake, application, errors)
                world.count_processed()
                yield world
                print(f"fuzz: {world.processed} updates handled")
    finally:
        logging.getLogger().removeHandler(errors)


# -- the properties -----------------------------------------------------------------------


@FUZZ
@given(data=st.data())
async def test_any_message_mix_is_answered_without_errors(world: World, data: Any) -> None:
    batch = data.draw(st.lists(actions(), min_size=1, max_size=8))
    await world.run(batch)


@FUZZ
@given(data=st.data())
async def test_texts_and_commands_in_every_chat(world: World, data: Any) -> None:
    user = data.draw(st.sampled_from(USERS))
    body = telegram_text(data.draw(st.one_of(texts, commands()))) or "x"
    where = data.draw(st.sampled_from(["private", "private", "group", "supergroup"]))
    await world.run([message_action(user, where, body)])


@FUZZ
@given(data=st.data())
async def test_buttons_forged_stale_and_foreign(world: World, data: Any) -> None:
    user = data.draw(st.sampled_from(USERS))
    # First something that shows buttons (a search, a command), then presses.
    opener = data.draw(st.sampled_from(["/following", "/language", "/log", "/forgetme",
                                        "/hours", "English course", "savanorystė Vilniuje",
                                        "kursai", "/pending", "/help"]))
    presses = data.draw(st.lists(callbacks(), min_size=1, max_size=4))
    await world.run([message_action(user, "private", opener)])
    await world.run(presses)


# -- regressions the fuzzing found --------------------------------------------------------


async def test_presses_no_flow_accepts_are_answered(world: World) -> None:
    """Data no handler claims, and known prefixes on a message Telegram no longer shows,
    used to go unanswered (the button spun until Telegram gave up)."""
    user = USERS[3]  # speaks English
    queries: dict[str, str] = {}

    def forged(n: int, data: str) -> Action:
        def press(fake: FakeBotAPI, expect: Expect) -> None:
            queries[fake.press_button(user, 10**6 + n, data, forge=True).query_id or ""] = data
        return press

    await world.run([forged(n, data) for n, data in enumerate(
        ["\x00", "zz:1", "nf:", "nf:7", "uf:1", "ff:1:daily", "fl:list", "lg:x", "fm:yes",
         "vr:1", "vA:1:2", "bc:x", "mu:1", "lang:", "lang:xx", "vb:1", "vx:1:x"])])
    answers = {a.query_id: a.text for a in world.fake.callback_answers}
    said = {data: answers.get(query) for query, data in queries.items()}
    # A language this deployment has no catalog for (an old keyboard), not a malformed one.
    assert said.pop("lang:xx") == "This language is not available."
    assert said.pop("vx:1:x") == "This button is not valid."
    assert said == dict.fromkeys(said, "This button has expired.")
