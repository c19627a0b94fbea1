"""Two `newsbot index` runs started at the same moment on a fresh database (SQLite and PostgreSQL):
the second waits for the first, both succeed, and the index is what one run alone makes."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Each process imports everything, says it is ready, and waits for the go: the two runs then open the
# database within a millisecond of each other, so the race happens every time, not now and then.
AT_THE_SIGNAL = """
import sys, time
from pathlib import Path
from bot.cli import main
import bot.ingest.indexer
ready, go = Path(sys.argv[1]), Path(sys.argv[2])
ready.touch()
while not go.exists():
    time.sleep(0.001)
sys.argv = ["newsbot", *sys.argv[3:]]
main()
"""
EXPORTS = ("articles", "actors", "mentions", "quotes")
_single_run: dict[str, dict[str, list]] = {}  # backend -> what one run alone exports


def newsbot(*args: str, config_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=config_dir.parent, capture_output=True, text=True,
                          env=environment(config_dir), timeout=300)


def environment(config_dir: Path) -> dict:
    env = {**os.environ, "NEWSBOT_CONFIG_DIR": str(config_dir), "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    return env


def exports(db_url: str, config_dir: Path) -> dict[str, list]:
    """Every export, without the moment each article went in."""
    found = {}
    for kind in EXPORTS:
        result = newsbot("--db", db_url, "export", kind, "--format", "jsonl", config_dir=config_dir)
        assert result.returncode == 0, result.stderr
        records = [json.loads(line) for line in result.stdout.splitlines()]
        for record in records:
            record.pop("ingested_at", None)
        found[kind] = records
    return found


def single_run_exports(backend: str, config_dir: Path, tmp_path: Path) -> dict[str, list]:
    if backend not in _single_run:
        from tests.conftest import _postgres_schema_url
        from sqlalchemy import text

        if backend == "sqlite":
            url, admin = f"sqlite:///{tmp_path / 'alone.db'}", None
        else:
            admin, schema, url = _postgres_schema_url(os.environ["NEWSBOT_TEST_POSTGRES_URL"])
        try:
            result = newsbot("--db", url, "index", config_dir=config_dir)
            assert result.returncode == 0, result.stderr
            _single_run[backend] = exports(url, config_dir)
        finally:
            if admin is not None:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    return _single_run[backend]


@pytest.mark.parametrize("attempt", range(3))
def test_two_index_runs_at_once_on_a_fresh_database_both_succeed(db_url, config_dir, tmp_path, request, attempt):
    go = tmp_path / "go"
    runs = []
    for name in ("first", "second"):
        ready = tmp_path / f"{name}.ready"
        runs.append((ready, subprocess.Popen(
            [sys.executable, "-c", AT_THE_SIGNAL, str(ready), str(go), "--db", db_url, "index"],
            cwd=config_dir.parent, env=environment(config_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)))
    deadline = time.monotonic() + 120
    while not all(ready.exists() for ready, _ in runs):
        assert time.monotonic() < deadline, "the index runs never got ready"
        assert all(run.poll() is None for _, run in runs), [run.communicate() for _, run in runs]
        time.sleep(0.01)
    go.touch()
    outcomes = [run.communicate(timeout=300) + (run.returncode,) for _, run in runs]
    for stdout, stderr, code in outcomes:
        assert code == 0, stdout + stderr
        assert "Traceback" not in stderr
    summaries = sorted(stdout.strip().splitlines()[0] for stdout, _, _ in outcomes)
    assert summaries[0].startswith("Indexed 0 files, 2 unchanged, 0 removed: 0 new articles"), summaries
    assert summaries[1].startswith("Indexed 2 files, 0 unchanged, 0 removed: 6 new articles"), summaries
    backend = request.node.callspec.params["db_url"]
    assert exports(db_url, config_dir) == single_run_exports(backend, config_dir, tmp_path)


def test_the_bots_reindex_skips_while_another_run_writes_and_picks_the_files_up_next_time(store, config_dir, caplog):
    from bot.config import load_settings
    from bot.digest.scheduler import DigestScheduler
    from bot.ingest.indexer import Indexer
    from bot.store.db import IndexRunBusy

    settings = load_settings()
    digests = DigestScheduler(store, settings, client=None)
    with store.index_run(), caplog.at_level(logging.INFO, logger="bot.ingest"):
        assert digests.reindex() is None
        with pytest.raises(IndexRunBusy):
            Indexer(store).run(settings.corpus_folders, wait=False)
    assert "re-index skipped: another index run is writing to" in caplog.text
    assert digests.reindex().articles_added == 6
