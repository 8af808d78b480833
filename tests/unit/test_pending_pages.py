"""A page of /pending always fits one Telegram message, whatever pupils wrote: the longest
names, activities and notes the rules allow, in emoji (two UTF-16 units each) or full of
characters HTML must escape; and the texts stay valid Telegram HTML."""

from __future__ import annotations

from datetime import date

import pytest

from bot.i18n import I18n
from bot.services.hours import MAX_ACTIVITY, MAX_NOTE
from bot.services.schools import MAX_FULL_NAME
from bot.services.verification_queue import PAGE_SIZE
from bot.text import MESSAGE_LIMIT
from bot.usecases.verification import BulkChoice, EntryView, QueuePage, QueueResult
from handlers.pending import screen
from tests.fakes.telegram_html import parse_html, utf16_len


def entry(number: int, filler: str) -> EntryView:
    return EntryView(
        id=number, pupil=filler * MAX_FULL_NAME, organisation=filler * 200,
        activity=filler * MAX_ACTIVITY, day=date(2026, 12, 7), minutes=24 * 60 - 1,
        note=filler * MAX_NOTE, photo_file_id="FILE1", status="pending", reason=None,
        school_class="12ABCD", school=filler * 200)


@pytest.mark.parametrize("filler", ["a", "😀", "<&>", "ž"])
@pytest.mark.parametrize("language", ["en", "lt", "ru"])
def test_every_screen_of_a_full_page_fits_one_message(i18n: I18n, filler: str,
                                                      language: str) -> None:
    entries = tuple(entry(n, filler) for n in range(1, PAGE_SIZE + 1))
    page = QueuePage(entries=entries, page=1998, pages=1999, total=9994,
                     organisations=("x" * 200, "y"))
    results = [QueueResult(page), QueueResult(page, rejecting=entries[0]),
               QueueResult(page, bulk=BulkChoice(digest=7, left_out=0b101, entries=tuple(
                   enumerate(entries))))]
    with i18n.use(language):
        for result in results:
            text, markup = screen(result)
            shown = parse_html(text).text
            assert utf16_len(shown) <= MESSAGE_LIMIT
            assert filler[0] in shown
            assert markup is not None
            for row in markup.inline_keyboard:
                for button in row:
                    assert len(str(button.callback_data).encode()) <= 64
                    assert len(button.text) <= 64
