"""Junk never becomes an actor, and an actor's kind is the vote of its mentions: wire copy of my own
indexed with `newsbot index`, read back with `newsbot export actors` and `newsbot lookup`."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.nlp.actors import extract_mentions
from tests.indexed import index_wire, numbered_stories


WIRE = numbered_stories("1990-03", [
    "SPRINGFIELD, Ill., March 1 - Brandwell Corp said it would close two plants in the state.\n\n"
              "Brandwell said its output fell by a fifth. Analysts said the cut was expected.\n\n"
              "Sen. Harold Kleist, D-Conn, said the closures would hurt workers.        REUTER",
    "NEW HAVEN, Conn., March 2 - Qtly div 15 cts vs 15 cts prior\n\n"
              "Pay April 10\n\n"
              "Record March 20\n\n"
              "Officials at the company said the payout was unchanged, and Brandwell said it kept its own.        REUTER",
    "TOKYO, March 3 - Brandwell said it agreed to buy a stake in a Japanese maker, and Officials "
              "in Vartania said the deal needed approval. Traders said shares rose.\n\n"
              "The charity Freedom from Torture said refugees from Vartania needed help.        REUTER",
    "LONDON, March 4 - Brandwell told reporters at the plant. Dealers said the shares held.\n\n"
              "Sonya Meravel, director of Freedom from Torture, said: \"We are ready.\"\n\n"
              "Her son rang and said: Dad, come home. Economists said orders would pick up.        REUTER",
    "PARIS, March 5 - Militias attacked the base with Katyusha rockets overnight, officials said.\n\n"
              "Brandwell said Tuesday that its plant was safe.        REUTER",
])


@pytest.fixture
def wire(tmp_path, db_url, config_dir):
    run = index_wire(WIRE, tmp_path / "wire", db_url)

    def newsbot(*args):
        result = run(*args)
        assert result.exit_code == 0, result.output
        return result.output
    return newsbot


def _actors(newsbot) -> dict[str, dict]:
    return {row["name"]: row for row in map(json.loads, newsbot("export", "actors").splitlines())}


def test_wire_signatures_and_datelines_are_no_actors(wire):
    names = set(_actors(wire))
    assert not names & {"REUTER", "SPRINGFIELD", "Ill", "NEW HAVEN", "Conn", "TOKYO", "LONDON", "PARIS"}, names


def test_a_dateline_glued_to_its_dash_or_agency_is_no_mention_but_the_city_opening_a_sentence_is():
    surfaces = [m.surface for m in extract_mentions("Nairobi- The council met on Monday.\n\n"
                                                    "Nairobi police said the road to Mombasa was closed.")]
    assert surfaces == ["Nairobi", "Mombasa"]  # (the second sentence's: a city before a lower-case noun)
    agency = [m.surface for m in extract_mentions("Nairobi/KORVANEX/. The minister met officials in Mombasa.")]
    assert agency == ["Mombasa"]


def test_state_abbreviations_and_table_rows_are_no_actors(wire):
    names = set(_actors(wire))
    assert not names & {"Conn", "D-Conn", "Qtly", "Ill"}, names
    assert "Harold Kleist" in names


def test_plural_role_nouns_and_vocatives_are_no_actors(wire):
    names = set(_actors(wire))
    assert not names & {"Analysts", "Officials", "Traders", "Dealers", "Dad", "Economists"}, names


AMOUNTS_AND_PREFIXES = numbered_stories("1990-04", [
    "ORLINGRAD, April 2 - The Vartania council approved RM4.3 million and N7,500 for the works, and the "
    "G7 welcomed it.\n\nHundreds joined an Anti-Kestavo rally as the Afro-Asian talks ended, and "
    "Ex-Brandwell staff marched. The party named Tarva Olum its Vice Presidential hopeful, and Deputy Trade "
    "Ministers of the region attended. Special Envoy Carpenter met them.\n\nEnvoys of the Non-Partisan Alliance "
    "came. Non-Partisan states abstained.        REUTER",
])


def test_amounts_combining_forms_prefixes_and_role_words_are_no_actors(tmp_path, db_url, config_dir):
    run = index_wire(AMOUNTS_AND_PREFIXES, tmp_path / "wire", db_url)
    names = {json.loads(line)["name"] for line in run("export", "actors").output.splitlines()}
    assert not names & {"RM4", "N7", "Anti-Kestavo", "Afro", "Ex-Brandwell", "Presidential", "Trade Ministers",
                        "Non-Partisan"}, names
    # the name after a prefix is the actor, and an English word after one makes a body's name with its head word;
    # a surname that is an English word after a title is a person
    assert {"G7", "Kestavo", "Brandwell", "Tarva Olum", "Carpenter", "Non-Partisan Alliance"} <= names, names


ADJECTIVE_TITLES = numbered_stories("1990-05", [
    "ORLINGRAD, May 2 - The Chief Clerk at the opening, Tarva Olum, cut the ribbon. Kestin Varn, a Senior Partner "
    "at the Orlin Institute, and pupils of Senior Grammar Schools across Vartania watched, with General Harvest "
    "staff.\n\nChief Ridge of the river clans came too. Ridge said the works were overdue.        REUTER",
    "TARVO, May 3 - General Timber Co said it would buy the Orlin mill. General Timber said the deal would "
    "close in June. The Senior Staff Union said its members would vote on it. General Granite Co, a rival "
    "bidder, made no comment. Figures from the General Tariff Office and the Orlin treasury showed the mill "
    "lost money. Talks under the General Accord on Fisheries resumed.\n\nChief Summit said the road to the "
    "mill was closed.        REUTER",
])


def test_ordinary_words_after_an_adjective_title_are_no_person(tmp_path, db_url, config_dir):
    run = index_wire(ADJECTIVE_TITLES, tmp_path / "wire", db_url)
    actors = {row["name"]: row for row in map(json.loads, run("export", "actors").output.splitlines())}
    assert not {"Clerk", "Partner", "Grammar Schools", "Harvest"} & set(actors), set(actors)
    assert not [name for name, row in actors.items() if row["kind"] == "person" and name.startswith(
        ("Chief Clerk", "Senior", "General"))], actors
    # a surname that is an English word stays a person when the article names him by it (Ridge said)
    assert actors["Ridge"]["kind"] == "person"
    assert {"Tarva Olum", "Kestin Varn"} <= set(actors)
    # before a speech verb, the phrase the article also writes as a company's name, or a phrase ending in a
    # body's head word, is still no person; a title and an English word the article has nowhere else is one
    assert not {"Timber", "Staff Union", "General Granite", "Accord on Fisheries"} & set(actors), set(actors)
    assert actors["General Timber Co"]["kind"] == "organization"
    assert actors["General Timber Co"]["mentions"] == 2
    assert actors["Senior Staff Union"]["kind"] == "organization"
    # a title word the list of given names holds too (General) opens a company's name, not a person's; a
    # title word before words that end in a body's head word opens the body's name
    assert actors["General Granite Co"]["kind"] == "organization"
    assert actors["General Tariff Office"]["kind"] == "organization" and "Tariff Office" not in actors
    assert actors["Summit"]["kind"] == "person"


def test_an_organisation_named_with_a_preposition_is_one_actor(wire):
    actors = _actors(wire)
    assert actors["Freedom from Torture"]["kind"] == "organization"
    assert "Torture" not in actors and "Freedom" not in actors


def test_a_weapon_named_after_a_given_name_is_no_person(wire):
    assert _actors(wire).get("Katyusha", {"kind": "other"})["kind"] != "person"


def test_a_company_is_an_organisation_by_its_mentions_vote(wire):
    actors = _actors(wire)
    # `Brandwell told reporters` alone looks like a person; `said it`, `said its` and `Brandwell Corp` in the
    # other articles outvote it, so the short form joins the company across the corpus
    company = json.loads(wire("lookup", "--json", "Brandwell"))["actor"]["name"]
    assert actors[company]["kind"] == "organization"
    assert actors[company]["mentions"] >= 5
    assert actors["Vartania"]["kind"] != "person"


def test_lookup_answers_the_voted_kind(wire):
    answer = json.loads(wire("lookup", "--json", "Brandwell"))
    assert answer["actor"]["kind"] == "organization", answer


LEGAL_FORMS = numbered_stories("1990-06", [
    "NEW YORK, June 1 - Elsa Marrowby Ltd said it raised its prime rate to 8-1/2 pct.        REUTER",
    "NEW YORK, June 2 - Elsa Marrowby said it would lend more to farmers this year.        REUTER",
    "NEW YORK, June 3 - Elsa Marrowby said loans to Vartania rose in May.        REUTER",
    "NEW YORK, June 4 - Elsa Marrowby said its chairman would retire in July.        REUTER",
])


def test_a_name_ending_in_a_legal_form_is_a_company_whatever_its_articles_vote(tmp_path, db_url, config_dir):
    # the bank is named after a person, and three articles' `Elsa Marrowby said` vote for one; the one
    # that writes its legal form says what it is
    run = index_wire(LEGAL_FORMS, tmp_path / "wire", db_url)
    actors = {row["name"]: row for row in map(json.loads, run("export", "actors").output.splitlines())}
    assert actors["Elsa Marrowby Ltd"]["kind"] == "organization", actors.get("Elsa Marrowby Ltd")
    assert actors["Elsa Marrowby Ltd"]["mentions"] == 4
    assert "Elsa Marrowby" not in actors and "Ltd" not in actors
    answer = json.loads(run("lookup", "--json", "Elsa Marrowby").output)
    assert answer["actor"]["name"] == "Elsa Marrowby Ltd" and answer["actor"]["kind"] == "organization", answer


OWN_OUTLETS = [
    {**story, "source": source} for story, source in zip(numbered_stories("1990-07", [
        "OSLO, July 1 - Lars Movik of Fjordbanken, the lead manager, told Velkorpress the tranches were due in "
        "May.        REUTER",
        "OSLO, July 2 - The shipyard's owner told Velkorpress he would sell it.        REUTER",
        "OSLO, July 3 - A trader told Velkorpress that prices fell.        REUTER",
        "Port workers went on strike on Monday, a union leader told Tarvodaily.",
    ]), ["Velkorpress", "Velkorpress", "Velkorpress", "www.tarvodaily.com.vr"])]


def test_the_outlet_an_article_comes_from_is_an_organisation(tmp_path, db_url, config_dir):
    # `told Velkorpress` alone reads as a person addressed; the stories come from Velkorpress
    run = index_wire(OWN_OUTLETS, tmp_path / "wire", db_url)
    actors = {row["name"]: row for row in map(json.loads, run("export", "actors").output.splitlines())}
    assert actors["Velkorpress"]["kind"] == "organization", actors.get("Velkorpress")
    assert actors["Velkorpress"]["mentions"] == 3
    assert actors["Tarvodaily"]["kind"] == "organization", actors.get("Tarvodaily")
    answer = json.loads(run("lookup", "--json", "Velkorpress").output)
    assert answer["actor"]["kind"] == "organization", answer


def test_the_vote_follows_the_articles_as_they_come_and_go(tmp_path, db_url, config_dir):
    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "a.jsonl").write_text(json.dumps(WIRE[3]) + "\n")  # Brandwell told reporters: a person, alone
    runner = CliRunner()

    def kind_after_indexing() -> str:
        assert runner.invoke(cli, ["--db", db_url, "index", str(folder)], catch_exceptions=False).exit_code == 0
        result = runner.invoke(cli, ["--db", db_url, "export", "actors"], catch_exceptions=False)
        return next(row for row in map(json.loads, result.output.splitlines()) if row["name"] == "Brandwell")["kind"]

    alone = kind_after_indexing()
    assert alone == "person"
    # (not the story that names Brandwell Corp: the short form would join the company across the corpus)
    later = (WIRE[4], *numbered_stories(
        "1990-03", ["ROME, March 6 - Brandwell said its chief executive would step down.        REUTER"], first=6))
    (folder / "b.jsonl").write_text("".join(json.dumps(story) + "\n" for story in later))
    assert kind_after_indexing() == "organization"  # an incremental run adds its articles' votes
    (folder / "b.jsonl").unlink()
    assert kind_after_indexing() == alone  # and a run that removed them recounts


def test_the_seeds_name_the_charity_the_anchor_and_no_weapon_or_vocative(db_url, config_dir):
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db_url, "index"], catch_exceptions=False).exit_code == 0
    result = runner.invoke(cli, ["--db", db_url, "export", "actors"], catch_exceptions=False)
    actors = {row["name"]: row for row in map(json.loads, result.output.splitlines())}
    assert actors["Freedom from Torture"]["kind"] == "organization"
    assert actors["Maria Bartiromo"]["kind"] == "person"
    assert not {"Torture", "Dad", "Fox Business Maria Bartiromo"} & set(actors)
    assert actors.get("Katyusha", {"kind": "other"})["kind"] != "person"


PEOPLES_AND_THINGS = numbered_stories("1990-08", [
    "LILONGWE, Aug 1 - Fijians queued for fuel on Monday, and Tahitians joined them. Sundanese farmers and "
    "Bemba traders said prices were too high, and the Sundanese said the harvest failed.\n\n"
    "Maize rose as the consumer price index (CPI) climbed; the CPI rose 4 percent, the bureau of statistics said. "
    "VelkorPay said it would cut its fees. The Velkor Grain Board (VGB) said the VGB would buy maize.        REUTER",
    "LILONGWE, Aug 2 - VelkorPay said users doubled. Governor Tom McAllister said he would sign the "
    "bill.        REUTER",
])


def test_peoples_and_acronyms_of_things_are_no_actors_and_a_brand_is_a_body(tmp_path, db_url, config_dir):
    # a people by its language's name or a nationality's plural; an acronym a lower-case phrase spells;
    # a capital inside one word (not after a surname's prefix) before `said`
    run = index_wire(PEOPLES_AND_THINGS, tmp_path / "wire", db_url)
    actors = {row["name"]: row for row in map(json.loads, run("export", "actors").output.splitlines())}
    assert not set(actors) & {"Fijians", "Tahitians", "Sundanese", "Bemba", "CPI"}, sorted(actors)
    assert actors["VelkorPay"]["kind"] == "organization", actors.get("VelkorPay")
    assert actors["Velkor Grain Board"]["mentions"] == 3, actors.get("Velkor Grain Board")
    assert actors["Tom McAllister"]["kind"] == "person", actors.get("Tom McAllister")
    answer = json.loads(run("lookup", "--json", "CPI").output)
    assert answer["status"] == "not_found", answer
