"""Modal submissions: an editor's edit form (bot.slack.curation_command). The edit is made before the
ack, so a refusal shows in the form itself; what was done is posted privately in the channel the form
was opened from, with its Undo button."""
from __future__ import annotations

import logging
from concurrent.futures import Executor

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.answers import Answers
from bot.slack.curation_command import FORM
from bot.slack.listeners.replies import later

log = logging.getLogger(__name__)


def register(app: App, answers: Answers, pool: Executor) -> None:
    @app.view(FORM)
    def submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        user_id = (body.get("user") or {}).get("id") or ""
        errors, message, channel_id = answers.submit_form(view, user_id=user_id, client=client)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()

        def answer() -> None:
            try:
                client.chat_postEphemeral(channel=channel_id, user=user_id, **message.to_dict())
            except SlackApiError as exc:
                log.error("the answer to an edit form in %s failed: %s", channel_id, exc.response.get("error"))
        later(pool, answer, "edit form")
