"""The live corpus from Slack and the console: `/newsbot add <url>`, a link posted with @newsbot, `/newsbot feeds`
(list, add, remove) polled by the running bot's scheduler, and the fetcher's refusal of non-public addresses;
pages served on the loopback (tests/feed_server.py), signed requests to /slack/events (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import logging
import socket
import time

import pytest

from bot.slack.answers import Answers
from bot.slack.editors import CONSOLE_USER, Editors
from tests.fakeslack import buttons, command_body, mention_body, post_signed
from tests.feed_server import FeedServer
from tests.slack_loopback import SECRET, bot, slack, words  # noqa: F401  (fixtures)
from tests.test_cli_index import newsbot  # noqa: F401  (fixture)

EDITOR, REPORTER = "U0EDITOR", "U0REPORTER"
ANSWER_SECONDS = 60  # an add is an index run: the first of a process loads the curated actor list
TEHRAN, PORT_STRIKE = "/articles/tehran-talks.html", "/articles/port-strike.html"


@pytest.fixture
def answers(store, config_dir):
    return Answers(store, editors=Editors([EDITOR]))


@pytest.fixture
def loopback_allowed(config_dir):
    """The test server is on the loopback: let the fetcher reach it (and keep the tests quick)."""
    (config_dir / "feeds.yaml").write_text("fetch: {allow_private_addresses: true, host_interval_seconds: 0, "
                                           "max_megabytes: 1, read_timeout_seconds: 2, retries: 0}\n")


def send(bot, slack, text: str, name: str, user: str = EDITOR) -> tuple[dict, float]:
    """`/newsbot text` as `user`: (the answer posted to the response_url, seconds the ack took)."""
    started = time.monotonic()
    status, ack, _ = post_signed(f"{bot}/slack/events",
                                 command_body("/newsbot", text, slack.response_url(name), user_id=user), SECRET)
    acked = time.monotonic() - started
    assert status == 200
    return slack.wait_for(f"/respond/{name}", 1, timeout=ANSWER_SECONDS)[0].body, acked


def press(bot, slack, message: dict, label: str, name: str, user: str = EDITOR) -> dict:
    from tests.fakeslack import action_body

    button = next(b for b in buttons(message) if b["text"]["text"] == label)
    status, _, _ = post_signed(f"{bot}/slack/events", action_body(button, slack.response_url(name), user_id=user),
                               SECRET)
    assert status == 200
    return slack.wait_for(f"/respond/{name}", 1, timeout=ANSWER_SECONDS)[0].body


def exported(newsbot) -> list[dict]:
    return [json.loads(line) for line in newsbot("export", "articles", "--format", "jsonl").stdout.splitlines()]


def test_an_editor_adds_a_page_and_sees_its_actors_and_quotes(bot, slack, server, loopback_allowed, newsbot):
    url = f"{server}{TEHRAN}"
    added, acked = send(bot, slack, f"add {url}", "add")
    assert acked < 3
    text = words(added)
    assert "Indexed: *<" in text and "Tehran weighs new round of nuclear talks" in text
    assert "127.0.0.1 · undated" in text  # the page names no outlet nor date: its host, and undated
    labels = [b["text"]["text"] for b in buttons(added)]
    assert "Ali Khamenei" in labels and "Quote card" in labels
    assert "We are not opposed to dialogue" in text and "— Ali Khamenei" in text

    profile = press(bot, slack, added, "Ali Khamenei", "profile")
    assert "Tehran weighs new round of nuclear talks" in words(profile)
    card = press(bot, slack, added, "Quote card", "card")
    assert "we will not negotiate under pressure" in words(card) and "*Cite*" in words(card)

    FeedServer.seen = []
    again, _ = send(bot, slack, f"add {url}", "again")
    assert "Already indexed: *<" in words(again) and "Ali Khamenei" in [b["text"]["text"] for b in buttons(again)]
    assert [path for path, _ in FeedServer.seen] == []  # not fetched again

    copy, _ = send(bot, slack, f"add {server}/syndicated/tehran-talks.html", "copy")
    assert "Indexed: *<" in words(copy) and "Tehran weighs new round" in words(copy)
    articles = exported(newsbot)
    assert len(articles) == 1  # the same story from another address: one article, not two
    occurrences = newsbot("export", "articles", "--format", "jsonl").stdout
    assert f'"url": "{url}"' in occurrences


@pytest.mark.parametrize("path, said", [
    ("/missing.html", "The page could not be fetched: HTTP 404 Not Found."),
    ("/rss.xml", "That is not an HTML page (application/xml): only web pages can be added."),
    ("/huge.xml", "over the 1 MB limit: refused"),
    ("/articles/", "The page could not be fetched: HTTP 404"),
])
def test_a_page_that_cannot_be_added_says_why(bot, slack, server, loopback_allowed, path, said, newsbot):
    reply, _ = send(bot, slack, f"add {server}{path}", "bad")
    assert said in words(reply), words(reply)
    assert "Sorry" not in words(reply) and exported(newsbot) == []


@pytest.mark.parametrize("text, said", [
    ("add ftp://example.org/story", "“ftp://example.org/story” is not a web address"),
    ("add", "Usage: `/newsbot add &lt;url&gt;`"),
    ("add http://127.0.0.1:1/story.html", "The page could not be fetched: unreachable"),
])
def test_a_bad_address_says_why(bot, slack, loopback_allowed, text, said):
    reply, _ = send(bot, slack, text, "bad")
    assert said in words(reply), words(reply)


def test_others_are_refused_privately_and_logged(bot, slack, server, loopback_allowed, caplog, newsbot):
    caplog.set_level(logging.WARNING, "bot.slack.links_command")
    reply, _ = send(bot, slack, f"add {server}{TEHRAN}", "refused", user=REPORTER)
    assert "Only the desk's editors can add articles and feeds" in words(reply)
    assert reply.get("response_type") == "ephemeral"
    assert any("refused to add" in r.message and REPORTER in r.message for r in caplog.records)
    assert [p for p, _ in FeedServer.seen if p.startswith("/articles/")] == [] and exported(newsbot) == []
    reply, _ = send(bot, slack, f"feeds add {server}/atom.xml", "feed-refused", user=REPORTER)
    assert "Only the desk's editors" in words(reply)
    assert any("refused /newsbot feeds add" in r.message for r in caplog.records)


def test_a_link_posted_with_the_bot_is_answered_in_its_thread(bot, slack, server, loopback_allowed):
    url = f"{server}{PORT_STRIKE}"

    def mention(text: str, user: str) -> dict:
        count = len(slack.calls("/api/chat.postMessage")) + 1
        assert post_signed(f"{bot}/slack/events", mention_body(text, user=user, thread_ts="1700000000.000009"),
                           SECRET)[0] == 200
        post = slack.wait_for("/api/chat.postMessage", count, timeout=ANSWER_SECONDS)[-1].body
        assert post["thread_ts"] == "1700000000.000009"
        return post

    unknown = mention(f"<@UBOTNEWS> have a look <{url}|{url[7:]}>", REPORTER)
    assert "one of the desk's editors can add it" in words(unknown)
    assert not any(p == PORT_STRIKE for p, _ in FeedServer.seen)  # nothing fetched for a non-editor

    added = mention(f"<@UBOTNEWS> <{url}>", EDITOR)
    assert "Indexed: *<" in words(added) and "Dock workers strike halts exports" in words(added)
    assert "Basra" in [b["text"]["text"] for b in buttons(added)]

    known = mention(f"<@UBOTNEWS> add <{url}|{url[7:]}>", REPORTER)
    assert "Already indexed" in words(known) and "Dock workers strike halts exports" in words(known)


def test_feeds_are_listed_added_removed_from_slack_and_polled_without_a_restart(
        bot, slack, server, config_dir, store, newsbot):
    from bot.config import load_settings
    from bot.digest.scheduler import DigestScheduler

    (config_dir / "feeds.yaml").write_text(f"fetch: {{allow_private_addresses: true, host_interval_seconds: 0}}\n"
                                           f"feeds:\n  - {{url: {server}/full.xml, source: Full Desk, full_text: true}}\n")
    listed, _ = send(bot, slack, "feeds", "list", user=REPORTER)  # anyone may look
    assert f"Full Desk  {server}/full.xml  (every 15 min, full text, config/feeds.yaml)" in words(listed)
    assert "never polled" in words(listed)

    scheduler = DigestScheduler(store, load_settings(), client=None).start()
    try:
        added, _ = send(bot, slack, f"feeds add {server}/atom.xml Gulf Desk every 30 minutes", "add")
        assert f"Added feed {server}/atom.xml (Gulf Desk, 2 items now)" in words(added), words(added)
        scheduler_job = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            scheduler_job = scheduler.get_job(f"feed:{server}/atom.xml")
            if scheduler_job is not None:
                break
            DigestScheduler.reconcile_feeds(_running(scheduler, store))
        assert scheduler_job is not None and scheduler_job.trigger.interval.total_seconds() == 30 * 60
        while "2 items · 0 failed polls" not in newsbot("feeds", "status").stdout and time.monotonic() < deadline:
            time.sleep(0.2)
        status = newsbot("feeds", "status").stdout
        assert f"Gulf Desk  {server}/atom.xml  (every 30 min, added by {EDITOR})" in status
        assert "2 items · 0 failed polls" in status
        listed, _ = send(bot, slack, "feeds", "list2")
        assert f"added by {EDITOR}" in words(listed) and "2 items · 0 failed polls" in words(listed)

        twice, _ = send(bot, slack, f"feeds add {server}/atom.xml", "twice")
        assert "is polled already" in words(twice)
        config_feed, _ = send(bot, slack, f"feeds remove {server}/full.xml", "config")
        assert "is listed in config/feeds.yaml: it is changed or removed there, not from Slack" in words(config_feed)
        not_feed, _ = send(bot, slack, f"feeds add {server}{TEHRAN}", "notfeed")
        assert "was not added: an HTML page, not an RSS or Atom feed" in words(not_feed)
        removed, _ = send(bot, slack, f"feeds remove {server}/atom.xml", "remove")
        assert f"Removed feed {server}/atom.xml" in words(removed)
        deadline = time.monotonic() + 90
        while scheduler.get_job(f"feed:{server}/atom.xml") is not None and time.monotonic() < deadline:
            DigestScheduler.reconcile_feeds(_running(scheduler, store))
        assert scheduler.get_job(f"feed:{server}/atom.xml") is None
        assert scheduler.get_job(f"feed:{server}/full.xml") is not None
    finally:
        scheduler.shutdown(wait=True)
    assert "Gulf Desk" not in newsbot("feeds", "status").stdout


def _running(scheduler, store):
    """The DigestScheduler whose jobs `scheduler` runs (its minutely reconcile, called now instead of waiting)."""
    job = scheduler.get_job("digest-subscriptions")
    return job.func.__self__


def test_the_console_user_adds_pages_and_feeds(db_url, server, loopback_allowed, monkeypatch):
    """`newsbot run` without Slack credentials: the console's user is an editor."""
    from click.testing import CliRunner

    from bot.cli import cli

    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    typed = f"/newsbot add {server}{TEHRAN}\n1\n/newsbot feeds add {server}/atom.xml\n/newsbot feeds\nquit\n"
    result = CliRunner().invoke(cli, ["--db", db_url, "run"], input=typed)
    text = result.output
    assert result.exit_code == 0, text
    assert "Indexed: Tehran weighs new round of nuclear talks" in text
    assert "[1] Ali Khamenei" in text and "Quote card" in text
    pressed = text.split("newsbot> 1\n")[1]
    assert pressed.startswith("Ali Khamenei") and "Tehran weighs new round of nuclear talks" in pressed  # the profile
    assert f"Added feed {server}/atom.xml (127.0.0.1, 2 items now)" in text
    assert f"atom.xml  (every 15 min, added by {CONSOLE_USER})" in text


def test_private_and_metadata_addresses_are_refused_with_the_reason(bot, slack, server, config_dir, caplog):
    """With allow_private_addresses off (the default), no URL from Slack reaches the bot's own network."""
    (config_dir / "feeds.yaml").write_text("fetch: {host_interval_seconds: 0, retries: 0}\n")
    reply, _ = send(bot, slack, f"add {server}{TEHRAN}", "loopback")
    assert ("The page could not be fetched: refused: 127.0.0.1 is a loopback address, which newsbot does not fetch "
            "(fetch: allow_private_addresses in feeds.yaml).") in words(reply)
    metadata, _ = send(bot, slack, "add http://169.254.169.254/latest/meta-data/", "metadata")
    assert "refused: 169.254.169.254 is a link-local (cloud metadata) address" in words(metadata)
    feed, _ = send(bot, slack, f"feeds add http://localhost:{server.rsplit(':', 1)[1]}/atom.xml", "feed")
    assert "was not added: refused: localhost (127.0.0.1) is a loopback address" in words(feed), words(feed)
    assert FeedServer.seen == []  # not even robots.txt was asked for


def test_a_redirect_to_a_private_address_is_refused(bot, slack, server, config_dir, monkeypatch):
    """A public site (here a name the test resolves to the server, taken as public) that redirects to a
    loopback address: the redirect is not followed."""
    import bot.ingest.fetch as fetch

    port = int(server.rsplit(":", 1)[1])
    resolve, check = socket.getaddrinfo, fetch.check_address
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: resolve(
        "127.0.0.1" if host == "wire.test" else host, *a, **k))
    monkeypatch.setattr(fetch, "check_address", lambda host, address: None if host == "wire.test" else
                        check(host, address))
    (config_dir / "feeds.yaml").write_text("fetch: {host_interval_seconds: 0, retries: 0}\n")
    reply, _ = send(bot, slack, f"add http://wire.test:{port}/go{TEHRAN}", "redirect")
    assert "refused: 127.0.0.1 is a loopback address" in words(reply), words(reply)
    assert ("/go" + TEHRAN) in [p for p, _ in FeedServer.seen] and TEHRAN not in [p for p, _ in FeedServer.seen]


def test_a_name_that_resolves_to_a_public_address_then_to_a_private_one_gets_nothing_read(
        bot, slack, server, config_dir, monkeypatch, newsbot):
    """DNS rebinding: the check before the request saw a public address (here: the test says so), the connection
    went to the loopback. The address connected to is checked before the answer is read."""
    import bot.ingest.fetch as fetch

    port = int(server.rsplit(":", 1)[1])
    resolve, check_public = socket.getaddrinfo, fetch.check_public
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: resolve(
        "127.0.0.1" if host == "wire.test" else host, *a, **k))
    monkeypatch.setattr(fetch, "check_public", lambda url: None if "//wire.test:" in url else check_public(url))
    (config_dir / "feeds.yaml").write_text("fetch: {host_interval_seconds: 0, retries: 0}\n")
    reply, _ = send(bot, slack, f"add http://wire.test:{port}{TEHRAN}", "rebound")
    assert "refused: wire.test (127.0.0.1) is a loopback address" in words(reply), words(reply)
    assert exported(newsbot) == []
