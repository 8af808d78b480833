"""An organisation's report as files: a CSV for the e-diary and a PDF summary.

Pure functions over `bot.services.reports.Report`, in the current language (the caller
activates the reader's). The CSV is what the e-diaries import (TAMO, Mano dienynas,
EDUKA): UTF-8 with a BOM, ';' between cells, hours with a decimal point, and no cell a
spreadsheet would run as a formula. The PDF is written on the certificate's page
(bot/services/pdf_pages.py), imported when the first report is made.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.i18n import _, pgettext
from bot.services.exports import _defused, hours_text, status_text
from bot.services.reports import Report

if TYPE_CHECKING:
    from bot.services.pdf_pages import Page


def school_year_text(year: int) -> str:
    return f"{year}/{year + 1}"


def passed_text(passed: bool | None) -> str:
    if passed is None:
        return "—"
    # TRANSLATORS: a pupil's yearly status in the school report ("įskaityta" in Lithuanian).
    return pgettext("report", "Passed") if passed else pgettext("report", "Not passed")


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_defused(cell) for cell in header])
    for row in rows:
        writer.writerow([_defused(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def report_csv(report: Report) -> bytes:
    """A school: one row per pupil; another organisation: one row per participation."""
    if report.is_school:
        return _csv(
            (_("Full name"), _("Class"), _("Approved hours"), _("Pending hours"),
             _("Target hours"), _("Status")),
            [(row.full_name, row.school_class, hours_text(row.approved, grouping=False),
              hours_text(row.pending, grouping=False),
              "" if row.target is None else hours_text(row.target, grouping=False),
              passed_text(row.passed)) for row in report.pupils])
    return _csv(
        (_("Activity"), _("Date"), _("Participant"), _("Hours"), _("Status"),
         _("Verified by")),
        [(row.activity, row.day.isoformat(), row.participant,
          hours_text(row.minutes, grouping=False), status_text(row.status), row.verified_by)
         for row in report.activities])


def report_pdf(report: Report) -> bytes:
    """The summary: per class (pupils, totals) and per organisation, or per activity."""
    from bot.services.pdf_pages import Page

    pdf = Page()
    pdf.set_creator("Takas")
    pdf.add_page()
    pdf.paragraph(_("Report: {organisation}").format(organisation=report.organisation),
                  size=16, bold=True)
    pdf.paragraph(_("School year {year}").format(year=school_year_text(report.year)), gap=5)
    if report.is_school:
        _school_pages(pdf, report)
    _activity_pages(pdf, report)
    return bytes(pdf.output())


def _school_pages(pdf: Page, report: Report) -> None:
    if not report.pupils:
        pdf.paragraph(_("No pupils in classes this school year."), gap=4)
        return
    for name, *_totals in report.class_totals():
        pdf.paragraph(_("Class {name}").format(name=name), size=13, bold=True)
        pdf.grid((_("Full name"), _("Approved hours"), _("Pending hours"), _("Target hours"),
                  _("Status")),
                 [(row.full_name, hours_text(row.approved), hours_text(row.pending),
                   "—" if row.target is None else hours_text(row.target),
                   passed_text(row.passed))
                  for row in report.pupils if row.school_class == name],
                 (62, 26, 26, 26, 30))
    pdf.paragraph(_("Totals per class"), size=13, bold=True)
    pdf.grid((_("Class"), _("Pupils"), _("Approved hours"), _("Pending hours"), _("Passed")),
             [(name, str(pupils), hours_text(approved), hours_text(pending), str(passed))
              for name, pupils, approved, pending, passed in report.class_totals()],
             (30, 30, 40, 40, 30))
    if report.by_organisation:
        pdf.paragraph(_("Approved hours per organisation the pupils worked with"), size=13,
                      bold=True)
        pdf.grid((_("Organisation"), _("Approved hours")),
                 [(name, hours_text(minutes)) for name, minutes in report.by_organisation],
                 (120, 50))


def _activity_pages(pdf: Page, report: Report) -> None:
    if not report.activities:
        if not report.is_school:
            pdf.paragraph(_("No hours were logged with this organisation this school year."))
        return
    pdf.paragraph(_("Activities"), size=13, bold=True)
    pdf.grid((_("Activity"), _("Date"), _("Participant"), _("Hours"), _("Verified by")),
             [(row.activity, row.day.isoformat(), row.participant,
               hours_text(row.minutes) + ("" if row.status == "approved"
                                          else f" ({status_text(row.status)})"),
               row.verified_by) for row in report.activities],
             (50, 24, 40, 24, 32))
