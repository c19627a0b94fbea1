"""Quote search weighs the article's title and where the words sit in the quote, and `by <description>`
searches anonymous sources by how the story describes them (CLI on invented stories, Slack on the seeds)."""
from __future__ import annotations

import json

import pytest

from tests.indexed import index_wire
from tests.slack_loopback import answer, bot, run, slack, words  # noqa: F401  (fixtures)
from tests.slack_world import indexed_store  # noqa: F401  (fixture)
from tests.test_console import after, answers, session  # noqa: F401  (fixture: the seeds and the wire story)

STORIES = [
    {"id": "q-1", "title": "SAUDI ARABIA WILL NOT AGREE \"MAD\" OIL PRICE RISE", "source": "Gulf Wire",
     "date": "1987-03-02",
     "text": "Saudi Arabia will not accept a sudden rise, its minister said.\n\n"
             "\"We follow a balanced policy and do not approve of a decrease in prices, nor of a jump in the oil "
             "market that would hurt consumers,\" Hisham Nazer said in Riyadh."},
    {"id": "q-2", "title": "OPEC wants stable oil price", "source": "Gulf Wire", "date": "1987-03-05",
     "text": "\"For OPEC to stabilise the world oil price at the level it wants, members must hold to quotas,\" "
             "Subroto said in Jakarta."},
    {"id": "q-3", "title": "Refiners report", "source": "Gulf Wire", "date": "1987-03-06",
     "text": "\"Refiners are mad about the way the oil market treats them, and the price of crude is only one of "
             "many things that worry the people who run the plants along the coast this winter,\" "
             "John Varley said in Houston."},
    {"id": "q-4", "title": "Gulf output", "source": "Gulf Wire", "date": "1987-03-07",
     "text": "\"Output will stay at current levels until the summer,\" an oil industry source said in Kuwait.\n\n"
             "\"Stocks are high,\" one industry source said."},
]


@pytest.fixture
def newsbot(tmp_path, db_url):
    return index_wire(STORIES, tmp_path / "wire", db_url)


def test_the_quote_under_a_headline_with_every_word_ranks_first(newsbot):
    found = json.loads(newsbot("quote", "--json", "mad", "oil", "price").output)
    titles = [hit["article"]["title"] for hit in found["results"]]
    assert titles[0].startswith("SAUDI ARABIA WILL NOT AGREE")
    # the words in the quote itself, close together, rank above the same words scattered through a long one
    found = json.loads(newsbot("quote", "--json", "oil", "price").output)
    assert found["results"][0]["article"]["title"] == "OPEC wants stable oil price"


def test_a_speaker_description_searches_anonymous_sources(newsbot):
    out = newsbot("quote", "--by", "an oil industry source").output
    assert "described as “oil industry source”" in out
    assert "Output will stay at current levels" in out and "not a speaker I know" not in out
    # no one is described with every word: the sources with the head noun and the most words before it
    out = newsbot("quote", "--by", "an oil ministry industry source").output
    assert "described as “industry source”" in out and "Stocks are high" in out


def test_slack_quote_by_a_senior_commander_lists_the_source_without_calling_it_unknown(bot, slack):  # noqa: F811
    status, _, _ = run(bot, slack, "/quote", "by a senior commander")
    assert status == 200
    text = words(answer(slack))
    assert "not a speaker I know" not in text
    assert "described as “senior commander”" in text
    assert "All attacks targeting US interests in Iraq must stop" in text
