"""The two anchors search quality and speed are measured against.

(a) rapidfuzz `process.extract` with `WRatio` over the titles (rapidfuzz's default
    processor: lower case, non-alphanumerics stripped): a full scan, cut-off 60.
(b) a typo-tolerant engine set up the way Meilisearch works: tantivy over case- and
    diacritic-folded title, keywords, place, provider and description; every query word a
    fuzzy term (0 edits up to 4 letters, 1 up to 8, 2 beyond), any word may match, BM25.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import tantivy
from rapidfuzz import fuzz, process, utils

from catalog.search.index import SearchDoc, edit_budget
from catalog.search.normalize import fold

FIELDS = ("title", "keywords", "place", "provider", "description")


class FullScanAnchor:
    """(a): rapidfuzz WRatio over every title."""

    def __init__(self, docs: Sequence[SearchDoc]) -> None:
        self.docs = list(docs)
        self.titles = [d.title for d in docs]

    def search(self, query: str, limit: int = 10) -> list[SearchDoc]:
        found = process.extract(query, self.titles, scorer=fuzz.WRatio, limit=limit,
                                score_cutoff=60, processor=utils.default_process)
        return [self.docs[index] for _title, _score, index in found]


class TantivyAnchor:
    """(b): tantivy with fuzzy terms and BM25, configured like Meilisearch."""

    def __init__(self, docs: Sequence[SearchDoc]) -> None:
        builder = tantivy.SchemaBuilder()
        for name in FIELDS:
            builder.add_text_field(name, stored=False, tokenizer_name="default")
        builder.add_integer_field("number", stored=True, indexed=True)
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema)
        writer = self.index.writer(heap_size=200_000_000, num_threads=1)
        for number, doc in enumerate(docs):
            writer.add_document(tantivy.Document(
                title=fold(doc.title), keywords=fold(" ".join(doc.keywords)),
                place=fold(doc.city or ""), provider=fold(doc.provider or ""),
                description=fold(doc.description), number=number,
            ))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        self.docs = list(docs)

    def search(self, query: str, limit: int = 10) -> list[SearchDoc]:
        words = re.findall(r"[a-z0-9]+", fold(query))
        clauses = []
        for word in words:
            distance = edit_budget(len(word))
            for name in FIELDS:
                term = tantivy.Query.fuzzy_term_query(self.schema, name, word, distance=distance,
                                                      transposition_cost_one=True)
                clauses.append((tantivy.Occur.Should, term))
        if not clauses:
            return []
        hits = self.searcher.search(tantivy.Query.boolean_query(clauses), limit).hits
        out = []
        for _score, address in hits:
            number = self.searcher.doc(address)["number"][0]
            out.append(self.docs[int(number)])
        return out
