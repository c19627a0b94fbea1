"""Alerts for followed actors: a new mention or quote is posted as it is indexed, in the thread of the day's
digest, at most once an hour per actor with a count of the rest, exactly once whatever other instances,
restarts and crashes do; an archive backfill never alerts (console, `newsbot index`, the scheduler against
the fake Slack)."""
from __future__ import annotations

import io
import json
import threading
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from slack_sdk import WebClient
from sqlalchemy import select

from bot.cli import cli
from bot.config import DigestDefaults, FeedConfig, Settings, load_settings
from bot.digest import alerts, ledger
from bot.digest import subscriptions as subs_db
from bot.digest.render import render_alert
from bot.digest.scheduler import DigestScheduler
from bot.digest.subscriptions import DAILY, Subscription, load_yaml
from bot.slack.answers import Answers
from bot.slack.buttons import QuoteCardPage, decode
from bot.slack.console import Console
from bot.slack.digest_command import DIGEST_BUTTONS
from bot.store.db import Store
from bot.store.schema import LedgerStatus, alert_ledger
from tests.digest_support import actor, at, story
from tests.fakeslack import FakeSlack
from tests.test_digest_publication import body

ACTOR = "Mira Castellane"
CHANNEL = "C0NEWSDESK"
QUOTE = "We will keep the harbour open whatever they decide in the capital"


def today() -> date:
    return datetime.now(timezone.utc).date()


# -- the console, after `newsbot index` ----------------------------------------------------------

@pytest.fixture
def newsbot(db_url, config_dir):
    """`newsbot ARGS…` on the test database, with the followed actor on the desk's list (config/actors.yaml)."""
    with (config_dir / "actors.yaml").open("a", encoding="utf-8") as listed:
        listed.write(f"\n  - name: {ACTOR}\n    kind: person\n    description: harbour commissioner\n")
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(cli, ["--db", db_url, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result
    return run


def jsonl(folder, name: str, rows: list[dict]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")


def mentioning(title: str, published: str, n: int, *, quote: bool = False) -> dict:
    """A story of its own words (never a near copy of another) naming ACTOR once, or quoting her."""
    said = f"“{QUOTE},” {ACTOR} said on the quay." if quote else f"{ACTOR} visited the quay on the morning of the vote."
    return {"id": f"{title}-{n}", "title": title, "source": "Wire", "date": published,
            "text": f"{body(1000 + n)}\n\n{said}\n\n{body(2000 + n)}"}


@pytest.fixture
def console(newsbot, store, tmp_path):
    """The console following ACTOR in its local channel, the actor known from a first index run."""
    jsonl(tmp_path / "first", "first.jsonl", [{"title": "Weather at the port", "source": "Wire",
                                               "date": today().isoformat(), "text": "Rain at the port all day long, "
                                               "the harbour master said in the morning bulletin."}])
    newsbot("index", str(tmp_path / "first"))
    out = io.StringIO()
    shell = Console(Answers(store), stdin=io.StringIO(), stdout=out, color=False)
    for line in ("/digest subscribe 08:00 UTC daily", f"/digest follow {ACTOR}"):
        shell.handle(line)
    assert f"Following {ACTOR}" in out.getvalue() and "is alerted here as it comes in" in out.getvalue()
    shell.out = out
    return shell


def printed_since(shell, mark: int) -> str:
    return " ".join(shell.out.getvalue()[mark:].split())


def test_an_archive_backfill_never_alerts_only_the_new_days_mentions_do(console, newsbot, tmp_path, store):
    folder = tmp_path / "batch"
    jsonl(folder, "archive.jsonl", [mentioning("Archive story", f"1987-03-{n + 1:02d}", n) for n in range(8)])
    jsonl(folder, "today.jsonl", [mentioning("Fresh story", today().isoformat(), n) for n in range(10, 13)])
    (folder / "undated.txt").write_text(f"Undated story\n\n{ACTOR} spoke at the quay about the harbour "
                                        "and its long history of trade.\n", encoding="utf-8")
    newsbot("index", str(folder))

    mark = len(console.out.getvalue())
    console.handle("/digest status")
    shown = printed_since(console, mark)
    assert shown.count("(posted in the channel:)") == 1  # no digest posted today: a message of its own
    alert = shown.split("(posted in the channel:)")[1]
    assert f"{ACTOR} is in the news" in alert and "Fresh story" in alert
    assert "and 2 more mentions since" in alert  # the day's three mentions, one shown
    assert "Archive story" not in alert and "Undated story" not in alert
    assert any(c.label == f"Profile of {ACTOR}" for c in console.choices)

    mark = len(console.out.getvalue())
    console.handle("/digest status")  # nothing new: no second alert
    assert "posted in the channel" not in printed_since(console, mark)
    with store.connect() as conn:
        statuses = conn.execute(select(alert_ledger.c.seq, alert_ledger.c.status)
                                .order_by(alert_ledger.c.seq)).all()
    assert [tuple(row) for row in statuses] == [(0, LedgerStatus.QUIET), (1, LedgerStatus.POSTED)]


def test_the_console_shows_a_followed_actors_new_quote_with_its_card_and_its_digest_section(console, newsbot,
                                                                                            tmp_path):
    jsonl(tmp_path / "news", "news.jsonl", [mentioning("Harbour talks open", today().isoformat(), 1, quote=True)])
    newsbot("index", str(tmp_path / "news"))

    mark = len(console.out.getvalue())
    console.handle("/digest preview")
    shown = printed_since(console, mark)
    assert f"Following: {ACTOR}: 1 new mention, 1 quote" in shown  # the digest's section …
    alert = shown.split("(posted in the channel:)")[1]  # … and the alert, posted after the answer
    assert f"{ACTOR} has a new quote" in alert and QUOTE in alert and "Harbour talks open" in alert
    card = next(i for i, c in enumerate(console.choices, 1) if c.label == "Quote card")
    mark = len(console.out.getvalue())
    console.handle(str(card))
    assert QUOTE in printed_since(console, mark) and ACTOR in printed_since(console, mark)


def test_alerts_turned_off_in_the_console_post_nothing(console, newsbot, tmp_path, store):
    console.handle("/digest set alerts off")
    console.handle("/digest status")
    assert "Alerts: off" in " ".join(console.out.getvalue().split())
    assert subs_db.get(store, "CCONSOLE").alerts is False
    jsonl(tmp_path / "news", "news.jsonl", [mentioning("Fresh story", today().isoformat(), 1)])
    newsbot("index", str(tmp_path / "news"))
    mark = len(console.out.getvalue())
    console.handle("/digest status")
    assert "posted in the channel" not in printed_since(console, mark)


def test_digests_yaml_turns_alerts_off(config_dir):
    path = config_dir / "digests.yaml"
    path.write_text(f"subscriptions:\n  - channel: {CHANNEL}\n    follow: [{ACTOR}]\n    alerts: false\n"
                    "  - channel: C0SECOND1\n", encoding="utf-8")
    first, second = load_yaml(path, Settings(config_dir=config_dir))
    assert (first.alerts, second.alerts) == (False, True)


# -- the scheduler and the fake Slack -------------------------------------------------------------

@pytest.fixture
def slack(monkeypatch):
    monkeypatch.setenv("SKIP_SLACK_SDK_WARNING", "1")
    with FakeSlack() as fake:
        yield fake
    assert fake.problems == []


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def scheduler(db_url, slack, clock, sleeps=None) -> DigestScheduler:
    """One bot instance: its own connection pool and Slack client on the shared database."""
    return DigestScheduler(Store(db_url), Settings(digest=DigestDefaults(grace_hours=6.0)),
                           WebClient(token="xoxb-test", base_url=slack.api_url), clock=clock,
                           sleep=(sleeps.append if sleeps is not None else lambda s: None), buttons=DIGEST_BUTTONS)


def followed_desk(store, **extra) -> None:
    actor(store, ACTOR, curated=False)
    subs_db.save(store, Subscription(channel=CHANNEL, time="08:00", timezone="UTC", days=DAILY, follow=[ACTOR],
                                     created_at=at("2026-03-01 00:00"), **extra))


def alert_posts(slack) -> list[dict]:
    """The alerts that reached the channel (a refused or rate-limited request is not among them)."""
    return [m for m in slack.history.get(CHANNEL, [])
            if (m.get("metadata") or {}).get("event_type") == alerts.MARKER_EVENT]


def text_of(body: dict) -> str:
    return " ".join((json.dumps(body.get("blocks"), ensure_ascii=False) + " " + body["text"]).split())


def test_an_alert_goes_in_the_days_digest_thread_once_an_hour_with_a_count_of_the_rest(db_url, store, slack):
    followed_desk(store)
    clock = Clock(at("2026-03-27 07:00"))
    bot = scheduler(db_url, slack, clock)
    assert bot.alert() == []  # the first look: from now on the follow alerts
    story(store, "Morning papers", at("2026-03-27 06:00"))  # before the follow: in the digest, never an alert
    story(store, "Harbour reopens", at("2026-03-27 07:30"), mentions_of=(ACTOR,))
    clock.now = at("2026-03-27 08:00")
    digest = bot.fire(CHANNEL)
    assert digest.status == "posted"
    (first,) = bot.alert()
    (posted,) = alert_posts(slack)
    assert posted["thread_ts"] == digest.ts  # under the day's digest
    assert posted["metadata"]["event_payload"] == {"channel": CHANNEL, "actor_id": actor(store, ACTOR), "seq": 1}
    assert "Harbour reopens" in text_of(posted) and "Morning papers" not in text_of(posted)
    assert "more mention" not in text_of(posted)
    profile = next(b for b in posted["blocks"][-1]["elements"] if b["text"]["text"] == f"Profile of {ACTOR}")
    assert decode(profile["value"]).actor_id == actor(store, ACTOR)

    story(store, "Quay vote", at("2026-03-27 08:10"), mentions_of=(ACTOR,))
    story(store, "Harbour budget", at("2026-03-27 08:20"), mentions_of=(ACTOR,),
          quotes_by=((QUOTE, ACTOR, False),))
    story(store, "Dredging starts", at("2026-03-27 08:30"), mentions_of=(ACTOR,))
    clock.now = at("2026-03-27 08:40")
    assert bot.alert() == []  # within the hour: the rest waits
    clock.now = at("2026-03-27 09:01")
    (second,) = bot.alert()
    latest = alert_posts(slack)[-1]
    assert latest["thread_ts"] == digest.ts and len(alert_posts(slack)) == 2
    shown = text_of(latest)
    assert f"{ACTOR} has a new quote" in shown and QUOTE in shown  # a quote leads …
    assert "and 3 more mentions since Fri 27 Mar 08:00 (UTC)" in shown  # … and the rest are counted
    card = next(b for b in latest["blocks"][-1]["elements"] if b["text"]["text"] == "Quote card")
    assert isinstance(decode(card["value"]), QuoteCardPage)

    story(store, "Quote repeated", at("2026-03-27 09:30"), mentions_of=(ACTOR,), quotes_by=((QUOTE, ACTOR, False),))
    clock.now = at("2026-03-27 10:02")
    bot.alert()
    again = text_of(alert_posts(slack)[-1])
    assert "Quote repeated" in again and f"{ACTOR} is in the news" in again  # a quote said before is not new
    assert "more quote" not in again and QUOTE not in again

    story(store, "Next morning", at("2026-03-28 07:00"), mentions_of=(ACTOR,))
    clock.now = at("2026-03-28 07:05")  # no digest posted yet today: a message of its own
    bot.alert()
    assert "thread_ts" not in alert_posts(slack)[-1] and "Next morning" in text_of(alert_posts(slack)[-1])
    bot.store.dispose()


def test_two_instances_and_a_restart_post_each_alert_once(db_url, store, slack):
    followed_desk(store)
    clock = Clock(at("2026-03-27 07:00"))
    first, second = scheduler(db_url, slack, clock), scheduler(db_url, slack, clock)
    first.alert()
    story(store, "Harbour reopens", at("2026-03-27 07:30"), mentions_of=(ACTOR,))
    clock.now = at("2026-03-27 07:31")
    start = threading.Barrier(2)
    results = []

    def run(bot):
        start.wait()
        results.append(bot.alert())
    threads = [threading.Thread(target=run, args=(bot,)) for bot in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(r) for r in results) == [0, 1]
    assert len(alert_posts(slack)) == 1
    for bot in (first, second):
        bot.store.dispose()
    restarted = scheduler(db_url, slack, Clock(at("2026-03-27 09:00")))  # past the hour: still nothing new
    assert restarted.alert() == []
    assert len(alert_posts(slack)) == 1
    restarted.store.dispose()


@pytest.mark.parametrize("went_through", [True, False])
def test_an_instance_that_died_between_claim_and_post_is_taken_over_once(db_url, store, slack, went_through):
    followed_desk(store)
    actor_id = actor(store, ACTOR)
    digest_ts = WebClient(token="xoxb-test", base_url=slack.api_url).chat_postMessage(
        channel=CHANNEL, text="Daily digest", blocks=[])["ts"]
    ledger.claim(store, CHANNEL, date(2026, 3, 27), (at("2026-03-26 08:00"), at("2026-03-27 08:00")),
                 now=at("2026-03-27 08:00"))
    ledger.complete(store, CHANNEL, date(2026, 3, 27), digest_ts)
    clock = Clock(at("2026-03-27 08:00"))
    dead = scheduler(db_url, slack, clock)
    dead.alert()
    story(store, "Harbour reopens", at("2026-03-27 08:10"), mentions_of=(ACTOR,))
    # The dying instance: claimed seq 1, marked it sending, maybe posted it, then died before recording it.
    until = at("2026-03-27 08:11")
    sub = subs_db.get(store, CHANNEL)
    alert = alerts.compose(store, sub, ACTOR, [actor_id], at("2026-03-27 08:00"), until, at("2026-03-27 08:00"))
    held = ledger.take(store, alerts.entry(CHANNEL, actor_id, 1),
                       dict(covered_from=alert.since, covered_until=until, thread_ts=digest_ts), now=until)
    ledger.Lease(store, held, now=until).sending()
    if went_through:
        message = render_alert(alert.news, alert.since, "UTC", DIGEST_BUTTONS)
        dead.client.chat_postMessage(channel=CHANNEL, text=message.text, blocks=message.blocks, thread_ts=digest_ts,
                                     metadata=alerts.marker(CHANNEL, actor_id, 1))
    dead.store.dispose()

    clock.now = until + timedelta(minutes=3)  # the lease still holds: nobody touches it
    restarted = scheduler(db_url, slack, clock)
    assert restarted.alert() == [] and len(alert_posts(slack)) == (1 if went_through else 0)
    clock.now = until + ledger.LEASE + timedelta(minutes=1)  # it ran out: taken over, posted once
    restarted.alert()
    (posted,) = alert_posts(slack)
    assert posted["thread_ts"] == digest_ts and "Harbour reopens" in text_of(posted)
    assert ledger.read(store, alerts.entry(CHANNEL, actor_id, 1))["status"] == LedgerStatus.POSTED
    restarted.store.dispose()


def test_slack_errors_are_logged_and_survived(db_url, store, slack):
    followed_desk(store)
    clock = Clock(at("2026-03-27 07:00"))
    sleeps = []
    bot = scheduler(db_url, slack, clock, sleeps)
    bot.alert()
    story(store, "Harbour reopens", at("2026-03-27 07:30"), mentions_of=(ACTOR,))
    slack.rate_limit("chat.postMessage", times=1, retry_after=7)
    clock.now = at("2026-03-27 07:31")
    assert len(bot.alert()) == 1 and sleeps == [7.0]  # waited as Slack said, then posted once
    assert len(alert_posts(slack)) == 1

    actor_id = actor(store, ACTOR)
    slack.fail("chat.postMessage", "fatal_error", channel=CHANNEL)
    story(store, "Quay vote", at("2026-03-27 08:40"), mentions_of=(ACTOR,))
    clock.now = at("2026-03-27 08:45")
    assert bot.alert() == []  # retried with back-off, then left for the next look
    assert ledger.read(store, alerts.entry(CHANNEL, actor_id, 2))["status"] == LedgerStatus.FAILED
    clock.now = at("2026-03-27 08:46")
    assert bot.alert() == []  # still failing
    clock.now = at("2026-03-27 09:46")  # an hour on: given up, its news left for the next alert
    assert bot.alert() == []
    assert ledger.read(store, alerts.entry(CHANNEL, actor_id, 2))["status"] == LedgerStatus.GIVEN_UP
    slack.heal("chat.postMessage", channel=CHANNEL)
    story(store, "Dredging starts", at("2026-03-27 09:50"), mentions_of=(ACTOR,))
    clock.now = at("2026-03-27 09:51")
    assert len(bot.alert()) == 1
    latest = text_of(alert_posts(slack)[-1])
    assert "Quay vote" in latest and "and 1 more mention since Fri 27 Mar 07:31" in latest

    slack.fail("chat.postMessage", "channel_not_found", channel=CHANNEL)
    story(store, "Night shift", at("2026-03-27 11:00"), mentions_of=(ACTOR,))
    clock.now = at("2026-03-27 11:01")
    assert bot.alert() == []  # no exception: the channel is paused, as the digest would be
    assert subs_db.get(store, CHANNEL).paused
    assert ledger.read(store, alerts.entry(CHANNEL, actor_id, 4))["status"] == LedgerStatus.GIVEN_UP
    bot.store.dispose()


def test_a_subscription_with_alerts_off_gets_none(db_url, store, slack):
    followed_desk(store, alerts=False)
    clock = Clock(at("2026-03-27 07:00"))
    bot = scheduler(db_url, slack, clock)
    bot.alert()
    story(store, "Harbour reopens", at("2026-03-27 07:30"), mentions_of=(ACTOR,))
    clock.now = at("2026-03-27 08:31")
    assert bot.alert() == [] and alert_posts(slack) == []
    bot.store.dispose()


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Port</title>
<link>http://port/</link><description>d</description>
<item><title>Harbour commissioner opens the winter quay</title><link>{base}/quay.html</link>
<pubDate>{published}</pubDate><content:encoded><![CDATA[<p>{text}</p>]]></content:encoded></item>
</channel></rss>"""


class FeedServer(BaseHTTPRequestHandler):
    """A full-text feed of one story published now that names ACTOR; nothing else (robots.txt is absent)."""

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path != "/feed.xml":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        text = f"{body(3000)} {ACTOR} opened the winter quay on the morning of the vote. {body(3001)}"
        feed = FEED.format(base=f"http://{self.headers['Host']}", text=text,
                           published=format_datetime(datetime.now(timezone.utc))).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(feed)))
        self.end_headers()
        self.wfile.write(feed)


def test_a_feed_poll_in_the_running_bot_alerts_at_once(newsbot, config_dir, store, slack, tmp_path):
    (tmp_path / "empty").mkdir()
    newsbot("index", str(tmp_path / "empty"))  # the desk's actors, ACTOR among them
    (config_dir / "feeds.yaml").write_text("fetch: {host_interval_seconds: 0, allow_private_addresses: true}\nfeeds: []\n")
    subs_db.save(store, Subscription(channel=CHANNEL, timezone="UTC", follow=[ACTOR]))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FeedServer)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        bot = DigestScheduler(store, load_settings(), WebClient(token="xoxb-test", base_url=slack.api_url),
                              buttons=DIGEST_BUTTONS)
        assert bot.alert() == []  # the first look: following starts
        bot.poll(FeedConfig(url=f"http://127.0.0.1:{httpd.server_address[1]}/feed.xml", source="Port",
                            full_text=True))
    finally:
        httpd.shutdown()
        httpd.server_close()
    (posted,) = alert_posts(slack)
    shown = text_of(posted)
    assert f"{ACTOR} is in the news" in shown and "Harbour commissioner opens the winter quay" in shown
    assert "thread_ts" not in posted  # no digest posted today: a message of its own
