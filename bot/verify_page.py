"""The public page a certificate's QR code opens: `/verify/<code>` on the web process.

It says whether the certificate is valid or revoked, and shows the learner's name, the
approved hours, the school year, the issue date and the deployment that issued it; nothing
else (no account, organisation, entry or database id). Every value is HTML-escaped; the
page is written in the reader's language (`?lang=` or Accept-Language) and has no script,
no external resource and no form, so its Content-Security-Policy can forbid all of them.
"""

from __future__ import annotations

from babel.dates import format_date

from bot.formatting import hours_words
from bot.i18n import _, current_language
from bot.text import esc
from bot.usecases.certificates import CertificateStatus

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # A revocation shows at once: nobody keeps an old verdict.
    "Cache-Control": "no-store",
}
_STYLE = ("body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;"
          "padding:0 1rem;color:#1d2733}h1{font-size:1.4rem}.valid{color:#1a7f37}"
          ".revoked{color:#b42318}dt{font-weight:600;margin-top:.6rem}dd{margin:0}")


def period_text(status: CertificateStatus) -> str:
    """The school year a certificate covers, in the current language."""
    if status.school_year is None:
        return _("All school years")
    first, last = status.school_year
    return f"{first.year}–{last.year}"


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="{esc(current_language())}"><head>'
            '<meta charset="utf-8"><meta name="viewport" content="width=device-width">'
            f"<title>{esc(title)}</title><style>{_STYLE}</style></head>"
            f"<body>{body}</body></html>")


def render_limited() -> str:
    """The short page a reader gets after too many checks from their address (429)."""
    title = _("Takas certificate check")
    wait = _("Too many checks from your address. Please try again in a few minutes.")
    return _page(title, f"<h1>{esc(title)}</h1><p>{esc(wait)}</p>")


def render(status: CertificateStatus | None, *, deployment: str) -> str:
    """The page for `status` (None: no certificate has the code), in the current language."""
    title = _("Takas certificate check")
    if status is None:
        unknown = _("No certificate has that code.")
        return _page(title, f"<h1>{esc(title)}</h1><p>{esc(unknown)}</p>")
    language = current_language()
    # Messages are looked up outside the f-strings: the extractor does not read into them.
    if status.revoked_at is None:
        valid = _("This certificate is valid.")
        verdict = f'<h1 class="valid">✔ {esc(valid)}</h1>'
    else:
        revoked = _("This certificate was revoked.")
        when = _("Revoked on {date}.").format(
            date=format_date(status.revoked_at.date(), "long", locale=language))
        verdict = f'<h1 class="revoked">✖ {esc(revoked)}</h1><p>{esc(when)}</p>'
    fields = (
        (_("Code"), status.code),
        (_("Name"), status.learner or _("(erased at the learner's request)")),
        (_("Approved hours"), hours_words(status.minutes)),
        (_("School year"), period_text(status)),
        (_("Issued on"), format_date(status.issued_on, "long", locale=language)),
        (_("Issued by"), _("Takas at {deployment}").format(deployment=deployment)),
    )
    rows = "".join(f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>" for label, value in fields)
    return _page(title, f"{verdict}<dl>{rows}</dl>")
