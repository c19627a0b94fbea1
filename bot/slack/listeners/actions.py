"""Buttons: Share in channel, More and Previous (paging), open (a candidate's profile) and card (a quote card,
or its citation alone).

On a private (ephemeral) answer, More, Previous and open update the message in place. On a public message
(shared, or in a thread) they answer privately, so one reader's paging never changes what the
channel sees. A quote card (and a citation) comes as a new private message, so the answer it was opened from
stays."""
from __future__ import annotations

import re
from concurrent.futures import Executor

from slack_bolt import Ack, App, Respond

from bot.blockkit import ACTION_PATTERN
from bot.slack.answers import Answers
from bot.slack.listeners.replies import later, send


def register(app: App, answers: Answers, pool: Executor) -> None:
    @app.action(re.compile(ACTION_PATTERN))
    def press(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        ack()
        kind = action["action_id"].split(".")[1]
        value = action.get("value", "")
        user_id = (body.get("user") or {}).get("id")
        container = body.get("container") or {}
        private = container.get("is_ephemeral", False)
        # Where the button was pressed, as Slack says: a value only chooses what to show or follow.
        channel_id = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
        shown = action.get("text")
        label = str(shown.get("text") or kind) if isinstance(shown, dict) else kind

        def answer() -> None:
            if kind == "share":
                send(respond, answers.show(value, share=False, shared_by=user_id), label,
                     response_type="in_channel", replace_original=False)
            else:
                send(respond, answers.show(value, channel_id=channel_id), label, response_type="ephemeral",
                     replace_original=private and kind != "card")
        later(pool, answer, f"button {action['action_id']} {value!r}")
