"""Quotes on the real seeds, through the path a user takes: `newsbot index`, then
`newsbot export quotes`, `newsbot quote` and `newsbot lookup --json`, on each backend."""
from __future__ import annotations

import json
import os
import shutil

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from bot.cli import cli
from tests.conftest import BACKENDS, ROOT, SEEDS, _postgres_schema_url


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request, tmp_path_factory):
    """A project folder (config + seeds) indexed once per backend: (run, exported quotes by text)."""
    project = tmp_path_factory.mktemp("quotes") / "project"
    shutil.copytree(ROOT / "config", project / "config")
    shutil.copytree(SEEDS, project / "seeds")
    admin = schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{project / 'newsbot.db'}"
    else:
        admin, schema, url = _postgres_schema_url(os.environ["NEWSBOT_TEST_POSTGRES_URL"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEWSBOT_CONFIG_DIR", str(project / "config"))
        runner = CliRunner()

        def run(*args: str):
            return runner.invoke(cli, ["--db", url, *args], catch_exceptions=False)

        result = run("index")
        assert result.exit_code == 0, result.output
        exported = run("export", "quotes")
        assert exported.exit_code == 0, exported.output
        rows = [json.loads(line) for line in exported.stdout.splitlines()]
        yield run, rows
    if admin is not None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def by_source(rows, source):
    return [r for r in rows if r["first_source"] == source]


def find(rows, words):
    hits = [r for r in rows if words in r["text"]]
    assert len(hits) == 1, (words, [r["text"] for r in hits])
    return hits[0]


def test_middle_east_eye_quotes_marked_and_unmarked_with_anonymous_sources(seeded):
    _, rows = seeded
    mee = by_source(rows, "Middle East Eye")
    orders = find(mee, "orders were straightforward and clear")  # body quote and pull quote: counted once
    assert not orders["marked"] and orders["anonymous"]
    assert orders["speaker"].startswith("a senior commander of an Iranian-backed armed faction")
    assert len(orders["occurrences"]) == 1
    # `the politician, who was involved in talks with Iran,` is the senior Shia leader described before.
    advice = find(mee, "The Iranians have received very important advice")
    assert advice["speaker"] == "a senior Shia leader close to Tehran" and advice["anonymous"]
    assert find(mee, "all signs indicate that the British")["speaker"] == "a senior Shia leader close to Tehran"
    # The multi-paragraph and continuation paragraphs keep their speaker.
    assert find(mee, "Calming the Iraqi street")["speaker"] == find(mee, "The Americans seek to inflame")["speaker"]
    assert find(mee, "She worked to find a middle area")["speaker"].startswith("a commander of one of the factions")
    # `he said` after an unmarked quote: the commander who has the floor.
    assert find(mee, "any activities that might threaten")["anonymous"]
    partial = find(mee, "pressure Trump and his allies in Iraq")
    assert partial["partial"] and partial["marked"]
    texts = " ".join(r["text"] for r in mee)
    for not_a_quote in ("Abu Fadak\"", "US administration is afraid", "War is imminent", "refused to meet",
                        "the truth is that"):
        assert not_a_quote not in texts


def test_shropshire_star_quotes_recovered_with_the_right_speakers(seeded):
    _, rows = seeded
    star = by_source(rows, "shropshirestar.com")
    for words in ("I was worried sick", "I was alone and tearful", "We were firing artillery",
                  "They pulled a gun on me", "Everybody was crying with joy"):
        quote = find(star, words)
        assert quote["speaker_actor"] == "Zartosht" and not quote["marked"], quote
    for words in ("We have repeatedly called for safe and legal routes", "These tragedies will happen again"):
        assert find(star, words)["speaker_actor"] == "Sonya Sceats"
    texts = " ".join(r["text"] for r in star)
    assert "camp was violent" not in texts and "absolutely adores" not in texts


def test_politico_and_diplomat_quotes_resolve_to_the_actors(seeded):
    _, rows = seeded
    terror = find(by_source(rows, "POLITICO"), "You don't see the terror")
    assert (terror["speaker"], terror["speaker_actor"], terror["cue"], terror["marked"]) == (
        "Trump", "Donald Trump", "said", True)
    dying = find(by_source(rows, "POLITICO"), "dying to have me lose")
    assert dying["partial"] and dying["speaker_actor"] == "Donald Trump"
    merkel = find(by_source(rows, "The Diplomat"), "We Europeans will need to recognize")
    assert merkel["speaker_actor"] == "Angela Merkel" and not merkel["marked"]
    assert len(by_source(rows, "The Diplomat")) == 1


def test_brookings_and_al_monitor_have_no_quotes(seeded):
    _, rows = seeded
    assert by_source(rows, "Brookings Institution") == []
    assert by_source(rows, "Al-Monitor") == []


def test_export_quotes_contract(seeded):
    _, rows = seeded
    assert rows
    for row in rows:
        assert set(row) >= {"id", "article_id", "text", "speaker", "speaker_actor", "anonymous", "cue", "start", "end",
                            "marked", "partial", "first_seen", "occurrences"}
        assert row["occurrences"] and {"article_id", "start", "end", "source"} <= set(row["occurrences"][0])


def test_quote_search_from_remembered_words(seeded):
    run, _ = seeded
    for words in (["straightforward", "and", "clear"], ["straitforward", "clear", "orders"]):
        result = run("quote", *words, "--json")
        assert result.exit_code == 0, result.output
        answer = json.loads(result.stdout)
        top = answer["results"][0]
        assert "orders were straightforward and clear" in top["text"]
        assert set(top) >= {"text", "speaker", "speaker_actor", "anonymous", "article", "first_seen", "occurrences",
                            "score"}
        assert set(top["article"]) >= {"id", "title", "source", "date"}
        assert top["article"]["source"] == "Middle East Eye" and top["anonymous"]


def test_quote_search_by_speaker(seeded):
    run, _ = seeded
    answer = json.loads(run("quote", "--by", "Trump", "--json").stdout)
    assert answer["results"] and {r["speaker_actor"] for r in answer["results"]} == {"Donald Trump"}
    answer = json.loads(run("quote", "--by", "Trump", "terror", "--json").stdout)
    assert [r["text"] for r in answer["results"]] == ["You don't see the terror the way you used to see the terror"]
    answer = json.loads(run("quote", "--by", "Zartsht", "--json").stdout)  # a typo of the name
    assert answer["results"] and all(r["speaker_actor"] == "Zartosht" for r in answer["results"])
    answer = json.loads(run("quote", "--by", "commander", "--json").stdout)  # anonymous sources
    assert answer["total"] >= 5 and all(r["anonymous"] for r in answer["results"])
    readable = run("quote", "--by", "Trump", "terror").stdout
    assert "You don't see the terror" in readable and "Donald Trump" in readable


def test_quote_search_answers_bad_queries_with_help(seeded):
    run, _ = seeded
    empty = run("quote")
    assert empty.exit_code == 2 and "newsbot quote" in empty.output
    for odd in ("'; DROP TABLE quotes; --", "😀 ☃", "<@U123> *bold*", "x" * 4000, "\u202eعربي"):
        result = run("quote", odd)
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output


def test_lookup_profiles_list_quotes_by_and_about(seeded):
    run, _ = seeded
    trump = json.loads(run("lookup", "Donald Trump", "--json").stdout)
    assert "You don't see the terror the way you used to see the terror" in [q["text"] for q in trump["quotes_by"]]
    khamenei = json.loads(run("lookup", "Ali Khamenei", "--json").stdout)
    about = [q["text"] for q in khamenei["quotes_about"]]
    assert any("Khamenei" in t for t in about)
