"""Surnames read as a reader reads them: in one article a surname alone is the person named in full (also
when it is an ordinary word opening a sentence, when the full name looked like a place, and when the person
has two surnames), and across the corpus a name ending a longer name of the same person is that person,
and a surname several people are called by answers `ambiguous` with the one the corpus writes it alone
for first."""
from __future__ import annotations

import json

import pytest

from bot.nlp.actors import extract_mentions
from tests.indexed import index_wire


def names_of(text: str, surface: str) -> set[str]:
    return {m.name for m in extract_mentions(text) if m.surface == surface}


def test_an_ordinary_word_opening_a_sentence_is_the_surname_the_article_gave():
    text = ("The council met on Tuesday. \"We were not consulted,\" said Mira Brown, who chairs the residents' "
            "group.\n\nBrown said she would write to the mayor.")
    assert names_of(text, "Brown") == {"Mira Brown"}


def test_a_surname_that_is_a_place_word_is_the_person_named_in_full():
    text = ("The foreign minister, Marta Hill, met the delegation in the capital on Monday. "
            "\"Our doors are open,\" Chancellor Hill told the visitors.")
    assert names_of(text, "Hill") == {"Marta Hill"}
    assert {m.kind for m in extract_mentions(text) if m.name == "Marta Hill"} == {"person"}


def test_a_given_name_and_first_surname_are_the_person_with_two_surnames():
    text = ("President Rodrigo Vargas Robles spoke to the press on Thursday. Later, President Rodrigo Vargas "
            "met the mayors. Vargas said the roads would be repaired.")
    assert names_of(text, "Rodrigo Vargas") == {"Rodrigo Vargas Robles"}
    assert names_of(text, "Vargas") == {"Rodrigo Vargas Robles"}


def test_a_word_opening_a_company_name_alone_is_the_company_not_a_person():
    text = ("Holm Tooling Corp said it would close a plant. The company said orders fell, and Holm said it "
            "expected no recovery this year.")
    assert {(m.name, m.kind) for m in extract_mentions(text) if m.surface == "Holm"} == {
        ("Holm Tooling Corp", "organization")}


def test_a_given_name_after_a_rulers_title_is_its_bearer_not_a_surname():
    text = ("Opposition leader Tomas Karim met the envoy on Monday. The envoy later visited the tomb of King "
            "Karim, who ruled two centuries ago, and Karim said the talks would go on.")
    assert names_of(text, "Karim") == {"King Karim", "Tomas Karim"}


# Invented people: Karla Wendt is named often and always in full, Pia Wendt less often and by her surname.
WIRE = [
    ("Budget", "2024-05-01", "ODRA, May 1 - Finance Minister Karla Wendt presented the budget. Karla Wendt said "
                             "taxes would not rise. Karla Wendt thanked the committee."),
    ("Trade", "2024-05-02", "ODRA, May 2 - Finance Minister Karla Wendt met exporters. Karla Wendt said exports "
                            "rose."),
    ("Harbour", "2024-05-03", "KALMA, May 3 - Harbour master Pia Wendt reopened the port. Wendt said the ships "
                              "would sail on Monday."),
    ("Ferries", "2024-05-04", "KALMA, May 4 - Harbour master Pia Wendt announced new ferries. Wendt said the "
                              "timetable would follow."),
    # a surname one man is called by every day, and one other holder named once
    ("Rates", "2024-05-07", "ODRA, May 7 - Central bank governor Rolf Tannberg kept rates unchanged. Tannberg "
                            "said inflation was easing. Tannberg will speak again in June."),
    ("Rates again", "2024-05-08", "ODRA, May 8 - Tannberg told lawmakers that rates would stay low. Tannberg "
                                  "gave no date for a cut."),
    ("Art prize", "2024-05-09", "LUMA, May 9 - The painter Ida Tannberg won the spring prize for her portraits."),
    # one man under a longer and a shorter form of his name: one actor, one profile
    ("Cabinet", "2024-05-05", "VESNA, May 5 - President Abdol Karim Hosseini Vahidi named a new cabinet. "
                              "Vahidi said the ministers would start on Monday."),
    ("Speech", "2024-05-06", "VESNA, May 6 - Hosseini Vahidi told parliament the economy would grow. "
                             "Hosseini Vahidi gave no figures."),
]


@pytest.fixture
def lookup(db_url, config_dir, tmp_path):
    newsbot = index_wire([{"id": f"w{n}", "title": title, "source": "Wire", "date": day, "text": text}
                          for n, (title, day, text) in enumerate(WIRE)], tmp_path / "wire", db_url)

    def run(query: str) -> dict:
        result = newsbot("lookup", "--json", query)
        assert result.exit_code in (0, 1), result.output
        return json.loads(result.output)
    return run


def test_a_shared_surname_puts_first_the_person_the_corpus_calls_by_it(lookup):
    result = lookup("Wendt")
    assert result["status"] == "ambiguous", result
    names = [c["name"] for c in result["candidates"]]
    assert names[:2] == ["Pia Wendt", "Karla Wendt"], names



def test_a_surname_names_every_holder_however_rarely_named(lookup):
    result = lookup("Tannberg")
    assert result["status"] == "ambiguous", result
    names = [c["name"] for c in result["candidates"]]
    assert names == ["Rolf Tannberg", "Ida Tannberg"], names


def test_a_name_ending_a_longer_name_of_the_same_person_is_one_profile(lookup):
    short = lookup("Hosseini Vahidi")
    assert short["status"] == "found" and short["actor"]["name"] == "Abdol Karim Hosseini Vahidi", short
    assert short["actor"]["article_count"] == 2
    assert lookup("Vahidi")["actor"]["id"] == short["actor"]["id"]
