"""Every message of the catalog as a user reads it, for a language review.

Usage:
    .venv/bin/python -m benchmarks.render_messages lt          # one line per message
    .venv/bin/python -m benchmarks.render_messages lv > lv.txt

Each message is translated through the real gettext and filled with realistic values formatted
by Babel in that language (a Lithuanian date 'gruodžio 7 d.', '2,5 val.', a long organisation
name, a town); plural messages are shown for 1, 3 and 0. Reading the output in one sitting shows
wrong cases, doubled full stops, mixed terms and forms of address that the .po file hides.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, date, datetime
from typing import Any

from babel.messages.pofile import read_po

from bot.formatting import date_text, hours, hours_words, when
from bot.i18n import DEFAULT_LOCALES_DIR, I18n, _, ngettext, pgettext
from bot.language_names import in_language

PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_][a-z0-9_]*)\}")
NOW = datetime(2026, 12, 8, 10, tzinfo=UTC)


def values(language: str) -> dict[str, Any]:
    """Realistic values per placeholder name, formatted in the current language."""
    organisation = "Kauno apskrities viešoji biblioteka"
    return {
        "name": organisation, "organisation": organisation, "pupil": "Ona Onaitė",
        "learner": "Ona Onaitė", "town": "Utena", "place": "Utena", "label": "Utena",
        "badge": "Skaitymo draugas", "title": "Medžių sodinimas", "activity": "Skaitymai vaikams",
        "hours": hours(2.5), "approved": hours(12), "pending": hours(2), "logged": hours(20),
        "target": hours_words(40 * 60), "left": hours_words(28 * 60), "days": 7,
        "day": date_text(date(2026, 12, 7), now=NOW), "date": date_text(date(2026, 6, 20), now=NOW),
        "earliest": date_text(date(2026, 9, 1), now=NOW),
        "example": date_text(date(2026, 12, 5), now=NOW), "when": when(NOW), "until": "18:00",
        "eta": "2 min", "in_language": in_language(language), "languages": "lietuvių, English",
        "count": 3, "total": 5, "done": 2, "limit": 200, "number": 2, "seconds": 5, "first": 1,
        "last": 5, "page": 1, "pages": 2, "sent": 3, "failed": 1, "blocked": 0, "added": 2,
        "changed": 1, "withdrawn": 0, "ok": 3, "id": 7, "items": "12", "metres": 300, "km": 2.5,
        "share": 50, "bar": "▓▓▓▓▓░░░░░", "query": "anglų kursai", "text": "labas",
        "command": "/hours", "mention": "@takas_bot", "link": "https://t.me/takas_bot?start=x",
        "code": "TK-7Q4M-29XD", "value": "Vilniaus licėjus", "school": "Vilniaus licėjus",
        "grade": "10b", "period": "2025-09-01 – 2026-08-31", "criteria": "10 h",
        "rule": _("awarded by hand"), "reason": _("the hours do not match"),
        "frequency": _("daily digest"), "uses": _("for one person"), "kind": _("Volunteering"),
        "note": "…", "error": "HTTP 404", "line": "3 / 5", "playlist": "Keramikos pradmenys",
        "updated": 2, "unchanged": 5, "url": "https://takas.example/verify/TK-7Q4M-29XD",
        "deployment": "takas.example", "revoked": date_text(date(2026, 12, 1), now=NOW),
        "words": "Kauno biblioteka", "names": "Ona Onaitė, Jonas Jonaitis", "ticked": 3,
        "school_class": "10b", "year": "2026–2027",
    }


def render(language: str, i18n: I18n) -> list[str]:
    """One line per message (plural forms joined by ' | '), newlines shown as '⏎'."""
    with (DEFAULT_LOCALES_DIR / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    lines: list[str] = []
    with i18n.use(language):
        filled = values(language)
        for message in template:
            if not message.id:
                continue
            if isinstance(message.id, str):
                text = (pgettext(message.context, message.id) if message.context
                        else _(message.id))
                shown = [text.format(**filled)]
            else:
                shown = [ngettext(message.id[0], message.id[1], n).format(
                    **{**filled, "count": n, "seconds": n, "total": n}) for n in (1, 3, 0)]
            lines.append(" | ".join(shown).replace("\n", "⏎"))
    return lines


def main() -> None:
    language = sys.argv[1] if len(sys.argv) > 1 else "lt"
    print("\n".join(render(language, I18n.load())))


if __name__ == "__main__":
    main()
