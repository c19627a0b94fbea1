"""Start the engines on an existing index in a fresh process, as the bot does, and measure them.

Prints `READY` once the lookup engine and quote search have answered their first
query (the parent times start-up to that line), then runs the query mix and
prints one JSON line: latencies, answer statuses per query kind, resident memory
after start-up and after the lookups.

    python -m bench.probe DB_URL QUERIES.json [--ready-only]
"""
from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict


def rss_mb() -> float:
    """Resident memory of this process now (Linux /proc; peak RSS elsewhere)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50 / p90 / p99 / max / mean of a list of milliseconds (nearest-rank)."""
    if not samples_ms:
        return {}
    ordered = sorted(samples_ms)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]
    return {"n": len(ordered), "p50": rank(50), "p90": rank(90), "p99": rank(99), "max": ordered[-1],
            "mean": sum(ordered) / len(ordered)}


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, (time.perf_counter() - started) * 1000


def main(argv: list[str]) -> int:
    ready_only = "--ready-only" in argv  # a restart: time to ready, nothing else
    url, queries_path = [a for a in argv if a != "--ready-only"]
    with open(queries_path, encoding="utf-8") as handle:
        mix = json.load(handle)
    from bot.search.engines import Engines
    from bot.store.db import Store

    store = Store(url)
    engine = Engines(store)
    quote_search = engine.quote_search
    _, first_lookup_ms = timed(engine.lookup, mix["lookups"][0][1])
    _, first_quote_ms = timed(quote_search.search, mix["quotes"][0][1], mix["quotes"][0][2])
    print("READY", flush=True)
    if ready_only:
        print(json.dumps({"rss_ready_mb": rss_mb()}), flush=True)
        return 0
    report = {"first_lookup_ms": first_lookup_ms, "first_quote_ms": first_quote_ms, "rss_ready_mb": rss_mb()}

    lookup_ms, statuses = [], defaultdict(Counter)
    for kind, query in mix["lookups"]:
        result, ms = timed(engine.lookup, query)
        lookup_ms.append(ms)
        statuses[kind][result.status] += 1
    report["rss_after_lookups_mb"] = rss_mb()
    report["lookup_ms"] = percentiles(lookup_ms)
    report["lookup_status"] = {kind: dict(counts) for kind, counts in statuses.items()}

    quote_ms, hits = [], defaultdict(Counter)
    for kind, words, by in mix["quotes"]:
        result, ms = timed(quote_search.search, words, by)
        quote_ms.append(ms)
        hits[kind]["answered" if result.results else "empty"] += 1
    report["quote_ms"] = percentiles(quote_ms)
    report["quote_hits"] = {kind: dict(counts) for kind, counts in hits.items()}
    report["rss_end_mb"] = rss_mb()
    store.dispose()
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
