"""Slash commands: ack at once with a short line, then answer ephemerally through respond()."""
from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.answers import COMMANDS, Answers
from bot.slack.render import Message, clip, escape, unescape_command_text

log = logging.getLogger(__name__)

WORKING = {"/lookup": "Looking up {}…", "/quote": "Searching quotes for {}…", "/digest": "Working on /digest {}…"}


def send(respond: Respond, message: Message, **options) -> None:
    """respond() that logs a refusal instead of losing it silently."""
    try:
        response = respond(**message.to_dict(), unfurl_links=False, unfurl_media=False, **options)
    except Exception:
        log.exception("respond() failed for %r", message.text[:80])
        return
    if response is not None and response.status_code != 200:
        log.error("respond() refused (%s): %s", response.status_code, str(response.body)[:200])


def register(app: App, answers: Answers) -> None:
    def handle(ack: Ack, command: dict, respond: Respond, client: WebClient) -> None:
        name, text = command.get("command", ""), command.get("text") or ""
        query = unescape_command_text(text)
        if name == "/newsbot" or not query or query.lower() in ("help", "?"):
            ack(**answers.command(name, text).to_dict(), response_type="ephemeral")  # instant, nothing to search
            return
        ack(WORKING.get(name, "{}…").format(f"*{escape(clip(query, 100))}*"))
        message = answers.command(name, text, user_id=command.get("user_id", ""),
                                  channel_id=command.get("channel_id", ""), client=client)
        send(respond, message, response_type="ephemeral")

    for name in COMMANDS:
        app.command(name)(handle)
