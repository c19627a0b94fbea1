"""The scale table of BENCHMARKS.md, from the committed results (bench/results/<date>-<N>.json).

    python -m bench.report                 # the latest 10k and 100k results
    python -m bench.report 1000 10000      # other sizes
"""
from __future__ import annotations

import json
import sys

from bench.__main__ import RESULTS, ROWS, TARGETS, latest_result

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
    growth = results[-1].get("growth_from") if len(results) > 1 else None
    if growth:
        head += [f"growth {growth['size'] // 1000}k→{results[-1]['size'] // 1000}k {b}" for b in growth["ratios"]]
    head.append("target at 100k")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, key, fmt in ROWS:
        row = [label.strip()] + [cell(figures, key, fmt) for figures in columns]
        if growth:
            row += [f"×{ratios[key]:.2f}" if key in ratios else "" for ratios in growth["ratios"].values()]
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
        print(f"\n{result['size']:,}: {json.dumps(result['machine'])}; commit {result['commit']}; `{result['command']}`")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
