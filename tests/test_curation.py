"""Editors correct the index from Slack, the console and the command line: edits refused to others,
undone, kept across re-indexing, exported to actors.yaml entries and imported back, and seen by a
second bot instance on the same database."""
from __future__ import annotations

import json
import logging
import shutil
import threading
import time
import urllib.parse

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from bot.search.lookup import REFRESH_SECONDS
from bot.slack.answers import Answers
from bot.slack.app import build_app
from bot.slack.editors import Editors
from bot.slack.server import make_http_server
from bot.store.db import Store
from tests.conftest import BACKENDS
from tests.fakeslack import TEAM_ID, action_body, buttons, command_body, post_signed
from tests.slack_loopback import SECRET, answer, bot, slack, words  # noqa: F401 (fixtures)
from tests.slack_world import database, write_corpus

EDITOR, GROUPIE, REPORTER = "U0EDITOR", "U0GROUPIE", "U0REPORTER"


@pytest.fixture(params=BACKENDS)
def world(request, tmp_path, monkeypatch):
    """A fresh index of the seeds and the wire story on each backend: (url, corpus folder)."""
    corpus = write_corpus(tmp_path)
    url, cleanup = database(request.param, tmp_path)
    monkeypatch.setenv("NEWSBOT_CONFIG_DIR", str(tmp_path / "config"))
    index(url, corpus)
    yield url, corpus
    cleanup()


@pytest.fixture
def store(world):
    store = Store(world[0])
    yield store
    store.dispose()


@pytest.fixture
def answers(store):
    return Answers(store, editors=Editors([EDITOR], ["S0DESK"]))


def index(url: str, corpus) -> str:
    result = CliRunner().invoke(cli, ["--db", url, "index", str(corpus)])
    assert result.exit_code == 0, result.output
    return result.output


def newsbot(bot, slack, text: str, name: str, user: str = EDITOR) -> dict:
    status, _, _ = post_signed(f"{bot}/slack/events",
                               command_body("/newsbot", text, slack.response_url(name), user_id=user), SECRET)
    assert status == 200
    return answer(slack, name)


def lookup(bot, slack, text: str, name: str, user: str = EDITOR) -> dict:
    status, _, _ = post_signed(f"{bot}/slack/events",
                               command_body("/lookup", text, slack.response_url(name), user_id=user), SECRET)
    assert status == 200
    return answer(slack, name)


def push(bot, slack, message: dict, label: str, name: str, user: str = EDITOR) -> dict:
    """Press the button `label` of `message` as `user`."""
    button = next(b for b in buttons(message) if b["text"]["text"] == label)
    status, _, _ = post_signed(f"{bot}/slack/events", action_body(button, slack.response_url(name), user_id=user), SECRET)
    assert status == 200
    return answer(slack, name)


def labels(message: dict) -> list[str]:
    return [b["text"]["text"] for b in buttons(message)]


def title(message: dict) -> str:
    return next(b["text"]["text"] for b in message["blocks"] if b["type"] == "header")


def console(url: str, lines: list[str]) -> str:
    """`newsbot console` (no Slack credentials) fed these lines."""
    result = CliRunner().invoke(cli, ["--db", url, "console"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    return result.output


# --- Slack ------------------------------------------------------------------------------------------

def test_a_non_editor_sees_no_edit_controls_and_a_forged_edit_is_refused_and_logged(bot, slack, caplog):
    editor_view = lookup(bot, slack, "Eurasian", "r1")
    assert {"Edit history", "Not an actor"} <= set(labels(editor_view))
    assert "/newsbot edit Eurasian same as" in words(editor_view)

    reporter_view = lookup(bot, slack, "Eurasian", "r2", user=REPORTER)
    assert title(reporter_view) == "Eurasian"
    assert not {"Edit history", "Not an actor"} & set(labels(reporter_view))
    assert "/newsbot edit" not in words(reporter_view)

    forged = next(b for b in buttons(editor_view) if b["text"]["text"] == "Not an actor")
    with caplog.at_level(logging.WARNING, logger="bot.slack.curation_command"):
        status, _, _ = post_signed(f"{bot}/slack/events",
                                   action_body(forged, slack.response_url("r3"), user_id=REPORTER), SECRET)
        assert status == 200
        refused = answer(slack, "r3")
    assert "Only the desk's editors" in words(refused)
    assert any("U0REPORTER" in r.getMessage() and "no editor" in r.getMessage() for r in caplog.records)
    assert title(lookup(bot, slack, "Eurasian", "r4", user=REPORTER)) == "Eurasian"  # nothing changed

    typed = newsbot(bot, slack, "edit Eurasian same as Europe", "r5", user=REPORTER)
    assert "Only the desk's editors" in words(typed)
    assert title(lookup(bot, slack, "Eurasian", "r6", user=REPORTER)) == "Eurasian"


def test_an_editor_merges_from_slack_every_lookup_follows_and_undo_puts_it_back(bot, slack):
    done = newsbot(bot, slack, "edit Eurasian same as Europe", "r1")
    assert "merged *Eurasian* into *Europe*" in words(done)
    merged = lookup(bot, slack, "Eurasian", "r2", user=REPORTER)
    assert title(merged) == "Europe"
    assert "Eurasian" in words(merged)  # now one of the ways Europe is written

    history = newsbot(bot, slack, "history Europe", "r3")
    assert "merged *Eurasian* into *Europe*" in words(history) and f"<@{EDITOR}>" in words(history)
    undone = push(bot, slack, history, "Undo", "r4")
    assert "Undone" in words(undone)
    assert title(lookup(bot, slack, "Eurasian", "r5", user=REPORTER)) == "Eurasian"
    assert "undone by" in words(newsbot(bot, slack, "history Europe", "r6"))


def test_a_member_of_an_editor_group_may_edit_and_others_may_not_undo(bot, slack):
    slack.add_usergroup("S0DESK", [GROUPIE])
    done = newsbot(bot, slack, "edit Zartosht kind other", "r1", user=GROUPIE)
    assert "kind person → other" in words(done)
    refused = push(bot, slack, done, "Undo", "r2", user=REPORTER)
    assert "Only the desk's editors" in words(refused)
    assert "*other*" in words(lookup(bot, slack, "Zartosht", "r3", user=REPORTER))


def test_every_kind_of_edit_from_slack(bot, slack):
    assert "renamed *Zartosht* to *Zartosht the poet*" in words(newsbot(bot, slack, "edit Zartosht rename Zartosht the poet", "r1"))
    assert title(lookup(bot, slack, "Zartosht the poet", "r2")) == "Zartosht the poet"
    assert title(lookup(bot, slack, "Zartosht", "r3")) == "Zartosht the poet"  # the old name still finds it
    newsbot(bot, slack, "edit Zartosht the poet describe Iranian poet who reached the UK", "r4")
    newsbot(bot, slack, "edit Zartosht the poet alias Zartosht Soltani", "r5")
    profile = lookup(bot, slack, "Zartosht Soltani", "r6")
    assert title(profile) == "Zartosht the poet" and "Iranian poet who reached the UK" in words(profile)

    moved = newsbot(bot, slack, 'edit Zartosht the poet move "Zartosht" to Zartosht Ahmadi', "r7")
    assert "to *Zartosht Ahmadi*" in words(moved)
    assert title(lookup(bot, slack, "Zartosht Ahmadi", "r8")) == "Zartosht Ahmadi"

    gone = newsbot(bot, slack, "edit Freedom from Torture not an actor", "r9")
    assert "marked not an actor" in words(gone)
    assert "No actor named" in words(lookup(bot, slack, "Freedom from Torture", "r10"))
    assert "Undone" in words(push(bot, slack, gone, "Undo", "r11"))
    assert title(lookup(bot, slack, "Freedom from Torture", "r12")) == "Freedom from Torture"


def submit(bot, view: dict, values: dict, user: str = EDITOR):
    """Submit the modal `view` (as views.open got it) with these {block: value} filled in."""
    state = {"action": {"action": {"type": "static_select", "selected_option": (
        {"value": values["action"]} if values.get("action") else None)}}}
    for block in ("value", "spelling"):
        state[block] = {block: {"type": "plain_text_input", "value": values.get(block)}}
    payload = {"type": "view_submission", "team": {"id": TEAM_ID}, "user": {"id": user, "username": "someone"},
               "api_app_id": "A0NEWSBOT", "token": "legacy", "trigger_id": "1.2.3",
               "view": {**view, "id": "V0EDIT", "team_id": TEAM_ID, "state": {"values": state}}}
    status, body, _ = post_signed(f"{bot}/slack/events", urllib.parse.urlencode({"payload": json.dumps(payload)}),
                                  SECRET)
    assert status == 200
    return json.loads(body) if body else {}


def test_the_edit_form_merges_and_says_so_privately_and_refuses_what_does_not_read(bot, slack):
    profile = lookup(bot, slack, "Eurasian", "r1")
    push_form = next(b for b in buttons(profile) if b["text"]["text"] == "Edit…")
    post_signed(f"{bot}/slack/events", action_body(push_form, slack.response_url("r2"), user_id=EDITOR), SECRET)
    view = slack.wait_for("/api/views.open")[0].body["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == "newsbot.edit" and "Eurasian" in json.dumps(view)

    refused = submit(bot, view, {"action": "same as", "value": "Nobody Known At All"})
    assert refused["response_action"] == "errors" and "No actor is named exactly" in refused["errors"]["value"]
    assert submit(bot, view, {"action": "move", "value": "Europe"})["errors"]["spelling"]
    assert "Only the desk's editors" in submit(bot, view, {"action": "same as", "value": "Europe"},
                                               user=REPORTER)["errors"]["value"]
    assert title(lookup(bot, slack, "Eurasian", "r3")) == "Eurasian"

    assert submit(bot, view, {"action": "same as", "value": "Europe"}) == {}
    posted = slack.wait_for("/api/chat.postEphemeral")[0].body
    assert posted["user"] == EDITOR and posted["channel"] == "C0NEWSDESK"
    assert "merged *Eurasian* into *Europe*" in words(posted)
    assert title(lookup(bot, slack, "Eurasian", "r4", user=REPORTER)) == "Europe"


def test_a_forged_edit_form_button_opens_nothing(bot, slack):
    profile = lookup(bot, slack, "Eurasian", "r1")
    forged = next(b for b in buttons(profile) if b["text"]["text"] == "Edit…")
    post_signed(f"{bot}/slack/events", action_body(forged, slack.response_url("r2"), user_id=REPORTER), SECRET)
    assert "Only the desk's editors" in words(answer(slack, "r2"))
    assert slack.calls("/api/views.open") == []


def test_an_edit_is_refused_while_an_index_run_writes(answers, store):
    with store.index_run(wait=False):
        said = words(answers.command("/newsbot", "edit Zartosht kind other", user_id=EDITOR).to_dict())
    assert "An index run is writing" in said
    assert "Done" in words(answers.command("/newsbot", "edit Zartosht kind other", user_id=EDITOR).to_dict())


def test_quotes_about_an_actor_follow_its_mentions_through_an_edit_and_its_undo(answers):
    def about(name: str) -> list[str]:
        result = answers.engines.lookup(name)
        return [hit.text for hit in result.profile.quotes_about] if result.profile else []

    quoted = about("Europe")
    assert quoted  # Angela Merkel on Europeans, in the seeds
    gone = answers.command("/newsbot", "edit Europe not an actor", user_id=EDITOR).to_dict()
    assert "marked not an actor" in words(gone)
    assert answers.engines.lookup("Europe").status == "not_found"
    answers.command("/newsbot", "undo " + words(gone).split("edit #")[1].split(")")[0], user_id=EDITOR)
    assert about("Europe") == quoted  # the actor made again (a new id) is the subject of its quotes again


@pytest.mark.parametrize("text, said", [
    ("edit Nobody Known At All same as Europe", "No actor is named exactly"),
    ("edit Europe same as Europe", "already itself"),
    ("edit Europe kind planet", "is not a kind"),
    ("edit Europe", "does not read"),
    ("undo 99999", "no edit #99999"),
    ("undo soon", "number of the edit"),
])
def test_a_bad_edit_says_why(bot, slack, text, said):
    assert said in words(newsbot(bot, slack, text, "r1"))


def test_an_edit_is_undone_only_after_the_later_edits_of_the_same_actor(answers):
    first = answers.command("/newsbot", "edit Zartosht kind other", user_id=EDITOR).to_dict()
    answers.command("/newsbot", "edit Zartosht describe A poet", user_id=EDITOR)
    number = words(first).split("edit #")[1].split(")")[0]
    assert "Undo edit #" in words(answers.command("/newsbot", f"undo {number}", user_id=EDITOR).to_dict())


# --- the console --------------------------------------------------------------------------------

def test_the_console_user_edits_by_text_and_presses_undo(world):
    url, _ = world
    said = console(url, ["/newsbot edit Eurasian same as Europe", "lookup Eurasian", "/newsbot history Europe", "1",
                         "lookup Eurasian"])
    assert "merged Eurasian into Europe" in said
    first, second = said.split("newsbot> lookup Eurasian")[1:3]
    assert first.split("\n")[1] == "Europe"
    assert "Undone (edit #1)" in said
    assert second.split("\n")[1] == "Eurasian"


# --- re-indexing, export and import -------------------------------------------------------------------

def test_edits_survive_a_full_re_index(world, store):
    url, corpus = world
    answers = Answers(store, editors=Editors([EDITOR]))
    for text in ("edit Eurasian same as Europe", "edit Zartosht kind other", "edit Freedom from Torture not an actor",
                 "edit Europe alias Old Continent"):
        assert "Done" in words(answers.command("/newsbot", text, user_id=EDITOR).to_dict())
    index(url, corpus)  # nothing changed
    aside = corpus.parent / "aside"
    shutil.move(corpus, aside)
    corpus.mkdir()
    (corpus / "placeholder.txt").write_text("Nothing here.\n")
    assert "removed" in index(url, corpus)  # every article leaves the index...
    shutil.rmtree(corpus)
    shutil.move(aside, corpus)
    assert "7 new articles" in index(url, corpus)  # ... and comes back, with new actors and mentions
    fresh = Answers(Store(url))
    assert fresh.engines.lookup("Eurasian").profile.name == "Europe"
    assert fresh.engines.lookup("Old Continent").profile.name == "Europe"
    assert fresh.engines.lookup("Zartosht").profile.kind == "other"
    assert fresh.engines.lookup("Freedom from Torture").status == "not_found"
    fresh.engines.store.dispose()
    # and an edit applied again by the re-index is undone whole
    undone = answers.command("/newsbot", "undo 3", user_id=EDITOR).to_dict()
    assert "Undone" in words(undone)
    answers.engines.lookup_engine.refresh()
    found = answers.engines.lookup("Freedom from Torture")
    assert found.profile.name == "Freedom from Torture" and found.profile.mentions >= 1


def test_edits_export_as_actors_yaml_entries_and_import_into_another_index(world, store, tmp_path):
    url, corpus = world
    answers = Answers(store, editors=Editors([EDITOR]))
    for text in ("edit Eurasian same as Europe", "edit Zartosht kind other", "edit Zartosht describe A poet",
                 "edit Freedom from Torture not an actor"):
        answers.command("/newsbot", text, user_id=EDITOR)
    exported = tmp_path / "edits.yaml"
    result = CliRunner().invoke(cli, ["--db", url, "curation", "export", "--output", str(exported)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(exported.read_text(encoding="utf-8"))
    entries = {entry["name"]: entry for entry in data["actors"]}
    assert entries["Europe"]["aliases"] == ["Eurasian"]
    assert entries["Zartosht"]["kind"] == "other" and entries["Zartosht"]["description"] == "A poet"
    assert data["not_actors"] == ["Freedom from Torture"]
    (tmp_path / "other").mkdir()
    other_url, cleanup = database("sqlite", tmp_path / "other")  # another index of the same corpus
    try:
        index(other_url, corpus)
        result = CliRunner().invoke(cli, ["--db", other_url, "curation", "import", str(exported)])
        assert result.exit_code == 0, result.output
        assert "merged Eurasian" in result.output and "Freedom from Torture: not an actor" in result.output
        other = Answers(Store(other_url))
        assert other.engines.lookup("Eurasian").profile.name == "Europe"
        assert other.engines.lookup("Zartosht").profile.description == "A poet"
        assert other.engines.lookup("Freedom from Torture").status == "not_found"
        again = CliRunner().invoke(cli, ["--db", other_url, "curation", "import", str(exported)])
        assert "0 edits recorded" in again.output  # the index already agrees
        other.store.dispose()

        # a desk keeps them in config/actors.yaml: the index run reads the entries as curated actors
        actors_file = tmp_path / "config" / "actors.yaml"
        listed = yaml.safe_load(actors_file.read_text(encoding="utf-8"))
        actors_file.write_text(yaml.safe_dump({"actors": listed["actors"] + data["actors"],
                                               "not_actors": data["not_actors"]}, allow_unicode=True), encoding="utf-8")
        index(other_url, corpus)
        kept = Answers(Store(other_url))
        assert kept.engines.lookup("Eurasian").profile.name == "Europe"
        assert kept.engines.lookup("Zartosht").profile.kind == "other"
        kept.store.dispose()
    finally:
        cleanup()


@pytest.mark.parametrize("text, said", [
    ("actors:\n  - name: Europe\n    kind: continent\n", "key 'kind' expected one of"),
    ("actors: []\nnot_actors: [3]\n", "key 'not_actors' expected a list of names"),
])
def test_importing_a_file_that_does_not_read_says_where(world, tmp_path, text, said):
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", world[0], "curation", "import", str(wrong)])
    assert result.exit_code == 2
    assert "wrong.yaml" in result.output and said in result.output and "Traceback" not in result.output


# --- two instances ----------------------------------------------------------------------------------

def serve(answers, slack):
    """A bot instance's HTTP server over `answers`: (events URL, stop)."""
    app = build_app(answers, token="xoxb-test", signing_secret=SECRET, api_url=slack.api_url, workers=4)
    server = make_http_server(app, answers, SECRET, host="127.0.0.1", port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.shutdown()
        server.server_close()
    return f"http://127.0.0.1:{server.server_address[1]}", stop


@pytest.mark.skipif("postgres" not in BACKENDS, reason="NEWSBOT_TEST_POSTGRES_URL is not set")
def test_an_edit_made_through_one_instance_is_seen_by_the_other(slack, tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path)
    url, cleanup = database("postgres", tmp_path)
    monkeypatch.setenv("NEWSBOT_CONFIG_DIR", str(tmp_path / "config"))
    index(url, corpus)
    first, second = Store(url), Store(url)
    first_answers, second_answers = Answers(first, editors=Editors([EDITOR])), Answers(second, editors=Editors([EDITOR]))
    one, stop_one = serve(first_answers, slack)
    two, stop_two = serve(second_answers, slack)
    try:
        assert title(lookup(two, slack, "Eurasian", "r1")) == "Eurasian"  # the second instance's caches loaded
        assert "Done" in words(newsbot(one, slack, "edit Eurasian same as Europe", "r2"))
        time.sleep(REFRESH_SECONDS + 0.5)  # how often an instance checks the store's generation
        # the first lookup after that checks it, answers from the index in place and rebuilds it behind
        assert title(lookup(two, slack, "Eurasian", "r3", user=REPORTER)) == "Eurasian"
        second_answers.engines.lookup_engine.live.wait(30)
        assert title(lookup(two, slack, "Eurasian", "r3b", user=REPORTER)) == "Europe"
        assert "Undone" in words(newsbot(two, slack, "undo 1", "r4"))
        time.sleep(REFRESH_SECONDS + 0.5)
        lookup(one, slack, "Eurasian", "r5", user=REPORTER)
        first_answers.engines.lookup_engine.live.wait(30)
        assert title(lookup(one, slack, "Eurasian", "r5b", user=REPORTER)) == "Eurasian"
    finally:
        stop_one()
        stop_two()
        first.dispose()
        second.dispose()
        cleanup()


def test_a_lookup_while_the_index_is_rebuilt_answers_at_once_from_the_index_in_place(world, answers, bot, slack,
                                                                                      monkeypatch):
    url, _ = world
    assert "No actor" in words(lookup(bot, slack, "Zartosht Soltani", "r1"))
    live = answers.engines.lookup_engine.live
    building, release = threading.Event(), threading.Event()
    build = live._build

    def slow_build():  # a rebuild that lasts until the test lets it finish
        building.set()
        release.wait(60)
        return build()
    monkeypatch.setattr(live, "_build", slow_build)
    monkeypatch.setattr(live, "refresh_seconds", 0.0)  # every lookup checks the store's generation
    assert "Zartosht Soltani" in console(url, ["/newsbot edit Zartosht alias Zartosht Soltani"])  # another instance
    try:
        assert "No actor" in words(lookup(bot, slack, "Zartosht Soltani", "r2"))  # it starts the rebuild...
        assert building.wait(10)
        started = time.monotonic()
        during = lookup(bot, slack, "Zartosht Soltani", "r3")  # ...which holds up no lookup
        assert time.monotonic() - started < 5 and "No actor" in words(during)
        assert live._rebuilding is not None and live._rebuilding.is_alive()
    finally:
        release.set()
    live.wait(30)
    assert title(lookup(bot, slack, "Zartosht Soltani", "r4")) == "Zartosht"
