"""Listeners, registered per kind (slash commands, button actions, modal submissions, events)."""
from __future__ import annotations

from concurrent.futures import Executor

from slack_bolt import App
from slack_bolt.error import BoltUnhandledRequestError

from bot.slack.answers import Answers
from bot.slack.listeners import actions, commands, events, forms
from bot.slack.once import AnswerOnce


def register(app: App, answers: Answers, pool: Executor) -> None:
    """`pool` computes and sends the answers, so listener threads only ack; each event is answered once
    across the instances sharing the database, whatever Slack repeats."""
    commands.register(app, answers, pool)
    actions.register(app, answers, pool)
    forms.register(app, answers, pool)
    events.register(app, answers, pool, AnswerOnce(answers.store))

    @app.error
    def log_unhandled(error, body, logger):
        """A last net: anything a listener did not catch is logged with what was asked."""
        what = body.get("command") or (body.get("event") or {}).get("type") or body.get("type")
        if isinstance(error, BoltUnhandledRequestError):  # a signed request no listener takes: one line, no body
            logger.warning("no listener for a Slack request of type %r", str(what)[:100])
            return
        logger.error("unhandled error in %s: %r", what, error, exc_info=error)
