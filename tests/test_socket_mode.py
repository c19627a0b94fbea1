"""Socket Mode end to end on loopback: the real `newsbot run` (a subprocess with SLACK_APP_TOKEN,
SLACK_BOT_TOKEN and SLACK_API_URL pointing at the fake Slack of tests/fakeslack.py), whose
apps.connections.open answers with the ws:// URL of the fake Socket Mode endpoint of
tests/fakesocket.py. Envelopes are sent as Slack sends them; acks are checked by envelope_id and
answers at the response_url and chat.postMessage. The connection is then ended the ways a network
ends it, with the bot's default timing, and the bot must be back within 30 s with every answer
given exactly once.

On SQLite only: what is under test is the transport; the answers' store is the same on both
backends and covered by test_slack_e2e.py.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.fakeslack import FakeSlack, buttons
from tests.fakesocket import FakeSocketMode, button_envelope, mention_envelope, slash_command_envelope
from tests.slack_world import write_corpus

RECONNECT_BOUND_S = 30  # what the desk was promised
ACK_BOUND_S = 3  # Slack's


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """The seeds and the wire story indexed into SQLite; (database URL, environment for the bot)."""
    folder = tmp_path_factory.mktemp("socket-mode")
    corpus = write_corpus(folder)
    db_url = f"sqlite:///{folder / 'newsbot.db'}"
    env = {"NEWSBOT_CONFIG_DIR": str(folder / "config"), "NEWSBOT_CACHE_DIR": str(folder / "cache")}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        result = CliRunner().invoke(cli, ["--db", db_url, "index", str(corpus)])
    assert result.exit_code == 0, result.output
    return db_url, env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Bot:
    """`newsbot run` in Socket Mode, with its health check on a port of its own."""

    def __init__(self, desk, slack: FakeSlack, folder: Path):
        db_url, desk_env = desk
        self.port = free_port()
        self.log = folder / "bot.log"
        env = {**os.environ, **desk_env, "SLACK_APP_TOKEN": "xapp-1-A0NEWSBOT-test", "SLACK_BOT_TOKEN": "xoxb-test",
               "SLACK_API_URL": slack.api_url, "PORT": str(self.port), "SKIP_SLACK_SDK_WARNING": "1"}
        for name in ("SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "DATABASE_URL",
                     "NEWSBOT_SOCKET_PING_INTERVAL"):
            env.pop(name, None)
        # Ctrl-C reaches the bot as it does from a terminal, even when these tests run where SIGINT is
        # ignored (a job started in the background by a non-interactive shell, which its children inherit)
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "--db", db_url, "run"], env=env, cwd=folder,
                                     stdout=self.log.open("w"), stderr=subprocess.STDOUT,
                                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    def health(self) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def wait_health(self, predicate, timeout: float = 30) -> dict:
        """Poll /healthz until `predicate(status, body)`; the body."""
        deadline = time.monotonic() + timeout
        seen = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the bot exited with {self.proc.returncode}:\n{self.output()}")
            try:
                seen = self.health()
                if predicate(*seen):
                    return seen[1]
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"health never matched; last {seen}:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        """Ctrl-C, as an operator stops it (killed if that does not stop it within 10 s); the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"Ctrl-C did not stop the bot:\n{self.output()}")


@pytest.fixture
def link(desk, tmp_path, monkeypatch):
    """(fake Slack, fake Socket Mode endpoint, the bot connected to it)."""
    monkeypatch.setenv("SKIP_SLACK_SDK_WARNING", "1")
    with FakeSlack() as slack, FakeSocketMode() as socket_mode:
        slack.socket_mode = socket_mode
        bot = Bot(desk, slack, tmp_path)
        try:
            socket_mode.wait_connections(1, timeout=60)
            bot.wait_health(lambda status, body: status == 200 and body["slack"] == "connected", timeout=60)
            yield slack, socket_mode, bot
        finally:
            code = bot.stop()
        assert code == 0 and "\nStopped.\n" in bot.output()
        assert "Traceback" not in bot.output()
        assert slack.problems == [], "a payload broke Block Kit's limits"


def acked(socket_mode: FakeSocketMode, envelope: dict) -> dict | None:
    """Send an envelope and return the ack's payload, which must come within Slack's 3 s."""
    envelope_id = socket_mode.send(envelope)
    return socket_mode.wait_ack(envelope_id, timeout=ACK_BOUND_S).payload


def reconnect_seconds(slack: FakeSlack, socket_mode: FakeSocketMode, connections: int) -> float:
    """How long the bot took to open connection number `connections` (asserting the bound)."""
    started = time.monotonic()
    socket_mode.wait_connections(connections, timeout=RECONNECT_BOUND_S)
    assert len(slack.calls("/api/apps.connections.open")) == connections  # a fresh URL each time
    return time.monotonic() - started


def test_commands_buttons_and_mentions_across_a_dropped_connection(link):
    slack, socket_mode, bot = link
    # a slash command: acked with the working line, answered at its response_url
    ack = acked(socket_mode, slash_command_envelope("/lookup", "Kataib Hizballah", slack.response_url("lookup")))
    assert ack["text"].startswith("Looking up *Kataib Hizballah*")
    profile = slack.wait_for("/respond/lookup", timeout=30)[0].body
    assert profile["blocks"][0]["text"]["text"] == "Kataeb Hezbollah" and profile["response_type"] == "ephemeral"
    # a button press on that answer
    share = next(b for b in buttons(profile) if b["text"]["text"] == "Share in channel")
    acked(socket_mode, button_envelope(share, slack.response_url("share")))
    shared = slack.wait_for("/respond/share")[0].body
    assert shared["response_type"] == "in_channel" and shared["blocks"][0] == profile["blocks"][0]
    # an app_mention in a thread: answered there
    acked(socket_mode, mention_envelope("<@UBOTNEWS> lookup Iraq", ts="1700000200.000100",
                                        thread_ts="1700000100.000001", event_id="EvMention1"))
    posted = slack.wait_for("/api/chat.postMessage")[0].body
    assert posted["thread_ts"] == "1700000100.000001" and posted["blocks"][0]["text"]["text"] == "Iraq"

    # The connection ends with neither a disconnect envelope nor a close frame; a mention was on
    # its way and its ack is lost with it.
    in_flight = socket_mode.send(mention_envelope("<@UBOTNEWS> lookup Kataeb Hezbollah", ts="1700000300.000100",
                                                  event_id="EvInFlight"))
    socket_mode.drop()
    seconds = reconnect_seconds(slack, socket_mode, 2)
    assert seconds < 5  # a closed connection is noticed at once, not at the next ping

    # Slack delivers the unacknowledged event again on the new connection: acked, answered once.
    acked(socket_mode, mention_envelope("<@UBOTNEWS> lookup Kataeb Hezbollah", ts="1700000300.000100",
                                        event_id="EvInFlight", retry_attempt=1))
    after = slash_command_envelope("/quote", "respond to every aggression", slack.response_url("after"))
    assert acked(socket_mode, after)["text"].startswith("Searching quotes for")
    assert socket_mode.acks_for(after["envelope_id"])[0].connection == 1
    assert "respond to every aggression" in json.dumps(slack.wait_for("/respond/after", timeout=30)[0].body)

    # Routine refresh: Slack asks for a new connection; the bot opens it before letting the old
    # one go, and an envelope still arriving on the old one is acked there.
    old = socket_mode.current()
    socket_mode.disconnect()
    reconnect_seconds(slack, socket_mode, 3)
    late = socket_mode.send(slash_command_envelope("/lookup", "Hassan Rouhani", slack.response_url("late")), old)
    assert socket_mode.wait_ack(late, timeout=ACK_BOUND_S).connection == 1

    slack.wait_for("/respond/late", timeout=30)
    slack.wait_for("/api/chat.postMessage", count=2, timeout=30)
    time.sleep(1)  # anything answered twice would have arrived by now
    answers = [r.path for r in slack.calls("/respond/")]
    assert sorted(answers) == ["/respond/after", "/respond/late", "/respond/lookup", "/respond/share"]
    threads = [r.body.get("thread_ts") or r.body.get("text") for r in slack.calls("/api/chat.postMessage")]
    assert len(threads) == 2, threads  # the mention and the in-flight one, each once
    assert [e for e in socket_mode.sent if len(socket_mode.acks_for(e)) != 1] in ([], [in_flight])
    log = bot.output()
    assert "Slack link down: the connection was lost" in log and "Slack link up again after" in log
    assert log.count("Slack link down") == 1  # the routine refresh never took the link down


def test_reset_and_silent_connections_are_replaced_within_30_s(link):
    """With the bot's default keepalive timing: an RST is noticed at once, a connection that
    carries nothing any more (no FIN, no RST: a network that went away) within 30 s."""
    slack, socket_mode, bot = link
    socket_mode.drop(reset=True)
    assert reconnect_seconds(slack, socket_mode, 2) < 5
    acked(socket_mode, slash_command_envelope("/lookup", "Iraq", slack.response_url("after-reset")))
    socket_mode.silence()
    assert reconnect_seconds(slack, socket_mode, 3) < RECONNECT_BOUND_S
    acked(socket_mode, slash_command_envelope("/lookup", "Iraq", slack.response_url("after-silence")))
    for name in ("after-reset", "after-silence"):
        assert slack.wait_for(f"/respond/{name}", timeout=30)[0].body["blocks"][0]["text"]["text"] == "Iraq"
    assert len(slack.calls("/respond/")) == 2
    assert "Slack link down: the connection went silent (keepalive ping unanswered)" in bot.output()


def test_health_says_when_the_link_is_down_and_when_it_is_back(link):
    slack, socket_mode, bot = link
    status, body = bot.health()
    assert status == 200 and body["slack"] == "connected" and body["index"]["articles"] > 0
    slack.fail("apps.connections.open", "internal_error")  # Slack unreachable for a while
    socket_mode.drop()
    body = bot.wait_health(lambda status, body: status == 503, timeout=10)
    assert body["slack"].startswith("down since 20") and body["ok"] is False
    assert "Slack link down: the connection was lost" in bot.output()
    slack.heal("apps.connections.open")
    bot.wait_health(lambda status, body: status == 200 and body["slack"] == "connected", timeout=RECONNECT_BOUND_S)
    assert "Slack link up again after" in bot.output()
    acked(socket_mode, slash_command_envelope("/lookup", "Iraq", slack.response_url("back")))
    slack.wait_for("/respond/back", timeout=30)


def test_a_refused_app_token_ends_the_bot_with_one_line(desk, tmp_path, monkeypatch):
    monkeypatch.setenv("SKIP_SLACK_SDK_WARNING", "1")
    with FakeSlack() as slack, FakeSocketMode() as socket_mode:
        slack.socket_mode = socket_mode
        slack.fail("apps.connections.open", "invalid_auth")
        bot = Bot(desk, slack, tmp_path)
        try:
            assert bot.proc.wait(timeout=60) == 1
        finally:
            bot.stop()
    output = bot.output()
    assert "Slack error: Slack refused SLACK_APP_TOKEN (invalid_auth)" in output
    assert "Traceback" not in output and not socket_mode.connections
