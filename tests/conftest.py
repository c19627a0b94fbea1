"""Shared fixtures: every store-backed test runs on SQLite, and on PostgreSQL when
NEWSBOT_TEST_POSTGRES_URL is set (each test gets its own PostgreSQL schema)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.store.db import Store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("NEWSBOT_TEST_POSTGRES_URL") else [])


def _postgres_schema_url(base_url: str):
    """A fresh schema on the test server, and the URL whose connections use it."""
    from bot.config import normalise_database_url

    url = normalise_database_url(base_url)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    return admin, schema, f"{url}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(autouse=True)
def private_snapshot_folder(monkeypatch, tmp_path):
    """Search index snapshots (bot.search.snapshots, written by every `newsbot index`) go to the
    test's folder, not the system's."""
    monkeypatch.setenv("NEWSBOT_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A database URL for an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newsbot.db'}"
        return
    admin, schema, url = _postgres_schema_url(os.environ["NEWSBOT_TEST_POSTGRES_URL"])
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def store(db_url):
    store = Store(db_url)
    yield store
    store.dispose()


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    """A private project folder: copies of config/ and seeds/ (tests may edit both),
    with NEWSBOT_CONFIG_DIR pointing at its config."""
    import shutil

    target = tmp_path / "project" / "config"
    shutil.copytree(ROOT / "config", target)
    shutil.copytree(SEEDS, tmp_path / "project" / "seeds")
    monkeypatch.setenv("NEWSBOT_CONFIG_DIR", str(target))
    return target


@pytest.fixture
def server():
    """The loopback feed and page server of tests/feed_server.py: its base URL."""
    from tests.feed_server import serve_feeds

    yield from serve_feeds()
