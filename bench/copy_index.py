"""Copy an index from one database to another, table by table (PostgreSQL targets through COPY).

For the scale benchmark: when indexing 100k articles a second time on PostgreSQL does not fit the
time at hand, the same index is copied there, so lookup, quote, start-up, memory and Slack figures
compare the two backends on identical data (indexing throughput on PostgreSQL is then measured on
a smaller corpus, and the results say so). The target must be empty (a fresh schema).

    python -m bench.copy_index sqlite:///bench/results/tmp/x.db "postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dbench_x"
"""
from __future__ import annotations

import sys
import time

from sqlalchemy import Boolean, Integer

from bot.config import normalise_database_url
from bot.store.bulk import refresh_planner_statistics
from bot.store.db import Store
from bot.store.schema import metadata

BATCH = 5000


def copy_index(source_url: str, target_url: str) -> dict[str, int]:
    """Rows copied per table, from an SQLite index into an empty PostgreSQL one (schema made by the
    program's migrations). Rows travel as SQLite stores them (ISO dates and times in UTC, JSON text),
    which PostgreSQL's COPY reads as such; booleans stored as 0/1 are converted."""
    source = Store(normalise_database_url(source_url), migrate=False)
    target = Store(normalise_database_url(target_url))
    if not (source.is_sqlite and target.is_postgres):
        raise SystemExit("copies an SQLite index into PostgreSQL")
    counts = {}
    tables = metadata.sorted_tables
    reader, writer = source.engine.raw_connection(), target.engine.raw_connection()
    try:
        cursor = writer.cursor()
        cursor.execute("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " CASCADE")
        for table in tables:
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            flags = [i for i, c in enumerate(table.columns) if isinstance(c.type, Boolean)]
            rows = reader.cursor()
            rows.execute(f'SELECT {columns} FROM "{table.name}"')
            counts[table.name] = 0
            with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                while batch := rows.fetchmany(BATCH):
                    for row in batch:
                        if flags:
                            row = list(row)
                            for i in flags:
                                row[i] = None if row[i] is None else bool(row[i])
                        copy.write_row(row)
                    counts[table.name] += len(batch)
        for table in tables:  # serial ids continue after the copied rows
            for column in table.primary_key.columns:
                if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{column.name}'), "
                                   f"coalesce((SELECT max(\"{column.name}\") FROM \"{table.name}\"), 0) + 1, false)")
        writer.commit()
        refresh_planner_statistics(target)  # as every index run ends
    finally:
        reader.close()
        writer.close()
        source.dispose()
        target.dispose()
    return counts


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    started = time.perf_counter()
    counts = copy_index(*argv)
    print(f"copied {sum(counts.values()):,} rows in {time.perf_counter() - started:.1f}s: "
          + ", ".join(f"{name} {n:,}" for name, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
