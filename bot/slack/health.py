"""`GET /healthz`: whether the bot can answer. HTTP mode serves it beside `/slack/events`; in Socket
Mode, which has no HTTP server of its own, a small one serves it when a port is configured
(bot.slack.server), and it also says whether the link to Slack is up."""
from __future__ import annotations

from bot.slack.answers import Answers

HEALTH_PATH = "/healthz"


def health_report(answers: Answers, link=None) -> tuple[int, dict]:
    """(HTTP status, body): 200 when the index can be read (and, with a Socket Mode `link`
    status, the link to Slack is up), 503 otherwise."""
    counts = answers.index_counts()
    body: dict = {"ok": counts is not None, "index": counts}
    if link is not None:
        body.update(link.report())
        body["ok"] = body["ok"] and link.connected
    return (200 if body["ok"] else 503), body
