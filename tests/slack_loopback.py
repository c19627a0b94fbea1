"""The bot served over loopback HTTP against the fake Slack, and how a test talks to it: `slack` (the
fake Web API), `bot` (the events URL of a served app over the module's `answers` fixture), and signed
slash commands and button presses."""
from __future__ import annotations

import threading

import pytest

from bot.slack.app import build_app
from bot.slack.server import make_http_server
from tests.fakeslack import FakeSlack, action_body, buttons, command_body, mrkdwn_texts, post_signed

SECRET = "test-signing-secret"


@pytest.fixture
def slack(monkeypatch):
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL",
                 "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SKIP_SLACK_SDK_WARNING", "1")
    with FakeSlack() as fake:
        yield fake
    assert fake.problems == [], "a payload broke Block Kit's limits"


@pytest.fixture
def bot(slack, answers):
    """The bot's HTTP server; yields the events URL."""
    app = build_app(answers, token="xoxb-test", signing_secret=SECRET, api_url=slack.api_url, workers=8)
    server = make_http_server(app, answers, SECRET, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def run(bot, slack, command: str, text: str, name: str = "r1"):
    """Send a slash command; (ack status, ack body, ack seconds)."""
    return post_signed(f"{bot}/slack/events", command_body(command, text, slack.response_url(name)), SECRET)


def ask(bot, slack, command: str, text: str) -> dict:
    """Send a slash command and wait for its answer."""
    run(bot, slack, command, text)
    return answer(slack)


def answer(slack, name: str = "r1", count: int = 1) -> dict:
    return slack.wait_for(f"/respond/{name}", count)[count - 1].body


def press(bot, slack, message: dict, label: str, name: str, *, ephemeral: bool = True) -> dict:
    button = next(b for b in buttons(message) if b["text"]["text"] == label)
    status, _, _ = post_signed(f"{bot}/slack/events", action_body(button, slack.response_url(name), ephemeral=ephemeral), SECRET)
    assert status == 200
    return answer(slack, name)


def words(message: dict) -> str:
    return "\n".join(mrkdwn_texts(message))
