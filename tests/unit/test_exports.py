"""CSV and PDF exports of a pupil's hours: structure, locale formatting, safety, determinism.

The PDF is checked without a PDF library: its header and trailer, the embedded font, the
page objects, byte-for-byte determinism. `pdftotext` (poppler-utils), when installed,
also checks the text a reader sees.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date, timedelta

import pytest
from fpdf import FPDF

from bot.i18n import I18n, _
from bot.languages import SUPPORTED_LANGUAGES
from bot.services.exports import (
    BadgeLine,
    CertificateData,
    ExportRow,
    certificate_pdf,
    column_widths,
    entries_csv,
    status_text,
)
from bot.services.fonts import FAMILY, FONTS

YEAR = (date(2024, 9, 1), date(2025, 8, 31))
ROWS = (
    ExportRow(date(2024, 10, 5), "Skaitymai vaikams bibliotekoje", "Žirmūnų biblioteka", 150,
              "approved", "Rūta Žemaitė", None),
    ExportRow(date(2024, 11, 2), "Talka parke", "Rīgas Latviešu biedrība", 60, "pending",
              None, "Atnešiau savo\nkastuvą; ir pirštines"),
    ExportRow(date(2024, 12, 1), "Помощь в приюте", "Молодёжный центр", 45, "rejected",
              "Олена Шевчук", "Не в той день"),
)


def parse(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def certificate(rows: tuple[ExportRow, ...] = ROWS, **changes: object) -> CertificateData:
    data = CertificateData(learner="Gabrielė Žukauskaitė", school="Vilniaus Žirmūnų gimnazija",
                           grade="10b", rows=rows, issued_on=date(2025, 6, 20),
                           code="TK-7Q4M-29XD", school_year=YEAR)
    return replace(data, **changes)


def many(count: int) -> tuple[ExportRow, ...]:
    return tuple(ExportRow(YEAR[0] + timedelta(days=i % 360), f"Veikla nr. {i}: pagalba renginyje",
                           "Žirmūnų biblioteka", 90, "approved", "Rūta Žemaitė", None)
                 for i in range(count))


def pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


# CSV


def test_csv_in_lithuanian_has_a_translated_header_and_one_row_per_entry(i18n: I18n) -> None:
    with i18n.use("lt"):
        table = parse(entries_csv(ROWS))
        header = [_("Date"), _("Activity"), _("Organisation"), _("Hours"), _("Status"),
                  _("Verified by"), _("Note")]
        statuses = [status_text(row.status) for row in ROWS]
    assert table[0] == header
    assert len(table) == 1 + len(ROWS)
    assert all(len(line) == 7 for line in table)
    first = table[1]
    assert first == ["2024-10-05", "Skaitymai vaikams bibliotekoje", "Žirmūnų biblioteka", "2,5",
                     statuses[0], "Rūta Žemaitė", ""]
    assert [line[3] for line in table[1:]] == ["2,5", "1", "0,75"]
    assert [line[4] for line in table[1:]] == statuses
    assert table[2][5] == ""  # pending: nobody has verified it yet


def test_csv_hours_use_the_english_decimal_point(i18n: I18n) -> None:
    with i18n.use("en"):
        table = parse(entries_csv(ROWS))
    assert [line[3] for line in table[1:]] == ["2.5", "1", "0.75"]
    assert table[1][4] == "Approved"


def test_csv_note_with_newline_and_separator_round_trips(i18n: I18n) -> None:
    with i18n.use("lt"):
        data = entries_csv(ROWS)
    assert parse(data)[2][6] == "Atnešiau savo\nkastuvą; ir pirštines"
    assert b'"Atne' in data  # quoted, not split into cells or lines


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+2", "-3", "@SUM(A1)",
                                  "\tcmd", "\rcmd"])
def test_csv_formula_injection_is_neutralised(i18n: I18n, text: str) -> None:
    row = replace(ROWS[0], activity=text, organisation=text, verified_by=text, note=text)
    with i18n.use("en"):
        line = parse(entries_csv([row]))[1]
    assert line[1] == line[2] == line[5] == line[6] == "'" + text


def test_csv_of_no_entries_is_just_the_header() -> None:
    assert len(parse(entries_csv([]))) == 1


# PDF


def test_pdf_is_a_complete_pdf_with_the_embedded_font(i18n: I18n) -> None:
    with i18n.use("lt"):
        pdf = certificate_pdf(certificate())
    assert pdf.startswith(b"%PDF-")
    assert pdf.strip().endswith(b"%%EOF")
    assert re.search(rb"/BaseFont /[A-Z]{6}\+DejaVuSans", pdf)
    assert b"/Creator (Takas)" in pdf
    assert b"/Title " in pdf
    assert pages(pdf) == 1


def test_pdf_is_deterministic(i18n: I18n) -> None:
    with i18n.use("lt"):
        first, second = certificate_pdf(certificate()), certificate_pdf(certificate())
        later = certificate_pdf(certificate(issued_on=date(2025, 6, 21)))
    assert first == second
    assert later != first
    assert b"/CreationDate (D:20250620" in first


def test_pdf_shows_only_approved_entries_of_the_school_year(i18n: I18n) -> None:
    other_year = replace(ROWS[0], day=date(2023, 10, 5))
    with i18n.use("en"):
        approved_only = certificate_pdf(certificate(rows=ROWS[:1]))
        everything = certificate_pdf(certificate(rows=(*ROWS, other_year)))
        all_years = certificate_pdf(certificate(rows=(*ROWS, other_year), school_year=None))
    assert everything == approved_only
    assert all_years != approved_only


def test_pdf_many_rows_flow_onto_more_pages(i18n: I18n) -> None:
    with i18n.use("en"):
        few, lots = certificate_pdf(certificate(many(5))), certificate_pdf(certificate(many(100)))
    assert pages(few) == 1
    assert pages(lots) >= 3


def test_pdf_long_activity_stays_in_its_cell(i18n: I18n) -> None:
    long_rows = (replace(ROWS[0], activity="Ž" * 300, organisation="Organizacija " * 15,
                         verified_by="N" * 256),)
    with i18n.use("lt"):
        pdf = certificate_pdf(certificate(long_rows))
    assert pages(pdf) == 1


def test_pdf_of_no_approved_entries(i18n: I18n) -> None:
    with i18n.use("de"):
        pdf = certificate_pdf(certificate(rows=ROWS[1:], school=None, grade=None))
    assert pdf.startswith(b"%PDF-")
    assert pages(pdf) == 1


@pytest.mark.parametrize("language", ["lt", "lv", "et", "en", "ru", "uk", "pl", "de"])
def test_pdf_renders_every_alphabet(i18n: I18n, language: str,
                                    caplog: pytest.LogCaptureFixture) -> None:
    rows = (replace(ROWS[0], activity="Ąčęėįšųūž āēīķļņ õäöü ßłńśźż ёЁїЇієґ",
                    organisation="Молодёжный центр «Їжачок»", verified_by="Łucja Mägi"),)
    with caplog.at_level(logging.WARNING, logger="fpdf"), i18n.use(language):
        pdf = certificate_pdf(certificate(rows, learner="Ярослава Їжакевич-Žukauskaitė"))
    assert pdf.startswith(b"%PDF-")
    assert not [record for record in caplog.records if "missing" in record.getMessage()]


def test_fonts_ship_inside_the_package() -> None:
    assert FONTS.parts[-3:] == ("bot", "assets", "fonts")
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt"):
        assert (FONTS / name).is_file()


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="pdftotext (poppler-utils) is not installed: text not checked")
def test_pdf_text_as_a_reader_sees_it(i18n: I18n) -> None:
    with i18n.use("lt"):
        pdf = certificate_pdf(certificate(learner="Ярослава Žukauskaitė"))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode()
    for expected in ("Ярослава Žukauskaitė", "Vilniaus Žirmūnų gimnazija", "10b",
                     "Skaitymai vaikams bibliotekoje", "Žirmūnų biblioteka", "2,5",
                     "Rūta Žemaitė", "TK-7Q4M-29XD"):
        assert expected in text
    assert "Talka parke" not in text  # pending
    assert "Помощь в приюте" not in text  # rejected


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_pdf_lists_the_learners_badges(i18n: I18n) -> None:
    badges = (BadgeLine("Skaitovas", "Žirmūnų biblioteka", date(2026, 11, 20)),
              BadgeLine("Помощник", "Utenos gimnazija", date(2026, 10, 2)))
    with i18n.use("lt"):
        pdf = certificate_pdf(certificate(badges=badges))
        heading = _("Open Badges earned:")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode()
    assert heading != "Open Badges earned:"
    for expected in (heading, "Skaitovas (Žirmūnų biblioteka", "Помощник (Utenos gimnazija"):
        assert expected in text
    without = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"],
                             input=certificate_pdf(certificate()), capture_output=True,
                             check=True).stdout.decode()
    assert "Skaitovas" not in without


def headings() -> tuple[str, ...]:
    return (_("Date"), _("Activity"), _("Organisation"), _("Hours"), _("Verified by"))


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_pdf_table_headings_wrap_between_words_only(i18n: I18n, language: str) -> None:
    # fpdf breaks a word that does not fit its column ('Valand/os' in Lithuanian): lay each
    # heading out as the table does, in bold 9 pt inside the cell's padding.
    pdf = FPDF()
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.add_page()
    with i18n.use(language):
        names = headings()
        widths = column_widths(pdf, names)
    pdf.set_font(FAMILY, "B", 9)
    pdf.c_margin = 0  # the table's own padding (1.5 mm a side) stands in for it
    for heading, width in zip(names, widths, strict=True):
        lines = pdf.multi_cell(width - 3, 5, heading, dry_run=True, output="LINES")
        assert " ".join(lines).split() == heading.split(), (heading, width)
    assert round(sum(widths)) == 170  # the page's width between the margins


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_pdf_table_headings_are_whole_words_in_the_text(i18n: I18n, language: str) -> None:
    with i18n.use(language):
        pdf = certificate_pdf(certificate())
        words = [word for heading in headings() for word in heading.split()]
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode()
    assert [word for word in words if word not in text.split()] == []
