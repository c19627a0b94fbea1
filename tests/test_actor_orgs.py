"""Organisations across the corpus, on wire copy of our own indexed with `newsbot index` and read back with
`newsbot export actors` and `newsbot lookup`: a name holding `and` is one name, a company's forms (with
`and Co`, with its legal form, its first words alone) are one actor, an acronym an article defines is
the organisation in stories that use it alone, and a country's initials before a word name no actor."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.indexed import index_wire, numbered_stories


WIRE = numbered_stories("1990-04", [
    "NEW YORK, April 1 - Halvorsen Brice Tollman Inc said it filed with the Securities and Exchange "
              "Commission for an offering of shares.\n\nHalvorsen said the offering would close in May.        REUTER",
    "NEW YORK, April 2 - Halvorsen said on Tuesday it hired two bankers from rivals.        REUTER",
    "NEW YORK, April 3 - Quarrington Lytt and Co Inc said it bought a stake in Vantelle Corp on Monday. "
              "Grenley's Investors Service Inc said it lowered the rating of Vantelle Corp.\n\n"
              "Quarrington Lytt said the stake was for investment.        REUTER",
    "NEW YORK, April 4 - Quarrington Lytt Co Inc said it sold shares of Vantelle Corp.        REUTER",
    "DETROIT, April 5 - Orvanta Motor Industries Corp (OMI) said its car sales rose in March. "
              "OMI said it would add a shift.        REUTER",
    "DETROIT, April 6 - OMI said on Friday it would recall 20,000 cars. OMI shares fell. "
              "The company will raise 100 mln U.S. Dlrs by a note issue.        REUTER",
    "WASHINGTON, April 7 - The Securities and Exchange Commission said it would review trading rules. "
              "U.S. Trade Representative Marlon Tevitt said the talks went well.        REUTER",
    "CHICAGO, April 8 - Vellmar Gas and Electric Co said it would raise rates. Talvern Business "
              "Machines Corp said its profit rose, and TBM said sales grew.        REUTER",
    "CHICAGO, April 9 - TBM said it cut prices. Exports from West Germany rose, and Puerto Ricans "
              "bought more.        REUTER",
    "LONDON, April 10 - The Organisation for Coffee Exporting Nations (OCEN) met on Monday to discuss quotas.        REUTER",
    "LONDON, April 11 - The Organization for Coffee Exporting Nations (OCEN) met again to discuss quotas.        REUTER",
    "LONDON, April 12 - OCEN said prices would fall.        REUTER",
])


@pytest.fixture
def newsbot(tmp_path, db_url, config_dir):
    run = index_wire(WIRE, tmp_path / "wire", db_url)

    def invoke(*args):
        result = run(*args)
        assert result.exit_code in (0, 1), result.output
        return result.output
    return invoke


def _actors(newsbot) -> dict[str, dict]:
    return {row["name"]: row for row in map(json.loads, newsbot("export", "actors").splitlines())}


def _lookup(newsbot, query: str) -> dict:
    return json.loads(newsbot("lookup", "--json", query))


def test_a_name_holding_and_is_one_name_not_a_fragment(newsbot):
    actors = _actors(newsbot)
    assert "Exchange Commission" not in actors
    assert actors["Securities and Exchange Commission"]["kind"] == "organization"
    assert actors["Securities and Exchange Commission"]["articles"] == 2


def test_a_possessive_opening_a_company_name_is_part_of_it(newsbot):
    actors = _actors(newsbot)
    assert "Investors Service Inc" not in actors
    assert "Grenley's Investors Service Inc" in actors


def test_company_forms_with_and_co_and_legal_forms_are_one_actor(newsbot):
    found = _lookup(newsbot, "Quarrington Lytt")
    assert found["status"] == "found", found
    assert found["actor"]["kind"] == "organization"
    assert found["actor"]["article_count"] == 2  # with `and Co Inc` and with `Co Inc`
    names = set(_actors(newsbot))
    assert len({"Quarrington Lytt and Co Inc", "Quarrington Lytt Co Inc", "Quarrington Lytt"} & names) == 1, names


def test_a_company_first_word_alone_is_the_company_in_other_stories_too(newsbot):
    found = _lookup(newsbot, "Halvorsen")
    assert found["status"] == "found", found
    assert found["actor"]["name"] == "Halvorsen Brice Tollman Inc"
    assert found["actor"]["kind"] == "organization"
    assert found["actor"]["article_count"] == 2  # the second story names it only `Halvorsen`
    assert "Halvorsen" not in _actors(newsbot)


def test_an_acronym_one_story_defines_is_the_organisation_where_used_alone(newsbot):
    found = _lookup(newsbot, "OMI")
    assert found["status"] == "found", found
    assert found["actor"]["name"] == "Orvanta Motor Industries Corp"
    assert found["actor"]["article_count"] == 2
    assert "OMI" not in _actors(newsbot)


def test_country_initials_before_a_word_name_no_actor(newsbot):
    names = set(_actors(newsbot))
    assert not names & {"U.S. Dlrs", "Dlrs", "U.S. Trade", "Trade"}, names
    assert "Marlon Tevitt" in names


def test_a_company_named_by_ordinary_words_either_side_of_and_is_one_name(newsbot):
    names = set(_actors(newsbot))
    assert "Vellmar Gas and Electric Co" in names
    assert not names & {"Electric Co", "Vellmar Gas"}, names


def test_an_acronym_of_a_body_the_story_names_is_that_body_without_brackets(newsbot):
    found = _lookup(newsbot, "TBM")
    assert found["status"] == "found", found
    assert found["actor"]["name"] == "Talvern Business Machines Corp"
    assert found["actor"]["article_count"] == 2  # the next story writes only TBM


def test_a_compass_word_and_a_country_made_a_people_are_no_actors(newsbot):
    names = set(_actors(newsbot))
    assert not names & {"West", "Ricans", "Puerto Ricans"}, names


def test_respellings_of_a_body_called_by_one_acronym_are_one_actor(newsbot):
    spellings = {"Organisation for Coffee Exporting Nations", "Organization for Coffee Exporting Nations"}
    names = set(_actors(newsbot))
    assert len(spellings & names) == 1 and "OCEN" not in names, names
    found = _lookup(newsbot, "OCEN")
    assert found["status"] == "found" and found["actor"]["name"] in spellings, found
    assert found["actor"]["article_count"] == 3


def test_a_clipped_first_word_is_the_organisation_the_story_names(tmp_path, db_url, config_dir):
    folder = tmp_path / "clipped"
    folder.mkdir()
    [story] = numbered_stories("1990-04", ["WASHINGTON, April 20 - The Federated Reserve Board of Vesna said on "
                                           "Monday it would hold rates steady. The Fed said inflation was low.        REUTER"],
                               first=20)
    (folder / "wire.jsonl").write_text(json.dumps(story) + "\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db_url, "index", str(folder)], catch_exceptions=False).exit_code == 0
    actors = {row["name"]: row for row in map(json.loads, runner.invoke(
        cli, ["--db", db_url, "export", "actors"], catch_exceptions=False).output.splitlines())}
    assert "Fed" not in actors
    assert actors["Federated Reserve Board of Vesna"]["mentions"] == 2


def test_an_acronym_in_brackets_spells_the_whole_name_discovery_had_cut(tmp_path, db_url, config_dir):
    folder = tmp_path / "spelled"
    folder.mkdir()
    [story] = numbered_stories("1990-04", ["ASMARA, April 21 - The People's Front for Unity and Renewal (PFUR) won "
                                           "the vote on Sunday. A teacher at Sher-e-Varno Farming College (SFC) said "
                                           "the PFUR would build roads.        REUTER"], first=21)
    (folder / "wire.jsonl").write_text(json.dumps(story) + "\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db_url, "index", str(folder)], catch_exceptions=False).exit_code == 0
    actors = {row["name"]: row for row in map(json.loads, runner.invoke(
        cli, ["--db", db_url, "export", "actors"], catch_exceptions=False).output.splitlines())}
    assert actors["People's Front for Unity and Renewal"]["mentions"] == 3  # the name and the acronym twice
    assert actors["Sher-e-Varno Farming College"]["kind"] == "organization"
    assert not set(actors) & {"Renewal", "People's Front for Unity", "Sher", "Varno Farming College", "PFUR", "SFC"}
