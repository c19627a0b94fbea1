"""Slack load benchmark (issue 5): signed `/lookup` requests from concurrent clients, on loopback,
against the real bot (`newsbot run` in HTTP mode, in its own process) over a Reuters index.

Each request is a slash command as Slack sends it (form-encoded, signed); its response_url points
at a fake Slack Web API in this process (tests/fakeslack.py), which records when the answer
arrives. Each client reads its answer before asking again (`--burst`: asks again on the ack).
Reported: the ack time (HTTP round trip of the command: Slack gives up after 3 s) and
the time to the respond() post, p50/p99/max.

    python -m bench.slack_load                         # 200 requests, 20 clients, Reuters-21578 in SQLite
    python -m bench.slack_load --db postgresql://postgres@127.0.0.1:5432/test
    python -m bench.slack_load --burst                 # fire again on the ack, not after the answer
    python -m bench.slack_load --requests 40 --clients 5 --json

The index is built on first use (bench/results/tmp/, reused after) from
../shared/data/news-corpus/reuters-21578/articles.jsonl; without the shared data it says so and
exits 0. `measure()` is what the scale harness (python -m bench) can call on its own index.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import click
import yaml

ROOT = Path(__file__).resolve().parent.parent
REUTERS = ROOT.parent / "shared" / "data" / "news-corpus" / "reuters-21578" / "articles.jsonl"
CACHE = ROOT / "bench" / "results" / "tmp" / "slack_load_reuters.db"
SECRET = "bench-signing-secret"

# What a desk types at 1987 wire copy (the warm-up round): exact names, variants, typos, other
# scripts, absent names. The measured round uses `distinct_queries`.
QUERIES = ["Reagan", "James Baker", "OPEC", "Saudi Arabia", "Iran", "Iraq", "Kuwait", "Yamani", "Volcker",
           "Nakasone", "Gorbachev", "Thatcher", "Reagen", "Saudi Arabie", "Opek", "Volker", "Ronald Reagan",
           "Federal Reserve", "Bundesbank", "Japan", "Nigeria", "Qatar", "Mubarak", "Hezbollah", "Kataeb Hezbollah",
           "العراق", "Zzyzx Quorble", "Baker", "Fed", "GATT"]


def distinct_queries(db_url: str, count: int) -> list[str]:
    """`count` different queries, so no answer comes from a cache: the most covered actors' names,
    every third one with a typo (two letters swapped), every tenth a name nobody has."""
    from sqlalchemy import select

    from bot.store.db import Store
    from bot.store.schema import actors

    store = Store(db_url)
    with store.connect() as conn:
        names = [row[0] for row in conn.execute(
            select(actors.c.name).order_by(actors.c.article_count.desc(), actors.c.name).limit(count))]
    store.dispose()
    queries = []
    for i, name in enumerate(names):
        if i % 10 == 9:
            name = f"Nobody {name[::-1]}"
        elif i % 3 == 2 and len(name) > 4:
            middle = len(name) // 2
            name = name[:middle - 1] + name[middle] + name[middle - 1] + name[middle + 1:]
        queries.append(name)
    return queries


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), steadier than the wall clock on a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_config(folder: Path, corpus: Path) -> Path:
    """The project config, with the corpus folder set to `corpus` and no digest subscriptions, so
    the bot process's scheduler neither posts nor re-indexes anything else during the run."""
    config = folder / "config"
    shutil.copytree(ROOT / "config", config)
    settings = yaml.safe_load((config / "settings.yaml").read_text()) or {}
    settings["corpus_folders"] = [str(corpus)]
    (config / "settings.yaml").write_text(yaml.safe_dump(settings))
    (config / "digests.yaml").write_text("subscriptions: []\n")
    return config


def ensure_index(db_url: str, config: Path) -> int:
    """Index Reuters into `db_url` unless it already holds it; the number of articles."""
    from sqlalchemy import func, select

    from bot.store.db import Store
    from bot.store.schema import articles

    store = Store(db_url)
    with store.connect() as conn:
        count = conn.execute(select(func.count()).select_from(articles)).scalar()
    store.dispose()
    if count:
        return count
    click.echo(f"indexing {REUTERS} into {db_url} (once; several minutes)…", err=True)
    env = {**os.environ, "NEWSBOT_CONFIG_DIR": str(config)}
    subprocess.run([sys.executable, "-m", "bot", "--db", db_url, "index", str(REUTERS)], env=env, check=True)
    return ensure_index(db_url, config)


def start_bot(db_url: str, config: Path, api_url: str) -> tuple[subprocess.Popen, str]:
    """`newsbot run` in HTTP mode, pointed at the fake Slack; waits for /healthz."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(NEWSBOT_CONFIG_DIR=str(config), SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SECRET,
               SLACK_API_URL=api_url, PORT=str(port), SKIP_SLACK_SDK_WARNING="1")
    process = subprocess.Popen([sys.executable, "-m", "bot", "--db", db_url, "run"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"newsbot run exited: {process.stderr.read()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("newsbot run did not become healthy within 120 s")


def measure(base: str, slack, *, requests: int = 200, clients: int = 20, queries=QUERIES,
            wait_for_answer: bool = True) -> dict:
    """Fire `requests` signed /lookup commands from `clients` threads at the bot at `base`;
    ack and answer times in ms. With `wait_for_answer` each client, like a journalist, reads its
    answer before asking again (at most `clients` lookups in flight); without it each fires again
    as soon as it is acked (a burst that measures how fast the queue drains)."""
    from tests.fakeslack import command_body, post_signed

    acks: list[float] = []
    sent_at: dict[str, float] = {}
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(number: int) -> None:
        start.wait()
        for i in range(number, requests, clients):
            name = f"load{i:05d}"  # fixed width: no name is a prefix of another
            body = command_body("/lookup", queries[i % len(queries)], slack.response_url(name), user_id=f"U{number:04d}")
            began = time.monotonic()
            with lock:
                sent_at[name] = began
            status, _, seconds = post_signed(f"{base}/slack/events", body, SECRET, timeout=30)
            with lock:
                acks.append(seconds * 1000)
                if status != 200:
                    failures.append(f"{name}: HTTP {status}")
            if wait_for_answer and status == 200:
                slack.wait_for(f"/respond/{name}", timeout=120)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answers = slack.wait_for("/respond/load", requests, timeout=300)
    wall = time.monotonic() - started
    answer_ms = [(r.at - sent_at[r.path.rsplit("/", 1)[1]]) * 1000 for r in answers]
    apologies = sum(1 for r in answers if str(r.body.get("text", "")).startswith("Sorry"))
    return {
        "requests": requests, "clients": clients, "wait_for_answer": wait_for_answer, "wall_s": round(wall, 2),
        "slack_ack_p50_ms": round(statistics.median(acks), 1), "slack_ack_p99_ms": round(percentile(acks, 99), 1),
        "slack_ack_max_ms": round(max(acks), 1), "acked_under_3s": sum(1 for a in acks if a < 3000),
        "slack_answer_p50_ms": round(statistics.median(answer_ms), 1),
        "slack_answer_p99_ms": round(percentile(answer_ms, 99), 1), "slack_answer_max_ms": round(max(answer_ms), 1),
        "failures": failures, "apologies": apologies,
    }


def warm_quotes(base: str, slack) -> None:
    """Wait until the quote index is loaded too (the bot warms it up in the background)."""
    from tests.fakeslack import command_body, post_signed

    post_signed(f"{base}/slack/events", command_body("/quote", "oil prices", slack.response_url("warm")), SECRET)
    slack.wait_for("/respond/warm", timeout=120)


@click.command()
@click.option("--db", "db_url", help="Database URL (default: a cached SQLite index of Reuters in bench/results/tmp).")
@click.option("--requests", "total", default=200, show_default=True)
@click.option("--clients", default=20, show_default=True)
@click.option("--burst", is_flag=True, help="Clients fire again as soon as acked, not after reading the answer.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def main(db_url: str | None, total: int, clients: int, burst: bool, as_json: bool) -> None:
    if not REUTERS.exists():
        click.echo(f"skipped: {REUTERS} is absent (the shared data is not on this machine)")
        return
    from tests.fakeslack import FakeSlack

    from bot.config import normalise_database_url

    CACHE.parent.mkdir(parents=True, exist_ok=True)
    db_url = normalise_database_url(db_url or f"sqlite:///{CACHE}")
    with tempfile.TemporaryDirectory() as tmp, FakeSlack(validate=False) as slack:
        config = bench_config(Path(tmp), REUTERS)
        articles = ensure_index(db_url, config)
        launched = time.monotonic()
        process, base = start_bot(db_url, config, slack.api_url)
        healthy_s = time.monotonic() - launched
        try:
            cold = measure(base, slack, requests=clients, clients=clients)  # these may wait for the engines
            warm_quotes(base, slack)
            slack.received.clear()
            queries = distinct_queries(db_url, total)
            cpu_before, load_before = cpu_seconds(process.pid), os.getloadavg()[0]
            figures = measure(base, slack, requests=total, clients=clients, queries=queries, wait_for_answer=not burst)
            figures["bot_cpu_ms_per_command"] = round((cpu_seconds(process.pid) - cpu_before) * 1000 / total, 1)
            figures["load_average_1min"] = round(max(load_before, os.getloadavg()[0]), 1)
            figures["block_kit_problems"] = len(slack.check_all())
        finally:
            process.terminate()
            process.wait(timeout=30)
    figures.update(articles=articles, database=db_url.split("?")[0], healthy_after_start_s=round(healthy_s, 2),
                   cold_ack_max_ms=cold["slack_ack_max_ms"], cold_answer_max_ms=cold["slack_answer_max_ms"])
    if as_json:
        click.echo(json.dumps(figures))
        return
    for key, value in figures.items():
        click.echo(f"{key:24} {value}")


if __name__ == "__main__":
    main()
