"""The font every PDF is set in: DejaVu Sans, shipped in `bot/assets/fonts`."""

from __future__ import annotations

from pathlib import Path

FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FAMILY = "DejaVu"
