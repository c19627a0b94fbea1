"""Two bot processes on one PostgreSQL database, as a host with two dynos runs them.

Both run `newsbot run` in HTTP mode (dummy Slack credentials, the Web API pointed
at the fake Slack of tests/fakeslack.py) on different ports, with the same
corpus folder and digest subscription. Instance A re-indexes the corpus every few
seconds; instance B never does. They show: both answer the same /lookup; an
article indexed through A is found through B within a minute (no stale
in-memory index); exactly one of them posts the digest both are due to post; a request Slack
sends again to the other instance is answered once.

PostgreSQL only: runs when NEWSBOT_TEST_POSTGRES_URL is set.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from bot.digest import subscriptions as subs_db
from bot.digest.subscriptions import DAILY, Subscription
from bot.store.db import Store
from tests.conftest import ROOT, SEEDS, _postgres_schema_url
from tests.fakeslack import FakeSlack, command_body, mention_body, post_signed

pytestmark = pytest.mark.skipif(not os.environ.get("NEWSBOT_TEST_POSTGRES_URL"),
                                reason="several instances share a PostgreSQL database: set NEWSBOT_TEST_POSTGRES_URL")

SECRET = "instance-test-secret"
DIGEST_CHANNEL = "C0DIGESTS"
MENTION_CHANNEL = "C0MENTIONS"
NEW_ACTOR = "Zorvantel Quimbex"
NEW_ARTICLE = {
    "title": "Militia commander warns of reprisals after strike on depot",
    "source": "Instance Test Wire",
    "date": "2026-11-21",
    "text": (f"BAGHDAD - {NEW_ACTOR}, the commander of the Ulmnith Brigades, warned on Saturday that his fighters "
             "would answer any further strike on their depots.\n\n"
             f"\u201cWe will not stay silent while our people are targeted,\u201d {NEW_ACTOR} told reporters in "
             "Baghdad.\n\n"
             f"{NEW_ACTOR.split()[1]} has led the group since 2019, according to officials in the Iraqi capital."),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subscribed_yesterday(db_url: str, digest_time: str, *, subscriber: str | None = None) -> None:
    """The digest subscription as an earlier run recorded it: made yesterday, so today's digest is owed."""
    store = Store(db_url)
    try:
        subs_db.save(store, Subscription(channel=DIGEST_CHANNEL, time=digest_time, timezone="UTC", days=DAILY,
                                         post_when_quiet=True, origin="yaml", created_by=subscriber,
                                         created_at=datetime.now(timezone.utc) - timedelta(days=1)))
    finally:
        store.dispose()


def project_config(project: Path, name: str, *, reindex_minutes: float, digest_time: str,
                   subscriber: str | None = None, **digest_settings) -> Path:
    """A copy of config/ for one instance: its re-index interval (and other digest settings) and the
    shared digest subscription."""
    config = project / name
    shutil.copytree(ROOT / "config", config)
    settings_path = config / "settings.yaml"
    settings = yaml.safe_load(settings_path.read_text()) or {}
    settings["corpus_folders"] = ["seeds"]
    settings.setdefault("digest", {}).update(reindex_minutes=reindex_minutes, **digest_settings)
    settings_path.write_text(yaml.safe_dump(settings))
    (config / "digests.yaml").write_text(yaml.safe_dump({"subscriptions": [{
        "channel": DIGEST_CHANNEL, "time": digest_time, "timezone": "UTC", "days": "daily",
        "post_when_quiet": True, **({"subscriber": subscriber} if subscriber else {})}]}))
    return config


class BotProcess:
    """`newsbot run` in HTTP mode, as a dyno runs it."""

    def __init__(self, name: str, db_url: str, config: Path, slack: FakeSlack, log_dir: Path):
        self.name = name
        self.port = free_port()
        self.log = log_dir / f"bot-{name}.log"
        env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-instance-test", "SLACK_SIGNING_SECRET": SECRET,
               "SLACK_API_URL": slack.api_url, "NEWSBOT_CONFIG_DIR": str(config), "PORT": str(self.port),
               "SKIP_SLACK_SDK_WARNING": "1"}
        env.pop("SLACK_APP_TOKEN", None)
        env.pop("DATABASE_URL", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "--db", db_url, "run"], env=env, cwd=config.parent,
                                     stdout=self.log.open("w"), stderr=subprocess.STDOUT)

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"instance {self.name} exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"instance {self.name} not healthy after {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Desk:
    """The two instances, the shared database and corpus, and the fake Slack they talk to."""

    def __init__(self, slack: FakeSlack, a: BotProcess, b: BotProcess, corpus: Path, db_url: str):
        self.slack, self.a, self.b, self.corpus, self.db_url = slack, a, b, corpus, db_url
        self.requests = 0

    def lookup(self, bot: BotProcess, name: str) -> dict:
        """/lookup through one instance: acked in time, then the answer posted to the response_url."""
        self.requests += 1
        reply = f"{bot.name}-{self.requests}"
        status, _, seconds = post_signed(bot.events_url, command_body("/lookup", name, self.slack.response_url(reply)),
                                         SECRET)
        assert status == 200 and seconds < 3
        return self.slack.wait_for(f"/respond/{reply}", timeout=30)[-1].body


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    project = tmp_path_factory.mktemp("project")
    shutil.copytree(SEEDS, project / "seeds")
    admin, schema, db_url = _postgres_schema_url(os.environ["NEWSBOT_TEST_POSTGRES_URL"])
    due = (datetime.now(timezone.utc) - timedelta(minutes=10)).strftime("%H:%M")
    config_a = project_config(project, "config-a", reindex_minutes=0.05, digest_time=due)
    config_b = project_config(project, "config-b", reindex_minutes=0, digest_time=due)
    index = subprocess.run([sys.executable, "-m", "bot", "--db", db_url, "index"], cwd=project, capture_output=True,
                           text=True, env={**os.environ, "NEWSBOT_CONFIG_DIR": str(config_a)}, timeout=300)
    assert index.returncode == 0, index.stdout + index.stderr
    subscribed_yesterday(db_url, due)
    slack = FakeSlack()
    a = BotProcess("a", db_url, config_a, slack, project)
    b = BotProcess("b", db_url, config_b, slack, project)
    try:
        a.wait_ready()
        b.wait_ready()
        yield Desk(slack, a, b, project / "seeds", db_url)
    finally:
        a.stop()
        b.stop()
        slack.close()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def profile_name(answer: dict) -> str | None:
    """The actor a /lookup answer profiles (its header), or None for not-found and ambiguous answers."""
    blocks = answer.get("blocks") or []
    if blocks and blocks[0].get("type") == "header":
        return blocks[0]["text"]["text"]
    return None


def test_both_instances_answer_the_same_lookup(desk):
    from_a = desk.lookup(desk.a, "Kata'ib Hizballah")
    from_b = desk.lookup(desk.b, "Kata'ib Hizballah")
    assert profile_name(from_a) == "Kataeb Hezbollah"
    assert from_a["blocks"] == from_b["blocks"]
    assert desk.slack.problems == []


def test_an_article_indexed_through_one_is_found_through_the_other_within_a_minute(desk):
    assert profile_name(desk.lookup(desk.b, NEW_ACTOR)) != NEW_ACTOR  # B has answered without it: caches are warm
    (desk.corpus / "late-news.jsonl").write_text(json.dumps(NEW_ARTICLE) + "\n", encoding="utf-8")
    deadline = time.monotonic() + 60  # A re-indexes every 3 s; B never re-indexes by itself
    found = None
    while time.monotonic() < deadline and found != NEW_ACTOR:
        time.sleep(2)
        found = profile_name(desk.lookup(desk.b, NEW_ACTOR))
    assert found == NEW_ACTOR, f"instance B still does not know {NEW_ACTOR}:\n{desk.b.output()}"
    assert profile_name(desk.lookup(desk.a, NEW_ACTOR)) == NEW_ACTOR


def test_exactly_one_instance_posts_each_digest(desk):
    """Both instances are due to catch up on the same digest at start; the ledger lets one post it."""
    def posts():
        return [r for r in desk.slack.calls("/api/chat.postMessage") if r.body.get("channel") == DIGEST_CHANNEL]

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not posts():
        time.sleep(0.5)
    time.sleep(5)  # time enough for a second, duplicate post to arrive
    assert len(posts()) == 1, f"{len(posts())} digest posts:\nA:\n{desk.a.output()}\nB:\n{desk.b.output()}"


def test_an_event_slack_sends_again_to_the_other_instance_is_answered_once(desk):
    """Slack retries an event it thinks was lost (a slow ack), to whichever instance; both ack it."""
    def answers():
        return [r for r in desk.slack.calls("/api/chat.postMessage") if r.body.get("channel") == MENTION_CHANNEL]

    mention = mention_body("<@UBOTNEWS> lookup Kataeb Hezbollah", channel=MENTION_CHANNEL, event_id="Ev0INSTANCES1")
    assert post_signed(desk.a.events_url, mention, SECRET)[0] == 200
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not answers():
        time.sleep(0.2)
    assert post_signed(desk.b.events_url, mention, SECRET, retry=(1, "http_timeout"))[0] == 200
    # Both at once (the retry while the first is still being answered): still one answer.
    again = mention_body("<@UBOTNEWS> lookup Iraq", channel=MENTION_CHANNEL, event_id="Ev0INSTANCES2")
    assert post_signed(desk.b.events_url, again, SECRET)[0] == 200
    assert post_signed(desk.a.events_url, again, SECRET, retry=(1, "http_timeout"))[0] == 200
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(answers()) < 2:
        time.sleep(0.2)
    time.sleep(3)  # time enough for a third answer to arrive
    logs = desk.a.log.read_text(errors="replace") + desk.b.log.read_text(errors="replace")
    assert len(answers()) == 2, f"{len(answers())} answers to two mentions:\n{logs[-8000:]}"
    assert "event:Ev0INSTANCES1, retry 1 (http_timeout), was already taken by" in logs
