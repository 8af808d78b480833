"""Refuses XML that declares entities before any XML parser expands them.

Entity declarations in a DTD are how billion-laughs and quadratic-blowup documents multiply a
few kilobytes into gigabytes, and how external entities read local files or reach internal
hosts. No real partner feed needs them, so a document that declares any is rejected whole.
defusedxml does the check on well-formed documents; a malformed one (which feedparser's
lenient parser might still read) gets a plain scan of its prolog instead.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as DefusedET
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from catalog.model import FeedError

_ROOT = re.compile(rb"<[A-Za-z_]")
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _prolog_declares_entities(body: bytes) -> bool:
    # Dropping NUL bytes turns UTF-16 and UTF-32 markup into ASCII markup good enough to scan.
    text = body.replace(b"\x00", b"")
    root = _ROOT.search(text)
    return bool(_ENTITY.search(text, 0, root.start() if root else len(text)))


def refuse_entities(body: bytes) -> None:
    """Raise FeedError if the document declares entities (internal or external) or is a bomb."""
    try:
        DefusedET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (EntitiesForbidden, ExternalReferenceForbidden, DTDForbidden) as exc:
        raise FeedError(f"refused XML: the document declares entities ({type(exc).__name__})")\
            from None
    except (ParseError, LookupError, ValueError, UnicodeError):
        if _prolog_declares_entities(body):
            raise FeedError("refused XML: the document declares entities") from None
