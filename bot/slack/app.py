"""The bolt App: one WebClient that retries, a listener pool sized for a desk, listeners per kind."""
from __future__ import annotations

import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.slack import listeners
from bot.slack.answers import Answers

log = logging.getLogger(__name__)

# bolt acks from the listener pool: a saturated pool delays acks past Slack's 3 s, so size it
# for a deadline rush (twenty people at once), not for the CPU count. Listeners only ack and hand
# the work on, so they are free again within milliseconds.
DEFAULT_WORKERS = 32
# How long a thread may hold the interpreter while another waits for it (Python's default: 5 ms). An
# answer gives the interpreter up for each of its database reads and waits this long to get it back
# while acks and the other answers run Python; a shorter interval shortens the answer tail of a desk
# asking at once (bench/slack_load.py measures it).
SWITCH_INTERVAL_S = 0.0005


def default_answer_workers() -> int:
    """Answers are mostly CPU-bound Python: twenty computed at once would each wait their turn for
    the interpreter lock, and so would the threads that ack. A few at a time, queued, finish the
    same work as fast and keep acks quick: one per core (bench/slack_load.py compares pool sizes)."""
    return max(2, os.cpu_count() or 2)


def web_client(token: str | None, api_url: str | None = None) -> WebClient:
    """A WebClient that honours Retry-After on 429 and retries dropped connections.
    `api_url` (SLACK_API_URL) points it at a proxy or at a fake Slack in tests."""
    options = {}
    if api_url:
        options["base_url"] = api_url if api_url.endswith("/") else api_url + "/"  # urljoin needs the slash
    return WebClient(token=token, timeout=15, retry_handlers=[
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
    ], **options)


def build_app(answers: Answers, *, token: str | None, signing_secret: str, api_url: str | None = None,
              workers: int | None = None, answer_workers: int | None = None, token_verification: bool = True) -> App:
    """The Slack app over `answers`. Request signatures are always verified in HTTP mode."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    app = App(
        client=web_client(token, api_url),
        signing_secret=signing_secret,
        listener_executor=ThreadPoolExecutor(max_workers=DEFAULT_WORKERS if workers is None else workers,
                                             thread_name_prefix="newsbot-listener"),
        token_verification_enabled=token_verification,
        process_before_response=False,
        raise_error_for_unhandled_request=True,  # else bolt logs the request body in its warning
    )
    answer_threads = default_answer_workers() if answer_workers is None else answer_workers
    answer_pool = ThreadPoolExecutor(max_workers=answer_threads, thread_name_prefix="newsbot-answer")
    listeners.register(app, answers, answer_pool)
    return app
