"""A corpus of one article through the CLI, the console and the Slack render: a `!` that ends no sentence
(`<!channel>`) does not cut the sentence a mention is shown in, what is shown stays inert mrkdwn, and
every count of one is worded in the singular ("1 article", never "1 articles" or "1 article(s)")."""
from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.slack.answers import Answers
from bot.slack.console import Console
from bot.store.db import Store
from tests.fakeslack import block_kit_problems, mrkdwn_texts

ARTICLE = """\
Kataeb Hezbollah warns Baghdad – Reuters

The spokesman of Kataeb Hezbollah said <!channel> hello! More fighters were moved to the border on Monday, officials said.
Kataeb Hezbollah also said it would answer any attack on its positions near Baghdad, according to officials.
"""


@pytest.fixture
def indexed(config_dir, db_url):
    corpus = config_dir.parent / "corpus"
    corpus.mkdir()
    (corpus / "warning.txt").write_text(ARTICLE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", db_url, "index", str(corpus)])
    assert result.exit_code == 0, result.output
    store = Store(db_url)
    yield db_url, store, result.output
    store.dispose()


def test_a_mention_sentence_runs_past_an_exclamation_mark_inside_a_token(indexed):
    db_url, _, _ = indexed
    result = CliRunner().invoke(cli, ["--db", db_url, "lookup", "Kataeb Hezbollah"])
    assert result.exit_code == 0, result.output
    assert "“The spokesman of Kataeb Hezbollah said <!channel> hello!”" in result.output
    assert "said <!”" not in result.output


def test_the_slack_answer_shows_the_whole_sentence_escaped(indexed):
    _, store, _ = indexed
    message = Answers(store).command("/lookup", "Kataeb Hezbollah").to_dict()
    assert block_kit_problems(message) == []
    parsed = "\n".join(mrkdwn_texts(message))
    assert "<!" not in parsed
    assert "said &lt;!channel&gt; hello!" in parsed
    assert "&lt;!”" not in parsed and "&lt;!_" not in parsed


def test_the_index_summary_counts_one_file_and_one_article(indexed):
    _, _, printed = indexed
    assert "Indexed 1 file, 0 unchanged, 0 removed: 1 new article in" in printed


def test_counts_of_one_are_singular_in_the_console_and_the_slack_fallback(indexed):
    _, store, _ = indexed
    answers = Answers(store)
    out = io.StringIO()
    Console(answers, stdin=io.StringIO("/lookup Baghdad\n/quote by Kataeb Hezbollah\n"), stdout=out, color=False).run()
    printed = out.getvalue()
    assert printed.startswith("Index: 1 article, ") and "1 articles" not in printed
    assert "Mentions: 1 in 1 article\n" in printed and "· 1 mention\n" in printed
    assert "(s)" not in printed
    assert answers.command("/lookup", "Baghdad").text.startswith("Baghdad (place): 1 mention in 1 article")
    assert answers.command("/quote", "respond").text.startswith("0 quotes")
