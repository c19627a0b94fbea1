"""Each Slack event answered once, by one instance.

Slack sends an event again when it thinks the first delivery was lost (the Events API after a slow
or failed ack, with X-Slack-Retry-Num; Socket Mode envelopes with retry_attempt), and the repeat may
reach another instance of the bot. Before answering, an instance takes the event's key (its
event_id, which Slack keeps in its repeats) in the database the instances share; only the one whose
claim goes in answers. When the database cannot be reached, this process remembers the keys itself
(a repeat reaching another instance is then answered twice: better than not at all).

Slash commands and button presses are not claimed: Slack does not send them again (a late ack shows
the user an error instead), and a claim on every /lookup would cost its answer a database write."""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import datetime, timedelta, timezone

from sqlalchemy.exc import SQLAlchemyError

from bot.digest.ledger import instance_name
from bot.store import slack_requests

log = logging.getLogger(__name__)

KEEP = timedelta(hours=1)  # Slack's last retry of an event comes about 5 minutes after it
PRUNE_EVERY = timedelta(minutes=10)
REMEMBERED = 2048  # keys kept in memory while the database is unreachable


def request_key(body: dict) -> str | None:
    """What identifies an event across Slack's repeats of it; None when nothing does."""
    return f"event:{body['event_id']}" if body.get("event_id") else None


def retry_of(headers: dict) -> str | None:
    """`2 (http_timeout)` for Slack's second retry, from bolt's request headers; None for a first delivery."""
    number = (headers.get("x-slack-retry-num") or [None])[0]
    if number is None:
        return None
    reason = (headers.get("x-slack-retry-reason") or [None])[0]
    return f"{number} ({reason})" if reason else str(number)


class AnswerOnce:
    """`first(body)` is True for the one delivery of a request that should be answered."""

    def __init__(self, store, *, clock=lambda: datetime.now(timezone.utc)):
        self.store = store
        self.clock = clock
        self.instance = instance_name()
        self.remembered: OrderedDict[str, None] = OrderedDict()
        self.lock = threading.Lock()
        self.pruned_at: datetime | None = None

    def first(self, body: dict, headers: dict | None = None) -> bool:
        key = request_key(body)
        if key is None:
            return True
        now = self.clock()
        try:
            taken = slack_requests.take(self.store, key, by=self.instance, now=now)
        except SQLAlchemyError as exc:
            log.warning("cannot record Slack request %s in the database (%s): remembering it in this process only",
                        key, exc.__class__.__name__)
            taken = self._remember(key)
        if taken:
            self._prune(now)
        else:
            retry = retry_of(headers or {})
            log.info("Slack request %s%s was already taken by %s: not answered again", key,
                     f", retry {retry}," if retry else "", self._taker(key))
        return taken

    def _remember(self, key: str) -> bool:
        with self.lock:
            if key in self.remembered:
                return False
            self.remembered[key] = None
            while len(self.remembered) > REMEMBERED:
                self.remembered.popitem(last=False)
            return True

    def _taker(self, key: str) -> str:
        try:
            return slack_requests.taken_by(self.store, key) or "this process"
        except SQLAlchemyError:
            return "this process"

    def _prune(self, now: datetime) -> None:
        """Forget old keys, every PRUNE_EVERY per process."""
        with self.lock:
            if self.pruned_at is not None and now - self.pruned_at < PRUNE_EVERY:
                return
            self.pruned_at = now
        try:
            slack_requests.prune(self.store, now - KEEP)
        except SQLAlchemyError:
            log.warning("pruning the Slack requests taken before %s failed", now - KEEP, exc_info=True)
