"""`/digest …`: the one entry point the Slack app and the console call for digest commands.

Interface agreed between the Slack app (issue 5) and the digest builder (issue 6):

    handle(text, *, user_id, channel_id, store, client=None) -> {"text": str, "blocks": [dict, ...]}

`text` is the command text after `/digest`, already unescaped. `client` is a slack_sdk WebClient
(None in the console). The returned message is sent ephemerally by the caller, which also
enforces Block Kit limits and escapes nothing further: corpus text in blocks must already be
mrkdwn-escaped (`bot.slack.render.escape`).

Until the digest builder lands, every subcommand answers honestly that digests are not set up.
"""
from __future__ import annotations

SUBCOMMANDS = "preview | subscribe [HH:MM] [Area/City] [weekdays|daily] | unsubscribe | status | follow <actor> | unfollow <actor>"


def handle(text: str, *, user_id: str, channel_id: str, store, client=None) -> dict:
    words = text.split()
    sub = words[0].lower() if words else ""
    shown = sub[:40].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if sub == "preview":
        note = "Digest preview is not ready yet: the digest builder is still being built."
    elif sub:
        note = f"Digests are not set up yet, so `{shown}` cannot be done. Usage: `/digest {SUBCOMMANDS}`"
    else:
        note = f"Usage: `/digest {SUBCOMMANDS}`"
    mrkdwn = note.replace("<actor>", "&lt;actor&gt;")
    return {"text": note, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}]}
