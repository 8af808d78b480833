"""An opportunity as an iCalendar file, for "add to calendar"."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from bot.storage.models import utcnow
from catalog.search.index import SearchDoc


def calendar_file(doc: SearchDoc, *, now: datetime | None = None) -> bytes:
    """A VCALENDAR with one VEVENT; events without an end last their hours (or one hour)."""
    if doc.start is None:
        raise ValueError("an opportunity without a start date has no calendar entry")
    calendar = Calendar()
    calendar.add("prodid", "-//Takas//lifelong learning//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"takas-{doc.id}@takas")
    event.add("dtstamp", now or utcnow())
    event.add("summary", doc.title)
    event.add("dtstart", doc.start)
    end = doc.end if doc.end and doc.end > doc.start else None
    if end is None:
        length = doc.hours if doc.hours and doc.hours <= 12 else 1
        end = doc.start + timedelta(hours=length)
    event.add("dtend", end)
    if doc.description:
        event.add("description", doc.description + (f"\n\n{doc.url}" if doc.url else ""))
    if doc.url:
        event.add("url", doc.url)
    place = ", ".join(p for p in (doc.provider, doc.city) if p)
    if place and not doc.online:
        event.add("location", place)
    if doc.latitude is not None and doc.longitude is not None:
        event.add("geo", (doc.latitude, doc.longitude))
    calendar.add_component(event)
    return bytes(calendar.to_ical())
