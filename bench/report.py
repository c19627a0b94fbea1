"""The scale table of BENCHMARKS.md, from the committed results (bench/results/<date>-<N>.json).

    python -m bench.report                 # the latest 10k and 100k results
    python -m bench.report 1000 10000      # other sizes
"""
from __future__ import annotations

import json
import sys

from bench.__main__ import RESULTS, ROWS, TARGETS, growth, latest_result

BACKENDS = ("sqlite", "postgres")


def cell(figures: dict | None, key: str, fmt: str) -> str:
    value = (figures or {}).get(key)
    if value is None:
        return "n/a"
    mark = {True: "", False: " ✗"}.get((figures.get("targets") or {}).get(key), "")
    return fmt.format(value) + mark


def target_text(key: str) -> str:
    if key not in TARGETS:
        return ""
    sense, bound = TARGETS[key]
    return f"{'≥' if sense == 'min' else '≤'} {bound:,.0f}"


def markdown(results: list[dict]) -> str:
    head = ["figure"]
    columns = []
    for result in results:
        for backend in BACKENDS:
            if backend in result["backends"]:
                head.append(f"{result['size']:,} {'SQLite' if backend == 'sqlite' else 'PostgreSQL'}")
                columns.append(result["backends"][backend])
    ratios = growth(results[-1], results[0]) if len(results) > 1 else {}
    if ratios:
        span = f"{results[0]['size'] // 1000}k→{results[-1]['size'] // 1000}k"
        head += [f"growth {span} {'SQLite' if b == 'sqlite' else 'PostgreSQL'}" for b in ratios]
    head.append("target at 100k")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, key, fmt in ROWS:
        row = [label.strip()] + [cell(figures, key, fmt) for figures in columns]
        row += [f"×{by_key[key]:.2f}" if key in by_key else "" for by_key in ratios.values()]
        row.append(target_text(key))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [10000, 100000]
    results = [r for r in (latest_result(RESULTS, size) for size in sizes) if r]
    if not results:
        print(f"no results in {RESULTS} for sizes {sizes}", file=sys.stderr)
        return 1
    print(markdown(results))
    for result in results:
        for backend, figures in result["backends"].items():
            run = figures.get("run", {})
            print(f"\n{result['size']:,} {backend}: commit {run.get('commit', result['commit'])}, "
                  f"load average {run.get('load_average_1_5_15')}, `{run.get('command', result['command'])}`")
    print(f"\nmachine: {json.dumps(results[-1]['machine'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
