"""The Slack app end to end on loopback: the real bolt app served over real HTTP, slash commands,
button presses and mentions sent as Slack sends them (form-encoded or JSON, signed), answers
caught by a fake Slack Web API. Every payload the fake receives is checked against Block Kit's
limits (`slack.problems`)."""
from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request

import pytest

from bot.slack.answers import Answers
from bot.slack.app import build_app
from bot.slack.server import make_http_server
from tests.fakeslack import buttons, command_body, mention_body, mrkdwn_texts, post_signed
from tests.slack_loopback import SECRET, answer, bot, press, run, slack, words  # noqa: F401  (fixtures)
from tests.slack_world import indexed_store  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def answers(indexed_store):  # noqa: F811
    return Answers(indexed_store)


def test_lookup_acks_at_once_then_answers_with_a_profile(bot, slack):
    status, body, seconds = run(bot, slack, "/lookup", "Kataib Hizballah")
    assert status == 200 and seconds < 3
    assert body.startswith("Looking up *Kataib Hizballah*")
    reply = answer(slack)
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0]["text"]["text"] == "Kataeb Hezbollah"
    text = words(reply)
    assert "*organization*: Iran-backed Iraqi Shia militia" in text
    assert "Kata'ib Hizballah" in text  # how it matched
    assert "mentions" in reply["text"] and "in 2 articles" in text
    assert "<https://wire.example/story?id=7&amp;lang=en|" in text  # top article, linked
    assert "*Quotes about Kataeb Hezbollah 1–3 of 5*" in text and "*Related 1–10 of" in text
    assert [b["text"]["text"] for b in buttons(reply) if b["action_id"].startswith("newsbot.share.")] == ["Share in channel"]
    assert slack.calls("/api/auth.test")  # bolt checked its token against the fake


def test_corpus_headline_cannot_ping_the_channel(bot, slack):
    run(bot, slack, "/lookup", "Kataeb Hezbollah")
    text = words(answer(slack))
    assert "&lt;!channel&gt; Kataeb Hezbollah warns &lt;@U0BOSS&gt; &amp; allies" in text
    assert "<!channel>" not in text and "<@U0BOSS>" not in text


def test_ambiguous_name_lists_candidates_and_a_button_opens_one(bot, slack):
    run(bot, slack, "/lookup", "Tamimi")
    reply = answer(slack)
    assert "*Tamimi* could be more than one actor" in words(reply)
    assert [b["text"]["text"] for b in buttons(reply)] == ["Ahmad al-Tamimi", "Mahmoud al-Tamimi"]
    opened = press(bot, slack, reply, "Mahmoud al-Tamimi", "open")
    assert opened["replace_original"] is True  # the private list becomes the profile
    assert opened["blocks"][0]["text"]["text"] == "Mahmoud al-Tamimi"


def test_unknown_name_says_so_and_suggests(bot, slack):
    run(bot, slack, "/lookup", "Hassan")
    reply = answer(slack)
    assert "No actor named *Hassan*" in words(reply)
    suggestions = [b["text"]["text"] for b in buttons(reply)]
    assert 1 <= len(suggestions) <= 3 and "Hassan Rouhani" in suggestions
    assert press(bot, slack, reply, "Hassan Rouhani", "open")["blocks"][0]["text"]["text"] == "Hassan Rouhani"


def test_share_posts_the_same_answer_in_the_channel(bot, slack):
    run(bot, slack, "/lookup", "Kataeb Hezbollah")
    private = answer(slack)
    shared = press(bot, slack, private, "Share in channel", "share")
    assert shared["response_type"] == "in_channel" and shared["replace_original"] is False
    assert shared["blocks"][0] == private["blocks"][0]
    assert "Shared by <@U0REPORTER>" in words(shared)
    assert "Share in channel" not in [b["text"]["text"] for b in buttons(shared)]


def test_more_pages_articles_in_place(bot, slack):
    run(bot, slack, "/lookup", "Iraq")
    first = answer(slack)
    assert "*Articles 1–5 of 6*" in words(first)
    second = press(bot, slack, first, "More articles", "more")
    assert second["replace_original"] is True and second["response_type"] == "ephemeral"
    assert "*Articles 6–6 of 6*" in words(second)
    assert "More articles" not in [b["text"]["text"] for b in buttons(second)]


def test_more_quotes_about_an_actor_pages_that_section_and_keeps_the_others(bot, slack):
    run(bot, slack, "/lookup", "Kataeb Hezbollah")
    profile = answer(slack)
    shown = [q for q in mrkdwn_texts(profile) if q.startswith("> “")]
    assert len(shown) == 3
    more = press(bot, slack, profile, "More quotes about", "quotes")
    assert more["replace_original"] is True
    text = words(more)
    assert "*Quotes about Kataeb Hezbollah 4–5 of 5*" in text
    assert not any(q.split("\n")[0] in text for q in shown)  # the next quotes, not the same three again
    assert "*Articles*" in text and "*Related 1–10 of" in text  # the other sections stay
    labels = [b["text"]["text"] for b in buttons(more)]
    assert "Previous quotes about" in labels and "More quotes about" not in labels


def test_more_on_a_public_message_answers_privately(bot, slack):
    run(bot, slack, "/lookup", "Iraq")
    more = press(bot, slack, answer(slack), "More articles", "public", ephemeral=False)
    assert more["replace_original"] is False and more["response_type"] == "ephemeral"


def test_quote_search_and_quotes_by_a_speaker(bot, slack):
    run(bot, slack, "/quote", "respond to every aggression")
    text = words(answer(slack))
    assert "“We will respond to every aggression against our brigades”" in text
    run(bot, slack, "/quote", "by Tamimy", "by")
    assert "could be more than one speaker" in words(answer(slack, "by"))


@pytest.mark.parametrize("typed", [
    "Kataeb Hezbollah " * 236,                      # ~4,000 characters
    "Kataeb\x00 Hez\x07bollah\x1b[2J",               # control characters
    "🚀🔥 Hezbollah 🇱🇧",                             # emoji
    "كتائب حزب الله",                                 # right-to-left Arabic
    "*bold* _Hezbollah_",                            # mrkdwn typed into the query
    "<@U123> and <!channel>",                        # mentions typed into the query
    "Robert'); DROP TABLE actors;--",                # SQL-looking
])
def test_odd_input_gets_a_normal_answer(bot, slack, typed):
    status, body, seconds = run(bot, slack, "/lookup", typed)
    assert status == 200 and seconds < 3
    reply = answer(slack)
    assert not reply["text"].startswith("Sorry"), reply["text"]
    assert "<!channel>" not in words(reply) and "<@U123>" not in words(reply)


def test_arabic_script_finds_the_actor(bot, slack):
    run(bot, slack, "/lookup", "كتائب حزب الله")
    assert answer(slack)["blocks"][0]["text"]["text"] == "Kataeb Hezbollah"


def test_empty_command_and_help_answer_in_the_ack(bot, slack):
    status, body, _ = run(bot, slack, "/lookup", "")
    assert status == 200 and "/lookup &lt;name&gt;" in body
    status, body, _ = run(bot, slack, "/newsbot", "help")
    assert status == 200 and "/quote by &lt;speaker&gt;" in json.loads(body)["blocks"][0]["text"]["text"]
    time.sleep(0.3)
    assert slack.calls("/respond/") == []  # nothing further to say


def test_digest_commands_land_in_the_digest_module(bot, slack):
    status, body, _ = run(bot, slack, "/digest", "status")
    assert status == 200
    assert answer(slack)["text"]


def test_oversized_answer_is_truncated_not_rejected(bot, slack):
    run(bot, slack, "/lookup", "Tigris Veterans Association")
    reply = answer(slack)  # `slack` checks every limit at teardown
    section = reply["blocks"][1]["text"]["text"]
    assert "…" in section and len(section) <= 3000
    assert "Tigris Veterans Association" in section  # the match line survived the cut


@pytest.mark.parametrize("forge", ["wrong secret", "six minutes old"])
def test_forged_or_stale_requests_are_refused(bot, slack, forge):
    body = command_body("/lookup", "Kataeb Hezbollah", slack.response_url("forged"))
    if forge == "wrong secret":
        status, _, _ = post_signed(f"{bot}/slack/events", body, "not-the-secret")
    else:
        status, _, _ = post_signed(f"{bot}/slack/events", body, SECRET, timestamp=time.time() - 360)
    assert status == 401
    time.sleep(0.5)
    assert slack.calls("/respond/forged") == []


def test_mention_answers_in_the_thread_through_a_429(bot, slack):
    slack.rate_limit("chat.postMessage", times=1, retry_after=1)
    started = time.monotonic()
    status, _, _ = post_signed(f"{bot}/slack/events",
                               mention_body("<@UBOTNEWS> lookup Kataeb Hezbollah", thread_ts="1700000000.000001"), SECRET)
    assert status == 200
    posts = slack.wait_for("/api/chat.postMessage", 2)
    assert posts[1].at - posts[0].at >= 1.0  # waited for Retry-After
    assert posts[1].body["thread_ts"] == "1700000000.000001"
    assert posts[1].body["blocks"][0]["text"]["text"] == "Kataeb Hezbollah"
    assert "Share in channel" not in [b["text"]["text"] for b in buttons(posts[1].body)]
    assert time.monotonic() - started < 10


def test_a_retried_event_is_answered_once(bot, slack):
    body = mention_body("<@UBOTNEWS> Iraq", event_id="EvSame")
    post_signed(f"{bot}/slack/events", body, SECRET)
    post_signed(f"{bot}/slack/events", body, SECRET)
    slack.wait_for("/api/chat.postMessage", 1)
    time.sleep(0.5)
    assert len(slack.calls("/api/chat.postMessage")) == 1


@pytest.fixture
def second_instance(slack, indexed_store):  # noqa: F811
    """Another instance of the bot over its own connection to the same database; yields its base URL."""
    from bot.store.db import Store

    store = Store(indexed_store.url)
    answers = Answers(store)
    app = build_app(answers, token="xoxb-test", signing_secret=SECRET, api_url=slack.api_url, workers=4)
    server = make_http_server(app, answers, SECRET, host="127.0.0.1", port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    store.dispose()


def test_a_retry_reaching_another_instance_is_not_answered_again(bot, second_instance, slack, caplog):
    mention = mention_body("<@UBOTNEWS> Iraq", event_id="EvRetriedElsewhere")
    assert post_signed(f"{bot}/slack/events", mention, SECRET)[0] == 200
    slack.wait_for("/api/chat.postMessage", 1)
    with caplog.at_level(logging.INFO, logger="bot.slack"):
        assert post_signed(f"{second_instance}/slack/events", mention, SECRET, retry=(1, "http_timeout"))[0] == 200
        time.sleep(1)
    assert len(slack.calls("/api/chat.postMessage")) == 1
    assert "event:EvRetriedElsewhere, retry 1 (http_timeout), was already taken by" in caplog.text
    # Both at once (Slack's retry while the first is still being answered): still one answer.
    again = mention_body("<@UBOTNEWS> Iraq", event_id="EvRetriedAtOnce")
    for instance, retry in ((second_instance, None), (bot, (1, "http_timeout"))):
        assert post_signed(f"{instance}/slack/events", again, SECRET, retry=retry)[0] == 200
    slack.wait_for("/api/chat.postMessage", 2)
    time.sleep(1)
    assert len(slack.calls("/api/chat.postMessage")) == 2


def test_not_in_channel_is_logged_and_survived(bot, slack, caplog):
    slack.fail("chat.postMessage", "not_in_channel", channel="C0GONE")
    with caplog.at_level(logging.ERROR, logger="bot.slack"):
        post_signed(f"{bot}/slack/events", mention_body("<@UBOTNEWS> Iraq", channel="C0GONE"), SECRET)
        slack.wait_for("/api/chat.postMessage", 1)
        deadline = time.monotonic() + 5
        while "not_in_channel" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.02)
    assert "not_in_channel" in caplog.text
    run(bot, slack, "/lookup", "Iraq")
    assert answer(slack)["blocks"][0]["text"]["text"] == "Iraq"  # still answering


def test_a_failing_engine_gives_an_apology_and_a_log_line(bot, slack, answers, monkeypatch, caplog):
    def broken(query, **options):
        raise RuntimeError("index exploded")
    monkeypatch.setattr(answers.engines, "lookup", broken)
    with caplog.at_level(logging.ERROR, logger="bot.slack"):
        status, _, _ = run(bot, slack, "/lookup", "Kataeb Hezbollah")
        reply = answer(slack)
    assert status == 200
    assert reply["response_type"] == "ephemeral" and reply["text"].startswith("Sorry, something went wrong")
    assert "/lookup" in caplog.text and "index exploded" in caplog.text


def test_healthz_reports_the_index(bot, answers):
    with urllib.request.urlopen(f"{bot}/healthz", timeout=5) as response:
        health = json.loads(response.read())
    assert response.status == 200 and health["ok"] is True
    assert health["index"]["articles"] == 7 and health["index"]["actors"] > 100


@pytest.fixture
def unreachable_database_bot(slack, tmp_path):
    """The bot over a database whose folder is gone; yields its base URL."""
    from bot.store.db import Store

    folder = tmp_path / "gone"
    folder.mkdir()
    store = Store(f"sqlite:///{folder / 'x.db'}", migrate=False)
    folder.rmdir()
    broken = Answers(store)
    app = build_app(broken, token="xoxb-test", signing_secret=SECRET, api_url=slack.api_url)
    server = make_http_server(app, broken, SECRET, host="127.0.0.1", port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_healthz_is_503_when_the_store_is_unreachable(unreachable_database_bot):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{unreachable_database_bot}/healthz", timeout=5)
    assert refused.value.code == 503


def test_an_unreachable_database_still_gets_an_apology_once(unreachable_database_bot, slack, caplog):
    """Events cannot be recorded as answered: this process remembers them itself."""
    mention = mention_body("<@UBOTNEWS> Iraq", event_id="EvDatabaseDown")
    with caplog.at_level(logging.WARNING, logger="bot.slack"):
        for retry in (None, (1, "http_timeout")):
            assert post_signed(f"{unreachable_database_bot}/slack/events", mention, SECRET, retry=retry)[0] == 200
        reply = slack.wait_for("/api/chat.postMessage")[0].body
        time.sleep(0.5)
    assert reply["text"].startswith("Sorry, something went wrong")
    assert len(slack.calls("/api/chat.postMessage")) == 1
    assert "remembering it in this process only" in caplog.text
