"""App mentions: `@newsbot lookup <name>` (slash commands cannot run in threads) answers in the thread."""
from __future__ import annotations

import logging
import re
from collections import OrderedDict
from concurrent.futures import Executor
from threading import Lock

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.answers import Answers
from bot.slack.listeners.replies import later

log = logging.getLogger(__name__)

MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
VERBS = {"lookup": "/lookup", "look": "/lookup", "who": "/lookup", "quote": "/quote", "quotes": "/quote",
         "digest": "/digest", "help": "/newsbot"}


def mention_command(text: str) -> tuple[str, str]:
    """`<@BOT> lookup Kataeb Hezbollah` -> ("/lookup", "Kataeb Hezbollah"); a bare name is a lookup.
    The text stays Slack-escaped: Answers.command unescapes it like slash-command text."""
    text = MENTION.sub(" ", text or "").strip()
    verb, _, rest = text.partition(" ")
    command = VERBS.get(verb.lower().lstrip("/"))
    if command is None:
        return "/lookup", text
    if verb.lower() == "look" and rest.lower().startswith("up "):
        rest = rest[3:]
    return command, rest.strip()


class SeenEvents:
    """Slack retries an event it thinks was lost: answer each event_id once."""

    def __init__(self, size: int = 2048):
        self.ids: OrderedDict[str, None] = OrderedDict()
        self.size = size
        self.lock = Lock()

    def first_time(self, event_id: str | None) -> bool:
        if not event_id:
            return True
        with self.lock:
            if event_id in self.ids:
                return False
            self.ids[event_id] = None
            while len(self.ids) > self.size:
                self.ids.popitem(last=False)
            return True


def register(app: App, answers: Answers, pool: Executor) -> None:
    seen = SeenEvents()

    @app.event("app_mention")
    def mentioned(body: dict, event: dict, client: WebClient) -> None:
        if not seen.first_time(body.get("event_id")):
            return
        command, text = mention_command(event.get("text", ""))

        def answer() -> None:
            message = answers.command(command, text, user_id=event.get("user", ""),
                                      channel_id=event.get("channel", ""), client=client, share=False)
            try:
                client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"],
                                        **message.to_dict(), unfurl_links=False, unfurl_media=False)
            except SlackApiError as exc:
                log.error("app_mention answer to %s failed: %s", event.get("channel"), exc.response.get("error"))
        later(pool, answer, f"app_mention {command} {text[:100]!r}")
