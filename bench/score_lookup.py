"""Lookup accuracy on the query set (tests/data/lookup_queries.yaml), by kind of query.

    python -m bench.score_lookup                  # indexes seeds/ into a temporary SQLite file
    python -m bench.score_lookup --db URL         # an existing index
    python -m bench.score_lookup --failures       # list what went wrong
    python -m bench.score_lookup --json
    python -m bench.score_lookup --queries tests/data/role_queries.yaml --db URL   # roles, on a Reuters index

A query with an expected actor is correct when the answer is `found` with that actor on top.
An `absent` query is correct when the answer is `not_found` or `ambiguous`; a `found` there is
a *wrong found*, the one error a journalist cannot see.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.search.results import LookupStatus

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "tests" / "data" / "lookup_queries.yaml"
KINDS = ("variant", "typo", "abbreviation", "script", "role", "absent")
TARGETS = {"variant": 0.95, "typo": 0.95, "abbreviation": 0.95, "script": 0.80, "role": 0.90, "absent": 0.90}


@dataclass(frozen=True)
class Query:
    q: str
    kind: str
    expect: str | None


@dataclass
class KindScore:
    total: int = 0
    correct: int = 0
    wrong_found: int = 0
    failures: list[dict] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def load_queries(path: Path = QUERIES) -> list[Query]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    queries = [Query(str(item["q"]), item["kind"], item.get("expect")) for item in data["queries"]]
    unknown = {q.kind for q in queries} - set(KINDS)
    if unknown:
        raise ValueError(f"{path}: unknown kind(s) {sorted(unknown)}; expected one of {KINDS}")
    return queries


def evaluate(engine, queries: list[Query]) -> dict[str, KindScore]:
    """Score every query; returns KindScore by kind."""
    scores: dict[str, KindScore] = defaultdict(KindScore)
    for query in queries:
        result = engine.resolve(query.q)
        top = result.candidates[0].name if result.candidates else None
        score = scores[query.kind]
        score.total += 1
        if query.expect is None:
            ok = result.status in (LookupStatus.NOT_FOUND, LookupStatus.AMBIGUOUS)
            score.wrong_found += int(result.status == LookupStatus.FOUND)
        else:
            ok = result.status == LookupStatus.FOUND and top == query.expect
            score.wrong_found += int(result.status == LookupStatus.FOUND and top != query.expect)
        score.correct += int(ok)
        if not ok:
            score.failures.append({"q": query.q, "expect": query.expect, "status": result.status, "top": top,
                                   "score": result.candidates[0].score if result.candidates else None,
                                   "how": result.candidates[0].how if result.candidates else None})
    return dict(scores)


def index_seeds(db_url: str, project: Path = ROOT) -> None:
    """Index the project's seeds with its config/actors.yaml, as `newsbot index` does."""
    from bot.config import Settings
    from bot.ingest.indexer import build_indexer
    from bot.store.db import Store

    store = Store(db_url)
    try:
        build_indexer(store, Settings(config_dir=project / "config")).run([project / "seeds"])
    finally:
        store.dispose()


def report(scores: dict[str, KindScore], *, failures: bool = False) -> str:
    lines = [f"{'kind':<13} {'queries':>7} {'correct':>7} {'accuracy':>8} {'target':>6} {'wrong found':>11}"]
    for kind in KINDS:
        s = scores.get(kind)
        if s is None:
            continue
        mark = "" if s.accuracy >= TARGETS[kind] else "  below target"
        lines.append(f"{kind:<13} {s.total:>7} {s.correct:>7} {s.accuracy:>8.1%} {TARGETS[kind]:>6.0%} "
                     f"{s.wrong_found:>11}{mark}")
    if failures:
        for kind in KINDS:
            for f in scores.get(kind, KindScore()).failures:
                lines.append(f"  [{kind}] {f['q']!r}: expected {f['expect']}, got {f['status']} "
                             f"{f['top']} ({f['how']}, {f['score']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from bot.config import normalise_database_url
    from bot.search.lookup import LookupEngine
    from bot.store.db import Store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing index (default: index seeds/ into a temporary SQLite file)")
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--failures", action="store_true", help="list the queries answered wrongly")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db_url = normalise_database_url(args.db) if args.db else None
        if not db_url:
            db_url = f"sqlite:///{Path(tmp) / 'seeds.db'}"
            index_seeds(db_url)
        store = Store(db_url)
        engine = LookupEngine(store)
        started = time.perf_counter()
        scores = evaluate(engine, load_queries(args.queries))
        elapsed = time.perf_counter() - started
        store.dispose()
    if args.json:
        print(json.dumps({kind: {"total": s.total, "correct": s.correct, "accuracy": round(s.accuracy, 4),
                                 "wrong_found": s.wrong_found, "failures": s.failures}
                          for kind, s in scores.items()}, ensure_ascii=False, indent=2))
    else:
        print(report(scores, failures=args.failures))
        total = sum(s.total for s in scores.values())
        print(f"{total} queries in {elapsed:.2f}s ({1000 * elapsed / max(total, 1):.2f} ms each, index build included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
