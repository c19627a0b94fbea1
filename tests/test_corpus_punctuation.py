"""Punctuation inside corpus text: a `!` that ends no sentence (`<!channel>`, `Yahoo!News`) does not cut the
sentence a mention is shown in, and what is shown stays inert mrkdwn."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.slack.answers import Answers
from bot.store.db import Store
from fakeslack import block_kit_problems, mrkdwn_texts

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
    yield db_url, store
    store.dispose()


def test_a_mention_sentence_runs_past_an_exclamation_mark_inside_a_token(indexed):
    db_url, _ = indexed
    result = CliRunner().invoke(cli, ["--db", db_url, "lookup", "Kataeb Hezbollah"])
    assert result.exit_code == 0, result.output
    assert "“The spokesman of Kataeb Hezbollah said <!channel> hello!”" in result.output
    assert "said <!”" not in result.output


def test_the_slack_answer_shows_the_whole_sentence_escaped(indexed):
    _, store = indexed
    message = Answers(store).command("/lookup", "Kataeb Hezbollah").to_dict()
    assert block_kit_problems(message) == []
    parsed = "\n".join(mrkdwn_texts(message))
    assert "<!" not in parsed
    assert "said &lt;!channel&gt; hello!" in parsed
    assert "&lt;!”" not in parsed and "&lt;!_" not in parsed
