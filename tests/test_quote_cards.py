"""Quote cards over a story syndicated by two outlets and quoted again by a third, and names two actors answer
to: the card lists every outlet that carried the quote (the first marked) with the line to cite, in Slack, the
console and the CLI; the actors "Also known by this name" are buttons that open their profiles."""
from __future__ import annotations

import io
import json
import shutil
from datetime import date

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import insert, select

from bot.cli import cli
from bot.nlp.names import actor_key
from bot.search.quote_cards import citation
from bot.slack.answers import Answers
from bot.slack.console import Console
from bot.store.db import Store
from bot.store.schema import actors, aliases
from tests.conftest import BACKENDS
from tests.fakeslack import buttons
from tests.slack_loopback import answer, bot, press, run, slack, words  # noqa: F401  (fixtures)
from tests.slack_world import ROOT, database

STORY = """\
The Tigris Council met in Baghdad on Monday to discuss the water shortage along the river.

"We will not be drawn into a war of words over the dams," Hamid Rasuli, the spokesman of the Tigris Council, said after the meeting of the R&D <water> committee.

Farmers in the south say the shortage has cut the wheat harvest by a third this year, and the council promised to publish its figures.
"""
LATER = """\
Basra farmers protested outside the governor's office on Friday over the falling level of the river.

"We will not be drawn into a war of words over the dams," Hamid Rasuli said again on Thursday, repeating what he told reporters earlier in the week.

The protest ended peacefully in the afternoon.
"""
FILES = {  # name: (text, sidecar)
    "gulf.txt": (STORY, {"source": "Gulf Wire", "date": "2021-03-01", "url": "https://gulf.example/dams?id=1&x=2"}),
    "levant.txt": (STORY, {"source": "Levant Post", "date": "2021-03-02", "url": "https://levant.example/dams"}),
    "desk.txt": (LATER, {"source": "Desk Daily", "date": "2021-03-05", "title": "Basra farmers protest"}),
}
ACTORS = [{"name": "Tigris Council", "kind": "organization", "description": "A council of the river's provinces"},
          {"name": "Rasuli Council", "kind": "organization", "description": "A tribal council in Maysan"}]
CITATION = "“We will not be drawn into a war of words over the dams,” Hamid Rasuli said, Gulf Wire, 1 March 2021"


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    """(database url, config folder) of the three stories indexed, on each backend."""
    folder = tmp_path_factory.mktemp(f"cards-{request.param}")
    corpus = folder / "corpus"
    corpus.mkdir()
    for name, (text, meta) in FILES.items():
        (corpus / name).write_text(text, encoding="utf-8")
        (corpus / f"{name}.meta.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    config = folder / "config"
    shutil.copytree(ROOT / "config", config)
    data = yaml.safe_load((config / "actors.yaml").read_text(encoding="utf-8"))
    data["actors"] += ACTORS
    (config / "actors.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    url, cleanup = database(request.param, folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEWSBOT_CONFIG_DIR", str(config))
        result = CliRunner().invoke(cli, ["--db", url, "index", str(corpus)])
        assert result.exit_code == 0, result.output
        give_the_name_of_one_to_the_other(url, "Rasuli Council", "Tigris Council")
        yield url, config
    cleanup()


def give_the_name_of_one_to_the_other(url: str, name: str, to: str) -> None:
    """An alias of `to` that is another actor's name (as an edited index may hold; actors.yaml refuses it)."""
    store = Store(url)
    with store.begin() as conn:
        actor_id = conn.execute(select(actors.c.id).where(actors.c.name == to)).scalar_one()
        conn.execute(insert(aliases).values(actor_id=actor_id, alias=name, key=actor_key(name), origin="config"))
        store.bump_generation(conn)
    store.dispose()


@pytest.fixture(scope="module")
def answers(world):
    store = Store(world[0])
    yield Answers(store)
    store.dispose()


def newsbot(world, *args):
    url, config = world
    return CliRunner().invoke(cli, ["--db", url, *args], env={"NEWSBOT_CONFIG_DIR": str(config)})


def quote_id(world) -> int:
    listing = newsbot(world, "quote", "drawn into a war of words", "--json")
    assert listing.exit_code == 0, listing.output
    return json.loads(listing.output)["results"][0]["id"]


def test_cli_card_lists_every_outlet_first_one_marked(world):
    card_id = quote_id(world)
    assert f"card: --card {card_id}" in newsbot(world, "quote", "drawn into a war of words").output
    shown = newsbot(world, "quote", "--card", str(card_id))
    assert shown.exit_code == 0, shown.output
    out = shown.output
    assert out.startswith("“We will not be drawn into a war of words over the dams”\n— Hamid Rasuli, Gulf Wire, 2021-03-01")
    assert "In context:\n  \"We will not be drawn into a war of words over the dams,\" Hamid Rasuli" in out
    assert ("Carried by 3 outlets:\n  * Gulf Wire, 2021-03-01 (first) https://gulf.example/dams?id=1&x=2\n"
            "  * Levant Post, 2021-03-02 https://levant.example/dams\n  * Desk Daily, 2021-03-05\n") in out
    assert out.rstrip().endswith(f"Cite:\n  {CITATION}")
    as_json = json.loads(newsbot(world, "quote", "--card", str(card_id), "--json").output)
    assert as_json["citation"] == CITATION and [c["first"] for c in as_json["carriers"]] == [True, False, False]


def test_cli_card_of_an_unknown_id_or_with_words_is_a_clear_error(world):
    missing = newsbot(world, "quote", "--card", "99999")
    assert missing.exit_code == 1 and "No quote 99999 in the index" in missing.output
    mixed = newsbot(world, "quote", "dams", "--card", "1")
    assert mixed.exit_code == 2 and "--card ID shows one quote" in mixed.output


def test_slack_card_escapes_corpus_text_and_copies_the_citation(bot, slack, world):
    run(bot, slack, "/quote", "drawn into a war of words")
    card = press(bot, slack, answer(slack), "Quote card", "card")
    text = words(card)
    assert "R&amp;D &lt;water&gt; committee" in text and "<water>" not in text
    assert ("*Carried by 3 outlets*\n• <https://gulf.example/dams?id=1&amp;x=2|Gulf Wire, 1 Mar 2021> _(first)_\n"
            "• <https://levant.example/dams|Levant Post, 2 Mar 2021>\n• Desk Daily, 5 Mar 2021") in text
    copied = press(bot, slack, card, "Copy citation", "cite")
    assert copied["response_type"] == "ephemeral" and copied["text"] == CITATION


def test_console_card_typed_and_pressed(answers, world):
    card_id = quote_id(world)
    out = io.StringIO()
    Console(answers, stdin=io.StringIO(f"/quote card {card_id}\n1\n"), stdout=out).run()
    printed = out.getvalue()
    card, copied = printed.split(f"newsbot> /quote card {card_id}\n")[1].split("newsbot> 1\n")
    assert card.startswith("Quote card\n") and "• Gulf Wire, 1 Mar 2021 (gulf.example" not in card
    assert "Carried by 3 outlets" in card and "(first)" in card and "[1] Copy citation" in card
    assert copied.strip() == CITATION


def test_actors_also_known_by_the_name_are_buttons(bot, slack):
    run(bot, slack, "/lookup", "Rasuli Council")
    profile = answer(slack)
    assert profile["blocks"][0]["text"]["text"] == "Rasuli Council"
    assert "*Also known by this name:*" in words(profile)
    assert "Tigris Council" in [b["text"]["text"] for b in buttons(profile)]
    opened = press(bot, slack, profile, "Tigris Council", "open")
    assert opened["replace_original"] is True and opened["blocks"][0]["text"]["text"] == "Tigris Council"


def test_console_offers_them_as_numbered_choices(answers):
    out = io.StringIO()
    Console(answers, stdin=io.StringIO("/lookup Rasuli Council\n1\n"), stdout=out).run()
    listing, opened = out.getvalue().split("newsbot> /lookup Rasuli Council\n")[1].split("newsbot> 1\n")
    assert "Also known by this name:\n\n[1] Tigris Council\n" in listing
    assert opened.startswith("Tigris Council\n")


@pytest.mark.parametrize("text, line", [
    ("We will stay.", "“We will stay,” Hamid Rasuli said, Gulf Wire, 1 March 2021"),
    ("Will we stay?", "“Will we stay?” Hamid Rasuli said, Gulf Wire, 1 March 2021"),
    ("we will stay", "“we will stay,” Hamid Rasuli said, Gulf Wire, 1 March 2021"),
])
def test_the_line_to_paste_closes_the_quote_as_a_writer_would(text, line):
    assert citation(text, "Hamid Rasuli", "Gulf Wire", date(2021, 3, 1)) == line
    assert citation(text, "a source close to the talks, in Baghdad", None, None).endswith(
        " a source close to the talks, in Baghdad, said")  # an appositive closes before the verb; no outlet, no date
