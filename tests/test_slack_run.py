"""`newsbot run` in Slack modes (the transport replaced by recorders), and the app manifest."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from bot.slack.answers import COMMANDS
from fakeslack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def recorded(monkeypatch, tmp_path, config_dir):
    """Socket Mode, the HTTP server and the digest scheduler replaced by recorders."""
    calls = []

    class SocketModeHandler:
        def __init__(self, app, app_token):
            calls.append(("socket", app_token, app.client.token))

        def start(self):
            calls.append(("socket started",))

    class Server:
        def serve_forever(self):
            calls.append(("http started",))

        def server_close(self):
            calls.append(("http closed",))

    class Scheduler:
        def shutdown(self, wait=True):
            calls.append(("scheduler stopped",))

    def make_http_server(app, answers, port):
        calls.append(("http", port))
        return Server()

    def start_digests(*, settings, store, client):
        calls.append(("scheduler", client.base_url))
        return Scheduler()

    monkeypatch.setattr("slack_bolt.adapter.socket_mode.SocketModeHandler", SocketModeHandler)
    monkeypatch.setattr("bot.slack.server.make_http_server", make_http_server)
    monkeypatch.setattr("bot.digest.scheduler.start", start_digests)
    for name in ("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PORT"):
        monkeypatch.delenv(name, raising=False)
    with FakeSlack() as slack:
        monkeypatch.setenv("SLACK_API_URL", slack.api_url.rstrip("/"))  # the slash is added for you
        yield calls, slack, f"sqlite:///{tmp_path / 'x.db'}"


def test_socket_mode_with_an_app_token(recorded, monkeypatch):
    calls, slack, db = recorded
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-test")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    result = CliRunner().invoke(cli, ["--db", db, "run"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("Socket Mode:")
    assert calls == [("scheduler", slack.api_url), ("socket", "xapp-1-test", "xoxb-test"), ("socket started",),
                     ("scheduler stopped",)]
    assert slack.calls("/api/auth.test")  # SLACK_API_URL is where the Web API calls go


def test_http_mode_on_port(recorded, monkeypatch):
    calls, slack, db = recorded
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("PORT", "5123")
    result = CliRunner().invoke(cli, ["--db", db, "run"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == ("HTTP mode: Slack requests at http://0.0.0.0:5123/slack/events, "
                                             "health check at /healthz.")
    assert ("http", 5123) in calls and ("http started",) in calls and calls[-1] == ("scheduler stopped",)


def test_manifest_declares_what_the_app_handles():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    commands = manifest["features"]["slash_commands"]
    assert sorted(c["command"] for c in commands) == sorted(COMMANDS)
    assert all(c["should_escape"] is False for c in commands)
    assert all(c["url"].endswith("/slack/events") for c in commands)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "app_mentions:read", "users:read"} <= scopes
    assert {"channels:history", "groups:history"} <= scopes  # a digest taken over is looked for first
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["bot_events"] == ["app_mention"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True


def test_procfile_runs_the_bot():
    assert (ROOT / "Procfile").read_text().strip() == "web: newsbot run"
