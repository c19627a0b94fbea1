"""`python -m bench`: the scale benchmarks, one command (issue 7).

For each corpus size and backend: build the synthetic corpus (bench/corpus.py),
index it with `newsbot index` on one core and on all cores, measure the index on
disk, start the engines in a fresh process (start-up, memory, lookup and quote
latency over a fixed query mix: bench/probe.py), build a digest for a day of 500
new articles, and fire /lookup from 20 concurrent clients over loopback HTTP.
Prints a table, writes bench/results/<date>-<N>.json and the growth 10k -> 100k.

    python -m bench                                  # 1k, 10k and 100k on SQLite and PostgreSQL
    python -m bench --sizes 10000 --backends sqlite
    python -m bench --smoke                          # CI: 1k, fails on a crash, never on a time
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import click
from sqlalchemy import create_engine, func, select, text

from bench.corpus import (
    ARTICLES_PER_FILE, ROOT, TMP, SharedDataMissing, corpus_folder, load_material, write_corpus,
)
from bench.copy_index import copy_index
from bench.queries import build_query_mix
from bot.config import normalise_database_url
from bot.store.db import Store
from bot.store.schema import articles

RESULTS = ROOT / "bench" / "results"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
INDEX_TIMEOUT_S = 30 * 60
PROBE_TIMEOUT_S = 15 * 60
DIGEST_DAY_ARTICLES = 500
SLACK_CLIENTS = 20
SLACK_REQUESTS = 200

# Targets at 100k articles on the 2-core machine (issue 7). (figure, "min"|"max", bound)
TARGETS = {
    "index_one_core_per_s": ("min", 300),
    "index_all_cores_per_s": ("min", 100_000 / 360),  # the whole 100k in under 6 minutes
    "startup_s": ("max", 5.0),
    "rss_after_lookups_mb": ("max", 1536),
    "lookup_p50_ms": ("max", 10), "lookup_p99_ms": ("max", 50),
    "quote_p50_ms": ("max", 20), "quote_p99_ms": ("max", 100),
    "slack_ack_max_ms": ("max", 3000), "slack_answer_p99_ms": ("max", 500),
}
LATENCIES = ("lookup_p50_ms", "lookup_p99_ms", "quote_p50_ms", "quote_p99_ms", "slack_ack_p99_ms",
             "slack_answer_p99_ms")


# -- databases -------------------------------------------------------------

class SQLiteTarget:
    name = "sqlite"

    def __init__(self, folder: Path):
        self.folder = folder

    def fresh(self, label: str) -> str:
        self.drop(f"sqlite:///{self.folder / label}.db")
        return f"sqlite:///{self.folder / label}.db"

    def size_bytes(self, url: str) -> int:
        path = Path(url.split("///", 1)[1])
        with Store(url, migrate=False).engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())

    def drop(self, url: str) -> None:
        path = url.split("///", 1)[1]
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)

    def snapshot(self, url: str) -> str:
        """A copy of the index as built (before the digest day adds to it), for --postgres-copy-from."""
        import sqlite3

        source = url.split("///", 1)[1]
        target = source.replace(".db", ".indexed.db")
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return f"sqlite:///{target}"


class PostgresTarget:
    """One schema per database (search_path in the URL), created and dropped here: test schemas are never touched."""

    name = "postgres"

    def __init__(self, base_url: str):
        self.base_url = normalise_database_url(base_url)
        self.admin = create_engine(self.base_url, isolation_level="AUTOCOMMIT")

    def fresh(self, label: str) -> str:
        schema = f"bench_{label}".replace("-", "_")
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in self.base_url else "?"
        return f"{self.base_url}{sep}options=-csearch_path%3D{schema}"

    @staticmethod
    def schema(url: str) -> str:
        return url.rsplit("search_path%3D", 1)[1]

    def size_bytes(self, url: str) -> int:
        with self.admin.connect() as conn:
            return int(conn.execute(text(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relkind IN ('r', 'm')"),
                {"schema": self.schema(url)}).scalar())

    def drop(self, url: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema(url)}" CASCADE'))


# -- measuring steps -------------------------------------------------------------

@dataclass
class Run:
    seconds: float
    cpu_s: float  # user + system time of the process and its worker processes (steadier than wall on a busy machine)
    returncode: int
    peak_rss_mb: float
    log: Path


def run_measured(cmd: list[str], log: Path, timeout: float) -> Run:
    """Run a command with its output in `log`; wall time, exit code and the peak RSS of its main process."""
    env = {**os.environ, "NEWSBOT_CONFIG_DIR": str(ROOT / "config"), "PYTHONUNBUFFERED": "1"}
    with log.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() - started > timeout:
                    proc.kill()
                    pid, status, usage = os.wait4(proc.pid, 0)
                    break
                time.sleep(0.05)
        except BaseException:  # interrupted: leave no indexer running
            proc.kill()
            raise
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(time.perf_counter() - started, usage.ru_utime + usage.ru_stime, proc.returncode,
               usage.ru_maxrss / 1024, log)


def index(url: str, paths: list[Path], workers: int, log: Path) -> Run:
    cmd = [sys.executable, "-m", "bot", "--db", url, "index", *map(str, paths)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    run = run_measured(cmd, log, INDEX_TIMEOUT_S)
    if run.returncode != 0:
        raise BenchError(f"`{' '.join(cmd)}` exited with {run.returncode}:\n{tail(log)}")
    return run


def write_snapshots(url: str) -> None:
    from bot.search import engines

    store = Store(url)
    try:
        engines.write_snapshots(store)
    finally:
        store.dispose()


def count_stories(url: str) -> int:
    store = Store(url, migrate=False)
    try:
        with store.connect() as conn:
            return conn.execute(select(func.count()).select_from(articles)).scalar()
    finally:
        store.dispose()


def probe(url: str, mix_path: Path, log: Path, *, ready_only: bool = False) -> dict:
    """Start-up to READY, then the query mix, in a fresh process (bench/probe.py)."""
    env = {**os.environ, "NEWSBOT_CONFIG_DIR": str(ROOT / "config")}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.probe", url, str(mix_path)]
                            + (["--ready-only"] if ready_only else []), stdout=subprocess.PIPE,
                            stderr=log.open("w"), cwd=ROOT, env=env, text=True)
    startup = None
    report = None
    try:
        for line in proc.stdout:
            if line.strip() == "READY" and startup is None:
                startup = time.perf_counter() - started
            elif line.startswith("{"):
                report = json.loads(line)
        proc.wait(timeout=PROBE_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
    if proc.returncode != 0 or report is None:
        raise BenchError(f"the probe exited with {proc.returncode}:\n{tail(log)}")
    report["startup_s"] = startup
    return report


def tail(log: Path, lines: int = 25) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


class BenchError(Exception):
    """A benchmark step crashed: the harness fails."""


# -- one size on one backend -------------------------------------------------------

def bench_backend(target, size: int, folder: Path, material, *, lookups: int, quote_searches: int,
                  one_core_sample: int | None, copy_from: str | None, keep: bool) -> dict:
    work = TMP / "logs"
    work.mkdir(parents=True, exist_ok=True)
    figures: dict = {"backend": target.name}
    if copy_from and target.name == "postgres":
        say(f"[{target.name} {size}] copying the index from {copy_from} (indexing not measured) …")
        url = target.fresh(f"{size}_copy")
        started = time.perf_counter()
        copy_index(copy_from, url)
        figures.update(index_copied_from=copy_from.split("?")[0], copy_s=time.perf_counter() - started,
                       stories=count_stories(url))
        write_snapshots(url)  # as `newsbot index` leaves them at the end of every run
    else:
        url = index_twice(target, size, folder, one_core_sample, figures, work, keep)
    return measure_index(target, size, folder, material, url, figures, work, lookups=lookups,
                         quote_searches=quote_searches, keep=keep)


def index_twice(target, size: int, folder: Path, one_core_sample: int | None, figures: dict, work: Path,
                keep: bool) -> str:
    """Index on one core (the first `one_core_sample` articles), then everything on all cores; the URL
    of the full index."""
    cores = os.cpu_count() or 1
    if one_core_sample != 0:
        files = sorted(folder.glob("*.jsonl"))
        sample = files[:max(1, -(-min(one_core_sample or size, size) // ARTICLES_PER_FILE))]
        sample_size = min(size, len(sample) * ARTICLES_PER_FILE)
        say(f"[{target.name} {size}] indexing {sample_size:,} articles on one core …")
        one_url = target.fresh(f"{size}_one")
        run = index(one_url, sample, 1, work / f"index-{target.name}-{size}-one.log")
        figures.update(index_one_core_articles=sample_size, index_one_core_s=run.seconds,
                       index_one_core_per_s=sample_size / run.seconds,
                       index_one_core_per_cpu_s=sample_size / run.cpu_s, index_one_core_peak_rss_mb=run.peak_rss_mb)
        if not keep:
            target.drop(one_url)
    say(f"[{target.name} {size}] indexing {size:,} articles on {cores} cores …")
    url = target.fresh(f"{size}_all")
    run = index(url, [folder], cores, work / f"index-{target.name}-{size}-all.log")
    figures.update(index_all_cores_s=run.seconds, index_all_cores_per_s=size / run.seconds,
                   index_all_cores_cpu_s=run.cpu_s, index_all_cores_peak_rss_mb=run.peak_rss_mb, cores=cores,
                   stories=count_stories(url))
    if keep and isinstance(target, SQLiteTarget):
        figures["kept_index"] = target.snapshot(url)
        say(f"[{target.name} {size}] index kept as {figures['kept_index']}")
    return url


def measure_index(target, size: int, folder: Path, material, url: str, figures: dict, work: Path, *,
                  lookups: int, quote_searches: int, keep: bool) -> dict:
    """Everything measured on a built index: size, start-up, memory, latency, Slack load, digest day."""
    figures["index_size_mb"] = target.size_bytes(url) / 2**20

    say(f"[{target.name} {size}] start-up, memory and latency …")
    store = Store(url, migrate=False)
    try:
        mix = build_query_mix(store, material.actors, lookups=lookups, quote_searches=quote_searches)
    finally:
        store.dispose()
    mix_path = work / f"queries-{target.name}-{size}.json"
    mix_path.write_text(json.dumps(mix.to_json(), ensure_ascii=False))
    report = probe(url, mix_path, work / f"probe-{target.name}-{size}.log")
    figures.update(startup_s=report["startup_s"], rss_ready_mb=report["rss_ready_mb"],
                   rss_after_lookups_mb=report["rss_after_lookups_mb"],
                   lookup_p50_ms=report["lookup_ms"]["p50"], lookup_p99_ms=report["lookup_ms"]["p99"],
                   quote_p50_ms=report["quote_ms"]["p50"], quote_p99_ms=report["quote_ms"]["p99"], probe=report)
    restart = probe(url, mix_path, work / f"probe-{target.name}-{size}-restart.log", ready_only=True)
    figures.update(restart_s=restart["startup_s"], rss_restart_mb=restart["rss_ready_mb"])
    say(f"[{target.name} {size}] /lookup from {SLACK_CLIENTS} concurrent clients over loopback HTTP …")
    figures.update(slack_load(url, folder, [query for _, query in mix.lookups]))
    say(f"[{target.name} {size}] a day of {DIGEST_DAY_ARTICLES} new articles and its digest …")
    figures.update(digest_day(url, material, work / f"index-{target.name}-{size}-day.log"))
    if not keep:
        target.drop(url)
    return figures


def slack_load(url: str, corpus: Path, queries: list[str]) -> dict:
    """Signed /lookup commands from concurrent clients against `newsbot run` in HTTP mode, answers
    posted to a fake Slack (bench/slack_load.py). The first wave (one per client) meets a cold bot."""
    from bench import slack_load as load

    from tests.fakeslack import FakeSlack

    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack:
        config = load.bench_config(Path(tmp), corpus)
        launched = time.monotonic()
        process, base = load.start_bot(url, config, slack.api_url)
        healthy_s = time.monotonic() - launched
        try:
            cold = load.measure(base, slack, requests=SLACK_CLIENTS, clients=SLACK_CLIENTS, queries=queries)
            slack.received.clear()
            warm = load.measure(base, slack, requests=SLACK_REQUESTS, clients=SLACK_CLIENTS,
                                queries=queries[SLACK_CLIENTS:] or queries)
        finally:
            process.terminate()
            process.wait(timeout=30)
    if cold["failures"] or warm["failures"] or cold["apologies"] or warm["apologies"]:
        raise BenchError(f"/lookup under load failed: {cold['failures'] + warm['failures']}, "
                         f"{cold['apologies'] + warm['apologies']} apologies")
    return {"slack_healthy_s": healthy_s, "slack_ack_p50_ms": warm["slack_ack_p50_ms"],
            "slack_ack_p99_ms": warm["slack_ack_p99_ms"],
            "slack_ack_max_ms": max(cold["slack_ack_max_ms"], warm["slack_ack_max_ms"]),
            "slack_answer_p50_ms": warm["slack_answer_p50_ms"], "slack_answer_p99_ms": warm["slack_answer_p99_ms"],
            "slack_cold_answer_max_ms": cold["slack_answer_max_ms"], "slack_load": {"cold": cold, "warm": warm}}


def digest_day(url: str, material, log: Path) -> dict:
    """Index a day of new articles into the index, then build and render that day's digest."""
    from bench.digest_speed import spread_history
    from bot.digest.build import build_digest
    from bot.digest.render import render_digest

    now = datetime.now(timezone.utc)
    folder = write_corpus(DIGEST_DAY_ARTICLES, TMP / "digest-day", material, day=now.date())
    window_start = datetime.now(timezone.utc)  # the previous digest went out just before the day's news came in
    store = Store(url, migrate=False)
    try:
        spread_history(store, window_start)  # the archive as if indexed daily: "In the news" has a baseline
        run = index(url, [folder], 1, log)
        started = time.perf_counter()
        digest = build_digest(store, window_start=window_start, window_end=datetime.now(timezone.utc),
                              digest_date=now.date(), follow=[name for name, *_ in material.actors[:3]])
        message = render_digest(digest)
        seconds = time.perf_counter() - started
    finally:
        store.dispose()
    if digest.story_count < 0.95 * DIGEST_DAY_ARTICLES:  # a few may be copies of archive stories: counted once
        raise BenchError(f"the digest counted {digest.story_count} new stories, expected {DIGEST_DAY_ARTICLES}")
    return {"day_index_s": run.seconds, "digest_build_s": seconds, "digest_blocks": len(message.blocks)}


def say(message: str) -> None:
    click.echo(message, err=True)


# -- reporting -------------------------------------------------------------

def target_verdicts(figures: dict) -> dict[str, bool]:
    verdicts = {}
    for key, (sense, bound) in TARGETS.items():
        if figures.get(key) is not None:
            verdicts[key] = figures[key] >= bound if sense == "min" else figures[key] <= bound
    return verdicts


def postgres_ratios(by_backend: dict[str, dict]) -> dict[str, float]:
    """PostgreSQL over SQLite on every latency figure (target: within 2x)."""
    lite, pg = by_backend.get("sqlite"), by_backend.get("postgres")
    if not lite or not pg:
        return {}
    return {key: pg[key] / lite[key] for key in LATENCIES if lite.get(key) and pg.get(key) is not None}


def growth(big: dict, small: dict) -> dict[str, dict[str, float]]:
    """How each figure changes from the smaller corpus to the bigger one (ratio big / small)."""
    out = {}
    for backend, figures in big["backends"].items():
        before = small["backends"].get(backend, {})
        out[backend] = {key: value / before[key] for key, value in figures.items()
                        if isinstance(value, (int, float)) and isinstance(before.get(key), (int, float))
                        and before[key] and key not in ("cores",)}
    return out


def latest_result(folder: Path, size: int, exclude: Path | None = None) -> dict | None:
    files = sorted(p for p in folder.glob(f"*-{size}.json") if p != exclude)
    return json.loads(files[-1].read_text()) if files else None


ROWS = (
    ("index 1 core (art/s)", "index_one_core_per_s", "{:.0f}"),
    ("  per CPU second", "index_one_core_per_cpu_s", "{:.0f}"),
    ("index all cores (art/s)", "index_all_cores_per_s", "{:.0f}"),
    ("index all cores (s)", "index_all_cores_s", "{:.1f}"),
    ("stories stored", "stories", "{:d}"),
    ("index size (MB)", "index_size_mb", "{:.0f}"),
    ("start-up (s)", "startup_s", "{:.2f}"),
    ("restart (s)", "restart_s", "{:.2f}"),
    ("RSS ready (MB)", "rss_ready_mb", "{:.0f}"),
    ("RSS after lookups (MB)", "rss_after_lookups_mb", "{:.0f}"),
    ("lookup p50 (ms)", "lookup_p50_ms", "{:.1f}"),
    ("lookup p99 (ms)", "lookup_p99_ms", "{:.1f}"),
    ("quote p50 (ms)", "quote_p50_ms", "{:.1f}"),
    ("quote p99 (ms)", "quote_p99_ms", "{:.1f}"),
    ("/lookup ack p99 (ms)", "slack_ack_p99_ms", "{:.0f}"),
    ("/lookup ack max (ms)", "slack_ack_max_ms", "{:.0f}"),
    ("/lookup answer p50 (ms)", "slack_answer_p50_ms", "{:.0f}"),
    ("/lookup answer p99 (ms)", "slack_answer_p99_ms", "{:.0f}"),
    ("index a day of 500 (s)", "day_index_s", "{:.1f}"),
    ("digest of 500 (s)", "digest_build_s", "{:.2f}"),
)


def table(result: dict) -> str:
    backends = list(result["backends"])
    lines = [f"{result['size']:,} articles  " + "  ".join(f"{b:>14}" for b in backends)]
    for label, key, fmt in ROWS:
        cells = []
        for backend in backends:
            figures = result["backends"][backend]
            value = figures.get(key)
            mark = {True: " ok", False: " !!"}.get(figures.get("targets", {}).get(key), "   ")
            cells.append(f"{fmt.format(value) if value is not None else 'n/a':>11}{mark}")
        lines.append(f"{label:<24}" + "  ".join(cells))
    if result.get("postgres_over_sqlite"):
        lines.append("PostgreSQL / SQLite: " + ", ".join(f"{k} {v:.2f}x" for k, v in
                                                         result["postgres_over_sqlite"].items()))
    return "\n".join(lines)


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_gb = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    except OSError:
        mem_gb = None
    import sqlite3

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_gb, 1) if mem_gb else None,
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "os": platform.platform(),
            "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()]}  # other work on the machine skews figures


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


# -- command ---------------------------------------------------------------

@click.command()
@click.option("--sizes", default="1000,10000,100000", show_default=True, help="Corpus sizes, comma-separated.")
@click.option("--backends", default="sqlite,postgres", show_default=True, help="sqlite and/or postgres.")
@click.option("--postgres-url", envvar="NEWSBOT_TEST_POSTGRES_URL", default=DEFAULT_POSTGRES, show_default=True,
              help="PostgreSQL server (a bench_* schema is created and dropped there).")
@click.option("--smoke", is_flag=True, help="CI: 1k articles, SQLite (+ PostgreSQL when NEWSBOT_TEST_POSTGRES_URL "
                                            "is set), results not saved; fails on a crash, never on a time.")
@click.option("--lookups", default=1000, show_default=True, help="Lookups in the query mix.")
@click.option("--quotes", "quote_searches", default=500, show_default=True, help="Quote searches in the query mix.")
@click.option("--results-dir", type=click.Path(path_type=Path), default=RESULTS, show_default=True,
              help="Where <date>-<N>.json goes.")
@click.option("--one-core-sample", type=int, default=None,
              help="Measure one-core indexing on the first N articles only (default: the whole corpus; "
                   "0: not at all, e.g. when a smaller size's run measured the same first articles).")
@click.option("--postgres-copy-from", metavar="SQLITE_URL",
              help="Fill PostgreSQL by copying this SQLite index (of the same corpus) instead of indexing again: "
                   "query figures on identical data when a second indexing run does not fit the time at hand.")
@click.option("--keep", is_flag=True, help="Keep the benchmark databases (under bench/results/tmp, bench_* schemas).")
def main(sizes: str, backends: str, postgres_url: str, smoke: bool, lookups: int, quote_searches: int,
         results_dir: Path, one_core_sample: int | None, postgres_copy_from: str | None, keep: bool) -> None:
    """Measure newsbot at scale and write bench/results/<date>-<N>.json."""
    if smoke:
        sizes, lookups, quote_searches = "1000", 200, 100
        backends = "sqlite,postgres" if os.environ.get("NEWSBOT_TEST_POSTGRES_URL") else "sqlite"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a bounded run's timeout still cleans up
    size_list = [int(s) for s in sizes.split(",") if s.strip()]
    names = [b.strip() for b in backends.split(",") if b.strip()]
    unknown = set(names) - {"sqlite", "postgres"}
    if unknown:
        raise click.UsageError(f"unknown backend(s): {', '.join(sorted(unknown))} (expected sqlite, postgres)")
    try:
        material = load_material()
    except SharedDataMissing as exc:
        click.echo(f"skipped: {exc}")
        return
    TMP.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="sqlite-", dir=TMP))
    targets = [SQLiteTarget(scratch) if n == "sqlite" else PostgresTarget(postgres_url) for n in names]
    stamp = datetime.now(timezone.utc)
    results = {}
    try:
        for size in size_list:
            say(f"building the {size:,}-article corpus …")
            started = time.perf_counter()
            folder = write_corpus(size, corpus_folder(size), material)
            build_s = time.perf_counter() - started
            by_backend = {}
            for target in targets:
                figures = bench_backend(target, size, folder, material, lookups=lookups,
                                        quote_searches=quote_searches, one_core_sample=one_core_sample,
                                        copy_from=postgres_copy_from, keep=keep)
                figures["targets"] = target_verdicts(figures)
                figures["run"] = {"finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                  "commit": git_commit(), "command": "python -m bench " + " ".join(sys.argv[1:]),
                                  "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()]}
                by_backend[target.name] = figures
                result = {"size": size, "date": stamp.isoformat(timespec="seconds"), "commit": git_commit(),
                          "command": "python -m bench " + " ".join(sys.argv[1:]), "machine": machine(),
                          "corpus_build_s": build_s, "query_mix": {"lookups": lookups, "quotes": quote_searches},
                          "backends": by_backend, "postgres_over_sqlite": postgres_ratios(by_backend)}
                results[size] = result
                if not smoke:  # written after each backend: a long run cut short keeps what it measured
                    write_result(result, results_dir, stamp, results)
            click.echo(table(result))
            if result.get("growth_from"):
                click.echo(growth_lines(result))
    except BenchError as exc:
        click.echo(f"benchmark failed: {exc}", err=True)
        sys.exit(1)
    finally:
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)


def write_result(result: dict, folder: Path, stamp: datetime, results: dict[int, dict]) -> None:
    """bench/results/<date>-<N>.json, with the growth from the size ten times smaller when there is one."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{stamp.date().isoformat()}-{result['size']}.json"
    if out.exists():  # the same day's figures for backends this run did not measure are kept (each says its run)
        earlier = json.loads(out.read_text())
        kept = {b: f for b, f in earlier["backends"].items() if b not in result["backends"]}
        for figures in kept.values():
            figures.setdefault("run", {"finished": earlier["date"], "commit": earlier["commit"],
                                       "command": earlier["command"],
                                       "load_average_1_5_15": earlier["machine"].get("load_average_1_5_15")})
        result["backends"] = {**kept, **result["backends"]}
        result["postgres_over_sqlite"] = postgres_ratios(result["backends"])
    smaller = results.get(result["size"] // 10) or latest_result(folder, result["size"] // 10, exclude=out)
    if smaller:
        result["growth_from"] = {"size": smaller["size"], "ratios": growth(result, smaller)}
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    say(f"wrote {out}")


def growth_lines(result: dict) -> str:
    base = result["growth_from"]["size"]
    lines = [f"growth {base:,} -> {result['size']:,} articles ({result['size'] / base:.0f}x the corpus):"]
    for backend, ratios in result["growth_from"]["ratios"].items():
        shown = [f"{label} {ratios[key]:.2f}x" for label, key, _ in ROWS if key in ratios]
        lines.append(f"  {backend}: " + ", ".join(shown))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
