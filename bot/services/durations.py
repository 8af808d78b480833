"""Reading durations as people type them: '2', '2,5', '2.5', '1h30', '1:30', '90 min',
'1 val. 30 min.', '1 st. 30 min', '1ч 30м', '2 Std.' -> minutes."""

from __future__ import annotations

import re

_NUMBER = r"(\d+(?:[.,]\d+)?)"
# Hour and minute words and abbreviations in the eight languages, folded to lower case.
_HOURS = (r"h|hr|hrs|hour|hours|val|valanda|valandos|valandų|st|stunda|stundas|stundu|"
          r"ч|час|часа|часов|год|година|години|годин|godz|godzina|godziny|godzin|"
          r"std|stunde|stunden|t|tund|tundi")
_MINUTES = (r"m|min|mins|minute|minutes|minutė|minutės|minučių|minūte|minūtes|minūšu|"
            r"мин|минута|минуты|минут|м|хв|хвилина|хвилини|хвилин|minuta|minuty|minut|"
            r"minuten|minutit|minut")
_COLON = re.compile(r"^(\d{1,2}):([0-5]\d)$")
_PARTS = re.compile(
    rf"^(?:{_NUMBER}\s*(?:{_HOURS})\.?)?\s*(?:(\d+)\s*(?:{_MINUTES})?\.?)?$", re.IGNORECASE)
_ONLY_MINUTES = re.compile(rf"^(\d+)\s*(?:{_MINUTES})\.?$", re.IGNORECASE)
_PLAIN = re.compile(rf"^{_NUMBER}$")


def parse_minutes(text: str) -> int | None:
    """Minutes in `text`, or None when it is not a duration (0 and negatives included)."""
    value = " ".join(text.strip().lower().split())
    if not value:
        return None
    if match := _PLAIN.match(value):
        minutes = round(float(match.group(1).replace(",", ".")) * 60)
    elif match := _COLON.match(value):
        minutes = int(match.group(1)) * 60 + int(match.group(2))
    elif match := _ONLY_MINUTES.match(value):
        minutes = int(match.group(1))
    elif (match := _PARTS.match(value)) and match.group(1):
        hours = float(match.group(1).replace(",", "."))
        minutes = round(hours * 60) + int(match.group(2) or 0)
    else:
        return None
    return minutes if minutes > 0 else None
