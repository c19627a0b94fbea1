"""How answers leave: computed on the answer pool (never on the listener threads, which must stay
free to ack the next command within Slack's 3 s), then posted to the response_url from the
delivery pool, so an answer thread never sleeps through a retry.

A response_url post that Slack refuses with a 429 (Retry-After honoured), a 5xx or a dropped
connection is retried a bounded number of times with backoff, as the Web API client does; if it
still fails, the user gets a short apology where Slack takes one, and the log says what was lost."""
from __future__ import annotations

import logging
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Callable

from slack_bolt import Respond
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.blockkit import Message
from bot.slack import views

log = logging.getLogger(__name__)

# Posts are I/O waits, and a retry may wait seconds for Retry-After: threads of their own, enough
# for a deadline rush whose every answer is being retried at once.
DELIVERY_WORKERS = 8
delivery_pool = ThreadPoolExecutor(max_workers=DELIVERY_WORKERS, thread_name_prefix="newsbot-delivery")


class ServerErrorsRetryHandler(ServerErrorRetryHandler):
    """Every 5xx is worth another try (slack_sdk's handler retries only 500 and 503)."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return response is not None and response.status_code >= 500


# At most 1 + 3 tries of a 429 or 5xx; backoff 0.5, 1, 2 s (plus jitter) between 5xx tries.
RESPONSE_URL_RETRIES = [ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=3),
                        ServerErrorsRetryHandler(max_retry_count=3)]


def later(pool: Executor, work: Callable[[], None], what: str) -> None:
    """Run `work` on `pool`; an exception it lets out is logged with `what` was asked."""
    def report(future: Future) -> None:
        if future.exception() is not None:
            log.error("answering %s failed", what, exc_info=future.exception())

    pool.submit(work).add_done_callback(report)


def post(response_url: str, payload: dict) -> tuple[bool, str]:
    """One post to a response_url, with the retries; (accepted, what Slack said when it was not)."""
    try:
        response = WebhookClient(url=response_url, timeout=15, retry_handlers=RESPONSE_URL_RETRIES).send_dict(payload)
    except Exception as exc:  # the connection failed on every try
        return False, f"{type(exc).__name__}: {str(exc)[:100]}"
    return response.status_code == 200, f"HTTP {response.status_code} {str(response.body)[:100]!r}"


def deliver(response_url: str, message: Message, about: str, options: dict) -> None:
    accepted, said = post(response_url, {**message.to_dict(), "unfurl_links": False, "unfurl_media": False, **options})
    if accepted:
        return
    apologised, _ = post(response_url, {**views.undelivered(about).to_dict(), "response_type": "ephemeral",
                                        "replace_original": False})
    log.error("Slack refused the answer to %r at its response_url (%s, after retries); %s", about[:100], said,
              "the user was told" if apologised else "the apology was refused too")


def send(respond: Respond, message: Message, about: str, **options) -> None:
    """Post `message` (the answer to `about`, e.g. `/lookup Iran`) to the response_url, from the delivery pool."""
    later(delivery_pool, lambda: deliver(respond.response_url, message, about, options), f"delivery of {about[:100]!r}")
