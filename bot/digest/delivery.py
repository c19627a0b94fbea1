"""Compose one channel's digest for one date, claim it in the ledger, post it, survive Slack.

Failure rules (docs/digests.md):
- `not_in_channel`, `channel_not_found`, `is_archived` (and the other "cannot post here" codes):
  the subscription is paused and its subscriber is told by DM; never retried in a loop.
- HTTP 429: wait `Retry-After` seconds and try again.
- a refused token (`invalid_auth`, `token_revoked`, …): logged, not retried, no channel paused.
- anything else (server errors, connection errors, unexpected codes): logged with the channel and
  retried a few times with exponential back-off, then the ledger row is marked `failed`.
Every error is caught per channel: one channel's failure never stops the others.
"""
from __future__ import annotations

import logging
import time as time_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk.errors import SlackApiError

from bot.digest import ledger
from bot.digest import subscriptions as subs_db
from bot.digest.build import Digest, build_digest
from bot.digest.render import DIGEST_LINK_SETTINGS, render_digest
from bot.digest.subscriptions import Subscription
from bot.slack.render import Message
from bot.store.db import Store

log = logging.getLogger(__name__)

CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "no_permission", "restricted_action",
               "restricted_action_read_only_channel", "restricted_action_non_threadable_channel",
               "restricted_action_thread_only_channel", "team_access_not_granted"}
# The bot's token is wrong or revoked: no channel is at fault and retrying cannot help.
AUTH_ERRORS = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}
MAX_ATTEMPTS = 4  # for errors other than 429 and the "cannot post here" ones
MAX_RATE_LIMIT_WAITS = 5
BACKOFF_SECONDS = 2.0  # 2, 4, 8 …


class ChannelUnavailable(Exception):
    """Slack says the bot cannot post in this channel (the error code is the message)."""


class DeliveryFailed(Exception):
    """Posting kept failing after every retry."""


@dataclass
class Outcome:
    channel: str
    digest_date: date
    status: str  # posted | quiet | already | paused | unavailable | failed
    ts: str | None = None
    detail: str = ""


def compose(store: Store, sub: Subscription, digest_date: date, end: datetime, *, delayed: bool = False) -> Digest:
    """The digest `sub`'s channel gets for `digest_date`, covering the window that ends at `end`."""
    start, end = ledger.window_for(store, sub.channel, digest_date, end)
    digest = build_digest(store, window_start=start, window_end=end, digest_date=digest_date, tz=sub.timezone,
                          channel=sub.channel, follow=sub.follow, filters=sub.filters)
    digest.delayed = delayed
    return digest


def post_message(client, channel: str, message: Message, *, sleep: Callable[[float], None] = time_module.sleep) -> str:
    """chat.postMessage with the failure rules above; returns the message ts."""
    rate_limited = failures = 0
    while True:
        try:
            response = client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks,
                                               **DIGEST_LINK_SETTINGS)
            return response["ts"]
        except SlackApiError as exc:
            error = (exc.response.get("error") if exc.response is not None else None) or "unknown_error"
            status = getattr(exc.response, "status_code", None)
            if error in CANNOT_POST:
                raise ChannelUnavailable(error) from None
            if error in AUTH_ERRORS:
                raise DeliveryFailed(f"Slack refused the bot's token ({error}): check SLACK_BOT_TOKEN") from None
            if status == 429 or error == "ratelimited":
                rate_limited += 1
                if rate_limited > MAX_RATE_LIMIT_WAITS:
                    raise DeliveryFailed(f"still rate limited after {MAX_RATE_LIMIT_WAITS} waits") from None
                wait = _retry_after(exc.response)
                log.warning("digest for %s: rate limited, retrying in %.0fs", channel, wait)
                sleep(wait)
                continue
            problem = f"Slack error {error}" + (f" (HTTP {status})" if status else "")
        except Exception as exc:  # connection errors and the like: logged and retried, never fatal
            problem = f"{exc.__class__.__name__}: {exc}"
        failures += 1
        if failures >= MAX_ATTEMPTS:
            raise DeliveryFailed(f"{problem}, after {failures} attempts")
        wait = BACKOFF_SECONDS * 2 ** (failures - 1)
        log.warning("digest for %s: %s; retry %d of %d in %.0fs", channel, problem, failures, MAX_ATTEMPTS - 1, wait)
        sleep(wait)


def _retry_after(response) -> float:
    try:
        return max(1.0, float(response.headers.get("Retry-After", 1)))
    except (AttributeError, TypeError, ValueError):
        return 1.0


def run_digest(store: Store, client, sub: Subscription, digest_date: date, *, now: datetime, delayed: bool = False,
               end: datetime | None = None, sleep: Callable[[float], None] = time_module.sleep,
               claimed_by: str | None = None) -> Outcome:
    """Post `sub`'s digest for `digest_date` at most once, whatever other processes do.

    The window ends at `end` (default: `now`, so a late digest includes everything until it is sent)."""
    channel = sub.channel
    if sub.paused:
        return Outcome(channel, digest_date, "paused", detail=sub.paused_reason or "")
    digest = compose(store, sub, digest_date, end or now, delayed=delayed)
    window = (digest.window_start, digest.window_end)
    if not ledger.claim(store, channel, digest_date, window, now=now, claimed_by=claimed_by):
        row = ledger.get(store, channel, digest_date)
        log.info("digest for %s on %s already %s by %s", channel, digest_date, row.status if row else "claimed",
                 row.claimed_by if row else "another process")
        return Outcome(channel, digest_date, "already", detail=row.status if row else "")
    try:
        if digest.quiet and not sub.post_when_quiet:
            ledger.mark_quiet(store, channel, digest_date)
            log.info("digest for %s on %s: nothing new, not posted", channel, digest_date)
            return Outcome(channel, digest_date, "quiet")
        ts = post_message(client, channel, render_digest(digest), sleep=sleep)
    except ChannelUnavailable as exc:
        reason = str(exc)
        ledger.mark_failed(store, channel, digest_date, reason)
        subs_db.set_paused(store, channel, True, reason)
        log.warning("digest for %s paused: Slack says %s", channel, reason)
        notify_subscriber(client, sub, reason, sleep=sleep)
        return Outcome(channel, digest_date, "unavailable", detail=reason)
    except Exception as exc:  # DeliveryFailed, a database hiccup, a bug: logged, the row left for a retry
        ledger.mark_failed(store, channel, digest_date, f"{exc.__class__.__name__}: {exc}")
        log.exception("digest for %s on %s failed", channel, digest_date)
        return Outcome(channel, digest_date, "failed", detail=str(exc))
    ledger.complete(store, channel, digest_date, ts)
    log.info("digest for %s on %s posted (ts %s)", channel, digest_date, ts)
    return Outcome(channel, digest_date, "posted", ts=ts)


EXPLAIN = {
    "not_in_channel": "I am not a member of <#{channel}>. Invite me with `/invite @newsbot`",
    "channel_not_found": "I cannot find channel {channel} (deleted, private without me, or another workspace)",
    "is_archived": "<#{channel}> is archived",
}


def notify_subscriber(client, sub: Subscription, reason: str, *, sleep: Callable[[float], None]) -> None:
    """Tell whoever subscribed, by DM, why the digest stopped and how to restart it."""
    if not sub.created_by:
        log.warning("digest for %s paused (%s) and nobody to tell: add `subscriber: U…` to config/digests.yaml",
                    sub.channel, reason)
        return
    why = EXPLAIN.get(reason, "Slack refused the post with `{reason}`").format(channel=sub.channel, reason=reason)
    text = (f"Your daily digest for <#{sub.channel}> is paused: {why}. "
            f"Then run `/digest resume` in that channel to restart it.")
    try:
        post_message(client, sub.created_by, Message(text=text, blocks=[
            {"type": "section", "text": {"type": "mrkdwn", "text": text}}]), sleep=sleep)
    except Exception:
        log.exception("could not tell %s that the digest for %s is paused", sub.created_by, sub.channel)
