"""The alias index snapshot: a restart on an unchanged index loads it; anything else rebuilds."""

import pytest
from sqlalchemy import insert, update

from tests.lookup_world import build_world

from bot.config import cache_dir
from bot.search import engines, lookup, snapshots
from bot.store.schema import aliases, meta


@pytest.fixture
def saving(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(lookup, "SNAPSHOT_AFTER_SECONDS", 0.0)  # save even a small index


def snapshot_path(store, kind="lookup"):
    return cache_dir() / snapshots.snapshot_name(store.display_url, kind)


def build_and_wait(store):
    threads = []
    original = snapshots.save_in_background

    def save(*args):
        threads.append(original(*args))
    snapshots.save_in_background = save
    try:
        index = lookup.build_index(store)
    finally:
        snapshots.save_in_background = original
    for thread in threads:
        thread.join()
    return index


def test_a_restart_loads_the_snapshot(store, saving, monkeypatch):
    build_world(store)
    first = build_and_wait(store)
    assert snapshot_path(store).exists()
    monkeypatch.setattr(lookup, "build_alias_index", lambda store: pytest.fail("rebuilt instead of loading"))
    again = lookup.build_index(store)
    assert len(again.entries) == len(first.entries)
    engine = engines.Engines(store)
    assert engine.lookup("Kata'ib Hizbullah").profile.name == "Kataeb Hezbollah"


def test_a_new_generation_or_a_damaged_file_rebuilds(store, saving):
    ids = build_world(store)
    build_and_wait(store)
    with store.begin() as conn:
        conn.execute(insert(aliases).values(actor_id=ids["Hezbollah"], alias="Party of Allah", key="party of allah",
                                            origin="config"))
        store.bump_generation(conn)
    assert lookup.LookupEngine(store).resolve("Party of Allah").status == "found"
    snapshot_path(store).write_bytes(b"not a snapshot")
    assert lookup.LookupEngine(store).resolve("Party of Allah").status == "found"


def test_an_index_run_leaves_snapshots_the_next_start_loads(store, saving, monkeypatch):
    build_world(store)
    assert engines.write_snapshots(store) == ["lookup", "quotes"]
    assert engines.write_snapshots(store) == []  # already made for this generation
    monkeypatch.setattr(lookup, "build_alias_index", lambda store: pytest.fail("rebuilt instead of loading"))
    assert engines.Engines(store).lookup("Kata'ib Hizbullah").profile.name == "Kataeb Hezbollah"
    assert snapshots.load(store, store.generation(), "quotes") is not None


@pytest.mark.parametrize("beside", [True, False], ids=["forked", "one-after-the-other"])
def test_an_index_run_s_snapshots_built_side_by_side_or_one_after_the_other_are_the_indexes(
        store, saving, config_dir, monkeypatch, beside):
    """With a core to spare and no other thread, `newsbot index` builds the quote snapshot in a forked process."""
    import threading

    from click.testing import CliRunner

    from bot.cli import cli
    from bot.search import quotes

    monkeypatch.setattr(engines.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(threading, "active_count", lambda: 1 if beside else 2)
    result = CliRunner().invoke(cli, ["--db", store.url, "index", str(config_dir.parent / "seeds")])
    assert result.exit_code == 0, result.output
    generation = store.generation()
    saved = snapshots.load(store, generation, "quotes")
    assert saved is not None and saved.shown and saved == quotes.build_index(store)
    assert snapshots.load(store, generation) == lookup.build_index(store, snapshot=False)


def test_a_database_made_again_at_the_same_url_does_not_load_the_old_ones_snapshot(store, saving):
    build_world(store)
    engines.write_snapshots(store)
    with store.begin() as conn:  # what a new database at this URL, at the same generation, would differ in
        conn.execute(update(meta).where(meta.c.key == "database_id").values(value="another database"))
    assert snapshots.load(store, store.generation()) is None
    assert engines.write_snapshots(store) == ["lookup", "quotes"]


def test_one_database_named_with_or_without_its_driver_has_one_snapshot():
    assert snapshots.snapshot_name("postgresql://bot@db:5432/news") == \
        snapshots.snapshot_name("postgresql+psycopg://bot@db:5432/news")
    assert snapshots.snapshot_name("postgresql://bot@db:5432/news") != \
        snapshots.snapshot_name("postgresql://bot@db:5432/other")


def test_a_half_written_snapshot_left_by_an_exited_process_is_removed_by_the_next_save(store, saving):
    import os

    build_world(store)
    path = snapshot_path(store)
    path.parent.mkdir(mode=0o700, parents=True)
    abandoned, recent = path.parent / f".{path.name}.x1y2z3.tmp", path.parent / f".{path.name}.a4b5c6.tmp"
    abandoned.write_bytes(b"half")
    recent.write_bytes(b"being written")  # by another process, now
    os.utime(abandoned, (1, 1))
    engines.write_snapshots(store)
    assert path.exists() and not abandoned.exists() and recent.exists()


@pytest.mark.parametrize("interruption", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_an_interrupted_snapshot_write_leaves_no_temporary_file(store, saving, monkeypatch, interruption):
    import os

    build_world(store)
    index = lookup.build_index(store, snapshot=False)
    real_replace = os.replace

    def replace(source, target):  # the file is written, then the writer stops before putting it in place
        raise interruption
    monkeypatch.setattr(os, "replace", replace)
    try:
        snapshots.save(store, index.generation, index)
    except KeyboardInterrupt:
        pass
    assert list(cache_dir().iterdir()) == []
    monkeypatch.setattr(os, "replace", real_replace)
    snapshots.save(store, index.generation, index)
    assert [p.name for p in cache_dir().iterdir()] == [snapshot_path(store).name]


def test_a_snapshot_loads_back_exactly_the_index_it_was_made_of(store, saving, config_dir):
    from functools import partial

    from click.testing import CliRunner

    from bot.cli import cli
    from bot.search import quotes

    result = CliRunner().invoke(cli, ["--db", store.url, "index", str(config_dir.parent / "seeds")])
    assert result.exit_code == 0, result.output
    generation = store.generation()
    for kind, build in (("lookup", partial(lookup.build_index, snapshot=False)), ("quotes", quotes.build_index)):
        built = build(store)
        assert snapshots.save(store, generation, built, kind)
        assert snapshots.load(store, generation, kind) == built
    assert built.shown and lookup.build_index(store, snapshot=False).script_words  # quotes, script aliases
