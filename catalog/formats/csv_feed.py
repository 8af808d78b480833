"""CSV exports as municipalities and libraries make them: one opportunity per row.

Encoding: UTF-8 with or without BOM, else the declared charset, else Windows-1257 (what Excel
writes on a Baltic Windows). Delimiter: whichever of ';', ',', tab occurs most in the header
line. Header names are matched after folding (case, diacritics and punctuation ignored, so
'Pradžios data', 'pradzios_data' and 'PRADŽIOS DATA' are one name):

    column      accepted header names
    id          id, nr, no, numeris, numurs, kodas, kods, uid, guid, identifier
    title       title, name, pavadinimas, nosaukums, pealkiri, nimetus, titel, nazwa
    description description, summary, aprasymas, apraksts, kirjeldus, beschreibung, opis
    provider    provider, organizer, organiser, organizatorius, organizetajs, rikotajs,
                teikejas, korraldaja, veranstalter
    city        city, town, miestas, pilseta, linn, stadt, miasto
    location    location, place, address, vieta, adresas, adrese, aadress, ort (city by
                `fields.place_parts` when there is no city column)
    country     country, salis, valsts, riik, land, kraj
    start       start, startdate, begin, date, pradzia, pradziosdata, data, sakums, datums,
                algus, beginn, datum
    end         end, enddate, pabaiga, pabaigosdata, beigas, beigudatums, lopp, ende
    hours       hours, duration, valandos, trukme, stundas, ilgums, tunnid, stunden
    price       price, cost, kaina, cena, hind, preis
    price_eur   priceeur, kainaeur, cenaeur, hindeur, preiseur (price in EUR)
    currency    currency, valiuta, valuta
    keywords    keywords, tags, raktazodziai, zymos, atslegvardi, birkas, marksonad,
                schlagworter, stichworter
    url         url, link, www, nuoroda, saite, viide
    lang        lang, language, kalba, valoda, keel, sprache, jezyk
    type        type, kind, tipas, rusis, veids, tuup, art
    online      online, nuotoliu, nuotolinis, tiessaiste, virtual, veebis
    latitude    lat, latitude, platuma
    longitude   lon, lng, long, longitude, ilguma

Values: booleans true/false, taip/ne, jā/nē, ja/nein, 1/0; decimal commas ('2,5');
keywords separated by ';', '|' or ','; prices may say 'nemokamai'/'bezmaksas' (free). A row
without a title or an id (the url stands in when there is no id column) is skipped with a
reason like 'row 14: no title'; a row with a field over the csv module's size limit likewise.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from catalog.formats.collect import Collector, Draft
from catalog.formats.dates import parse_datetime, parse_hours, zone_for
from catalog.formats.fields import (
    decode_text,
    fold,
    guess_kind,
    language_code,
    parse_bool,
    parse_number,
    parse_price,
    place_parts,
)
from catalog.model import FeedError, Kind, ParseResult
from catalog.text import clean_description

_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "nr", "no", "numeris", "numurs", "kodas", "kods", "uid", "guid", "identifier"),
    "title": ("title", "name", "pavadinimas", "nosaukums", "pealkiri", "nimetus", "titel",
              "nazwa"),
    "description": ("description", "summary", "aprasymas", "apraksts", "kirjeldus",
                    "beschreibung", "opis"),
    "provider": ("provider", "organizer", "organiser", "organizatorius", "organizetajs",
                 "rikotajs", "teikejas", "korraldaja", "veranstalter"),
    "city": ("city", "town", "miestas", "pilseta", "linn", "stadt", "miasto"),
    "location": ("location", "place", "address", "vieta", "adresas", "adrese", "aadress", "ort"),
    "country": ("country", "salis", "valsts", "riik", "land", "kraj"),
    "start": ("start", "startdate", "begin", "date", "pradzia", "pradziosdata", "data",
              "sakums", "datums", "algus", "beginn", "datum"),
    "end": ("end", "enddate", "pabaiga", "pabaigosdata", "beigas", "beigudatums", "lopp",
            "ende"),
    "hours": ("hours", "duration", "valandos", "trukme", "stundas", "ilgums", "tunnid",
              "stunden"),
    "price": ("price", "cost", "kaina", "cena", "hind", "preis"),
    "price_eur": ("priceeur", "kainaeur", "cenaeur", "hindeur", "preiseur"),
    "currency": ("currency", "valiuta", "valuta"),
    "keywords": ("keywords", "tags", "raktazodziai", "zymos", "atslegvardi", "birkas",
                 "marksonad", "schlagworter", "stichworter"),
    "url": ("url", "link", "www", "nuoroda", "saite", "viide"),
    "lang": ("lang", "language", "kalba", "valoda", "keel", "sprache", "jezyk"),
    "type": ("type", "kind", "tipas", "rusis", "veids", "tuup", "art"),
    "online": ("online", "nuotoliu", "nuotolinis", "tiessaiste", "virtual", "veebis"),
    "latitude": ("lat", "latitude", "platuma"),
    "longitude": ("lon", "lng", "long", "longitude", "ilguma"),
}
_COLUMN_OF = {alias: column for column, aliases in _ALIASES.items() for alias in aliases}
_KINDS = {
    Kind.COURSE: ("course", "kursai", "kursas", "kurss", "kursi", "kurs", "kursus", "mokymai",
                  "apmacibas"),
    Kind.EVENT: ("event", "renginys", "pasakums", "uritus", "veranstaltung", "wydarzenie"),
    Kind.VOLUNTEERING: ("volunteering", "volunteer", "savanoryste", "brivpratigaisdarbs",
                        "vabatahtlik", "vabatahtliktoo", "ehrenamt", "wolontariat"),
}
_KIND_OF = {alias: kind for kind, aliases in _KINDS.items() for alias in aliases}
_DELIMITERS = (";", ",", "\t")


def _delimiter(header: str) -> str:
    outside_quotes = re.sub(r'"[^"]*"', "", header)
    counts = {d: outside_quotes.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        column = _COLUMN_OF.get(fold(name))
        if column and column not in found:
            found[column] = index
    return found


def _keywords(value: str) -> list[str]:
    separator = ";" if ";" in value else "|" if "|" in value else ","
    return [word.strip() for word in value.split(separator)]


def _draft(row: dict[str, str], *, url_is_id: bool) -> Draft:
    get = row.get
    city = get("city") or None
    place_city, place_country, place_online = place_parts(get("location"))
    country = get("country") or place_country
    language = language_code(get("lang"))
    zone = zone_for(country, language, city or place_city)
    keywords = _keywords(get("keywords") or "")
    title = get("title")
    declared = _KIND_OF.get(fold(get("type") or ""))
    price = parse_price(get("price_eur")) if get("price_eur") else parse_price(get("price"))
    currency = "EUR" if get("price_eur") or not get("currency") else get("currency")
    return Draft(
        source_id=get("url") if url_is_id else get("id"),
        title=title,
        kind=declared or guess_kind([get("type") or "", *keywords], title),
        language=language,
        description=clean_description(get("description")),
        provider=get("provider"),
        city=city or place_city,
        country=country,
        latitude=parse_number(get("latitude")), longitude=parse_number(get("longitude")),
        online=bool(parse_bool(get("online") or "")) or place_online,
        start=parse_datetime(get("start"), zone),
        end=parse_datetime(get("end"), zone),
        hours=parse_hours(get("hours") or ""),
        price=price, currency=currency if price is not None else None,
        keywords=keywords,
        url=get("url"),
    )


def parse(body: bytes, *, charset: str | None = None, now: datetime) -> ParseResult:
    """Items from a CSV export; FeedError when there is no header with a title column."""
    text = decode_text(body, charset, fallback="cp1257")
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise FeedError("CSV without a header line") from None
    columns = _columns(header)
    if "title" not in columns:
        raise FeedError("CSV without a title column (e.g. title, pavadinimas, nosaukums)")
    if "id" not in columns and "url" not in columns:
        raise FeedError("CSV without an id or url column (e.g. id, Nr., url, nuoroda)")
    collector = Collector()
    number = 1
    while True:
        number += 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            collector.skip(f"row {number}", str(exc))
            continue
        if not any(v.strip() for v in values):
            continue
        row = {c: values[i].strip() for c, i in columns.items() if i < len(values)}
        collector.add(f"row {number}", _draft(row, url_is_id="id" not in columns))
    return collector.result
