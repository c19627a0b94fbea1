"""The lookup engine on a small hand-made index (tests/lookup_world.py), on every backend."""
import json
import logging
import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, update

from tests.lookup_world import build_world

from bot.cli import cli
from bot.search.engines import Engines
from bot.search.results import lookup_to_json
from bot.store.schema import actors, aliases


@pytest.fixture
def world(store):
    ids = build_world(store)
    return Engines(store), ids


@pytest.mark.parametrize("query,name,how", [
    ("Kataeb Hezbollah", "Kataeb Hezbollah", "exact name"),
    ("KH", "Kataeb Hezbollah", "abbreviation"),
    ("kataib hezbolah", "Kataeb Hezbollah", "spelling variant"),
    ("كتائب حزب الله", "Kataeb Hezbollah", "exact alias"),
    ("Hezbollah", "Hezbollah", "exact name"),
    ("Hezbolah", "Hezbollah", "spelling variant"),
    ("Ayatollah Ali Khamenei", "Ali Khamenei", "exact name"),
    ("علی خامنه‌ای", "Ali Khamenei", "script transliteration"),
    ("Qasim Sulaimani", "Qassem Soleimani", "spelling variant"),
    ("Soleimani", "Qassem Soleimani", "surname in Qassem Soleimani"),
    ("Abu Fadek", "Abdulaziz al-Muhammadawi", "typo"),
    ("Islamic Sate", "Islamic State", "typo"),
    ("AAH", "Asaib Ahl al-Haq", "abbreviation"),
    ("PMF", None, None),
])
def test_finds_actors_under_their_spellings(world, query, name, how):
    engine, _ = world
    result = engine.lookup(query)
    if name is None:
        assert result.status == "not_found"
        return
    assert result.status == "found", result.explanation
    top = result.candidates[0]
    assert (top.name, top.how) == (name, how)
    assert result.profile.name == name
    assert top.matched in result.explanation


@pytest.mark.parametrize("query", ["Hassan Khomeini", "Mojtaba Khamenei", "Donald Trump", "Kataeb Hezbollah al-Nujaba",
                                   "Khomeyny Hassan", "Ali", "Hassan"])
def test_a_name_not_in_the_index_is_not_answered_with_another_actor(world, query):
    engine, _ = world
    result = engine.lookup(query)
    assert result.status in ("not_found", "ambiguous"), (query, result.candidates[:1])
    assert result.profile is None
    assert len(result.candidates) <= 3 if result.status == "not_found" else True


def test_not_found_suggests_the_nearest_actors(world):
    engine, _ = world
    result = engine.lookup("Hassan Khomeini")
    assert result.status == "not_found"
    assert "Ruhollah Khomeini" in [c.name for c in result.candidates]
    assert "Did you mean" in result.explanation


def test_a_word_that_matches_nothing_costs_more_than_an_extra_word(world):
    engine, _ = world
    extra_in_candidate = engine.lookup_engine.resolve("Revolutionary Guard Corps")
    extra_in_query = engine.lookup_engine.resolve("Revolutionary Guard Corps Navy")
    assert extra_in_candidate.status == "found"
    assert extra_in_query.candidates[0].score < extra_in_candidate.candidates[0].score


def add_second_khamenei(store):
    """A second curated actor answering to the alias `Khamenei`."""
    with store.begin() as conn:
        other = conn.execute(insert(actors).values(key="mojtaba khamenei", name="Mojtaba Khamenei", kind="person",
                                                   curated=True, mention_count=0, article_count=0))
        conn.execute(insert(aliases).values(actor_id=other.inserted_primary_key[0], alias="Khamenei",
                                            key="khamenei", origin="config"))
        store.bump_generation(conn)


def test_two_actors_sharing_a_name_are_ambiguous(world, store):
    engine, _ = world
    add_second_khamenei(store)
    engine.lookup_engine.refresh()
    result = engine.lookup("Khamenei")
    assert result.status == "ambiguous"
    assert {c.name for c in result.candidates} == {"Ali Khamenei", "Mojtaba Khamenei"}
    assert result.profile is None


def test_short_queries_resolve_only_through_aliases(world):
    engine, _ = world
    assert engine.lookup("KH").status == "found"
    assert engine.lookup("KX").status == "not_found"  # one letter from KH, but short names never fuzzy-match


@pytest.mark.parametrize("query", ["", "   ", "\x00\x07", "a" * 4000, "🙂🙂", "--"])
def test_bad_queries_get_help(world, query):
    engine, _ = world
    result = engine.lookup(query)
    assert result.status == "invalid"
    assert "Type the name" in result.explanation


@pytest.mark.parametrize("query", ["<@U123> Hezbollah", "*Hezbollah*", "Hezbollah'; DROP TABLE actors;--", "Hez\x00bollah"])
def test_odd_input_is_answered_normally(world, query):
    engine, _ = world
    assert engine.lookup(query).status in ("found", "not_found", "ambiguous")
    assert engine.lookup("Hezbollah").status == "found"


def test_profile_lists_articles_aliases_context_and_related_actors(world):
    engine, ids = world
    profile = engine.lookup("Kataeb Hezbollah").profile
    assert profile.kind == "organization"
    assert profile.description == "Iraqi Shia militia backed by Iran"
    assert profile.mentions == 2 and profile.article_count == 2
    assert [a.id for a in profile.articles] == ["a3", "a1"]  # newest first
    assert profile.articles[0].title == "Kadhimi under pressure" and profile.articles[0].source == "Reuters"
    assert "Kataeb Hezbollah" in profile.articles[0].context
    assert set(profile.aliases) == {"Kataeb Hezbollah", "Kata'ib Hizballah"}
    assert "KH" in profile.listed_aliases
    assert str(profile.first_seen) == "2020-02-01" and str(profile.last_seen) == "2020-06-30"
    assert ("Mustafa al-Kadhimi", 1) in profile.related
    assert "Hezbollah" in dict(profile.related)  # mentioned in a1 too, but a different actor


def test_profile_pages_through_articles(world):
    engine, ids = world
    page = engine.profiles.profile(ids["Kataeb Hezbollah"], articles_offset=1, articles_limit=1)
    assert [a.id for a in page.articles] == ["a1"] and page.article_count == 2


def test_profile_lists_articles_the_actor_wrote(world):
    engine, _ = world
    profile = engine.lookup("Hossein Mousavian").profile
    assert profile.authored == 2
    roles = {a.id: a.role for a in profile.articles}
    assert roles == {"a2": "author and mention", "a3": "author"}


def test_index_follows_the_store_generation(world, store):
    engine, ids = world
    live = engine.lookup_engine.live
    live.refresh_seconds = 0
    assert engine.lookup("Party of Allah").status == "not_found"
    with store.begin() as conn:
        conn.execute(insert(aliases).values(actor_id=ids["Hezbollah"], alias="Party of Allah", key="party of allah",
                                            origin="config"))
        store.bump_generation(conn)
    assert engine.lookup("Party of Allah").status == "not_found"  # answered from the index in place
    live.wait(30)  # ... while that lookup's check rebuilt it in the background
    assert engine.lookup("Party of Allah").status == "found"
    with store.begin() as conn:
        conn.execute(update(actors).where(actors.c.id == ids["Hezbollah"]).values(description="changed"))
        store.bump_generation(conn)
    engine.lookup("Hezbollah")
    live.wait(30)
    assert engine.lookup("Hezbollah").profile.description == "changed"


def add_party_of_allah(store, ids):
    with store.begin() as conn:
        conn.execute(insert(aliases).values(actor_id=ids["Hezbollah"], alias="Party of Allah", key="party of allah",
                                            origin="config"))
        store.bump_generation(conn)


def test_generations_bumped_during_a_rebuild_make_one_more_rebuild(world, store, monkeypatch):
    engine, ids = world
    live = engine.lookup_engine.live
    live.refresh_seconds = 0
    engine.lookup("Hezbollah")
    building, release, built = threading.Event(), threading.Event(), []
    build = live._build

    def slow_build():  # reads the store, then takes until the test lets it finish
        built.append(build())
        building.set()
        release.wait(60)
        return built[-1]
    monkeypatch.setattr(live, "_build", slow_build)
    add_party_of_allah(store, ids)
    assert engine.lookup("Party of Allah").status == "not_found"
    assert building.wait(10)
    for _ in range(3):  # three more runs while the first rebuild runs, each checked by a lookup
        with store.begin() as conn:
            store.bump_generation(conn)
        assert engine.lookup("Party of Allah").status == "not_found"
    release.set()
    live.wait(30)
    assert [index.generation for index in built] == [store.generation() - 3, store.generation()]
    assert engine.lookup("Party of Allah").status == "found"


def test_a_failed_rebuild_is_logged_and_the_old_index_answers_until_a_later_check_rebuilds(world, store, monkeypatch,
                                                                                           caplog):
    engine, ids = world
    live = engine.lookup_engine.live
    live.refresh_seconds = 0
    engine.lookup("Hezbollah")
    build = live._build
    monkeypatch.setattr(live, "_build", lambda: (_ for _ in ()).throw(OSError("connection lost")))
    add_party_of_allah(store, ids)
    with caplog.at_level(logging.ERROR, logger="bot.search.live_index"):
        assert engine.lookup("Party of Allah").status == "not_found"
        live.wait(30)
    assert any("rebuild failed" in r.getMessage() and r.exc_info for r in caplog.records)
    assert engine.lookup("Party of Allah").status == "not_found"  # the old index, and this check tries again
    live.wait(30)
    monkeypatch.setattr(live, "_build", build)
    engine.lookup("Hezbollah")
    live.wait(30)
    assert engine.lookup("Party of Allah").status == "found"


def test_json_shape(world):
    engine, _ = world
    data = lookup_to_json(engine.lookup("Kata'ib Hizbullah"))
    json.dumps(data)
    assert data["status"] == "found" and data["query"] == "Kata'ib Hizbullah"
    actor = data["actor"]
    assert {"name", "kind", "aliases", "mentions", "articles", "related"} <= set(actor)
    assert {"id", "title", "source", "date"} <= set(actor["articles"][0])
    assert {"name", "count"} == set(actor["related"][0])
    assert {"name", "kind", "score", "matched"} <= set(data["candidates"][0])
    assert data["explanation"] and "quotes_by" in data and "quotes_about" in data


# -- the command line ---------------------------------------------------------------

@pytest.fixture
def cli_db(world, db_url):
    return db_url


def test_cli_prints_a_readable_profile(cli_db):
    result = CliRunner().invoke(cli, ["--db", cli_db, "lookup", "Kata'ib", "Hizballah"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Kataeb Hezbollah  (organization")
    assert "Militias defy Khamenei – Middle East Eye" in result.output
    assert "Mentioned alongside:" in result.output


def test_cli_json(cli_db):
    result = CliRunner().invoke(cli, ["--db", cli_db, "lookup", "--json", "IRGC"])
    data = json.loads(result.output)
    assert data["actor"]["name"] == "Islamic Revolutionary Guard Corps"
    assert data["candidates"][0]["matched"] == "IRGC"


def test_cli_not_found_and_ambiguous_answers(cli_db):
    result = CliRunner().invoke(cli, ["--db", cli_db, "lookup", "Hassan Khomeini"])
    assert result.exit_code == 1
    assert "No actor named “Hassan Khomeini”" in result.output and "Ruhollah Khomeini" in result.output


@pytest.mark.parametrize("query", ["", "x" * 4000, "\x01\x02"])
def test_cli_bad_query_gets_help_not_a_traceback(cli_db, query):
    result = CliRunner().invoke(cli, ["--db", cli_db, "lookup", query])
    assert result.exit_code == 2
    assert "Usage: newsbot lookup" in result.output and "Traceback" not in result.output


def test_cli_batch_jsonl_and_csv_keep_input_order(cli_db, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("\ufeffKH\n\nHassan Khomeini\nعلی خامنه‌ای\n" + "y" * 4000 + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", cli_db, "lookup", "--batch", str(names)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["line"], r["status"]) for r in rows] == [(1, "found"), (3, "not_found"), (4, "found"), (5, "invalid")]
    assert rows[2]["actor"]["name"] == "Ali Khamenei"
    result = CliRunner().invoke(cli, ["--db", cli_db, "lookup", "--batch", str(names), "--format", "csv"])
    lines = result.output.splitlines()
    assert lines[0].startswith("line,query,status,name")
    assert lines[1].startswith("1,KH,found,Kataeb Hezbollah,organization")
    assert len(lines) == 5


def test_cli_batch_missing_file(cli_db, tmp_path):
    result = CliRunner().invoke(cli, ["--db", cli_db, "lookup", "--batch", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_profile_of_an_actor_in_many_articles_reads_pages_through_the_date_index(world, monkeypatch):
    """The dense path (EXISTS per article, newest first) gives the same pages as the sparse one."""
    import bot.search.profiles as profiles_module

    from bot.search.filters import Filters

    engine, ids = world
    newest = Filters(sort="date")  # the date index serves the newest-first order
    sparse = [a.id for a in engine.profiles.profile(ids["Kataeb Hezbollah"], articles_limit=10, filters=newest).articles]
    monkeypatch.setattr(profiles_module, "DENSE", 1)
    monkeypatch.setattr(profiles_module, "WALK_FACTOR", 0)
    engine.profiles._cache.clear()
    dense = engine.profiles.profile(ids["Kataeb Hezbollah"], articles_limit=10, filters=newest)
    assert [a.id for a in dense.articles] == sparse == ["a3", "a1"]
    assert [a.id for a in engine.profiles.profile(ids["Kataeb Hezbollah"], articles_offset=1, articles_limit=1,
                                                  filters=newest).articles] == ["a1"]


def test_an_actor_called_exactly_this_beats_one_that_only_has_it_as_an_alias(world, store):
    engine, ids = world
    with store.begin() as conn:
        conn.execute(insert(aliases).values(actor_id=ids["Kataeb Hezbollah"], alias="Hezbollah", key="hezbollah",
                                            origin="config"))
        store.bump_generation(conn)
    engine.lookup_engine.refresh()
    result = engine.lookup("Hezbollah")
    assert result.status == "found" and result.profile.name == "Hezbollah"
    assert [c.name for c in result.candidates] == ["Hezbollah", "Kataeb Hezbollah"]
    assert "Also known by this name: Kataeb Hezbollah" in result.explanation


def test_cli_ambiguous_answer_lists_ids_and_id_shows_one(world, store, db_url):
    engine, ids = world
    add_second_khamenei(store)
    result = CliRunner().invoke(cli, ["--db", db_url, "lookup", "Khamenei"])
    assert result.exit_code == 0 and "matches 2 actors" in result.output
    assert f"[{ids['Ali Khamenei']}] Ali Khamenei (person)" in result.output
    assert "newsbot lookup --id " in result.output
    shown = CliRunner().invoke(cli, ["--db", db_url, "lookup", "--id", str(ids["Ali Khamenei"]), "--json"])
    assert json.loads(shown.output)["actor"]["name"] == "Ali Khamenei"
    missing = CliRunner().invoke(cli, ["--db", db_url, "lookup", "--id", "99999"])
    assert missing.exit_code == 2 and "No actor has the id 99999" in missing.output


def test_words_do_not_match_initials_we_made_up(world, store):
    """`Hut` is not HOT and `Nit` is not NIT (initials derived from a name); listed ones match in any case."""
    engine, _ = world
    with store.begin() as conn:
        trust = conn.execute(insert(actors).values(key="nomura investment trust", name="Nomura Investment Trust",
                                                   kind="organization", curated=True, mention_count=0,
                                                   article_count=0)).inserted_primary_key[0]
        conn.execute(insert(aliases).values(actor_id=trust, alias="HOT", key="hot", origin="config"))
        store.bump_generation(conn)
    engine.lookup_engine.refresh()
    assert engine.lookup_engine.resolve("NIT").candidates[0].name == "Nomura Investment Trust"
    assert engine.lookup_engine.resolve("Nit").status == "not_found"
    assert engine.lookup_engine.resolve("Hut").status == "not_found"
    assert engine.lookup_engine.resolve("hot").candidates[0].name == "Nomura Investment Trust"
    assert engine.lookup_engine.resolve("Irgc").candidates[0].name == "Islamic Revolutionary Guard Corps"
