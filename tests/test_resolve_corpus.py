"""Resolution across the corpus, through `newsbot index` and `newsbot lookup` on a small wire of our own
(SQLite and PostgreSQL): a surname alone is the person another article names in full, a company with
and without its legal form is one actor, a surname or given name several actors share is ambiguous, and
names joined by a hyphen are two mentions."""
from __future__ import annotations

import json

import pytest

from tests.indexed import index_wire

# Invented people and companies, written as a wire writes them.
WIRE = [
    ("Talks in Vesna", "2024-03-01",
     "VESNA, March 1 - Prime Minister Tomasz Wielgorski opened talks with the unions on Friday. "
     "Wielgorski said the talks would last a week.\n\nThe unions welcomed the offer."),
    ("Budget vote", "2024-03-02",
     "VESNA, March 2 - Wielgorski told parliament on Saturday that the budget would pass. "
     "Wielgorski added that taxes would not rise.\n\nThe opposition said it would vote against."),
    ("Minister on exports", "2024-03-03",
     "ODRA, March 3 - Finance Minister Helena Brandvik said exports rose in February. "
     "Brandvik said the rise would continue. Brandvik also met bankers."),
    ("Senator on farms", "2024-03-04",
     "ODRA, March 4 - Senator Oskar Brandvik said farm incomes fell. Brandvik said the senate "
     "would debate subsidies. Brandvik called for calm."),
    ("Which Brandvik", "2024-03-05",
     "ODRA, March 5 - Brandvik said on Tuesday that the plan was sound.\n\nNo details were given."),
    ("Film festival", "2024-03-06",
     "LUMA, March 6 - The director Helena Marchetti won the festival prize. Marchetti said she was moved. "
     "Marchetti thanked the jury."),
    ("Norvalex results", "2024-03-07",
     "NEW YORK, March 7 - Norvalex Inc said its quarterly profit rose. Norvalex Inc shares gained."),
    ("Norvalex plant", "2024-03-08",
     "NEW YORK, March 8 - Norvalex said it would build a plant in Ohio. Norvalex said costs would fall. "
     "Norvalex expects approval."),
    ("Summit", "2024-03-09",
     "VESNA, March 9 - Prime Minister Tomasz Wielgorski met Finance Minister Helena Brandvik before the "
     "Wielgorski-Brandvik summit on trade. Wielgorski said the summit went well."),
]


@pytest.fixture
def newsbot(db_url, config_dir, tmp_path):
    """`newsbot --db <test database> ARGS…`, after indexing the wire."""
    return index_wire([{"id": f"w{n}", "title": title, "source": "Wire", "date": day, "text": text}
                       for n, (title, day, text) in enumerate(WIRE)], tmp_path / "wire", db_url)


def lookup(newsbot, query: str) -> dict:
    result = newsbot("lookup", "--json", query)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def exported(newsbot, what: str) -> list[dict]:
    result = newsbot("export", what)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_a_surname_alone_is_the_person_another_article_names_in_full(newsbot):
    found = lookup(newsbot, "Wielgorski")
    assert found["status"] == "found", found
    assert found["actor"]["name"] == "Tomasz Wielgorski"
    assert found["actor"]["article_count"] == 3  # the budget story names him only by his surname
    names = [actor["name"] for actor in exported(newsbot, "actors")]
    assert "Wielgorski" not in names and names.count("Tomasz Wielgorski") == 1


def test_a_company_with_and_without_its_legal_form_is_one_actor(newsbot):
    found = lookup(newsbot, "Norvalex")
    assert found["status"] == "found", found
    assert found["actor"]["name"] == "Norvalex Inc" and found["actor"]["article_count"] == 2
    assert lookup(newsbot, "Norvalex Inc")["actor"]["id"] == found["actor"]["id"]
    actors = {actor["id"]: actor for actor in exported(newsbot, "actors")}
    assert [a["name"] for a in actors.values() if "norvalex" in a["name"].lower()] == ["Norvalex Inc"]
    mentions = exported(newsbot, "mentions")
    assert {m["actor"] for m in mentions if m["surface"].startswith("Norvalex")} == {"Norvalex Inc"}
    # the export's figures agree with its mentions
    for actor_id, actor in actors.items():
        assert actor["mentions"] == sum(m["actor_id"] == actor_id for m in mentions), actor


def test_a_surname_two_people_share_is_ambiguous_with_both(newsbot):
    result = lookup(newsbot, "Brandvik")
    assert result["status"] == "ambiguous", result
    names = [c["name"] for c in result["candidates"]]
    assert {"Helena Brandvik", "Oskar Brandvik"} <= set(names)
    # the minister's story and the senator's each went to their own person
    helena = lookup(newsbot, "Helena Brandvik")["actor"]
    oskar = lookup(newsbot, "Oskar Brandvik")["actor"]
    assert (helena["article_count"], oskar["article_count"]) == (2, 1)


def test_a_given_name_several_people_have_is_ambiguous(newsbot):
    result = lookup(newsbot, "Helena")
    assert result["status"] == "ambiguous", result
    assert {"Helena Brandvik", "Helena Marchetti"} <= {c["name"] for c in result["candidates"]}


def test_names_joined_by_a_hyphen_are_two_mentions(newsbot):
    summit = next(a["id"] for a in exported(newsbot, "articles") if a["title"] == "Summit")
    named = [(m["surface"], m["actor"]) for m in exported(newsbot, "mentions") if m["article_id"] == summit]
    assert ("Wielgorski", "Tomasz Wielgorski") in named and ("Brandvik", "Helena Brandvik") in named, named
    assert not any("-" in surface for surface, _ in named), named
    assert lookup(newsbot, "Tomasz Wielgorski")["actor"]["mentions"] == 2 + 2 + 3  # full name, joined name, surname


def test_a_day_indexed_later_resolves_what_it_touches(newsbot, tmp_path):
    """The full name arrives after the surname-only story: the run that brings it merges the two."""
    day = tmp_path / "day" / "day.jsonl"
    day.parent.mkdir()
    day.write_text(json.dumps({"id": "d1", "title": "Port strike", "source": "Wire", "date": "2024-03-10",
                               "text": "KALMA, March 10 - Kestrova said the port would reopen. Kestrova gave no date."})
                   + "\n", encoding="utf-8")
    assert newsbot("index", str(day.parent)).exit_code == 0
    assert lookup(newsbot, "Kestrova")["actor"]["name"] == "Kestrova"
    day.write_text(day.read_text(encoding="utf-8") + json.dumps(
        {"id": "d2", "title": "Port reopens", "source": "Wire", "date": "2024-03-11",
         "text": "KALMA, March 11 - Harbour master Lidia Kestrova reopened the port. Kestrova thanked the workers."})
        + "\n", encoding="utf-8")
    assert newsbot("index", str(day.parent)).exit_code == 0
    found = lookup(newsbot, "Kestrova")
    assert found["status"] == "found" and found["actor"]["name"] == "Lidia Kestrova", found
    assert found["actor"]["article_count"] == 2


def test_a_later_day_attributes_a_shared_surname_in_its_own_stories_only(newsbot, tmp_path, monkeypatch):
    """Brandvik is shared: the day's story naming Helena Brandvik gives her its `Brandvik`, and only the day's
    stories are weighed by the company they keep; the earlier `Which Brandvik` story was weighed when it
    came in, and is not read again."""
    from bot.ingest import resolve

    weighed: list[str] = []
    by_company = resolve._by_company

    def spy(ids, unsure, company_of):
        weighed.extend(unsure)
        return by_company(ids, unsure, company_of)
    monkeypatch.setattr(resolve, "_by_company", spy)
    day = tmp_path / "day" / "day.jsonl"
    day.parent.mkdir()
    day.write_text("\n".join(json.dumps({"id": f"d{n}", "title": title, "source": "Wire", "date": "2024-03-10",
                                         "text": text}) for n, (title, text) in enumerate([
        ("Exports again", "ODRA, March 10 - Finance Minister Helena Brandvik said exports held up. "
                          "Brandvik said March would be better."),
        ("Brandvik again", "ODRA, March 10 - Brandvik said on Sunday that talks would go on.")])) + "\n",
        encoding="utf-8")
    assert newsbot("index", str(day.parent)).exit_code == 0
    titles = {a["id"]: a["title"] for a in exported(newsbot, "articles")}
    assert {titles[article_id] for article_id in weighed} == {"Brandvik again"}
    assert lookup(newsbot, "Helena Brandvik")["actor"]["article_count"] == 3
    exports = next(a for a, title in titles.items() if title == "Exports again")
    assert {m["actor"] for m in exported(newsbot, "mentions")
            if m["article_id"] == exports and "Brandvik" in m["surface"]} == {"Helena Brandvik"}


def test_a_version_9_database_gets_the_short_keys_of_its_actors(db_url):
    """Migration 10: actors.short_key, indexed, filled for the actors an older newsbot stored."""
    from sqlalchemy import inspect, select

    from bot.store import schema
    from bot.store.db import Store
    from tests.test_index_store import reopened_as_migrated_from

    store = Store(db_url)
    with store.begin() as conn:
        conn.execute(schema.actors.insert(), [
            {"key": "tomasz wielgorski", "name": "Tomasz Wielgorski", "kind": "person"},
            {"key": "norvalex inc", "name": "Norvalex Inc", "kind": "organization"},
            {"key": "vesna", "name": "Vesna", "kind": "place"}])
    store.dispose()
    statements = ["DROP INDEX ix_actors_short_key", "ALTER TABLE actors DROP COLUMN short_key"]
    store = reopened_as_migrated_from(db_url, 9, statements)
    try:
        with store.connect() as conn:
            assert "ix_actors_short_key" in {i["name"] for i in inspect(conn).get_indexes("actors")}
            keys = dict(conn.execute(select(schema.actors.c.name, schema.actors.c.short_key)).all())
        assert keys == {"Tomasz Wielgorski": "wielgorski", "Norvalex Inc": "norvalex", "Vesna": None}
    finally:
        store.dispose()


COMPANY_WIRE = [
    ("Quorvant outlook", "2024-04-01", "LUMA, April 1 - Quorvant said on Monday that orders were strong."),
    ("Quorvant plant", "2024-04-02", "LUMA, April 2 - Quorvant said the new plant would open in May."),
    ("Quorvant results", "2024-04-03",
     "LUMA, April 3 - Quorvant Holdings posted a higher profit for the year. Quorvant Holdings shares rose."),
]


def test_a_one_word_name_the_corpus_writes_as_a_companys_is_an_organisation(db_url, config_dir, tmp_path):
    """`Quorvant said` alone reads as a person; the articles naming Quorvant Holdings vote it a company."""
    newsbot = index_wire([{"id": f"q{n}", "title": title, "source": "Wire", "date": day, "text": text}
                          for n, (title, day, text) in enumerate(COMPANY_WIRE)], tmp_path / "wire", db_url)
    kinds = {actor["name"]: actor["kind"] for actor in exported(newsbot, "actors")}
    assert kinds.get("Quorvant") == "organization", kinds


def test_a_name_with_its_saints_or_mounts_word_in_full_or_short_is_one_actor(db_url, config_dir, tmp_path):
    """Saint Velmorsk and St Velmorsk, Mount Orvan and Mt Orvan: one actor each, however the articles
    wrote them, whether they come in one run or the other spelling a day later."""
    newsbot = index_wire([
        {"id": "p1", "title": "Port", "source": "Wire", "date": "2024-05-01",
         "text": "The ship left St Velmorsk on Monday, port officials in St Velmorsk said."},
        {"id": "p2", "title": "Forum", "source": "Wire", "date": "2024-05-02",
         "text": "The forum opened in Saint Velmorsk on Friday, and delegates praised Saint Velmorsk."},
        {"id": "p3", "title": "Climb", "source": "Wire", "date": "2024-05-03",
         "text": "Climbers reached the top of Mount Orvan on Sunday, the first to climb Mount Orvan this year."},
    ], tmp_path / "wire", db_url)
    day = tmp_path / "day"
    day.mkdir()
    (day / "day.jsonl").write_text(json.dumps(
        {"id": "p4", "title": "Snow", "source": "Wire", "date": "2024-05-04",
         "text": "Snow closed the roads around Mt Orvan on Tuesday, and rangers on Mt Orvan turned hikers back."})
        + "\n", encoding="utf-8")
    assert newsbot("index", str(day)).exit_code == 0
    names = [actor["name"] for actor in exported(newsbot, "actors")]
    assert sum("Velmorsk" in name for name in names) == 1 and sum("Orvan" in name for name in names) == 1, names
    for query in ("Saint Velmorsk", "St Velmorsk", "Mount Orvan", "Mt Orvan"):
        found = lookup(newsbot, query)
        assert found["status"] == "found" and found["actor"]["article_count"] == 2, (query, found)
