"""Search quality on the development sets, beside the two anchors.

Usage:
    .venv/bin/python -m benchmarks.eval_search [--misses N] [--no-anchors] [--now ISO]

Builds partner feeds from ../shared/eval/dev with ../shared/tools/make_feeds.py, serves them
on 127.0.0.1, syncs them into a fresh SQLite database, loads the index the way
`python -m bot search` does, and runs both query sets through the same `search()` call:
`queries.json` (400 keyword-style queries) and `queries-chat.json` (240 chat-style queries:
sentences, constraints, Ukrainian, Polish, Estonian, short, code-switched, near-miss
no-match). For each set it prints success@1, success@5 and MRR@10 per query kind and per
language, and for `no-match` queries the share answered "nothing found"; then the same
tables for the anchors (benchmarks/anchors.py) and a summary of success@5 per kind, Takas
beside both anchors. Relevance is judged by the item URL each format carries.

Dates in the queries ("in March", "this weekend") are read against a fixed moment
(`--now`, default 2026-12-07 12:00 in Vilnius, when the dev catalog's season starts), so
the numbers do not drift with the calendar.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.common import require_shared, synced_database
from catalog.search import morphology
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
             "paraphrase", "cross-lingual", "conversational", "attribute", "short",
             "code-switch", "uk", "pl", "et", "no-match"]
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


SETS = (("keyword", "queries.json"), ("chat", "queries-chat.json"))


def success_at_5(rows: list[dict[str, Any]]) -> dict[str, float]:
    """success@5 per kind (no-match: the share answered empty) and overall."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["query"]["kind"]].append(row)
    out = {}
    for kind, group in groups.items():
        if group[0]["query"]["relevant"]:
            out[kind] = sum(1 for r in group if r["rank"] and r["rank"] <= 5) / len(group)
        else:
            out[kind] = sum(1 for r in group if not r["ranked"]) / len(group)
    judged = [r for r in rows if r["query"]["relevant"]]
    out["ALL (judged)"] = sum(1 for r in judged if r["rank"] and r["rank"] <= 5) / len(judged)
    return out


def summary(title: str, systems: dict[str, list[dict[str, Any]]]) -> str:
    """success@5 per kind, one column per system (no-match: answered empty)."""
    columns = {name: success_at_5(rows) for name, rows in systems.items()}
    kinds = list(next(iter(columns.values())))
    lines = [title, f"{'':16}" + "".join(f"{name:>12}" for name in columns)]
    for kind in [k for k in kinds if k != "ALL (judged)"] + ["ALL (judged)"]:
        lines.append(f"{kind:16}" + "".join(f"{col.get(kind, 0.0):>12.3f}"
                                           for col in columns.values()))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", type=int, default=0,
                        help="print the first N misses of each set")
    parser.add_argument("--no-anchors", action="store_true")
    parser.add_argument("--morphology", choices=morphology.METHODS, default=None,
                        help="compare analysers of inflection (default: the engine's)")
    parser.add_argument("--now", default="2026-12-07T12:00:00+02:00",
                        help="the moment dates in queries are read against (ISO 8601)")
    args = parser.parse_args()
    if args.morphology:
        morphology.METHOD = args.morphology  # before the index is built
    now = datetime.fromisoformat(args.now)
    catalog = json.loads(require_shared("eval", "dev", "catalog.json").read_text())
    with tempfile.TemporaryDirectory(prefix="takas-eval-") as folder:
        index = asyncio.run(build(Path(folder)))
        urls = json.loads((Path(folder) / "feeds" / "urls.json").read_text())
    url_to_id = {url: cid for cid, url in urls.items()}
    id_to_title = {item["id"]: f"{item['title']} | {item['city']}" for item in catalog}

    def ours(text: str, language: str) -> list[SearchDoc]:
        return [hit.doc for hit in search(index, text, language=language, now=now).hits[:10]]

    anchors: list[tuple[str, System]] = []
    if not args.no_anchors:
        from benchmarks.anchors import FullScanAnchor, TantivyAnchor

        anchors = [("rapidfuzz", _anchor_system(FullScanAnchor(index.docs))),
                   ("tantivy", _anchor_system(TantivyAnchor(index.docs)))]
    for name, filename in SETS:
        queries = json.loads(require_shared("eval", "dev", filename).read_text())
        rows = {"takas": evaluate(queries, ours, url_to_id)["rows"]}
        print(table(f"Takas, {name} set ({index.size} items, {len(queries)} queries)",
                    rows["takas"]))
        if args.misses:
            show_misses(rows["takas"], args.misses, id_to_title)
        for anchor_name, system in anchors:
            rows[anchor_name] = evaluate(queries, system, url_to_id)["rows"]
            print()
            print(table(f"Anchor {ANCHOR_TITLES[anchor_name]}, {name} set",
                        rows[anchor_name]))
        print()
        print(summary(f"success@5 per kind, {name} set (no-match: answered empty)", rows))
        print()


ANCHOR_TITLES = {"rapidfuzz": "(a) rapidfuzz WRatio full scan",
                 "tantivy": "(b) tantivy fuzzy BM25"}


if __name__ == "__main__":
    main()
