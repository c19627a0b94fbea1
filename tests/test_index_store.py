"""The store: created and migrated by the program, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import Column, MetaData, Table, Text, inspect, select, text

from bot.store import migrations, schema
from bot.store.db import Store, StoreError


def test_an_empty_database_is_migrated_to_the_current_version(db_url):
    store = Store(db_url)
    try:
        with store.connect() as conn:
            assert migrations.current_version(conn) == migrations.SCHEMA_VERSION
            assert set(schema.metadata.tables) <= set(inspect(conn).get_table_names())
    finally:
        store.dispose()


def test_reopening_at_the_current_version_runs_no_migration_and_keeps_data(db_url, monkeypatch):
    store = Store(db_url)
    with store.begin() as conn:
        store.set_meta(conn, "canary", "still here")
    store.dispose()
    ran = []
    monkeypatch.setattr(migrations, "MIGRATIONS", [lambda conn: ran.append(1)] * migrations.SCHEMA_VERSION)
    store = Store(db_url)
    try:
        assert ran == []
        assert store.get_meta("canary") == "still here"
    finally:
        store.dispose()


def test_a_new_migration_is_applied_once(db_url, monkeypatch):
    Store(db_url).dispose()
    ran = []

    def add_notes(conn):
        ran.append(1)
        conn.execute(text("CREATE TABLE notes_for_test (id INTEGER PRIMARY KEY)"))

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, add_notes])
    for _ in range(2):
        store = Store(db_url)
        with store.connect() as conn:
            assert migrations.current_version(conn) == migrations.SCHEMA_VERSION + 1
            assert inspect(conn).has_table("notes_for_test")
        store.dispose()
    assert ran == [1]


def test_a_database_from_a_newer_newsbot_is_refused_clearly(db_url):
    store = Store(db_url)
    with store.begin() as conn:
        store.set_meta(conn, "schema_version", str(migrations.SCHEMA_VERSION + 5))
    store.dispose()
    with pytest.raises(StoreError, match="newer than this newsbot"):
        Store(db_url)


def test_additive_schema_changes_reach_existing_databases(db_url):
    store = Store(db_url)
    wider = MetaData()
    Table("meta", wider, Column("key", Text, primary_key=True), Column("value", Text), Column("note", Text))
    Table("extra_for_test", wider, Column("id", Text, primary_key=True))
    try:
        with store.begin() as conn:
            assert sorted(migrations.add_missing(conn, wider)) == ["extra_for_test", "meta.note"]
            assert migrations.add_missing(conn, wider) == []
            assert "note" in {c["name"] for c in inspect(conn).get_columns("meta")}
    finally:
        store.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with store.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        store.dispose()


def test_an_unreachable_database_is_one_clear_error():
    with pytest.raises(StoreError, match="cannot open the database at postgresql"):
        Store("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})


def test_a_required_column_no_migration_adds_is_one_clear_error(db_url, monkeypatch):
    store = Store(db_url)
    stricter = MetaData()
    Table("meta", stricter, Column("key", Text, primary_key=True), Column("value", Text),
          Column("required_for_test", Text, nullable=False))
    try:
        with store.begin() as conn, pytest.raises(migrations.SchemaMismatch, match="meta.required_for_test"):
            migrations.add_missing(conn, stricter)
    finally:
        store.dispose()
    real_add_missing = migrations.add_missing
    monkeypatch.setattr(migrations, "add_missing", lambda conn, **options: real_add_missing(conn, stricter, **options))
    with pytest.raises(StoreError, match="lacks the required column meta.required_for_test"):
        Store(db_url)


def test_sqlite_readers_are_not_blocked_by_an_open_write(tmp_path):
    """WAL: the bot answers from the index while an index run holds a write transaction."""
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    writer, reader = Store(url), Store(url, connect_args={"timeout": 0.5})
    try:
        with writer.begin() as conn:
            writer.set_meta(conn, "being_written", "yes")
            assert reader.get_meta("being_written") is None  # reads the last committed state, at once
        assert reader.get_meta("being_written") == "yes"
    finally:
        writer.dispose()
        reader.dispose()


def reopened_as_migrated_from(db_url: str, version: int, statements: list[str]) -> Store:
    """The database at `db_url` as an older newsbot left it (`statements` undo the later migrations'
    work), opened again: the pending migrations run."""
    store = Store(db_url)
    with store.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
        store.set_meta(conn, "schema_version", str(version))
    store.dispose()
    return Store(db_url)


def test_a_version_5_database_gets_the_band_index_that_holds_article_ids(db_url):
    store = reopened_as_migrated_from(db_url, 5, ["DROP INDEX ix_article_bands_band_article",
                                                  "CREATE INDEX ix_article_bands_band ON article_bands (band)"])
    try:
        with store.connect() as conn:
            indexes = {i["name"]: i["column_names"] for i in inspect(conn).get_indexes("article_bands")}
            assert indexes["ix_article_bands_band_article"] == ["band", "article_id"]
            assert "ix_article_bands_band" not in indexes
            if store.is_sqlite:
                plan = " ".join(str(row[-1]) for row in conn.execute(text(
                    "EXPLAIN QUERY PLAN SELECT band, article_id FROM article_bands WHERE band IN ('a', 'b')")))
                assert "COVERING INDEX ix_article_bands_band_article" in plan
    finally:
        store.dispose()


def test_a_version_6_database_reads_profiles_from_indexes(db_url):
    """Migration 7: an actor's latest mentions (SQLite) and the quotes near them come from indexes alone."""
    version_6 = ["DROP INDEX ix_quote_occurrences_article_span",
                 "CREATE INDEX ix_quote_occurrences_article ON quote_occurrences (article_id)"]
    if db_url.startswith("sqlite"):
        version_6 += ["DROP INDEX ix_mentions_actor_newest", "CREATE INDEX ix_mentions_actor ON mentions (actor_id)"]
    store = reopened_as_migrated_from(db_url, 6, version_6)
    try:
        with store.connect() as conn:
            occurrence_indexes = {i["name"]: i["column_names"] for i in inspect(conn).get_indexes("quote_occurrences")}
            assert occurrence_indexes["ix_quote_occurrences_article_span"] == ["article_id", "start", "end", "quote_id"]
            assert "ix_quote_occurrences_article" not in occurrence_indexes
            if store.is_sqlite:
                mention_indexes = {i["name"] for i in inspect(conn).get_indexes("mentions")}
                assert "ix_mentions_actor" not in mention_indexes
                plan = " ".join(str(row[-1]) for row in conn.execute(text(
                    "EXPLAIN QUERY PLAN SELECT article_id, surface, start, \"end\" FROM mentions "
                    "WHERE actor_id = 1 ORDER BY id DESC LIMIT 500")))
                assert "COVERING INDEX ix_mentions_actor_newest" in plan and "TEMP B-TREE" not in plan
                plan = " ".join(str(row[-1]) for row in conn.execute(text(
                    "EXPLAIN QUERY PLAN SELECT quote_id FROM quote_occurrences WHERE article_id = 'a' "
                    "AND start <= 10 AND \"end\" >= 5")))
                assert "COVERING INDEX ix_quote_occurrences_article_span" in plan
    finally:
        store.dispose()


def test_a_version_7_database_keeps_each_mention_sentence_as_offsets(db_url):
    """Migration 8: the sentence text stored with every mention becomes its offsets in the article,
    found there by the database; a profile or a digest reads the same sentence as before."""
    body = "Intro line.\n\nThe envoy met Hadi Amiri in Baghdad. Amiri said little. Then Hadi Amiri left."
    sentences = ["The envoy met Hadi Amiri in Baghdad.", "Then Hadi Amiri left."]
    mentions = [(body.index("Hadi Amiri"), sentences[0]), (body.rindex("Hadi Amiri"), sentences[1])]
    store = Store(db_url)
    with store.begin() as conn:
        conn.execute(schema.articles.insert().values(id="a1", path="/corpus/a.txt", text=body,
                                                     ingested_at=datetime.now(timezone.utc)))
        conn.execute(schema.actors.insert().values(id=1, key="hadi amiri", name="Hadi Amiri", kind="person"))
    store.dispose()
    store = reopened_as_migrated_from(db_url, 7, [
        "ALTER TABLE mentions DROP COLUMN sentence_start", "ALTER TABLE mentions DROP COLUMN sentence_end",
        "ALTER TABLE mentions ADD COLUMN sentence TEXT",
        *(f"INSERT INTO mentions (article_id, actor_id, start, \"end\", surface, sentence) "
          f"VALUES ('a1', 1, {start}, {start + 10}, 'Hadi Amiri', '{sentence}')" for start, sentence in mentions)])
    try:
        with store.connect() as conn:
            assert "sentence" not in {c["name"] for c in inspect(conn).get_columns("mentions")}
            rows = conn.execute(select(schema.mentions.c.start, schema.mentions.c.sentence_start,
                                       schema.mentions.c.sentence_end, schema.mention_sentence())
                                .join(schema.articles).order_by(schema.mentions.c.start)).all()
        assert [(r.sentence_start, r.sentence_end) for r in rows] == [
            (body.index(s), body.index(s) + len(s)) for s in sentences]
        assert [r.sentence for r in rows] == sentences
    finally:
        store.dispose()


def test_a_version_8_database_gets_the_actors_named_near_each_quote(db_url, tmp_path):
    """Migration 9: the database finds, for each quote occurrence already stored, the actors mentioned within
    ABOUT_CONTEXT characters, as the indexer now writes them with the occurrence."""
    from bot.ingest.indexer import Indexer

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story.txt").write_text(
        "Title: Talks in Baghdad\n\nHadi Amiri met the envoy in Baghdad on Monday. \"We will not leave,\" "
        "Amiri said after the meeting.\n\nLater the envoy flew to Erbil, where Masrour Barzani waited. "
        "\"The door is open,\" Barzani told reporters.\n", encoding="utf-8")
    store = Store(db_url)
    Indexer(store).run([corpus])
    occurrences = select(schema.quote_occurrences.c.id, schema.quote_occurrences.c.subjects)
    with store.connect() as conn:
        written = {row.id: set(row.subjects.split(",")) for row in conn.execute(occurrences)}
    store.dispose()
    assert len(written) == 2 and all(written.values())
    store = reopened_as_migrated_from(db_url, 8, ["ALTER TABLE quote_occurrences DROP COLUMN subjects"])
    try:
        with store.connect() as conn:
            assert {row.id: set(row.subjects.split(",")) for row in conn.execute(occurrences)} == written
    finally:
        store.dispose()


def test_opening_a_current_sqlite_database_waits_for_no_writer(tmp_path):
    """Schema set-up takes the write lock only when there is something to set up: `newsbot lookup` or a bot
    starting while an index run writes opens the index at once."""
    url = f"sqlite:///{tmp_path / 'current.db'}"
    writer = Store(url)
    try:
        with writer.begin() as conn:
            writer.set_meta(conn, "being_written", "yes")
            Store(url, connect_args={"timeout": 0.2}).dispose()
    finally:
        writer.dispose()


def test_a_run_that_adds_a_tenth_of_the_stories_refreshes_postgresql_statistics_before_resolving(db_url, tmp_path):
    """The end of a run reads the actor tables back; after a bulk load PostgreSQL's autovacuum has not yet
    analyzed them, so a run that adds at least a tenth of the stories analyzes them first. A smaller run
    leaves that to autovacuum; SQLite is never sent ANALYZE (it keeps `PRAGMA optimize`)."""
    from sqlalchemy import event

    from bot.ingest.indexer import Indexer

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    places = ["Velmora", "Tarvosh", "Orlinde", "Kestava", "Dornis", "Brevana", "Ulmsted", "Quorra", "Saldine",
              "Haverk", "Ostrel", "Pemburg"]
    for n, place in enumerate(places[:11]):
        (corpus / f"story{n}.txt").write_text(
            f"Title: Talks in {place}\n\nVarko Telm met the mayor of {place} on day {n}. The {place} council said "
            f"the {n * 7 + 3} new homes of {place} would wait until {place} had water.\n", encoding="utf-8")
    store = Store(db_url)
    analyzed: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: analyzed.append(statement)
                 if statement.startswith("ANALYZE") else None)
    Indexer(store).run([corpus])
    after_the_first = list(analyzed)
    (corpus / "story11.txt").write_text(
        f"Title: Talks in {places[11]}\n\nVarko Telm flew to {places[11]}, where the port reopened on Friday.\n",
        encoding="utf-8")
    Indexer(store).run([corpus])
    with store.connect() as conn:
        stories = conn.execute(select(schema.articles.c.id)).scalars().all()
    store.dispose()
    assert len(stories) == 12
    assert after_the_first == (['ANALYZE "actors", "aliases", "mentions"'] if db_url.startswith("postgresql") else [])
    assert analyzed == after_the_first
