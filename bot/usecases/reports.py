"""Reports: an organizer asks for their organisation's report of a school year and gets
a CSV for the e-diary and a PDF summary (built off the event loop)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from bot.services import orgs, report_files, reports, schools
from bot.services.errors import Refusal
from bot.storage.db import Database
from bot.storage.models import utcnow


@dataclass(frozen=True)
class ReportFiles:
    organisation: str
    year: int
    class_name: str | None
    rows: int  # pupils (schools) or participations (others)
    csv: bytes
    pdf: bytes


def _name(organisation: str, year: int, class_name: str | None, ending: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in organisation).strip("-")[:60]
    part = f"-{class_name}" if class_name else ""
    return f"{safe}-{year}-{year + 1}{part}.{ending}"


def csv_name(files: ReportFiles) -> str:
    return _name(files.organisation, files.year, files.class_name, "csv")


def pdf_name(files: ReportFiles) -> str:
    return _name(files.organisation, files.year, files.class_name, "pdf")


async def organisation_reports(db: Database, actor_id: int | None, *,
                               organisation: str | None = None, year: int | None = None,
                               class_text: str | None = None, is_admin: bool = False,
                               now: datetime | None = None) -> list[ReportFiles]:
    """The reports the actor may read: of `organisation` (name or id), or of every
    organisation they organize. `actor_id` None: the command line (the operator)."""
    year = year or schools.school_year_of(now or utcnow())
    class_name = schools.parse_class_name(class_text) if class_text else None
    async with db.transaction() as session:
        if organisation is not None:
            found = await orgs.find_organisation(session, organisation)
            if found is None:
                raise Refusal("org_unknown")
            if actor_id is not None and not is_admin and not await orgs.is_organizer(
                    session, actor_id, found.id):
                raise Refusal("not_your_org")
            chosen = [found]
        elif actor_id is not None:
            chosen = await orgs.organisations_of(session, actor_id)
            if not chosen:
                raise Refusal("not_your_org")
        else:
            raise Refusal("org_unknown")
        built = [await reports.build(session, o.id, year, class_name=class_name)
                 for o in chosen]
    files = []
    for report in built:
        # The PDF takes a moment: off the event loop (the language context comes along).
        pdf = await asyncio.to_thread(report_files.report_pdf, report)
        files.append(ReportFiles(report.organisation, year,
                                 str(class_name) if class_name else None,
                                 len(report.pupils if report.is_school else report.activities),
                                 report_files.report_csv(report), pdf))
    return files
