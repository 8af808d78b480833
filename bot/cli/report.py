"""`python -m bot report ORG [--year 2026] [--class 8B]`: an organisation's report of a
school year as the e-diary CSV and the PDF summary, written to files (the operator's side
of /report).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.config import Settings
from bot.i18n import I18n
from bot.services.errors import Refusal
from bot.storage.db import Database
from bot.usecases import reports


async def _build(settings: Settings, i18n: I18n, organisation: str, *, year: int | None,
                 class_text: str | None, language: str | None) -> list[reports.ReportFiles]:
    db = Database(settings.database_url)
    try:
        if settings.is_sqlite:
            await db.migrate()
        with i18n.use(language or i18n.default_language):
            return await reports.organisation_reports(
                db, None, organisation=organisation, year=year, class_text=class_text)
    finally:
        await db.close()


def run_report(settings: Settings, i18n: I18n, organisation: str, *, year: int | None,
               class_text: str | None, out: Path, language: str | None) -> int:
    try:
        files = asyncio.run(_build(settings, i18n, organisation, year=year,
                                   class_text=class_text, language=language))
    except Refusal as refusal:
        print(f"takas: refused: {refusal.code} {refusal.params or ''}".rstrip(),
              file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    for report in files:
        for name, content in ((reports.csv_name(report), report.csv),
                              (reports.pdf_name(report), report.pdf)):
            (out / name).write_bytes(content)
            print(out / name)
        print(f"{report.organisation}, {report.year}/{report.year + 1}: {report.rows} rows")
    return 0
