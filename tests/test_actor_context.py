"""Curated aliases in context and roles before names, as a user meets them: `newsbot index` of a small
made-up corpus, then `newsbot lookup` (SQLite and PostgreSQL)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import cli

# A made-up beat: a militia whose initials are also a trade body's, a valley it fights in.
ACTORS = """\
actors:
  - name: Northern Valley Brigades
    kind: organization
    active: 2014-
    description: Militia of the Zarqan valley, allied with the Qarvesh tribes
    aliases: [NVB, Valley Brigades]
  - name: Zarqan
    kind: place
"""

ARTICLES = [
    ("Trade body before the militia existed", "1987-03-02",
     "Drug makers met in Chicago on Monday. NVB officials said prices would rise by four percent next year."),
    ("Undated, nothing of the beat", None,
     "NVB said the new rules would cut costs for the companies it speaks for."),
    ("Undated, words of the beat", None,
     "Fighters loyal to the NVB clashed with Qarvesh tribesmen near Zarqan, witnesses said."),
    ("Dated inside its years", "2019-05-04",
     "An NVB spokesman said on Saturday that the checkpoint would reopen next week."),
    ("Full name first", None,
     "The Northern Valley Brigades held a parade. Later the NVB said the parade had been a success."),
]


@pytest.fixture
def newsbot(db_url, config_dir, tmp_path):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, ["--db", db_url, *args], catch_exceptions=False)
    return invoke


def index(newsbot, config_dir, tmp_path, articles, actors: str | None = None) -> None:
    if actors is not None:
        (config_dir / "actors.yaml").write_text(actors)
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"title": title, "date": day, "text": text, "source": "Test Wire"}) + "\n"
                              for title, day, text in articles))
    result = newsbot("index", str(corpus))
    assert result.exit_code == 0, result.output


def lookup(newsbot, name: str) -> dict:
    result = newsbot("lookup", "--json", name)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_a_curated_acronym_links_only_with_evidence_or_in_its_years(newsbot, config_dir, tmp_path):
    index(newsbot, config_dir, tmp_path, ARTICLES, ACTORS)
    answer = lookup(newsbot, "Northern Valley Brigades")
    assert answer["status"] == "found"
    titles = {article["title"] for article in answer["actor"]["articles"]}
    assert titles == {"Undated, words of the beat", "Dated inside its years", "Full name first"}


def test_a_curated_acronym_that_stands_for_another_body_too_is_ambiguous(newsbot, config_dir, tmp_path):
    """In 1987 NVB was a trade body the article named in full: `lookup NVB` offers both, the militia's
    claim on the letters being no stronger than the corpus's."""
    trade_body = ("Trade body named in full", "1988-01-05",
                  "The National Veterinary Board (NVB) said on Monday that fees would rise. NVB members agreed.")
    index(newsbot, config_dir, tmp_path, ARTICLES[2:] + [trade_body], ACTORS)
    answer = lookup(newsbot, "NVB")
    assert answer["status"] == "ambiguous", answer["explanation"]
    assert {c["name"] for c in answer["candidates"]} == {"Northern Valley Brigades", "National Veterinary Board"}
    body = lookup(newsbot, "National Veterinary Board")
    assert {a["title"] for a in body["actor"]["articles"]} == {"Trade body named in full"}


def test_no_name_of_an_actor_links_before_its_first_active_year(newsbot, config_dir, tmp_path):
    early = ("Before the founding", "2009-06-01",
             "Farmers sang with the Valley Brigades choir near Zarqan on Monday, and the Qarvesh tribes danced.")
    index(newsbot, config_dir, tmp_path, ARTICLES + [early], ACTORS)
    answer = lookup(newsbot, "Northern Valley Brigades")
    titles = {article["title"] for article in answer["actor"]["articles"]}
    assert "Before the founding" not in titles and "Full name first" in titles


ROLES = [
    ("Energy", "2021-02-01", "Minister of Energy and Natural Resources Ali Veli said on Monday that gas exports "
                             "would double. Veli spoke after a cabinet meeting."),
    ("Trade", "2020-02-01", "Deputy Minister of Trade Ali Veli said the tariffs would stay."),
    ("Prison", "2020-03-01", "Prison Warden Kemal Arslan said the inmates had been moved."),
    ("Tanzania", "2020-04-01", "A letter signed by the Republic of Tanzania Hassan Mwanga was read out on Friday."),
    ("Business", "2020-05-01", "On Tuesday, Fox Business Maria Bartiromo asked the chairman about rates."),
    # a role or a body glued before (or after) the name, with no title of the vocabulary
    ("Assembly", "2020-06-01", "Assemblyman Teodor Vasquel warned the council on Monday. Vasquel said the vote "
                               "would wait."),
    ("Budget", "2020-07-01", "The provincial MEC for Finance Thandeka Mnyandu presented the budget on Tuesday."),
    ("Council", "2020-08-01", "Ambassador Lind met Member of the Liberation Council Abou al-Karim Tessar in May."),
    ("Labour", "2020-09-01", "The Gabonese economist Gerard Moukala ILO Director-General, spoke on Friday."),
    ("Road", "2020-10-01", "“We will rebuild,” Chief Rosa House of Wemindji said on Thursday."),
    ("Games", "2020-11-01", "The minister was joined by former Kenyan Olympians Tabitha Wanjiru and Peter Kamau."),
    # firms named after people: a word that could be a role, or a head word alone, opens no role
    ("Firms", "2020-12-01", "Tanner Dennis Holloway reported higher profits. Shares of Bank Tomas Velde rose."),
]


def test_a_role_before_a_name_is_the_actors_description_not_its_name(newsbot, config_dir, tmp_path):
    index(newsbot, config_dir, tmp_path, ROLES)
    exported = newsbot("export", "actors", "--format", "jsonl")
    names = {json.loads(line)["name"] for line in exported.stdout.splitlines()}
    for name in ("Ali Veli", "Kemal Arslan", "Hassan Mwanga", "Maria Bartiromo", "Teodor Vasquel", "Thandeka Mnyandu",
                 "Abou al-Karim Tessar", "Gerard Moukala", "Rosa House", "Tabitha Wanjiru"):
        assert name in names
        assert not any(other.endswith(name) and other != name for other in names), (name, names)
    veli = lookup(newsbot, "Ali Veli")
    assert veli["status"] == "found" and veli["actor"]["name"] == "Ali Veli"
    # the role of the latest article, whatever order the corpus gives them in
    assert veli["actor"]["description"] == "Minister of Energy and Natural Resources"
    assert lookup(newsbot, "Kemal Arslan")["actor"]["description"] == "Prison Warden"
    assert lookup(newsbot, "Teodor Vasquel")["actor"]["description"] == "Assemblyman"
    assert lookup(newsbot, "Vasquel")["actor"]["name"] == "Teodor Vasquel"
    assert lookup(newsbot, "Thandeka Mnyandu")["actor"]["description"] == "MEC for Finance"
    assert lookup(newsbot, "Abou al-Karim Tessar")["actor"]["description"] == "Member of the Liberation Council"
    assert lookup(newsbot, "Rosa House")["actor"]["description"] == "Chief"
    assert not lookup(newsbot, "Tabitha Wanjiru")["actor"]["description"]  # one of a group, no office
    for body in ("Liberation Council", "ILO"):  # the body before or after the name is an actor of its own
        assert lookup(newsbot, body)["actor"]["kind"] == "organization"
    assert not {"Assemblyman", "Finance", "Kenyan Olympians"} & names  # a role names no actor
    assert {"Tanner Dennis Holloway", "Bank Tomas Velde"} <= names and not {"Dennis Holloway", "Tomas Velde"} & names
    assert lookup(newsbot, "Maria Bartiromo")["actor"]["kind"] == "person"
    assert lookup(newsbot, "Fox Business")["status"] == "found"
