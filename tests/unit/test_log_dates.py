"""The day of an activity as people type it (bot/services/dates.py): words for today and
yesterday, European numeric dates, and every month name Babel knows in our eight languages,
with every day of the month."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from babel.dates import format_skeleton, get_month_names
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.dates import LANGUAGES, parse_day, split_trailing_day

TODAY = date(2026, 12, 7)
DAYS_IN = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30,
           12: 31}


@pytest.mark.parametrize(("text", "days_ago"), [
    ("šiandien", 0), ("vakar", 1), ("užvakar", 2), ("Vakar", 1), ("uzvakar", 2),
    ("šodien", 0), ("aizvakar", 2), ("täna", 0), ("eile", 1), ("üleeile", 2),
    ("today", 0), ("yesterday", 1), ("the day before yesterday", 2),
    ("сегодня", 0), ("вчера", 1), ("позавчера", 2), ("сьогодні", 0), ("учора", 1),
    ("вчора", 1), ("позавчора", 2), ("dziś", 0), ("dzisiaj", 0), ("wczoraj", 1),
    ("przedwczoraj", 2), ("heute", 0), ("gestern", 1), ("vorgestern", 2)])
def test_words_for_today_and_yesterday(text: str, days_ago: int) -> None:
    assert parse_day(text, TODAY) == TODAY - timedelta(days=days_ago)


@pytest.mark.parametrize("text", [
    "gruodžio 5 d.", "gruodžio 5", "2026 m. gruodžio 5 d.", "5 grudnia", "5 grudnia 2026",
    "5. Dezember", "5. Dez.", "5 декабря", "5 грудня", "5. detsember", "5. decembrī",
    "2026. gada 5. decembrī", "5. decembris", "December 5", "December 5, 2026",
    "5th of December", "5.12", "05.12", "05.12.", "5.12.2026", "5/12", "2026-12-05", "12-05"])
def test_the_fifth_of_december_in_every_form(text: str) -> None:
    assert parse_day(text, TODAY) == date(2026, 12, 5)


def test_numbers_are_read_day_first() -> None:
    assert parse_day("12/5", TODAY) == date(2026, 5, 12)
    assert parse_day("12.05", TODAY) == date(2026, 5, 12)


def test_a_day_without_a_year_is_this_years_unless_months_ahead() -> None:
    assert parse_day("28.12", date(2027, 1, 3)) == date(2026, 12, 28)
    assert parse_day("20.12", TODAY) == date(2026, 12, 20)  # ahead: refused as future later


@pytest.mark.parametrize("text", ["", "parke", "5", "31.02", "2026-13-01", "Talka",
                                  "gruodžio", "32 gruodžio", "5 gruodžio 7 sausio"])
def test_what_is_not_a_date(text: str) -> None:
    assert parse_day(text, TODAY) is None


def test_the_day_at_the_end_of_a_one_line_log() -> None:
    assert split_trailing_day(["Talka", "vakar"], TODAY) == (["Talka"], TODAY - timedelta(1))
    assert split_trailing_day(["Talka", "parke", "gruodžio", "5", "d."], TODAY) == (
        ["Talka", "parke"], date(2026, 12, 5))
    assert split_trailing_day(["Reading", "to", "children", "2026-11-18"], TODAY) == (
        ["Reading", "to", "children"], date(2026, 11, 18))
    assert split_trailing_day(["Talka", "parke"], TODAY) == (["Talka", "parke"], None)
    assert split_trailing_day(["vakar"], TODAY) == (["vakar"], None)  # no activity left


FORMS = sorted({(language, width, context, month, name)
                for language in LANGUAGES for width in ("wide", "abbreviated")
                for context in ("format", "stand-alone")
                for month, name in get_month_names(width, context, language).items()
                if len(name.rstrip(".")) >= 3})


@given(form=st.sampled_from(FORMS), day=st.integers(1, 31), day_first=st.booleans(),
       year=st.sampled_from([None, 2025, 2026]))
def test_every_month_name_babel_gives_with_every_day(
        form: tuple[str, str, str, int, str], day: int, day_first: bool,
        year: int | None) -> None:
    _language, _width, _context, month, name = form
    if day > DAYS_IN[month]:
        return
    text = f"{day}. {name}" if day_first else f"{name} {day}"
    if year is not None:
        text += f" {year}"
    expected_year = year or (2026 if date(2026, month, day) <= TODAY + timedelta(60) else 2025)
    assert parse_day(text, TODAY) == date(expected_year, month, day), text


@settings(max_examples=400)
@given(language=st.sampled_from(LANGUAGES), month=st.integers(1, 12), day=st.integers(1, 31),
       skeleton=st.sampled_from(["MMMMd", "yMMMMd", "MMMd", "yMMMd", "yMd", "Md"]))
def test_dates_as_babel_writes_them_in_each_language(language: str, month: int, day: int,
                                                     skeleton: str) -> None:
    if day > DAYS_IN[month]:
        return
    written = date(2026, month, day)
    text = format_skeleton(skeleton, written, locale=language)
    if "y" not in skeleton and written > TODAY + timedelta(60):
        written = date(2025, month, day)
    if skeleton in ("yMd", "Md") and language in ("en",):
        return  # the one month-first numeric habit; Takas reads numbers day first
    assert parse_day(text, TODAY) == written, text
