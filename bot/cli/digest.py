"""`newsbot digest`: replay a channel's digest for any day, as it was (or would have been) posted."""
from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import click

from bot.cli.base import Context, cli, friendly_errors, pass_context
from bot.config import Settings
from bot.digest import ledger
from bot.digest import subscriptions as subs_db
from bot.digest.delivery import compose, post_message, run_digest
from bot.digest.render import digest_as_text, left_out_line, render_digest
from bot.slack.digest_command import DIGEST_BUTTONS
from bot.digest.subscriptions import Subscription, SubscriptionError, parse_days
from bot.search.results import to_jsonable


def subscription_or_default(ctx: Context, channel: str) -> Subscription:
    """The channel's subscription (config/digests.yaml re-read first), else the settings' defaults."""
    settings = ctx.settings
    sub = next((s for s in subs_db.load_and_sync(ctx.store, settings) if s.channel == channel), None)
    if sub is None:
        click.echo(f"Channel {channel} has no digest subscription: using the defaults "
                   f"({settings.digest.time} {settings.timezone}, no followed actors).", err=True)
        sub = Subscription(channel=channel, time=settings.digest.time, timezone=settings.timezone,
                           days=parse_days(settings.digest.days))
    return sub


def slack_client(settings: Settings):
    """The bot's Web API client, from $SLACK_BOT_TOKEN (and $SLACK_API_URL, for proxies and tests)."""
    from bot.slack.app import web_client

    if not settings.slack_bot_token:
        raise click.UsageError("--post needs SLACK_BOT_TOKEN in the environment")
    return web_client(settings.slack_bot_token, settings.slack_api_url or None)


@cli.command("digest")
@click.option("--channel", required=True, metavar="C0123456", help="Channel ID.")
@click.option("--date", "day", metavar="YYYY-MM-DD", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Digest date in the channel's time zone (default: today).")
@click.option("--json", "as_json", is_flag=True, help="The digest and the exact Slack message as JSON.")
@click.option("--post", is_flag=True, help="Send it to the channel (recorded in the ledger: never twice).")
@click.option("--again", is_flag=True, help="With --post: send even if the ledger says it was already sent.")
@pass_context
@friendly_errors
def digest_command(ctx: Context, channel: str, day: datetime | None, as_json: bool, post: bool, again: bool) -> None:
    """Show CHANNEL's digest for a day: the window since its previous digest, up to its posting time."""
    try:
        channel = subs_db.check_channel(channel)
    except SubscriptionError as exc:
        raise click.BadParameter(str(exc), param_hint="--channel") from None
    sub = subscription_or_default(ctx, channel)
    now = datetime.now(timezone.utc)
    digest_date: date = day.date() if day else now.astimezone(sub.zone).date()
    end = min(sub.scheduled_at(digest_date), now)
    if post:
        client = slack_client(ctx.settings)
        if again:
            ts = post_message(client, channel, render_digest(compose(ctx.store, sub, digest_date, end), DIGEST_BUTTONS))
            click.echo(f"Posted again to {channel} (ts {ts}).")
            return
        # A paused subscription can still be sent by hand: the operator asked for it.
        outcome = run_digest(ctx.store, client, replace(sub, paused=False), digest_date, now=now, end=end,
                             lease=timedelta(minutes=ctx.settings.digest.lease_minutes), buttons=DIGEST_BUTTONS)
        click.echo(f"{channel} {digest_date}: {outcome.status}" + (f" (ts {outcome.ts})" if outcome.ts else "")
                   + (f": {outcome.detail}" if outcome.detail else ""))
        if outcome.status == "already":
            click.echo("The ledger says this digest was already handled; add --again to send it anyway.", err=True)
        sys.exit(0 if outcome.status in ("posted", "quiet") else 1)
    digest = compose(ctx.store, sub, digest_date, end)
    if as_json:
        row = ledger.get(ctx.store, channel, digest_date)
        click.echo(json.dumps({"digest": to_jsonable(digest), "message": render_digest(digest, DIGEST_BUTTONS).to_dict(),
                               "ledger": to_jsonable(row) if row else None}, ensure_ascii=False, indent=2))
    else:
        click.echo(digest_as_text(digest).rstrip("\n"))
        if left_out := left_out_line(digest):
            click.echo(left_out)
