"""How answers leave: computed on the answer pool (never on the listener threads, which must stay
free to ack the next command within Slack's 3 s), sent with respond(), failures logged."""
from __future__ import annotations

import logging
from concurrent.futures import Executor, Future
from typing import Callable

from slack_bolt import Respond

from bot.slack.render import Message

log = logging.getLogger(__name__)


def later(pool: Executor, work: Callable[[], None], what: str) -> None:
    """Run `work` on the answer pool; an exception it lets out is logged with `what` was asked."""
    def report(future: Future) -> None:
        if future.exception() is not None:
            log.error("answering %s failed", what, exc_info=future.exception())

    pool.submit(work).add_done_callback(report)


def send(respond: Respond, message: Message, **options) -> None:
    """respond() that logs a refusal instead of losing it silently."""
    try:
        response = respond(**message.to_dict(), unfurl_links=False, unfurl_media=False, **options)
    except Exception:
        log.exception("respond() failed for %r", message.text[:80])
        return
    if response is not None and response.status_code != 200:
        log.error("respond() refused (%s): %s", response.status_code, str(response.body)[:200])
