"""Buttons: Share in channel, More and Previous (paging), open (a candidate's profile), card (a quote card,
or its citation alone) and edit (an editor's: the edit form, the edit history, Not an actor, Undo).

On a private (ephemeral) answer, More, Previous and open update the message in place. On a public message
(shared, or in a thread) they answer privately, so one reader's paging never changes what the
channel sees. A quote card (and a citation) comes as a new private message, so the answer it was opened from
stays."""
from __future__ import annotations

import logging
import re
from concurrent.futures import Executor

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blockkit import ACTION_PATTERN
from bot.slack.answers import Answers
from bot.slack.curation_command import form_unavailable
from bot.slack.listeners.replies import later, send

log = logging.getLogger(__name__)


def register(app: App, answers: Answers, pool: Executor) -> None:
    @app.action(re.compile(ACTION_PATTERN))
    def press(ack: Ack, body: dict, action: dict, respond: Respond, client: WebClient) -> None:
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
                message = answers.show(value, channel_id=channel_id, user_id=user_id or "", client=client,
                                       open_form=open_form)
                if message is not None:
                    send(respond, message, label, response_type="ephemeral",
                         replace_original=private and kind != "card")

        def open_form(view: dict) -> None:
            try:
                client.views_open(trigger_id=body.get("trigger_id"), view=view)
            except SlackApiError as exc:  # (the trigger expires after 3 s)
                log.error("the edit form did not open: %s", exc.response.get("error"))
                send(respond, form_unavailable(), label, response_type="ephemeral", replace_original=False)
        later(pool, answer, f"button {action['action_id']} {value!r}")
