"""App mentions: `@newsbot lookup <name>` (slash commands cannot run in threads) answers in the thread, and
a link posted with @newsbot is added as `/newsbot add` adds it (bot.slack.links_command says who may)."""
from __future__ import annotations

import logging
import re
from concurrent.futures import Executor

from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.answers import Answers
from bot.slack.listeners.replies import later
from bot.slack.once import AnswerOnce

log = logging.getLogger(__name__)

MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
LINK = re.compile(r"<https?://[^<>]+>")
VERBS = {"lookup": "/lookup", "look": "/lookup", "who": "/lookup", "quote": "/quote", "quotes": "/quote",
         "digest": "/digest", "help": "/newsbot"}


def mention_command(text: str) -> tuple[str, str]:
    """`<@BOT> lookup Kataeb Hezbollah` -> ("/lookup", "Kataeb Hezbollah"); a bare name is a lookup, and a
    message holding a link (`<@BOT> <https://…>`, `<@BOT> add <https://…|label>`) adds its first one.
    The text stays Slack-escaped: Answers.command unescapes it like slash-command text."""
    text = MENTION.sub(" ", text or "").strip()
    verb, _, rest = text.partition(" ")
    command = VERBS.get(verb.lower().lstrip("/"))
    link = LINK.search(text)
    if verb.lower() == "add" or link is not None and command is None:
        return "/newsbot", f"add {link.group(0)}" if link else text  # no link: /newsbot add says what it takes
    if command is None:
        return "/lookup", text
    if verb.lower() == "look" and rest.lower().startswith("up "):
        rest = rest[3:]
    return command, rest.strip()


def register(app: App, answers: Answers, pool: Executor, once: AnswerOnce) -> None:
    @app.event("app_mention")
    def mentioned(body: dict, event: dict, client: WebClient, request: BoltRequest) -> None:
        command, text = mention_command(event.get("text", ""))

        def answer() -> None:
            if not once.first(body, request.headers):  # Slack retries events it thinks were lost
                return
            message = answers.command(command, text, user_id=event.get("user", ""),
                                      channel_id=event.get("channel", ""), client=client, share=False)
            try:
                client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"],
                                        **message.to_dict(), unfurl_links=False, unfurl_media=False)
            except SlackApiError as exc:
                log.error("app_mention answer to %s failed: %s", event.get("channel"), exc.response.get("error"))
        later(pool, answer, f"app_mention {command} {text[:100]!r}")
