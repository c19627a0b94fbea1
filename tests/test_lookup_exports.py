"""`newsbot export actors` and `newsbot export mentions` (a stable contract: later checks read them)."""
import csv
import io
import json

from click.testing import CliRunner
from sqlalchemy import select

from tests.lookup_world import build_world

from bot.cli import cli
from bot.store.schema import articles


def export(db_url, what, fmt="jsonl"):
    result = CliRunner().invoke(cli, ["--db", db_url, "export", what, "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_export_actors(store, db_url):
    build_world(store)
    rows = [json.loads(line) for line in export(db_url, "actors").splitlines()]
    kh = next(r for r in rows if r["name"] == "Kataeb Hezbollah")
    assert {"id", "name", "kind", "aliases", "mentions", "articles", "first_seen", "last_seen"} <= set(kh)
    assert kh["kind"] == "organization" and "KH" in kh["aliases"] and "Kataeb Hezbollah" not in kh["aliases"]
    assert (kh["mentions"], kh["articles"], kh["first_seen"], kh["last_seen"]) == (2, 2, "2020-02-01", "2020-06-30")
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)


def test_export_mentions_offsets_point_at_the_surface(store, db_url):
    build_world(store)
    rows = [json.loads(line) for line in export(db_url, "mentions").splitlines()]
    assert rows and {"article_id", "actor", "start", "end", "surface"} <= set(rows[0])
    with store.connect() as conn:
        texts = dict(conn.execute(select(articles.c.id, articles.c.text)).all())
    for row in rows:
        assert texts[row["article_id"]][row["start"]:row["end"]] == row["surface"]
    assert [(r["article_id"], r["start"]) for r in rows] == sorted((r["article_id"], r["start"]) for r in rows)
    assert {"article_id": "a1", "actor": "Ali Khamenei", "start": 25, "end": 33,
            "surface": "Khamenei"}.items() <= rows[0].items()


def test_export_csv(store, db_url):
    build_world(store)
    actors = list(csv.DictReader(io.StringIO(export(db_url, "actors", "csv"))))
    assert json.loads(next(a for a in actors if a["name"] == "Hezbollah")["aliases"])[0] == "Hizbullah"
    mentions = list(csv.DictReader(io.StringIO(export(db_url, "mentions", "csv"))))
    assert (mentions[0]["actor"], mentions[0]["surface"], mentions[0]["start"]) == ("Ali Khamenei", "Khamenei", "25")
