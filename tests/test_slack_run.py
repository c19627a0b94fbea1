"""`newsbot run` in Slack modes (the transport replaced by recorders), and the app manifest."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from bot.slack.answers import COMMANDS
from bot.slack.buttons import ProfilePage
from tests.fakeslack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def recorded(monkeypatch, tmp_path, config_dir):
    """Socket Mode, the HTTP server and the digest scheduler replaced by recorders."""
    calls = []

    def serve_socket_mode(app, answers, app_token, *, health_port, health_host, ping_interval):
        calls.append(("socket", app_token, app.client.token, health_port, ping_interval))
        calls.append(("health host", health_host))

    class Server:
        def __init__(self, host, port):
            self.server_address = (host, port)

        def serve_forever(self):
            calls.append(("http started",))

        def server_close(self):
            calls.append(("http closed",))

    class Scheduler:
        def shutdown(self, wait=True):
            calls.append(("scheduler stopped",))

    def make_http_server(app, answers, signing_secret, host, port):
        calls.append(("http", signing_secret, host, port))
        return Server(host, port)

    def start_digests(*, settings, store, client, buttons):
        assert buttons.profile(7) == ProfilePage(7).encode()  # posted digests carry profile buttons
        calls.append(("scheduler", client.base_url))
        return Scheduler()

    monkeypatch.setattr("bot.slack.socket_mode.serve", serve_socket_mode)
    monkeypatch.setattr("bot.slack.server.make_http_server", make_http_server)
    monkeypatch.setattr("bot.digest.scheduler.start", start_digests)
    for name in ("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PORT", "BIND",
                 "NEWSBOT_SOCKET_PING_INTERVAL"):
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
    assert calls == [("scheduler", slack.api_url), ("socket", "xapp-1-test", "xoxb-test", None, 5.0),
                     ("health host", "127.0.0.1"), ("scheduler stopped",)]
    assert slack.calls("/api/auth.test")  # SLACK_API_URL is where the Web API calls go


def test_socket_mode_serves_health_on_a_given_port_and_pings_as_told(recorded, monkeypatch):
    calls, slack, db = recorded
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-test")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("PORT", "5124")
    monkeypatch.setenv("NEWSBOT_SOCKET_PING_INTERVAL", "0.5")
    result = CliRunner().invoke(cli, ["--db", db, "run"])
    assert result.exit_code == 0, result.output
    assert ("socket", "xapp-1-test", "xoxb-test", 5124, 0.5) in calls
    assert ("health host", "0.0.0.0") in calls  # a platform's $PORT: its health check comes from outside


def test_socket_mode_health_check_listens_where_bind_says(recorded, monkeypatch):
    calls, slack, db = recorded
    for name, value in {"SLACK_APP_TOKEN": "xapp-1-test", "SLACK_BOT_TOKEN": "xoxb-test", "BIND": "10.1.2.3"}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["--db", db, "run", "--port", "5125"])
    assert result.exit_code == 0, result.output
    assert ("socket", "xapp-1-test", "xoxb-test", 5125, 5.0) in calls and ("health host", "10.1.2.3") in calls


@pytest.mark.parametrize("value", ["abc", "0", "-1", "120"])
def test_socket_mode_refuses_a_bad_ping_interval_with_one_line(recorded, monkeypatch, value):
    calls, slack, db = recorded
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-test")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("NEWSBOT_SOCKET_PING_INTERVAL", value)
    result = CliRunner().invoke(cli, ["--db", db, "run"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Configuration error: NEWSBOT_SOCKET_PING_INTERVAL must be a number "
                                              f"of seconds above 0 and up to 60, not {value!r}")
    assert calls == []  # refused before anything started


def first_line_in_http_mode(db: str, monkeypatch, **env: str) -> str:
    """`newsbot run` with HTTP mode's credentials and `env` set; the first line it prints."""
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret", **env}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["--db", db, "run"])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[0]


def test_http_mode_on_a_platforms_port_listens_on_every_interface(recorded, monkeypatch):
    calls, slack, db = recorded
    assert first_line_in_http_mode(db, monkeypatch, PORT="5123") == (
        "HTTP mode: listening on http://0.0.0.0:5123 (every interface, as $PORT is set; set BIND to narrow it); "
        "Slack requests at /slack/events, health check at /healthz.")
    assert ("http", "secret", "0.0.0.0", 5123) in calls and ("http started",) in calls
    assert calls[-1] == ("scheduler stopped",)


def test_http_mode_without_a_platform_listens_on_this_machine_only(recorded, monkeypatch):
    calls, slack, db = recorded
    assert first_line_in_http_mode(db, monkeypatch).startswith(
        "HTTP mode: listening on http://127.0.0.1:3000 (this machine only; set BIND=0.0.0.0 to accept other hosts)")
    assert ("http", "secret", "127.0.0.1", 3000) in calls


def test_bind_comes_from_the_environment_then_the_settings(recorded, monkeypatch, tmp_path):
    calls, slack, db = recorded
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    (config / "settings.yaml").write_text('http:\n  bind: "10.1.2.3"\n')
    monkeypatch.setenv("NEWSBOT_CONFIG_DIR", str(config))
    assert first_line_in_http_mode(db, monkeypatch, PORT="5123").startswith(
        "HTTP mode: listening on http://10.1.2.3:5123 (http.bind in settings.yaml)")
    assert first_line_in_http_mode(db, monkeypatch, PORT="5123", BIND="::1").startswith(
        "HTTP mode: listening on http://[::1]:5123 (--bind or $BIND)")
    assert [c[2:] for c in calls if c[0] == "http"] == [("10.1.2.3", 5123), ("::1", 5123)]


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
