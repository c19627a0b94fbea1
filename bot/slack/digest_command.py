"""`/digest …`: the one entry point the Slack app and the console call for digest commands.

    handle(text, *, user_id, channel_id, store, client=None) -> Message

`text` is the command text after `/digest`, already unescaped. `client` is the bot's slack_sdk
WebClient (None in the console, whose local channel subscribes, follows and previews like any other
without Slack's membership check). The caller sends the answer ephemerally;
it is held to Block Kit's limits here, and corpus text in it is mrkdwn-escaped.

Follow names go through the lookup engine: an exact name or alias is followed at once; a fuzzy,
ambiguous or unknown name is answered with buttons (a `FollowChoice`, answered by `confirm_follow`),
never guessed.
"""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime, timezone

from slack_sdk.errors import SlackApiError

from bot import blockkit
from bot.blockkit import Message, button, context, escape, finish, section
from bot.config import DAY_NAMES, ConfigError, load_settings
from bot.digest import ledger
from bot.digest import subscriptions as subs_db
from bot.digest.delivery import compose
from bot.digest.build import SECTIONS, DigestQuote
from bot.digest.render import digest_content, left_out_line
from bot.digest.scheduler import cron_trigger
from bot.digest.subscriptions import (
    Subscription, SubscriptionError, parse_days, parse_section, parse_time, parse_timezone,
)
from bot.nlp.names import actor_key
from bot.search.engines import engines_for
from bot.search.results import Band, LookupStatus
from bot.slack.buttons import FollowChoice, ProfilePage, QuoteCardPage, QuotesPage
from bot.store.schema import SubscriptionOrigin

log = logging.getLogger(__name__)

USAGE = ("*Daily digest for this channel*\n"
         "• `/digest preview`: what today's digest holds so far (only you see it)\n"
         "• `/digest subscribe [HH:MM] [Area/City] [weekdays|daily]`: for example `/digest subscribe 07:30 Asia/Beirut daily`\n"
         "• `/digest status` · `/digest pause` · `/digest resume` · `/digest unsubscribe`\n"
         "• `/digest follow &lt;actor&gt;` · `/digest unfollow &lt;actor&gt;`: every new mention and quote of an actor\n"
         f"• `/digest set &lt;section&gt; on|off`: sections are {', '.join(SECTIONS)}\n"
         "• `/digest set alerts on|off`: a followed actor's news as it comes in, in the digest's thread")
QUOTE_WORDS = 8  # a quote's button searches for its opening words
MAX_FOLLOWED = 20


class DigestButtons:
    """What a digest's buttons carry: a name opens its profile, a quote its card or a search for it by its speaker."""

    def profile(self, actor_id: int) -> str:
        return ProfilePage(actor_id).encode()

    def card(self, quote: DigestQuote) -> str:
        return QuoteCardPage(quote.id).encode()

    def quote(self, quote: DigestQuote) -> str:
        by = quote.speaker if quote.speaker and not quote.anonymous else None
        return QuotesPage(" ".join(quote.text.split()[:QUOTE_WORDS]), by).encode()


DIGEST_BUTTONS = DigestButtons()
DAYS_WORDS = re.compile(rf"^(weekdays?|daily|everyday|mon-fri|(({'|'.join(DAY_NAMES)})[a-z]*,?)+)$", re.I)


def plain(mrkdwn: str) -> str:
    """The fallback text of a mrkdwn line: markup dropped, entities decoded (finish() escapes it again)."""
    return blockkit.plain(re.sub(r"[*_`]", "", mrkdwn))


def answer(mrkdwn: str, blocks: list[dict]) -> Message:
    """The message: blocks held to Block Kit's limits, the fallback as plain text."""
    return finish(plain(mrkdwn), blocks)


def reply(text: str, *extra: dict) -> Message:
    """A one-section answer: `text` is mrkdwn, already escaped where it carries user or corpus text."""
    return answer(text, [section(text), *extra])


def handle(text: str, *, user_id: str, channel_id: str, store, client=None) -> Message:
    words = text.strip().split(maxsplit=1)
    command = words[0].lower() if words else ""
    rest = words[1].strip() if len(words) > 1 else ""
    handlers = {"preview": preview, "subscribe": subscribe, "unsubscribe": unsubscribe, "status": status,
                "pause": pause, "resume": resume, "follow": follow, "unfollow": unfollow, "set": set_section}
    if command not in handlers:
        lead = f"I don't know `/digest {escape(command[:40])}`.\n" if command and command != "help" else ""
        return reply(lead + USAGE)
    try:
        return handlers[command](rest, user_id=user_id, channel_id=channel_id, store=store, client=client)
    except SubscriptionError as exc:
        return reply(escape(str(exc)))
    except ConfigError as exc:
        log.error("digest command: %s", exc)
        return reply(f"The digest configuration has a problem, so I cannot do that: {escape(str(exc))}")


# -- the commands ------------------------------------------------------------------------------

def preview(rest, *, user_id, channel_id, store, client) -> Message:
    """The channel's next digest as it stands now: everything since its last digest."""
    subscribed = subs_db.get(store, channel_id)
    sub = subscribed or Subscription(channel=channel_id, timezone=user_timezone(client, user_id)
                                     or load_settings().timezone)
    now = datetime.now(timezone.utc)
    due = next_fire(sub, now) if subscribed else None
    digest = compose(store, sub, (due or now).astimezone(sub.zone).date(), now)
    text, blocks = digest_content(digest, DIGEST_BUTTONS)
    if due:
        note = f"Preview of the digest due {due.astimezone(sub.zone):%a %-d %b %H:%M}, as it stands now: only you can see this."
    else:
        note = "Preview: only you can see this. This channel has no digest yet: `/digest subscribe`."
    left_out = left_out_line(digest)
    return answer(escape(text), [*blocks, *([context(left_out)] if left_out else []), context(note)])


def subscribe(rest, *, user_id, channel_id, store, client) -> Message:
    settings = load_settings()
    existing = subs_db.get(store, channel_id)
    if existing and existing.origin == SubscriptionOrigin.YAML:
        return yaml_managed(existing)
    problem = channel_problem(client, channel_id)
    if problem:
        return reply(problem)
    when, zone, days = None, None, None
    for token in rest.split():
        if re.match(r"^\d", token):
            when = parse_time(token)
        elif DAYS_WORDS.match(token):
            days = parse_days(token)
        elif "/" in token or token.upper() in ("UTC", "GMT"):
            zone = parse_timezone("UTC" if token.upper() in ("UTC", "GMT") else token)
        else:
            return reply(f"I did not understand `{escape(token[:60])}`. Usage: "
                         "`/digest subscribe [HH:MM] [Area/City] [weekdays|daily]`, such as "
                         "`/digest subscribe 07:30 Asia/Beirut weekdays`")
    base = existing or Subscription(channel=channel_id, time=settings.digest.time,
                                    timezone=user_timezone(client, user_id) or settings.timezone,
                                    days=parse_days(settings.digest.days), created_by=user_id,
                                    origin=SubscriptionOrigin.SLACK)
    sub = replace(base, time=when or base.time, timezone=zone or base.timezone, days=days or base.days)
    subs_db.save(store, sub)
    summary = schedule_summary(sub)
    if client is not None:
        announce(client, channel_id, f"<@{user_id}> {'changed' if existing else 'set up'} this channel's daily digest: {summary}.")
    paused = " It is *paused*: `/digest resume` to restart it." if sub.paused else ""
    return reply(f"{'Updated' if existing else 'Subscribed'}: this channel gets the digest {summary}. "
                 f"Next one: {next_run(sub)}.{paused}\n`/digest preview` shows it as it stands now; "
                 "`/digest follow &lt;actor&gt;` adds an actor to watch.")


def unsubscribe(rest, *, user_id, channel_id, store, client) -> Message:
    sub = subs_db.get(store, channel_id)
    if sub is None:
        return reply("This channel has no digest. `/digest subscribe` sets one up.")
    if sub.origin == SubscriptionOrigin.YAML:
        return yaml_managed(sub)
    subs_db.remove(store, channel_id)
    return reply("Unsubscribed: this channel gets no more digests. Its followed actors are forgotten.")


def status(rest, *, user_id, channel_id, store, client) -> Message:
    sub = subs_db.get(store, channel_id)
    if sub is None:
        return reply("This channel has no digest. `/digest subscribe [HH:MM] [Area/City] [weekdays|daily]` sets one up.")
    lines = [f"*Digest:* {schedule_summary(sub)}"
             + (" (from config/digests.yaml)" if sub.origin == SubscriptionOrigin.YAML else "")]
    if sub.paused:
        lines.append(f"*Paused* ({paused_reason(sub.paused_reason)}): `/digest resume` restarts it.")
    else:
        lines.append(f"*Next:* {next_run(sub)}")
    lines.append("*Following:* " + (", ".join(escape(n) for n in sub.follow) if sub.follow else "nobody yet"))
    if sub.sources or sub.kinds:
        lines.append("*Filters:* " + "; ".join(p for p in [
            f"sources {escape(', '.join(sub.sources))}" if sub.sources else "",
            f"actor kinds {escape(', '.join(sub.kinds))}" if sub.kinds else ""] if p))
    how = ("`alerts:` in config/digests.yaml" if sub.origin == SubscriptionOrigin.YAML else
           f"`/digest set alerts {'off' if sub.alerts else 'on'}` {'stops' if sub.alerts else 'starts'} them")
    lines.append(f"*Alerts:* {'on' if sub.alerts else 'off'} ({how})")
    if sub.sections_off:
        lines.append(f"*Sections off:* {', '.join(sub.sections_off)} (`/digest set &lt;section&gt; on` shows one again)")
    lines.append(f"*On a quiet day:* {'posts “nothing new”' if sub.post_when_quiet else 'stays silent'}")
    history = ledger.recent(store, channel_id, limit=3)
    if history:
        lines.append("*Last digests:* " + ", ".join(
            f"{row.digest_date:%a %-d %b} {row.status}" + (f" ({escape(row.error[:80])})" if row.error else "")
            for row in history))
    return reply("\n".join(lines))


def pause(rest, *, user_id, channel_id, store, client) -> Message:
    if not subs_db.set_paused(store, channel_id, True, f"by {user_id}"):
        return reply("This channel has no digest to pause.")
    return reply("Paused: no digests until someone runs `/digest resume`.")


def resume(rest, *, user_id, channel_id, store, client) -> Message:
    sub = subs_db.get(store, channel_id)
    if sub is None:
        return reply("This channel has no digest. `/digest subscribe` sets one up.")
    problem = channel_problem(client, channel_id)
    if problem:
        return reply(problem)
    subs_db.set_paused(store, channel_id, False)
    return reply(f"Resumed: next digest {next_run(sub)}. It covers everything since the last one posted.")


def follow(rest, *, user_id, channel_id, store, client) -> Message:
    sub = followable(store, channel_id)
    if isinstance(sub, Message):
        return sub
    name = rest.strip()
    if not name:
        return reply("Usage: `/digest follow &lt;actor&gt;`, such as `/digest follow Kataeb Hezbollah`")
    try:
        result = engines_for(store).lookup_engine.resolve(name)
    except Exception:
        log.exception("digest follow: lookup of %r failed", name[:200])
        return reply("Sorry, I could not look that name up just now; please try again in a moment.")
    shown = escape(name[:200])
    candidates = result.candidates or []
    if result.status == LookupStatus.FOUND and candidates and candidates[0].band == Band.EXACT:
        return add_followed(store, sub, candidates[0].name, how=f"matched {escape(candidates[0].matched)}, "
                                                                   f"{escape(candidates[0].how)}")
    if result.status == LookupStatus.INVALID:
        return reply(escape(result.explanation or "That does not look like a name.") +
                     "\nUsage: `/digest follow &lt;actor&gt;`")
    choices = candidates[:5]
    if result.status == LookupStatus.FOUND:
        lead = f"Did you mean *{escape(choices[0].name)}* ({escape(choices[0].how)} of “{shown}”)? Nothing is followed until you choose."
    elif result.status == LookupStatus.AMBIGUOUS:
        lead = f"*{shown}* could be more than one actor. Which one should this channel follow?"
    else:
        lead = f"No actor named *{shown}* in the index yet."
        choices = choices[:3]
        lead += " Did you mean one of these?" if choices else ""
    rows = [section(f"*{escape(c.name)}* ({escape(c.kind)}): {escape(c.how)} “{escape(c.matched)}”",
                    accessory=button(f"Follow {c.name}", "open", FollowChoice(c.name).encode()))
            for c in choices]
    if result.status == LookupStatus.NOT_FOUND:
        rows.append(section(f"Or follow “{shown}” as typed: it shows up once an actor by exactly that name appears.",
                            accessory=button(f"Follow “{name[:50]}”", "open", FollowChoice(name[:200]).encode())))
    return answer(lead, [section(lead), *rows])


def unfollow(rest, *, user_id, channel_id, store, client) -> Message:
    sub = followable(store, channel_id)
    if isinstance(sub, Message):
        return sub
    key = actor_key(rest)
    kept = [n for n in sub.follow if actor_key(n) != key]
    if len(kept) == len(sub.follow):
        following = ", ".join(escape(n) for n in sub.follow) or "nobody"
        return reply(f"This channel does not follow “{escape(rest[:200])}”. It follows: {following}.")
    subs_db.save(store, replace(sub, follow=kept))
    return reply(f"Unfollowed *{escape(rest[:200])}*." + (f" Still following: {', '.join(escape(n) for n in kept)}."
                                                           if kept else ""))


def set_section(rest, *, user_id, channel_id, store, client) -> Message:
    """`/digest set places off`: turn one section of this channel's digest on or off."""
    sub = followable(store, channel_id)
    if isinstance(sub, Message):
        return sub
    name, _, state = rest.strip().rpartition(" ")
    if state.lower() not in ("on", "off") or not name.strip():
        return reply(f"Usage: `/digest set &lt;section&gt; on|off`, such as `/digest set places off` "
                     f"(sections: {', '.join(SECTIONS)})")
    if name.strip().lower() == "alerts":
        alerts = state.lower() == "on"
        subs_db.save(store, replace(sub, alerts=alerts))
        return reply("Alerts are now " + ("on: a followed actor's new mention or quote is posted as it comes in, "
                                          "at most once an hour per actor, in the thread of the day's digest."
                                          if alerts else "off: followed actors appear only in the digest."))
    section_name = parse_section(name)
    off = [s for s in sub.sections_off if s != section_name] + ([section_name] if state.lower() == "off" else [])
    subs_db.save(store, replace(sub, sections_off=off))
    shown = [s for s in SECTIONS if s not in off]
    return reply(f"*{section_name.capitalize()}* is now {state.lower()} in this channel's digest. "
                 f"Shown: {', '.join(shown) or 'no section'}.")


def confirm_follow(choice: FollowChoice, *, channel_id: str, store) -> Message:
    """A "Follow …" button was pressed in `channel_id` (the channel Slack says it was pressed in): follow the
    name it carries there. What a button carries is only a choice, never which channel changes."""
    sub = followable(store, channel_id)
    if isinstance(sub, Message):
        return sub
    if not choice.name:
        return reply("That button carried no name; please run `/digest follow &lt;actor&gt;` again.")
    return add_followed(store, sub, choice.name, how="chosen from the list")


# -- helpers -----------------------------------------------------------------------------------

def add_followed(store, sub: Subscription, name: str, *, how: str) -> Message:
    if any(actor_key(n) == actor_key(name) for n in sub.follow):
        return reply(f"This channel already follows *{escape(name)}*.")
    if len(sub.follow) >= MAX_FOLLOWED:
        return reply(f"This channel already follows {MAX_FOLLOWED} actors: `/digest unfollow &lt;actor&gt;` one first.")
    subs_db.save(store, replace(sub, follow=[*sub.follow, name]))
    alerts = " and is alerted here as it comes in" if sub.alerts else ""
    return reply(f"Following *{escape(name)}* ({how}): every new mention and quote goes in this channel's digest"
                 f"{alerts}.")


def followable(store, channel_id: str):
    """The channel's Slack-made subscription, or the answer explaining why followed actors cannot change."""
    sub = subs_db.get(store, channel_id)
    if sub is None:
        return reply("This channel has no digest yet: `/digest subscribe` first, then follow actors.")
    if sub.origin == SubscriptionOrigin.YAML:
        return yaml_managed(sub)
    return sub


def yaml_managed(sub: Subscription) -> Message:
    return reply("This channel's digest is set in `config/digests.yaml` by whoever runs the bot: ask them to change "
                 "it there (`/digest pause` and `/digest resume` work here).")


def paused_reason(reason: str | None) -> str:
    """`by U123` (a /digest pause) as a mention; a Slack error code as it is."""
    match = re.fullmatch(r"by ([UW][A-Z0-9]+)", reason or "")
    return f"by <@{match.group(1)}>" if match else escape(reason or "no reason recorded")


def schedule_summary(sub: Subscription) -> str:
    return f"at {sub.time} ({sub.timezone}), {sub.days_label()}"


def next_fire(sub: Subscription, now: datetime) -> datetime | None:
    return cron_trigger(sub).get_next_fire_time(None, now)


def next_run(sub: Subscription) -> str:
    upcoming = next_fire(sub, datetime.now(timezone.utc))
    return upcoming.astimezone(sub.zone).strftime("%a %-d %b %H:%M") if upcoming else "never"


def user_timezone(client, user_id: str) -> str | None:
    """The subscriber's own Slack time zone (`users.info`), when Slack tells us one we know."""
    if client is None or not user_id:
        return None
    try:
        tz = (client.users_info(user=user_id).get("user") or {}).get("tz")
        return parse_timezone(tz) if tz else None
    except (SlackApiError, SubscriptionError):
        return None
    except Exception:
        log.warning("users.info for %s failed", user_id, exc_info=True)
        return None


def channel_problem(client, channel_id: str) -> str | None:
    """Why a digest could not be posted in this channel, or None (unknown without Slack: the console)."""
    if client is None:  # the console's local channel: nothing to check
        return None
    try:
        channel = client.conversations_info(channel=channel_id).get("channel") or {}
    except SlackApiError as exc:
        error = (exc.response or {}).get("error")
        if error in ("channel_not_found", "not_in_channel"):
            return ("I cannot see this channel. Invite me with `/invite @newsbot` (for a private channel, "
                    "that is the only way), then run the command again.")
        log.warning("conversations.info for %s failed (%s): subscribing without the membership check", channel_id, error)
        return None
    if channel.get("is_archived"):
        return "This channel is archived: digests cannot be posted here."
    if channel.get("is_member") is False:
        return "I am not a member of this channel yet. Invite me with `/invite @newsbot`, then run the command again."
    return None


def announce(client, channel_id: str, text: str) -> None:
    """The one public line in the channel on subscribe, so everyone knows where the digest comes from."""
    try:
        client.chat_postMessage(channel=channel_id, text=text, blocks=[section(text)], unfurl_links=False)
    except Exception:
        log.warning("could not announce the digest in %s", channel_id, exc_info=True)

