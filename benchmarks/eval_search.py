"""Search quality on the development set, beside the two anchors.

Usage:
    .venv/bin/python -m benchmarks.eval_search [--misses N] [--no-anchors]

Builds partner feeds from ../shared/eval/dev with ../shared/tools/make_feeds.py, serves them
on 127.0.0.1, syncs them into a fresh SQLite database, loads the index the way
`python -m bot search` does, and runs the 400 queries through the same `search()` call.
Prints success@1, success@5 and MRR@10 per query kind and per language, and for `no-match`
queries the share answered "nothing found"; then the same table for the anchors
(benchmarks/anchors.py). Relevance is judged by the item URL each format carries.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import require_shared, synced_database
from catalog.search.engine import search
from catalog.search.index import Index, SearchDoc
from catalog.search.service import load_index

System = Callable[[str, str], list[SearchDoc]]


async def build(folder: Path) -> Index:
    catalog_file = require_shared("eval", "dev", "catalog.json")
    db = await synced_database(folder, str(catalog_file))
    index = await load_index(db)
    await db.close()
    return index


def evaluate(
    queries: Sequence[dict[str, Any]], system: System, url_to_id: dict[str, str]
) -> dict[str, Any]:
    rows = []
    for query in queries:
        ranked = [url_to_id.get(doc.url or "", "?") for doc in system(query["q"], query["lang"])]
        relevant = set(query["relevant"])
        rank = next((i + 1 for i, cid in enumerate(ranked[:10]) if cid in relevant), None)
        rows.append({"query": query, "ranked": ranked, "rank": rank})
    return {"rows": rows}


def table(title: str, rows: list[dict[str, Any]]) -> str:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_language: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["query"]["kind"]].append(row)
        if row["query"]["relevant"]:
            by_language[row["query"]["lang"]].append(row)
    lines = [title, f"{'':16}{'n':>5}{'s@1':>8}{'s@5':>8}{'MRR@10':>8}{'empty':>8}"]

    def line(name: str, group: list[dict[str, Any]]) -> str:
        judged = [r for r in group if r["query"]["relevant"]]
        nomatch = [r for r in group if not r["query"]["relevant"]]
        cells = [f"{name:16}{len(group):>5}"]
        if judged:
            s1 = sum(1 for r in judged if r["rank"] == 1) / len(judged)
            s5 = sum(1 for r in judged if r["rank"] and r["rank"] <= 5) / len(judged)
            mrr = sum(1 / r["rank"] for r in judged if r["rank"]) / len(judged)
            cells.append(f"{s1:>8.3f}{s5:>8.3f}{mrr:>8.3f}")
        else:
            cells.append(f"{'':>24}")
        if nomatch:
            empty = sum(1 for r in nomatch if not r["ranked"]) / len(nomatch)
            cells.append(f"{empty:>8.3f}")
        return "".join(cells)

    order = ["exact", "typo", "no-diacritics", "inflection", "translit", "combined",
             "paraphrase", "cross-lingual", "no-match"]
    for kind in order + sorted(set(groups) - set(order)):
        if kind in groups:
            lines.append(line(kind, groups[kind]))
    lines.append(line("ALL (judged)", [r for r in rows if r["query"]["relevant"]]))
    for language in sorted(by_language):
        lines.append(line(f"  lang {language}", by_language[language]))
    return "\n".join(lines)


def show_misses(rows: list[dict[str, Any]], count: int, id_to_title: dict[str, str]) -> None:
    misses = [r for r in rows if (r["query"]["relevant"] and not (r["rank"] and r["rank"] <= 5))
              or (not r["query"]["relevant"] and r["ranked"])]
    print(f"\n{len(misses)} misses (s@5 failures and answered no-match queries):")
    for row in misses[:count]:
        query = row["query"]
        wanted = "; ".join(id_to_title.get(i, i)[:40] for i in query["relevant"][:2])
        got = "; ".join(id_to_title.get(i, i)[:40] for i in row["ranked"][:3])
        print(f"  [{query['kind']}/{query['lang']}] {query['q']!r}\n      want: {wanted}\n"
              f"      got:  {got}")


def _anchor_system(anchor: Any) -> System:
    def run(text: str, _language: str) -> list[SearchDoc]:
        return anchor.search(text)  # type: ignore[no-any-return]

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", type=int, default=0, help="print the first N misses")
    parser.add_argument("--no-anchors", action="store_true")
    args = parser.parse_args()
    queries = json.loads(require_shared("eval", "dev", "queries.json").read_text())
    catalog = json.loads(require_shared("eval", "dev", "catalog.json").read_text())
    with tempfile.TemporaryDirectory(prefix="takas-eval-") as folder:
        index = asyncio.run(build(Path(folder)))
        urls = json.loads((Path(folder) / "feeds" / "urls.json").read_text())
    url_to_id = {url: cid for cid, url in urls.items()}
    id_to_title = {item["id"]: f"{item['title']} | {item['city']}" for item in catalog}

    def ours(text: str, language: str) -> list[SearchDoc]:
        return [hit.doc for hit in search(index, text, language=language).hits[:10]]

    result = evaluate(queries, ours, url_to_id)
    print(table(f"Takas ({index.size} items, {len(queries)} queries)", result["rows"]))
    if args.misses:
        show_misses(result["rows"], args.misses, id_to_title)
    if not args.no_anchors:
        from benchmarks.anchors import FullScanAnchor, TantivyAnchor

        for name, anchor in (("(a) rapidfuzz WRatio full scan", FullScanAnchor(index.docs)),
                             ("(b) tantivy fuzzy BM25", TantivyAnchor(index.docs))):
            rows = evaluate(queries, _anchor_system(anchor), url_to_id)
            print()
            print(table(f"Anchor {name}", rows["rows"]))


if __name__ == "__main__":
    main()
