"""Two `newsbot run` processes sharing one database (SQLite file or PostgreSQL schema) and the fake
Slack: the one posting the digest is killed with SIGKILL mid-post, and the other, already running,
takes the digest over once its lease has run out (digest.lease_minutes, 3 s here): it posts the
digest exactly once, or, when the dead one's post did reach the channel, finds it in the channel's
history and only records it."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from bot.digest import ledger
from bot.store.db import Store
from tests.fakeslack import FakeSlack
from tests.test_instances import DIGEST_CHANNEL, BotProcess, project_config, subscribed_yesterday

LEASE_MINUTES = 0.05  # 3 s: renewed every second, looked for every 3 s


class Pair:
    """Instances `a` and `b` of one project, started on demand; the fake Slack both talk to."""

    def __init__(self, project, db_url: str, slack: FakeSlack):
        self.project, self.db_url, self.slack = project, db_url, slack
        self.due = datetime.now(timezone.utc) - timedelta(minutes=10)
        subscribed_yesterday(db_url, self.due.strftime("%H:%M"), subscriber="U0EDITOR")
        self.bots: dict[str, BotProcess] = {}

    def start(self, name: str) -> BotProcess:
        config = project_config(self.project, f"config-{name}", reindex_minutes=0,
                                digest_time=self.due.strftime("%H:%M"), subscriber="U0EDITOR",
                                lease_minutes=LEASE_MINUTES)
        self.bots[name] = bot = BotProcess(name, self.db_url, config, self.slack, self.project)
        return bot

    def posted(self) -> list[dict]:
        """The digests that reached the channel."""
        return self.slack.history.get(DIGEST_CHANNEL, [])

    def status(self) -> str | None:
        return (row := self.row()) and row.status

    def row(self) -> ledger.LedgerRow | None:
        store = Store(self.db_url)
        try:
            return ledger.get(store, DIGEST_CHANNEL, self.due.date())
        finally:
            store.dispose()


@pytest.fixture
def pair(db_url, tmp_path):
    (tmp_path / "seeds").mkdir()  # no news: the digest says "Nothing new since …"
    with FakeSlack() as slack:
        both = Pair(tmp_path, db_url, slack)
        try:
            yield both
        finally:
            for bot in both.bots.values():
                bot.stop()


def wait_until(condition, timeout: float, what: str, *bots: BotProcess):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout}s:\n" + "\n".join(f"{b.name}:\n{log(b)}" for b in bots))


def log(bot: BotProcess) -> str:
    return bot.log.read_text(errors="replace")


def kill(bot: BotProcess) -> None:
    bot.proc.kill()  # SIGKILL: no handler, no clean-up
    bot.proc.wait()


def holding_b(pair: Pair) -> BotProcess:
    """Start instance b and wait until its catch-up check has seen a's live claim (and left it alone)."""
    b = pair.start("b")
    b.wait_ready()
    wait_until(lambda: f"digest for {DIGEST_CHANNEL} due" in log(b) and "is being posted by" in log(b), 30,
               "b never saw a's claim", pair.bots["a"], b)
    return b


def test_killed_while_slack_answers_429_the_other_instance_takes_the_digest_over_and_posts_it_once(pair):
    pair.slack.rate_limit("chat.postMessage", times=10_000, retry_after=2)
    a = pair.start("a")
    pair.slack.wait_for("/api/chat.postMessage", timeout=60)  # a claimed the digest; Slack answers 429
    b = holding_b(pair)
    time.sleep(LEASE_MINUTES * 60 * 3)  # three leases of 429s: a renews its claim, b leaves it alone
    row = pair.row()
    assert (row.status, row.claimed_by) == ("claimed", f"{row.claimed_by.split(':')[0]}:{a.proc.pid}")
    assert pair.posted() == [] and "taking it over" not in log(b)
    kill(a)
    pair.slack.rate_limit("chat.postMessage", times=1, retry_after=1)  # still busy when b tries
    wait_until(lambda: pair.posted(), 60, "no digest posted after a died", a, b)
    time.sleep(LEASE_MINUTES * 60 * 3)  # room for a second, duplicate post
    (message,) = pair.posted()
    assert message["text"].startswith("Nothing new since")
    assert "taking it over from" in log(b) and "whose claim ran out" in log(b)
    row = pair.row()
    assert (row.status, row.ts) == ("posted", message["ts"]) and row.claimed_by.endswith(f":{b.proc.pid}")
    assert pair.slack.history.get("U0EDITOR") is None  # nobody needs telling


def test_killed_after_its_post_went_through_the_other_instance_finds_it_and_does_not_post_again(pair):
    pair.slack.hold("chat.postMessage", seconds=120)  # the post takes effect; its answer never comes
    a = pair.start("a")
    wait_until(lambda: pair.posted(), 60, "a never posted")
    b = holding_b(pair)
    kill(a)
    pair.slack.hold("chat.postMessage", seconds=0)
    wait_until(lambda: pair.status() == "posted", 60, "b never recorded the digest", a, b)
    (message,) = pair.posted()
    assert pair.row().ts == message["ts"]
    assert "was already in the channel" in log(b)
    assert pair.slack.calls("/api/conversations.history")
    time.sleep(LEASE_MINUTES * 60 * 2)
    assert len(pair.posted()) == 1
