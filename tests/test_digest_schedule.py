"""Digests on schedule, once, whatever happens: a frozen clock drives the scheduler's jobs against the
fake Slack Web API on loopback (no sleeping: the trigger says when a job would run, the test runs it)."""
from __future__ import annotations

import json
import logging
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.config import DigestDefaults, Settings, load_settings
from bot.digest import ledger
from bot.digest import subscriptions as subs_db
from bot.digest.delivery import run_digest
from bot.digest.scheduler import DigestScheduler, cron_trigger
from bot.digest.subscriptions import DAILY, Subscription
from bot.store.db import Store
from tests.digest_support import at, story
from tests.fakeslack import FakeSlack

UTC = timezone.utc


@pytest.fixture
def slack(monkeypatch):
    monkeypatch.setenv("SKIP_SLACK_SDK_WARNING", "1")
    with FakeSlack() as fake:
        yield fake
    assert fake.problems == []  # every digest met Block Kit's limits


@pytest.fixture
def client(slack):
    return WebClient(token="xoxb-test", base_url=slack.api_url)  # no retry handler: delivery retries itself


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def scheduler_for(store, client, clock, *, grace_hours=6.0, sleeps=None, settings=None):
    settings = settings or Settings(digest=DigestDefaults(grace_hours=grace_hours))
    return DigestScheduler(store, settings, client, clock=clock,
                           sleep=(sleeps.append if sleeps is not None else lambda s: None))


SUBSCRIBED = at("2026-01-01 00:00")  # before every frozen clock below: each of their digests is owed


def subscribe(store, channel, *, time="08:00", tz="Europe/London", days=(0, 1, 2, 3, 4), created_at=SUBSCRIBED,
              **extra):
    subs_db.save(store, Subscription(channel=channel, time=time, timezone=tz, days=tuple(days), created_at=created_at,
                                     **extra))


def posts(slack, channel=None):
    return [r.body for r in slack.calls("/api/chat.postMessage") if channel is None or r.body.get("channel") == channel]


def fire_times(sub: Subscription, start: datetime, count: int) -> list[datetime]:
    trigger, times, previous, now = cron_trigger(sub), [], None, start
    for _ in range(count):
        previous = trigger.get_next_fire_time(previous, now)
        times.append(previous)
        now = previous.astimezone(UTC) + timedelta(seconds=1)  # in UTC: local wall-clock arithmetic drops the fold
    return times


def test_fires_at_local_time_in_two_time_zones_across_daylight_saving(store, client, slack):
    # Europe/London springs forward on Sun 29 Mar 2026, America/New_York on Sun 8 Mar 2026.
    subscribe(store, "C0LONDON1", tz="Europe/London", days=DAILY)
    subscribe(store, "C0NEWYORK", time="07:30", tz="America/New_York", days=DAILY)
    london, new_york = subs_db.get(store, "C0LONDON1"), subs_db.get(store, "C0NEWYORK")
    assert [t.astimezone(UTC).strftime("%d %H:%M") for t in fire_times(london, at("2026-03-27 12:00"), 4)] == \
        ["28 08:00", "29 07:00", "30 07:00", "31 07:00"]
    assert [t.astimezone(UTC).strftime("%d %H:%M") for t in fire_times(new_york, at("2026-03-06 12:00"), 3)] == \
        ["06 12:30", "07 12:30", "08 11:30"]

    story(store, "Morning story", at("2026-03-28 06:00"))
    clock = Clock(at("2026-03-07 00:00"))
    digests = scheduler_for(store, client, clock)
    for channel, sub, start in (("C0LONDON1", london, at("2026-03-27 12:00")),
                                ("C0NEWYORK", new_york, at("2026-03-06 12:00"))):
        for when in fire_times(sub, start, 3):
            clock.now = when.astimezone(UTC)
            outcome = digests.fire(channel)
            assert outcome.digest_date == when.date()  # the local date
            assert outcome.status in ("posted", "quiet")
    assert [r.digest_date for r in ledger.recent(store, "C0LONDON1")] == \
        [date(2026, 3, 30), date(2026, 3, 29), date(2026, 3, 28)]
    # the London digest of Sat 28 Mar, posted at 08:00 UTC, held the story ingested at 06:00 UTC
    (posted,) = [p for p in posts(slack, "C0LONDON1")]
    assert "Morning story" in json.dumps(posted["blocks"]) and "Saturday 28 March 2026" in posted["text"]
    assert posted["unfurl_links"] is False and posted["unfurl_media"] is False


def test_the_hour_that_happens_twice_in_autumn_posts_one_digest(store, client, slack):
    # Europe/London falls back on Sun 25 Oct 2026: 01:30 local happens at 00:30 and again at 01:30 UTC.
    subscribe(store, "C0LONDON1", time="01:30", tz="Europe/London", days=DAILY)
    london = subs_db.get(store, "C0LONDON1")
    times = fire_times(london, at("2026-10-24 12:00"), 3)
    assert [t.astimezone(UTC).strftime("%d %H:%M") for t in times] == ["25 00:30", "25 01:30", "26 01:30"]
    story(store, "Night story", at("2026-10-24 23:00"))
    clock = Clock(at("2026-10-24 12:00"))
    digests = scheduler_for(store, client, clock)
    outcomes = []
    for when in times[:2]:
        clock.now = when.astimezone(UTC)
        outcomes.append(digests.fire("C0LONDON1"))
    assert [o.digest_date for o in outcomes] == [date(2026, 10, 25), date(2026, 10, 25)]
    assert outcomes[0].status == "posted" and outcomes[1].status != "posted"
    assert [r.digest_date for r in ledger.recent(store, "C0LONDON1")] == [date(2026, 10, 25)]
    assert len(posts(slack, "C0LONDON1")) == 1


def test_weekday_subscription_is_silent_on_weekends(store, client, slack):
    subscribe(store, "C0WEEKDAY", time="09:00", tz="Asia/Beirut")
    sub = subs_db.get(store, "C0WEEKDAY")
    runs = fire_times(sub, at("2026-03-26 12:00"), 5)  # from Thursday
    assert [t.strftime("%a") for t in runs] == ["Fri", "Mon", "Tue", "Wed", "Thu"]
    # even a job woken on Saturday morning posts nothing: Friday's slot is beyond grace
    story(store, "Weekend story", at("2026-03-28 05:00"))
    digests = scheduler_for(store, client, Clock(at("2026-03-28 07:00")))  # Sat 09:00 in Beirut
    assert digests.fire("C0WEEKDAY") is None
    assert digests.catch_up() == []
    assert posts(slack) == []
    # Monday's digest covers the weekend (first digest: the last 24 hours, so Sunday onwards)
    story(store, "Sunday story", at("2026-03-29 10:00"))
    digests.clock.now = at("2026-03-30 06:00")  # Mon 09:00 in Beirut
    assert digests.fire("C0WEEKDAY").status == "posted"
    assert "Sunday story" in json.dumps(posts(slack)[0]["blocks"])


def test_exactly_one_post_per_channel_and_date_across_a_restart(db_url, client, slack):
    first = Store(db_url)
    subscribe(first, "C0DESK001")
    story(first, "Story", at("2026-03-27 07:00"))
    clock = Clock(at("2026-03-27 08:00"))
    assert scheduler_for(first, client, clock).fire("C0DESK001").status == "posted"
    first.dispose()

    restarted = Store(db_url)  # a new process on the same database
    again = scheduler_for(restarted, client, Clock(at("2026-03-27 08:20")))
    assert again.catch_up() == []
    assert again.fire("C0DESK001").status == "already"  # a retried job
    assert len(posts(slack)) == 1
    row = ledger.get(restarted, "C0DESK001", date(2026, 3, 27))
    assert row.status == "posted" and row.ts
    restarted.dispose()


def test_two_scheduler_instances_on_one_database_post_once(db_url, client, slack):
    stores = [Store(db_url), Store(db_url)]
    for channel in ("C0DESK001", "C0DESK002"):
        subscribe(stores[0], channel)
    story(stores[0], "Story", at("2026-03-27 07:00"))
    clock = Clock(at("2026-03-27 08:00"))
    instances = [scheduler_for(s, client, clock) for s in stores]
    barrier = threading.Barrier(4)
    outcomes = []

    def run(instance, channel):
        barrier.wait()
        outcomes.append(instance.fire(channel))

    threads = [threading.Thread(target=run, args=(i, c)) for i in instances for c in ("C0DESK001", "C0DESK002")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(o.status for o in outcomes) == ["already", "already", "posted", "posted"]
    assert sorted(p["channel"] for p in posts(slack)) == ["C0DESK001", "C0DESK002"]
    for s in stores:
        s.dispose()


def test_missed_digest_within_grace_is_posted_once_at_start_and_beyond_grace_is_not(store, client, slack, caplog):
    subscribe(store, "C0WITHIN1")  # 08:00 London
    subscribe(store, "C0BEYOND1", time="02:00")  # 02:00 London: 9 hours ago at 11:00
    story(store, "Overnight story", at("2026-03-27 05:00"))
    digests = scheduler_for(store, client, Clock(at("2026-03-27 11:00")))
    with caplog.at_level(logging.WARNING, logger="bot.digest.scheduler"):
        outcomes = digests.catch_up()
    assert [(o.channel, o.status) for o in outcomes] == [("C0WITHIN1", "posted")]
    (posted,) = posts(slack)
    assert "posted late" in json.dumps(posted["blocks"])
    assert "C0BEYOND1" in caplog.text and "beyond the 6.0 h grace period: skipped" in caplog.text
    assert digests.catch_up() == []  # a second start posts nothing more
    assert len(posts(slack)) == 1


def test_a_yaml_subscription_missed_while_down_is_caught_up_by_the_running_scheduler(config_dir, store, client, slack):
    (config_dir / "digests.yaml").write_text(
        "subscriptions:\n"
        "  - channel: C0YAMLDESK\n"
        "    time: \"08:00\"\n"
        "    timezone: Europe/London\n"
        "    days: daily\n"
        "    follow: [Kataeb Hezbollah]\n"
        "    post_when_quiet: true\n")
    settings = load_settings()
    settings.digest.reindex_minutes = 0
    now = datetime.now(UTC)
    due = Subscription(channel="C0YAMLDESK", timezone="Europe/London", days=DAILY).last_due(now)
    # Known from an earlier run: the bot was down at the digest's time.
    subs_db.save(store, Subscription(channel="C0YAMLDESK", timezone="Europe/London", days=DAILY, origin="yaml",
                                     created_at=due - timedelta(days=1)))
    scheduler = DigestScheduler(store, settings, client, clock=lambda: due + timedelta(minutes=30))
    running = scheduler.start()
    try:
        slack.wait_for("/api/chat.postMessage")
        jobs = {job.id: job for job in running.get_jobs()}
        assert "digest:C0YAMLDESK" in jobs and "digest-subscriptions" in jobs
        assert str(jobs["digest:C0YAMLDESK"].trigger.timezone) == "Europe/London"
    finally:
        running.shutdown(wait=True)
    (posted,) = posts(slack)
    assert posted["channel"] == "C0YAMLDESK" and posted["text"].startswith("Nothing new since")


def test_not_in_channel_pauses_the_subscription_and_tells_the_subscriber(store, client, slack):
    slack.fail("chat.postMessage", "not_in_channel", channel="C0NOTMEMB")
    subscribe(store, "C0NOTMEMB", created_by="U0REPORTER")
    subscribe(store, "C0FINE001")
    story(store, "Story", at("2026-03-27 07:00"))
    outcomes = scheduler_for(store, client, Clock(at("2026-03-27 09:00"))).catch_up()
    assert [(o.channel, o.status) for o in outcomes] == [("C0FINE001", "posted"), ("C0NOTMEMB", "unavailable")]
    sub = subs_db.get(store, "C0NOTMEMB")
    assert sub.paused and sub.paused_reason == "not_in_channel"
    dm = posts(slack, "U0REPORTER")
    assert len(dm) == 1 and "/invite @newsbot" in dm[0]["text"] and "/digest resume" in dm[0]["text"]
    assert len(posts(slack, "C0NOTMEMB")) == 1  # tried once, never in a loop
    # paused: the next day's job posts nothing
    assert scheduler_for(store, client, Clock(at("2026-03-30 08:00"))).fire("C0NOTMEMB").status == "paused"
    assert len(posts(slack, "C0NOTMEMB")) == 1


def test_rate_limit_waits_retry_after_and_other_errors_back_off_then_give_up(store, client, slack):
    subscribe(store, "C0LIMITED")
    subscribe(store, "C0BROKEN1")
    story(store, "Story", at("2026-03-27 07:00"))
    slack.rate_limit("chat.postMessage", times=1, retry_after=7)
    sleeps: list[float] = []
    outcome = run_digest(store, client, subs_db.get(store, "C0LIMITED"), date(2026, 3, 27),
                         now=at("2026-03-27 08:00"), sleep=sleeps.append)
    assert outcome.status == "posted" and sleeps == [7.0]

    slack.fail("chat.postMessage", "internal_error", channel="C0BROKEN1")
    sleeps.clear()
    outcome = run_digest(store, client, subs_db.get(store, "C0BROKEN1"), date(2026, 3, 27),
                         now=at("2026-03-27 08:00"), sleep=sleeps.append)
    assert outcome.status == "failed" and sleeps == [2.0, 4.0, 8.0]
    assert len(posts(slack, "C0BROKEN1")) == 4
    assert ledger.get(store, "C0BROKEN1", date(2026, 3, 27)).status == "failed"
    assert not subs_db.get(store, "C0BROKEN1").paused
    # a failed digest may be tried again (say, at the next start), and then it goes out once
    slack.fail("chat.postMessage", "", channel="C0BROKEN1")  # Slack is back
    again = scheduler_for(store, client, Clock(at("2026-03-27 09:00"))).catch_up()
    assert [(o.channel, o.status) for o in again] == [("C0BROKEN1", "posted")]


def test_a_new_file_in_the_corpus_folder_appears_in_the_next_digest(config_dir, store, client, slack):
    settings = load_settings()
    clock = Clock(datetime.now(UTC))
    digests = scheduler_for(store, client, clock, settings=settings)
    digests.reindex()  # the seeds
    now = clock.now = datetime.now(UTC)
    slot = (now - timedelta(minutes=1)).strftime("%H:%M")
    subscribe(store, "C0CORPUS1", time=slot, tz="UTC", days=DAILY, follow=["Kataeb Hezbollah"])
    assert digests.fire("C0CORPUS1").status == "quiet"  # the seeds are an archive, published long before today

    dropped = Path(settings.corpus_folders[0]) / "dropped.jsonl"
    dropped.write_text(json.dumps({"title": "Kataeb Hezbollah claims drone strike near the border",
                                   "source": "Test Wire", "date": now.date().isoformat(), "text": "Kataeb Hezbollah said on Friday it launched "
                                   "a drone at a base near the border. Officials did not confirm the claim."}) + "\n")
    report = digests.reindex()
    assert report.files_indexed == 1 and report.articles_added == 1
    clock.now = now + timedelta(days=1)
    assert digests.fire("C0CORPUS1").status == "posted"
    latest = posts(slack, "C0CORPUS1")[-1]
    text = json.dumps(latest["blocks"])
    assert "Kataeb Hezbollah claims drone strike" in text
    assert latest["text"].split(": ", 1)[1].startswith("1 new story from 1 source")


def test_the_bot_answers_from_what_its_own_re_index_added_without_a_check_of_its_own(config_dir, store, client):
    from bot.slack.answers import Answers

    settings = load_settings()
    digests = scheduler_for(store, client, Clock(datetime.now(UTC)), settings=settings)
    digests.reindex()  # the seeds
    engines = Answers(store).engines  # the bot's front over the scheduler's store
    assert engines.lookup("Ulmnith Brigades").status == "not_found"
    engines.lookup_engine.live.refresh_seconds = 3600  # no lookup checks the generation from here on
    (Path(settings.corpus_folders[0]) / "dropped.jsonl").write_text(json.dumps({
        "title": "Militia warns of reprisals", "source": "Test Wire", "date": datetime.now(UTC).date().isoformat(),
        "text": "BAGHDAD - The Ulmnith Brigades warned on Saturday that their fighters would answer any strike on "
                "their depots. The Ulmnith Brigades said the strike killed two guards."}) + "\n")
    assert digests.reindex().articles_added == 1
    engines.lookup_engine.live.wait(30)
    assert engines.lookup("Ulmnith Brigades").status == "found"


def test_followed_actors_mentions_are_posted(store, client, slack):
    subscribe(store, "C0FOLLOW1", follow=["Kataeb Hezbollah"])
    story(store, "Strike near the border", at("2026-03-27 07:00"), mentions_of=("Kataeb Hezbollah",),
          quotes_by=(("We will respond at the time and place of our choosing", "Kataeb Hezbollah", False),))
    story(store, "Unrelated", at("2026-03-27 07:10"))
    scheduler_for(store, client, Clock(at("2026-03-27 08:00"))).fire("C0FOLLOW1")
    text = json.dumps(posts(slack)[0]["blocks"], ensure_ascii=False)
    assert "*Following: Kataeb Hezbollah*: 1 new mention, 1 quote" in text
    assert "Kataeb Hezbollah was in the story Strike near the border." in text


def test_window_starts_where_the_previous_digest_ended(store, client, slack):
    subscribe(store, "C0WINDOW1", days=DAILY)
    story(store, "Before", at("2026-03-26 07:59"))
    story(store, "Between", at("2026-03-26 12:00"))
    digests = scheduler_for(store, client, Clock(at("2026-03-26 08:00")))
    digests.fire("C0WINDOW1")
    digests.clock.now = at("2026-03-28 08:00")  # Friday's digest was skipped (bot down too long)
    digests.fire("C0WINDOW1")
    first, second = posts(slack)
    assert "Before" in json.dumps(first["blocks"]) and "Between" not in json.dumps(first["blocks"])
    assert "Between" in json.dumps(second["blocks"]) and "Before" not in json.dumps(second["blocks"])


def test_replay_cli_posts_once_through_the_ledger_and_again_only_when_asked(config_dir, store, slack, monkeypatch):
    from click.testing import CliRunner

    from bot.cli import cli

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    story(store, "Story to replay", at("2026-03-24 06:00"))
    runner = CliRunner()
    command = ["--db", store.url, "digest", "--channel", "C0REPLAY1", "--date", "2026-03-24", "--post"]
    result = runner.invoke(cli, command)
    assert result.exit_code == 0 and "C0REPLAY1 2026-03-24: posted" in result.output, result.output
    result = runner.invoke(cli, command)
    assert result.exit_code == 1 and "add --again to send it anyway" in result.output
    result = runner.invoke(cli, command + ["--again"])
    assert result.exit_code == 0 and "Posted again" in result.output
    assert [("Story to replay" in json.dumps(p["blocks"])) for p in posts(slack, "C0REPLAY1")] == [True, True]


def test_a_digest_due_during_a_reindex_waits_for_it_and_includes_its_stories(store, client, slack):
    subscribe(store, "C0WAITING")
    indexing, finish = threading.Event(), threading.Event()

    class SlowIndexer:  # stores a story, then is still busy with the rest of the file when the digest is due
        def run(self, folders, roots=None, wait=True):
            story(store, "Stored mid re-index", at("2026-03-27 07:59"))
            indexing.set()
            finish.wait(10)

    digests = DigestScheduler(store, Settings(), client, clock=lambda: at("2026-03-27 08:00"),
                              indexer_factory=lambda *_: SlowIndexer())
    reindex = threading.Thread(target=digests.reindex)
    reindex.start()
    indexing.wait(10)
    outcome = []
    job = threading.Thread(target=lambda: outcome.append(digests.fire("C0WAITING")))
    job.start()
    job.join(0.3)
    assert job.is_alive() and posts(slack) == []  # waiting for the re-index
    finish.set()
    job.join(10)
    reindex.join(10)
    assert outcome[0].status == "posted" and "Stored mid re-index" in json.dumps(posts(slack)[0]["blocks"])


def test_a_refused_token_fails_without_retrying_or_pausing_anyone(store, client, slack):
    subscribe(store, "C0TOKEN01")
    story(store, "Story", at("2026-03-27 07:00"))
    slack.fail("chat.postMessage", "invalid_auth")
    sleeps: list[float] = []
    outcome = run_digest(store, client, subs_db.get(store, "C0TOKEN01"), date(2026, 3, 27),
                         now=at("2026-03-27 08:00"), sleep=sleeps.append)
    assert outcome.status == "failed" and "check SLACK_BOT_TOKEN" in outcome.detail
    assert sleeps == [] and len(posts(slack)) == 1 and not subs_db.get(store, "C0TOKEN01").paused


def test_jobs_follow_the_subscriptions_table_without_a_restart(store, client):
    digests = scheduler_for(store, client, Clock(at("2026-03-27 06:00")))
    subscribe(store, "C0CHANGES")
    digests.reconcile()
    (job,) = [j for j in digests.scheduler.get_jobs() if j.id == "digest:C0CHANGES"]
    assert "hour='8', minute='0', timezone='Europe/London'" in repr(job.trigger)
    subscribe(store, "C0CHANGES", tz="Asia/Beirut")  # /digest subscribe Asia/Beirut: only the zone changes
    digests.reconcile()
    (job,) = [j for j in digests.scheduler.get_jobs() if j.id == "digest:C0CHANGES"]
    assert "hour='8', minute='0', timezone='Asia/Beirut'" in repr(job.trigger)
    subs_db.remove(store, "C0CHANGES")  # /digest unsubscribe
    digests.reconcile()
    assert [j.id for j in digests.scheduler.get_jobs() if j.id.startswith("digest:")] == []


def test_the_scheduled_reindex_logs_each_problem_it_meets(config_dir, store, client, caplog):
    settings = load_settings()
    corpus = Path(settings.corpus_folders[0])
    (corpus / "feed.jsonl").write_text('{"text": "Markets were calm in Amman on Sunday."}\n{"text": oops}\n')
    (corpus / "moved.txt").symlink_to(corpus / "no-longer-here.txt")
    digests = scheduler_for(store, client, Clock(datetime.now(UTC)), settings=settings)
    with caplog.at_level(logging.WARNING, logger="bot.ingest.reindex"):
        digests.reindex()
        first = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        caplog.clear()
        digests.reindex()
        second = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    broken_link = (f"re-index: {corpus / 'moved.txt'}: cannot be read: symbolic link to "
                   f"{corpus / 'no-longer-here.txt'}, which does not exist")
    assert sorted(first) == [f"re-index: {corpus / 'feed.jsonl'}:2: malformed JSON: Expecting value (column 10)",
                             broken_link]
    assert second == [broken_link]  # still there, so said again; the unchanged file's line was said once


class Died(BaseException):
    """The process posting a digest vanished (kill -9): nothing after this point runs, no handler sees it."""


def die(seconds):
    raise Died()


def delivered(slack, channel):
    """The messages that reached the channel (not the refused attempts)."""
    return slack.history.get(channel, [])


def went_through(slack, channel, timeout=10.0):
    """Wait until a post whose answer the bot gave up on has reached the channel (the fake takes it in its
    own thread, which a busy machine may run late), and return what reached it."""
    deadline = time.monotonic() + timeout
    while not delivered(slack, channel) and time.monotonic() < deadline:
        time.sleep(0.01)
    return delivered(slack, channel)


def test_a_digest_whose_instance_died_during_429s_is_taken_over_after_its_lease_and_posted_once(db_url, client, slack,
                                                                                                 caplog):
    first, second = Store(db_url), Store(db_url)
    subscribe(first, "C0LEASED1")
    story(first, "Story", at("2026-03-27 07:00"))
    slack.rate_limit("chat.postMessage", times=1, retry_after=30)
    dying = DigestScheduler(first, Settings(), client, clock=Clock(at("2026-03-27 08:00")), sleep=die)
    with pytest.raises(Died):  # killed while waiting out the 429
        dying.fire("C0LEASED1")
    first.dispose()
    assert delivered(slack, "C0LEASED1") == []

    clock = Clock(at("2026-03-27 08:03"))
    other = scheduler_for(second, client, clock)
    assert other.catch_up() == []  # the lease (5 min) still runs: its holder may be alive
    assert other.fire("C0LEASED1").status == "already"
    clock.now = at("2026-03-27 08:06")
    with caplog.at_level(logging.INFO, logger="bot.digest"):
        (outcome,) = other.catch_up()
    assert outcome.status == "posted" and "claim ran out" in caplog.text
    (message,) = delivered(slack, "C0LEASED1")
    assert "Story" in json.dumps(message["blocks"])
    assert message["metadata"] == {"event_type": "newsbot_digest",
                                   "event_payload": {"channel": "C0LEASED1", "digest_date": "2026-03-27"}}
    row = ledger.get(second, "C0LEASED1", date(2026, 3, 27))
    assert (row.status, row.ts, row.attempts) == ("posted", message["ts"], 2)
    assert slack.calls("/api/conversations.history") == []  # refused by a 429: nothing to look for
    clock.now = at("2026-03-27 08:20")
    assert other.catch_up() == [] and len(delivered(slack, "C0LEASED1")) == 1
    second.dispose()


def test_a_digest_posted_by_an_instance_that_died_before_recording_it_is_found_and_not_posted_again(db_url, slack,
                                                                                                      caplog):
    first, second = Store(db_url), Store(db_url)
    subscribe(first, "C0LEASED2")
    story(first, "Story", at("2026-03-27 07:00"))
    slack.hold("chat.postMessage", seconds=1.5)  # the post goes through; the answer never reaches the bot
    impatient = WebClient(token="xoxb-test", base_url=slack.api_url, timeout=0.5)
    dying = DigestScheduler(first, Settings(), impatient, clock=Clock(at("2026-03-27 08:00")), sleep=die)
    with pytest.raises(Died):  # killed before it could record the post (or look for it)
        dying.fire("C0LEASED2")
    first.dispose()
    slack.hold("chat.postMessage", seconds=0)
    (posted,) = went_through(slack, "C0LEASED2")

    other = scheduler_for(second, WebClient(token="xoxb-test", base_url=slack.api_url), Clock(at("2026-03-27 08:06")))
    with caplog.at_level(logging.INFO, logger="bot.digest"):
        (outcome,) = other.catch_up()
    assert (outcome.status, outcome.ts) == ("posted", posted["ts"])
    assert "was already in the channel" in caplog.text
    assert len(delivered(slack, "C0LEASED2")) == 1 and len(slack.calls("/api/conversations.history")) == 1
    row = ledger.get(second, "C0LEASED2", date(2026, 3, 27))
    assert (row.status, row.ts) == ("posted", posted["ts"])
    second.dispose()


def test_a_post_whose_answer_was_lost_is_looked_for_before_it_is_sent_again(store, slack):
    subscribe(store, "C0TIMEOUT")
    story(store, "Story", at("2026-03-27 07:00"))
    slack.hold("chat.postMessage", seconds=1.5)
    impatient = WebClient(token="xoxb-test", base_url=slack.api_url, timeout=0.5)
    digests = DigestScheduler(store, Settings(), impatient, clock=Clock(at("2026-03-27 08:00")),
                              sleep=lambda seconds: went_through(slack, "C0TIMEOUT"))  # the back-off, before retrying
    outcome = digests.fire("C0TIMEOUT")
    (posted,) = delivered(slack, "C0TIMEOUT")
    assert (outcome.status, outcome.ts) == ("posted", posted["ts"])


def test_a_post_cut_off_after_slack_took_it_is_not_sent_again_by_the_clients_own_retries(store, slack):
    from bot.slack.app import web_client  # the bot's client, which retries dropped connections

    subscribe(store, "C0CUTOFF")
    story(store, "Story", at("2026-03-27 07:00"))
    slack.cut("chat.postMessage")  # Slack posts it, then the connection drops before the answer
    digests = DigestScheduler(store, Settings(), web_client("xoxb-test", slack.api_url),
                              clock=Clock(at("2026-03-27 08:00")), sleep=lambda seconds: None)
    outcome = digests.fire("C0CUTOFF")
    (posted,) = delivered(slack, "C0CUTOFF")
    assert (outcome.status, outcome.ts) == ("posted", posted["ts"])


def test_a_takeover_that_cannot_read_the_history_does_not_post_blind_and_tells_the_subscriber(store, slack, caplog):
    subscribe(store, "C0NOSCOPE", created_by="U0EDITOR")
    story(store, "Story", at("2026-03-27 07:00"))
    slack.hold("chat.postMessage", seconds=1.5)
    impatient = WebClient(token="xoxb-test", base_url=slack.api_url, timeout=0.5)
    with pytest.raises(Died):
        DigestScheduler(store, Settings(), impatient, clock=Clock(at("2026-03-27 08:00")), sleep=die).fire("C0NOSCOPE")
    slack.hold("chat.postMessage", seconds=0)
    went_through(slack, "C0NOSCOPE")
    slack.fail("conversations.history", "missing_scope")
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    with caplog.at_level(logging.WARNING, logger="bot.digest"):
        (outcome,) = scheduler_for(store, client, Clock(at("2026-03-27 08:06"))).catch_up()
    assert outcome.status == "failed" and "missing_scope" in outcome.detail
    assert "not posted blind" in caplog.text and "channels:history and groups:history" in caplog.text
    assert len(delivered(slack, "C0NOSCOPE")) == 1  # the one that went through; none after it
    (dm,) = delivered(slack, "U0EDITOR")
    assert "was not posted" in dm["text"] and "missing_scope" in dm["text"]
    assert ledger.get(store, "C0NOSCOPE", date(2026, 3, 27)).status == "given_up"
    assert scheduler_for(store, client, Clock(at("2026-03-27 08:30"))).catch_up() == []
    assert len(delivered(slack, "U0EDITOR")) == 1


def test_a_digest_left_unposted_past_the_grace_period_is_given_up_once_and_its_subscriber_told(db_url, client, slack,
                                                                                                caplog):
    stores = [Store(db_url), Store(db_url)]
    subscribe(stores[0], "C0GIVENUP", created_by="U0EDITOR")
    story(stores[0], "Story", at("2026-03-27 07:00"))
    slack.rate_limit("chat.postMessage", times=1, retry_after=30)
    with pytest.raises(Died):
        DigestScheduler(stores[0], Settings(), client, clock=Clock(at("2026-03-27 08:00")), sleep=die).fire("C0GIVENUP")
    # every instance was down until after the grace period (6 h)
    late = [scheduler_for(s, client, Clock(at("2026-03-27 14:30"))) for s in stores]
    with caplog.at_level(logging.WARNING, logger="bot.digest"):
        assert late[0].catch_up() == [] and late[1].catch_up() == []
    assert delivered(slack, "C0GIVENUP") == []
    (dm,) = delivered(slack, "U0EDITOR")
    assert "digest for <#C0GIVENUP> of Friday 27 March was not posted" in dm["text"]
    assert "beyond the 6.0 h grace period" in dm["text"] and "newsbot digest --channel C0GIVENUP" in dm["text"]
    assert caplog.text.count("C0GIVENUP due 2026-03-27T08:00:00+00:00 was left claimed") == 1
    assert ledger.get(stores[1], "C0GIVENUP", date(2026, 3, 27)).status == "given_up"
    # the next digest covers its news
    late[1].clock.now = at("2026-03-30 08:00")
    assert late[1].fire("C0GIVENUP").status == "posted"
    assert "Story" in json.dumps(delivered(slack, "C0GIVENUP")[0]["blocks"])
    for s in stores:
        s.dispose()


def test_the_catch_up_check_runs_every_lease_period_not_only_at_start(store, client):
    settings = Settings(digest=DigestDefaults(lease_minutes=2, reindex_minutes=0))
    running = DigestScheduler(store, settings, client).start()
    try:
        job = running.get_job("digest-catch-up")
        assert job.trigger.interval == timedelta(minutes=2)
    finally:
        running.shutdown(wait=True)


def test_a_digest_left_claimed_before_claims_were_leases_is_looked_for_then_posted(store, client, slack):
    """A row claimed by an older newsbot has no lease and no record of its sends: it counts as held for one
    lease after its claim, then is taken over, the history read from the claim on."""
    from sqlalchemy import insert

    from bot.store.schema import digest_ledger

    subscribe(store, "C0LEGACY1")
    story(store, "Story", at("2026-03-27 07:00"))
    with store.begin() as conn:
        conn.execute(insert(digest_ledger).values(channel="C0LEGACY1", digest_date=date(2026, 3, 27), status="claimed",
                                                  claimed_at=at("2026-03-27 08:00"), claimed_by="old-host:42",
                                                  attempts=1))
    clock = Clock(at("2026-03-27 08:03"))
    digests = scheduler_for(store, client, clock)
    assert digests.catch_up() == []
    clock.now = at("2026-03-27 08:06")
    (outcome,) = digests.catch_up()
    assert outcome.status == "posted" and len(delivered(slack, "C0LEGACY1")) == 1
    (look,) = slack.calls("/api/conversations.history")
    assert look.body["channel"] == "C0LEGACY1" and float(look.body["oldest"]) <= at("2026-03-27 08:00").timestamp()


def test_another_apps_message_carrying_the_digest_marker_is_not_taken_for_the_digest(store, client, slack):
    subscribe(store, "C0FORGED1")
    story(store, "Story", at("2026-03-27 07:00"))
    slack.hold("chat.postMessage", seconds=1.5)
    impatient = WebClient(token="xoxb-test", base_url=slack.api_url, timeout=0.5)
    with pytest.raises(Died):  # its post went through
        DigestScheduler(store, Settings(), impatient, clock=Clock(at("2026-03-27 08:00")), sleep=die).fire("C0FORGED1")
    slack.hold("chat.postMessage", seconds=0)
    (posted,) = went_through(slack, "C0FORGED1")
    posted["bot_id"] = "BOTHERAPP"  # as if another app had posted a message with the same metadata
    (outcome,) = scheduler_for(store, client, Clock(at("2026-03-27 08:06"))).catch_up()
    assert outcome.status == "posted" and outcome.ts != posted["ts"]
    assert [m["bot_id"] for m in delivered(slack, "C0FORGED1")] == ["BOTHERAPP", "BNEWSBOT"]
