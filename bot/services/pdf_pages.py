"""The A4 page certificates and reports are written on (fpdf2, DejaVu Sans).

Imported only when a PDF is made (`exports.certificate_pdf`, `report_files.report_pdf`):
fpdf2 and the fontTools it brings take about 0.3 s to import, which every process start (a
web process, a worker, each `python -m bot` command) paid before. DejaVu Sans, shipped in
`bot/assets/fonts`, covers the Baltic, Polish, German and Cyrillic letters.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF, XPos, YPos
from fpdf.fonts import FontFace

from bot.i18n import _
from bot.services.fonts import FAMILY, FONTS

# The heading row of every table: bold on a pale blue-grey.
HEADINGS = FontFace(emphasis="BOLD", fill_color=(225, 232, 238))


class Page(FPDF):
    """A4 portrait with 20 mm margins; with a `code`, every footer shows it and the page
    number (a certificate's)."""

    def __init__(self, code: str | None = None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.verification_code = code
        self.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(auto=True, margin=20)

    def footer(self) -> None:
        if self.verification_code is None:
            return
        self.set_y(-14)
        self.set_font(FAMILY, size=8)
        self.set_text_color(110)
        # TRANSLATORS: the footer of every page of the certificate.
        page = _("Page {page} of {pages}").format(page=self.page_no(),
                                                  pages=self.str_alias_nb_pages)
        self.cell(0, 5, f"Takas · {self.verification_code} · {page}", align="C")
        self.set_text_color(0)

    def paragraph(self, text: str, *, size: float = 11, bold: bool = False, align: str = "L",
                  gap: float = 1.5) -> None:
        """A paragraph across the page, wrapped, followed by `gap` mm of space."""
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(gap)

    def grid(self, headings: Sequence[str], rows: Sequence[Sequence[str]],
             widths: Sequence[float]) -> None:
        """A plain table with a bold heading row, then 4 mm of space."""
        self.set_font(FAMILY, size=9)
        with self.table(col_widths=tuple(widths), width=sum(widths), headings_style=HEADINGS,
                        borders_layout="HORIZONTAL_LINES", line_height=5,
                        padding=(1, 1.5)) as table:
            table.row(tuple(headings))
            for row in rows:
                table.row(tuple(row))
        self.ln(4)
