"""Compose one channel's digest for one date, claim it in the ledger, post it, survive Slack.

Failure rules (docs/digests.md):
- `not_in_channel`, `channel_not_found`, `is_archived` (and the other "cannot post here" codes):
  the subscription is paused and its subscriber is told by DM; never retried in a loop.
- HTTP 429: wait `Retry-After` seconds and try again.
- a refused token (`invalid_auth`, `token_revoked`, …): logged, not retried, no channel paused.
- anything else (server errors, connection errors, unexpected codes): logged with the channel and
  retried a few times with exponential back-off, then the ledger row is marked `failed` (the
  scheduler tries it again within the grace period).
Every error is caught per channel: one channel's failure never stops the others.

Exactly once: each digest message carries a marker (message metadata naming the channel and date).
A process taking over a digest whose earlier post may have gone through looks for that marker in the
channel's history (conversations.history since the uncertain post) and posts only when it is absent.
When the history cannot be read (a missing scope, a channel the bot is not in) it does not post
blind: the digest is given up and the subscriber told (a duplicate cannot be taken back; the next
digest's window covers the news).
"""
from __future__ import annotations

import logging
import time as time_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import ConnectionErrorRetryHandler

from bot.blockkit import Message, escape
from bot.digest import ledger
from bot.digest import subscriptions as subs_db
from bot.digest.build import Digest, build_digest
from bot.digest.render import DIGEST_LINK_SETTINGS, ButtonValues, render_digest
from bot.digest.subscriptions import Subscription
from bot.store.db import Store
from bot.store.schema import LedgerStatus

log = logging.getLogger(__name__)

CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "no_permission", "restricted_action",
               "restricted_action_read_only_channel", "restricted_action_non_threadable_channel",
               "restricted_action_thread_only_channel", "team_access_not_granted"}
# The bot's token is wrong or revoked: no channel is at fault and retrying cannot help.
AUTH_ERRORS = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}
MAX_ATTEMPTS = 4  # for errors other than 429 and the "cannot post here" ones
MAX_RATE_LIMIT_WAITS = 5
BACKOFF_SECONDS = 2.0  # 2, 4, 8 …
MARKER_EVENT = "newsbot_digest"  # the metadata event_type every digest message carries
HISTORY_PAGES = 10  # of 200 messages: the channel's messages since the uncertain post
CLOCK_SKEW = timedelta(minutes=10)  # hosts' clocks differ: history is read from a little earlier
# Errors reading history that waiting will not fix.
HISTORY_REFUSED = {"missing_scope", "not_in_channel", "channel_not_found", "not_allowed_token_type",
                   "access_denied", "invalid_auth", "not_authed", "token_revoked", "account_inactive"}


class ChannelUnavailable(Exception):
    """Slack says the bot cannot post in this channel (the error code is the message)."""


class DeliveryFailed(Exception):
    """Posting kept failing after every retry."""


class HistoryUnreadable(Exception):
    """The channel's history could not be read to see whether a digest went out; `permanent` when
    waiting will not help (a missing scope, a channel the bot is not in)."""

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


@dataclass
class Outcome:
    channel: str
    digest_date: date
    status: Literal["posted", "quiet", "already", "paused", "unavailable", "failed"]
    ts: str | None = None
    detail: str = ""


def compose(store: Store, sub: Subscription, digest_date: date, end: datetime, *, delayed: bool = False) -> Digest:
    """The digest `sub`'s channel gets for `digest_date`, covering the window that ends at `end`."""
    start, end = ledger.window_for(store, sub.channel, digest_date, end)
    digest = build_digest(store, window_start=start, window_end=end, digest_date=digest_date, tz=sub.timezone,
                          channel=sub.channel, follow=sub.follow, filters=sub.filters)
    digest.delayed = delayed
    return digest


def marker(channel: str, digest_date: date) -> dict:
    """The message metadata that identifies a digest in the channel's history."""
    return {"event_type": MARKER_EVENT, "event_payload": {"channel": channel, "digest_date": digest_date.isoformat()}}


def find_posted(client, channel: str, wanted: dict, since: datetime, *, thread_ts: str | None = None) -> str | None:
    """The ts of the message carrying the `wanted` marker in the channel's history since `since` (in the thread
    of `thread_ts`, when given), or None; HistoryUnreadable when Slack would not say. Only this bot's own
    messages count: another app's copy of the marker does not."""
    cursor = None
    oldest = f"{(since - CLOCK_SKEW).timestamp():.6f}"
    bot_id = _slack_call(client.auth_test).get("bot_id")
    read, where = ((client.conversations_replies, {"ts": thread_ts}) if thread_ts
                   else (client.conversations_history, {}))
    for _ in range(HISTORY_PAGES):
        response = _slack_call(read, channel=channel, oldest=oldest, limit=200, cursor=cursor,
                               include_all_metadata=True, **where)
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == wanted["event_type"] and \
                    metadata.get("event_payload") == wanted["event_payload"] and message.get("bot_id") == bot_id:
                return message.get("ts")
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    raise HistoryUnreadable(f"more than {HISTORY_PAGES * 200} messages since {since.isoformat()}", permanent=True)


def _slack_call(method, **arguments):
    """A Web API read for find_posted; its failures become HistoryUnreadable."""
    try:
        return method(**arguments)
    except SlackApiError as exc:
        error = (exc.response.get("error") if exc.response is not None else None) or "unknown_error"
        raise HistoryUnreadable(error, permanent=error in HISTORY_REFUSED) from None
    except Exception as exc:
        raise HistoryUnreadable(f"{exc.__class__.__name__}: {exc}", permanent=False) from None


def post_message(client, channel: str, message: Message, *, sleep: Callable[[float], None] = time_module.sleep,
                 metadata: dict | None = None, thread_ts: str | None = None, lease: ledger.Lease | None = None,
                 already_posted: Callable[[], str | None] | None = None) -> str:
    """chat.postMessage with the failure rules above; returns the message ts.

    Under a `lease`, each attempt is recorded before it is sent and cleared when Slack refuses it
    (LeaseLost when another process took the digest over). After an attempt whose fate is unknown
    (a lost connection, a server error), `already_posted` is asked for the ts of a post that did go
    through before the message is sent again."""
    client = without_blind_resends(client)
    rate_limited = failures = 0
    unsure = False
    extra = dict(DIGEST_LINK_SETTINGS, **({"metadata": metadata} if metadata else {}),
                 **({"thread_ts": thread_ts} if thread_ts else {}))
    while True:
        if unsure and already_posted is not None and (ts := already_posted()):
            return ts
        if lease is not None:
            lease.sending()
        try:
            response = client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks, **extra)
            return response["ts"]
        except SlackApiError as exc:
            error = (exc.response.get("error") if exc.response is not None else None) or "unknown_error"
            status = getattr(exc.response, "status_code", None)
            if (status or 200) >= 500:  # Slack may have posted it all the same
                unsure = True
            elif lease is not None:  # an answer: the message was not posted
                lease.refused()
            if error in CANNOT_POST:
                raise ChannelUnavailable(error) from None
            if error in AUTH_ERRORS:
                raise DeliveryFailed(f"Slack refused the bot's token ({error}): check SLACK_BOT_TOKEN") from None
            if status == 429 or error == "ratelimited":
                rate_limited += 1
                if rate_limited > MAX_RATE_LIMIT_WAITS:
                    raise DeliveryFailed(f"still rate limited after {MAX_RATE_LIMIT_WAITS} waits") from None
                wait = _retry_after(exc.response)
                log.warning("posting in %s: rate limited, retrying in %.0fs", channel, wait)
                sleep(wait)
                continue
            problem = f"Slack error {error}" + (f" (HTTP {status})" if status else "")
        except ledger.LeaseLost:
            raise
        except Exception as exc:  # connection errors and the like: logged and retried, never fatal
            problem, unsure = f"{exc.__class__.__name__}: {exc}", True
        failures += 1
        if failures >= MAX_ATTEMPTS:
            raise DeliveryFailed(f"{problem}, after {failures} attempts")
        wait = BACKOFF_SECONDS * 2 ** (failures - 1)
        log.warning("posting in %s: %s; retry %d of %d in %.0fs", channel, problem, failures, MAX_ATTEMPTS - 1, wait)
        sleep(wait)


def without_blind_resends(client):
    """The client without its retry of dropped connections: a connection that drops after Slack took a
    post would have it sent again at once, unseen; `post_message` retries itself, looking in the channel
    first. (Its 429 retries stay: a rate-limited post was not taken.)"""
    handlers = getattr(client, "retry_handlers", None) or []
    if not any(isinstance(h, ConnectionErrorRetryHandler) for h in handlers):
        return client
    return WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout, headers=client.headers,
                     retry_handlers=[h for h in handlers if not isinstance(h, ConnectionErrorRetryHandler)])


def _retry_after(response) -> float:
    try:
        return max(1.0, float(response.headers.get("Retry-After", 1)))
    except (AttributeError, TypeError, ValueError):
        return 1.0


def run_digest(store: Store, client, sub: Subscription, digest_date: date, *, now: datetime, delayed: bool = False,
               end: datetime | None = None, sleep: Callable[[float], None] = time_module.sleep,
               claimed_by: str | None = None, lease: timedelta = ledger.LEASE,
               buttons: ButtonValues | None = None) -> Outcome:
    """Post `sub`'s digest for `digest_date` exactly once, whatever other processes do (`buttons`: what its
    profile and quote buttons carry, from the Slack front).

    The window ends at `end` (default: `now`, so a late digest includes everything until it is sent)."""
    channel = sub.channel
    if sub.paused:
        return Outcome(channel, digest_date, "paused", detail=sub.paused_reason or "")
    digest = compose(store, sub, digest_date, end or now, delayed=delayed)
    window = (digest.window_start, digest.window_end)
    claim = ledger.claim(store, channel, digest_date, window, now=now, lease=lease, claimed_by=claimed_by)
    if claim is None:
        row = ledger.get(store, channel, digest_date)
        log.info("digest for %s on %s already %s by %s", channel, digest_date, row.status if row else LedgerStatus.CLAIMED,
                 row.claimed_by if row else "another process")
        return Outcome(channel, digest_date, "already", detail=row.status if row else "")
    with ledger.Lease(store, claim, now=now, length=lease) as held:
        return _deliver(store, client, sub, digest, claim, held, sleep=sleep, buttons=buttons)


def _deliver(store: Store, client, sub: Subscription, digest: Digest, claim: ledger.Claim, held: ledger.Lease, *,
             sleep: Callable[[float], None], buttons: ButtonValues | None) -> Outcome:
    channel, digest_date = sub.channel, digest.digest_date
    try:
        if claim.unsure_since is not None:  # an earlier holder's post may have gone through
            ts = find_posted(client, channel, marker(channel, digest_date), claim.unsure_since)
            if ts:
                ledger.complete(store, channel, digest_date, ts)
                log.info("digest for %s on %s was already in the channel (ts %s): not posted again", channel,
                         digest_date, ts)
                return Outcome(channel, digest_date, "posted", ts=ts, detail="found in the channel's history")
        if digest.quiet and not sub.post_when_quiet:
            ledger.mark_quiet(store, channel, digest_date)
            log.info("digest for %s on %s: nothing new, not posted", channel, digest_date)
            return Outcome(channel, digest_date, "quiet")
        ts = post_message(client, channel, render_digest(digest, buttons), sleep=sleep, metadata=marker(channel, digest_date),
                          lease=held, already_posted=lambda: find_posted(client, channel, marker(channel, digest_date),
                                                                            held.started))
    except ledger.LeaseLost as exc:
        log.warning("%s: not posting it", exc)
        return Outcome(channel, digest_date, "already", detail="taken over")
    except HistoryUnreadable as exc:
        reason = f"could not read the channel's history to see whether it went out ({exc})"
        if not exc.permanent:
            ledger.mark_failed(store, channel, digest_date, reason)
            log.warning("digest for %s on %s: %s; trying again later", channel, digest_date, reason)
            return Outcome(channel, digest_date, "failed", detail=reason)
        ledger.mark_given_up(store, channel, digest_date, reason)
        log.warning("digest for %s on %s given up, not posted blind: %s%s", channel, digest_date, reason,
                    " (the app needs the channels:history and groups:history scopes)" if "scope" in str(exc) else "")
        tell_subscriber(client, sub, given_up_text(sub, digest_date, reason), sleep=sleep)
        return Outcome(channel, digest_date, "failed", detail=reason)
    except ChannelUnavailable as exc:
        reason = str(exc)
        ledger.mark_given_up(store, channel, digest_date, reason)
        subs_db.set_paused(store, channel, True, reason)
        log.warning("digest for %s paused: Slack says %s", channel, reason)
        tell_subscriber(client, sub, paused_text(sub, reason), sleep=sleep)
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


def paused_text(sub: Subscription, reason: str) -> str:
    why = EXPLAIN.get(reason, "Slack refused the post with `{reason}`").format(channel=sub.channel, reason=reason)
    return (f"Your daily digest for <#{sub.channel}> is paused: {why}. "
            f"Then run `/digest resume` in that channel to restart it.")


def given_up_text(sub: Subscription, digest_date: date, reason: str) -> str:
    return (f"The daily digest for <#{sub.channel}> of {digest_date:%A %-d %B} was not posted: {escape(reason)}. "
            f"Its news will be in the next digest; `newsbot digest --channel {sub.channel} "
            f"--date {digest_date.isoformat()} --post` sends it by hand.")


def tell_subscriber(client, sub: Subscription, text: str, *, sleep: Callable[[float], None]) -> None:
    """Tell whoever subscribed, by DM, what happened to the digest and what to do."""
    if not sub.created_by:
        log.warning("digest for %s: nobody to tell (add `subscriber: U…` to config/digests.yaml): %s",
                    sub.channel, text)
        return
    try:
        post_message(client, sub.created_by, Message(text=text, blocks=[
            {"type": "section", "text": {"type": "mrkdwn", "text": text}}]), sleep=sleep)
    except Exception:
        log.exception("could not tell %s about the digest for %s", sub.created_by, sub.channel)
