"""Exports of a pupil's hours: a CSV file for spreadsheets and a PDF certificate.

Pure functions over plain data: the caller reads the entries, activates the pupil's language
(`I18n.use`) and sends the bytes as a document. Labels go through gettext, dates and numbers
through Babel in the current language.

- `entries_csv`: every entry, UTF-8 with a BOM and ';' between cells, so Excel in the Baltic
  locales opens it as columns; cells that a spreadsheet would run as a formula are defused.
- `certificate_pdf`: an A4 certificate of the approved hours (of one school year, or all),
  with the verifying organisations, a verification code and, when the deployment has a
  public address, a QR code of the page that checks it (segno), on the page of
  `bot/services/pdf_pages.py`. The same data always gives the same bytes: the document's
  date is the issue date. fpdf2 and segno are imported when the first PDF is made, not when
  a process starts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from babel.dates import format_date, format_interval
from babel.numbers import format_decimal

from bot.i18n import _, current_language, pgettext
from bot.services.fonts import FAMILY
from bot.storage.models import EntryStatus

if TYPE_CHECKING:
    from fpdf import FPDF

    from bot.services.pdf_pages import Page
# A cell starting with one of these is a formula (or becomes one) in Excel and LibreOffice.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# Longer texts are cut with '…' in the table, so that a row never outgrows a page.
_ACTIVITY_CHARS, _ORGANISATION_CHARS, _NAME_CHARS = 120, 80, 60
_COLUMNS = (22, 58, 40, 16, 34)  # mm; 170 mm between the 20 mm margins of A4
_PADDING = 1.5  # mm left and right inside a cell
_FLEXIBLE = 1  # the activity column gives up width so that no heading word is split
_QR_SIZE = 36  # mm: phones read it from an arm's length


@dataclass(frozen=True)
class ExportRow:
    day: date
    activity: str
    organisation: str
    minutes: int
    status: str  # "approved" | "pending" | "rejected"
    verified_by: str | None  # the organizer's name, once decided
    note: str | None


@dataclass(frozen=True)
class BadgeLine:
    """One Open Badge on the certificate."""

    name: str
    organisation: str
    awarded_on: date


@dataclass(frozen=True)
class CertificateData:
    learner: str  # the pupil's name
    school: str | None
    grade: str | None
    rows: tuple[ExportRow, ...]  # all entries; the certificate shows the approved ones
    issued_on: date
    code: str  # verification code printed on the certificate
    school_year: tuple[date, date] | None = None  # first and last day; None: all years
    badges: tuple[BadgeLine, ...] = ()  # the learner's Open Badges in force
    verify_url: str | None = None  # the public page that checks the code (QR code)


def hours_text(minutes: int, *, grouping: bool = True) -> str:
    """Minutes as hours in the current locale: 150 -> '2,5' (lt) / '2.5' (en)."""
    value = (Decimal(minutes) / 60).quantize(Decimal("0.01"))
    return format_decimal(value, locale=current_language(), group_separator=grouping)


def status_text(status: str) -> str:
    """An entry status in the current language (unknown ones as they are)."""
    labels = {
        # TRANSLATORS: the state of a logged volunteering entry (also Pending, Rejected).
        EntryStatus.APPROVED.value: pgettext("entry status", "Approved"),
        EntryStatus.PENDING.value: pgettext("entry status", "Pending"),
        EntryStatus.REJECTED.value: pgettext("entry status", "Rejected"),
    }
    return labels.get(status, status)


def _defused(value: str) -> str:
    """The cell as text a spreadsheet shows rather than runs ('=1+1' -> "'=1+1")."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def entries_csv(rows: Sequence[ExportRow]) -> bytes:
    """All `rows` as a CSV file: UTF-8 with BOM, ';'-separated, a translated header."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    header = (_("Date"), _("Activity"), _("Organisation"), _("Hours"), _("Status"),
              _("Verified by"), _("Note"))
    writer.writerow([_defused(label) for label in header])
    for row in rows:
        cells = (row.day.isoformat(), row.activity, row.organisation,
                 hours_text(row.minutes, grouping=False), status_text(row.status),
                 row.verified_by or "", row.note or "")
        writer.writerow([_defused(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")


def _clip(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with '…'."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _shown(data: CertificateData) -> list[ExportRow]:
    """The approved rows of the certificate's school year, by day."""
    rows = [row for row in data.rows if row.status == EntryStatus.APPROVED.value]
    if data.school_year is not None:
        first, last = data.school_year
        rows = [row for row in rows if first <= row.day <= last]
    return sorted(rows, key=lambda row: row.day)


def _by_organisation(rows: Iterable[ExportRow]) -> dict[str, int]:
    minutes: dict[str, int] = {}
    for row in rows:
        minutes[row.organisation] = minutes.get(row.organisation, 0) + row.minutes
    return dict(sorted(minutes.items(), key=lambda item: item[0].casefold()))


def column_widths(pdf: FPDF, headings: Sequence[str]) -> tuple[float, ...]:
    """Column widths (mm) in which every word of every heading fits on one line.

    Headings wrap between words, never inside one ('Valand/os'): a column narrower than its
    longest heading word (in bold) is widened, and the activity column, whose text wraps
    anyway, gives up the difference.
    """
    pdf.set_font(FAMILY, "B", 9)
    needed = [max(pdf.get_string_width(word) for word in heading.split()) + 2 * _PADDING + 0.5
              for heading in headings]
    widths = [max(base, need) for base, need in zip(_COLUMNS, needed, strict=True)]
    widths[_FLEXIBLE] = max(needed[_FLEXIBLE], sum(_COLUMNS) - (sum(widths) - widths[_FLEXIBLE]))
    return tuple(round(width, 2) for width in widths)


def _table(pdf: Page, rows: Sequence[ExportRow]) -> None:
    """The approved entries; rows that do not fit go on to the next page under the header."""
    from bot.services.pdf_pages import HEADINGS

    language = current_language()
    headings = (_("Date"), _("Activity"), _("Organisation"), _("Hours"), _("Verified by"))
    widths = column_widths(pdf, headings)
    pdf.set_font(FAMILY, size=9)
    with pdf.table(col_widths=widths, width=sum(widths),
                   text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "LEFT"),
                   headings_style=HEADINGS, cell_fill_color=(246, 248, 250), cell_fill_mode="ROWS",
                   borders_layout="HORIZONTAL_LINES", line_height=5,
                   padding=(1, _PADDING)) as table:
        table.row(headings)
        for row in rows:
            table.row((format_date(row.day, "short", locale=language),
                       _clip(row.activity, _ACTIVITY_CHARS),
                       _clip(row.organisation, _ORGANISATION_CHARS),
                       hours_text(row.minutes),
                       _clip(row.verified_by or "", _NAME_CHARS)))


def certificate_pdf(data: CertificateData) -> bytes:
    """The certificate of `data`'s approved hours as a PDF, in the current language."""
    from bot.services.pdf_pages import Page

    language = current_language()
    rows = _shown(data)
    title = _("Certificate of volunteering hours")

    pdf = Page(data.code)
    pdf.set_title(f"{title} – {data.learner}")
    pdf.set_creator("Takas")
    pdf.set_lang(language)
    pdf.set_creation_date(datetime.combine(data.issued_on, time(), tzinfo=UTC))
    pdf.add_page()

    pdf.paragraph(title, size=20, bold=True, align="C", gap=8)
    pdf.paragraph(data.learner, size=16, bold=True, align="C", gap=2)
    if data.school:
        pdf.paragraph(_("School: {school}").format(school=data.school), align="C")
    if data.grade:
        pdf.paragraph(_("Grade: {grade}").format(grade=data.grade), align="C")
    if data.school_year is None:
        period = _("All school years")
    else:
        first, last = data.school_year
        # TRANSLATORS: {period} is a date range, e.g. "Sep 1, 2024 – Aug 31, 2025".
        period = _("School year: {period}").format(
            period=format_interval(first, last, "yMMMd", locale=language))
    pdf.paragraph(period, align="C", gap=8)

    if not rows:
        pdf.paragraph(_("No approved hours in this period."), gap=6)
    else:
        _table(pdf, rows)
        pdf.ln(5)
        total = sum(row.minutes for row in rows)
        pdf.paragraph(_("Approved hours in total: {hours}").format(hours=hours_text(total)),
                      size=12, bold=True, gap=4)
        pdf.paragraph(_("Verified by these organisations:"), bold=True)
        for organisation, minutes in _by_organisation(rows).items():
            hours = _("{hours} h").format(hours=hours_text(minutes))
            pdf.paragraph(f"• {organisation} — {hours}", size=10, gap=1)
        pdf.ln(5)

    if data.badges:
        pdf.paragraph(_("Open Badges earned:"), bold=True)
        for badge in data.badges:
            pdf.paragraph(_("• {badge} ({organisation}, {date})").format(
                badge=badge.name, organisation=badge.organisation,
                date=format_date(badge.awarded_on, "medium", locale=language)), size=10, gap=1)
        pdf.ln(5)

    issued = format_date(data.issued_on, "long", locale=language)
    pdf.paragraph(_("Issued on {date}").format(date=issued))
    pdf.paragraph(_("Verification code: {code}").format(code=data.code), bold=True)
    if data.verify_url:
        _qr_code(pdf, data.verify_url)
        pdf.paragraph(_("Scan the QR code or open {url} to check this certificate: the page "
                        "says whether it is valid.").format(url=data.verify_url), size=9)
    else:
        pdf.paragraph(_("To check this certificate, send /verify {code} to Takas in "
                        "Telegram.").format(code=data.code), size=9)
    return bytes(pdf.output())


def _qr_code(pdf: Page, url: str) -> None:
    """The QR code of `url`, _QR_SIZE mm wide, on a new page when this one is too full."""
    import segno

    png = io.BytesIO()
    # Error correction M (15%) survives a crease or a smudge on a printed sheet.
    segno.make(url, error="m", micro=False).save(png, kind="png", scale=8, border=4)
    if pdf.get_y() + _QR_SIZE > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(png, x=pdf.l_margin, y=pdf.get_y(), w=_QR_SIZE, h=_QR_SIZE)
    pdf.set_y(pdf.get_y() + _QR_SIZE + 2)
