"""Slash commands: ack at once with a short line, then answer ephemerally through respond()."""
from __future__ import annotations

from concurrent.futures import Executor

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blockkit import clip, escape, unescape_command_text
from bot.slack.answers import COMMANDS, Answers
from bot.slack.curation_command import is_curation
from bot.slack.links_command import is_links
from bot.slack.listeners.replies import later, send

WORKING = {"/lookup": "Looking up {}…", "/quote": "Searching quotes for {}…", "/digest": "Working on /digest {}…",
           "/newsbot": "Working on /newsbot {}…"}


def register(app: App, answers: Answers, pool: Executor) -> None:
    def handle(ack: Ack, command: dict, respond: Respond, client: WebClient) -> None:
        name, text = command.get("command", ""), command.get("text") or ""
        query = unescape_command_text(text)
        if name == "/newsbot" and not (is_curation(query) or is_links(query)) or not query or query.lower() in ("help", "?"):
            ack(**answers.command(name, text).to_dict(), response_type="ephemeral")  # instant, nothing to search
            return
        ack(WORKING.get(name, "{}…").format(f"*{escape(clip(query, 100))}*"))

        def answer() -> None:
            message = answers.command(name, text, user_id=command.get("user_id", ""),
                                      channel_id=command.get("channel_id", ""), client=client)
            send(respond, message, f"{name} {query}", response_type="ephemeral")
        later(pool, answer, f"{name} {query[:100]!r}")

    for name in COMMANDS:
        app.command(name)(handle)
