"""Digest subscriptions: from config/digests.yaml and from Slack (`/digest subscribe`), both kept in the database.

The YAML file is the source of truth for the channels it lists: it is re-read at start and its
rows are replaced (their pause state is kept, so a channel paused after `not_in_channel` stays
paused until someone runs `/digest resume`). Slack-made subscriptions live only in the database
and survive restarts. One subscription per channel.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.config import (  # the schedule values are shared with settings.yaml
    DAILY, DAY_NAMES, WEEKDAYS, ConfigError, Settings, SubscriptionError, check_keys, parse_days, parse_time,
    parsed_value, read_yaml,
)
from bot.digest.build import SECTIONS, DigestFilters, as_utc
from bot.nlp.models import Kind
from bot.store.db import Store
from bot.store.schema import SubscriptionOrigin, subscriptions

CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")

SUBSCRIPTION_SPEC = {"channel": str, "time": (str, int, float), "timezone": str, "days": (str, list), "follow": list,
                     "post_when_quiet": bool, "filters": dict, "paused": bool, "subscriber": str, "sections": dict,
                     "alerts": bool}
FILTERS_SPEC = {"sources": list, "kinds": list}


@dataclass
class Subscription:
    channel: str
    time: str = "08:00"  # HH:MM, local
    timezone: str = "UTC"  # IANA name
    days: tuple[int, ...] = WEEKDAYS  # Monday = 0
    follow: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    sections_off: list[str] = field(default_factory=list)  # of build.SECTIONS
    post_when_quiet: bool = False
    alerts: bool = True  # each followed actor's news as it is indexed (bot.digest.alerts), besides the digest
    paused: bool = False
    paused_reason: str | None = None
    origin: SubscriptionOrigin = SubscriptionOrigin.SLACK
    created_by: str | None = None  # Slack user id: told by DM when the digest cannot be posted
    created_at: datetime | None = None  # when first saved: digests due before it were never owed

    @property
    def filters(self) -> DigestFilters:
        return DigestFilters(sources=tuple(self.sources), kinds=tuple(self.kinds), sections_off=tuple(self.sections_off))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_time(self) -> time:
        hour, minute = map(int, self.time.split(":"))
        return time(hour, minute)

    def scheduled_at(self, day: date) -> datetime:
        """The moment this subscription's digest for `day` is due (a DST gap moves it forward, as clocks do)."""
        naive = datetime.combine(day, self.local_time)
        aware = naive.replace(tzinfo=self.zone)
        # Round-trip through UTC normalises a time that does not exist on a spring-forward day.
        return aware.astimezone(ZoneInfo("UTC")).astimezone(self.zone)

    def last_due(self, now: datetime, lookback_days: int = 8) -> datetime | None:
        """The latest scheduled moment at or before `now` (on one of the subscription's days)."""
        today = now.astimezone(self.zone).date()
        for back in range(lookback_days):
            day = today - timedelta(days=back)
            if day.weekday() in self.days:
                due = self.scheduled_at(day)
                if due <= now:
                    return due
        return None

    def owes(self, due: datetime) -> bool:
        """Whether the digest due at `due` is this subscription's: a channel that subscribes now has missed nothing."""
        return self.created_at is None or due >= self.created_at

    def days_label(self) -> str:
        if tuple(self.days) == WEEKDAYS:
            return "weekdays"
        if tuple(self.days) == DAILY:
            return "daily"
        return ", ".join(DAY_NAMES[d].capitalize() for d in self.days)


# -- parsing one value at a time (shared by YAML and Slack) ------------------------------------

def parse_timezone(value: str) -> str:
    name = str(value).strip()
    try:
        if not name or name.startswith("/") or ".." in name:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = suggest_timezone(name)
        raise SubscriptionError(
            f"“{name}” is not a time zone I know: use an IANA name such as Europe/London or Asia/Beirut"
            + (f" (did you mean {hint}?)" if hint else "")) from None
    return name


def suggest_timezone(name: str) -> str | None:
    from rapidfuzz import process

    if not name:
        return None
    best = process.extractOne(name, sorted(available_timezones()), score_cutoff=80)
    return best[0] if best else None


def parse_section(value: str) -> str:
    """A digest section by name: `in the news`, `In-the-news` and `in_the_news` are one section."""
    name = " ".join(str(value).replace("-", " ").replace("_", " ").lower().split())
    if name not in SECTIONS:
        raise SubscriptionError(f"“{str(value)[:60]}” is not a digest section: use one of {', '.join(SECTIONS)}")
    return name


def check_channel(value: str) -> str:
    channel = str(value).strip()
    if not CHANNEL_ID.match(channel):
        raise SubscriptionError(f"“{channel}” is not a Slack channel ID: use the ID (such as C0123456) "
                                "from the channel's details, not its #name")
    return channel


# -- config/digests.yaml -----------------------------------------------------------------------

def load_yaml(path: Path, settings: Settings) -> list[Subscription]:
    """The subscriptions in `path` (none when the file is absent), validated with one clear error each."""
    data = check_keys(path, "", read_yaml(path, required=False), {"subscriptions": list})
    result: list[Subscription] = []
    seen: set[str] = set()
    for number, entry in enumerate(data.get("subscriptions") or [], 1):
        where = f"subscriptions[{number}]:"
        entry = check_keys(path, where, entry, SUBSCRIPTION_SPEC, required=("channel",))
        filters = check_keys(path, f"{where} filters:", entry.get("filters"), FILTERS_SPEC)
        sub = Subscription(
            channel=parsed_value(path, where, entry, "channel", check_channel, None),
            time=parsed_value(path, where, entry, "time", parse_time, settings.digest.time),
            timezone=parsed_value(path, where, entry, "timezone", parse_timezone, settings.timezone),
            days=parsed_value(path, where, entry, "days", parse_days, settings.digest.days),
            follow=[name.strip() for name in _texts(path, where, entry, "follow") if name.strip()],
            sources=_texts(path, f"{where} filters:", filters, "sources"),
            kinds=[k.lower() for k in _texts(path, f"{where} filters:", filters, "kinds")],
            sections_off=_sections_off(path, where, entry.get("sections") or {}),
            post_when_quiet=bool(entry.get("post_when_quiet") or False),
            alerts=bool(entry.get("alerts", True)),
            paused=bool(entry.get("paused") or False),
            origin=SubscriptionOrigin.YAML, created_by=entry.get("subscriber"))
        unknown = [k for k in sub.kinds if k not in tuple(Kind)]
        if unknown:
            raise ConfigError(f"{path}: {where} filters: unknown actor kind {unknown[0]!r} (expected: {', '.join(Kind)})")
        if sub.channel in seen:
            raise ConfigError(f"{path}: {where} channel {sub.channel} is listed twice (one subscription per channel)")
        seen.add(sub.channel)
        result.append(sub)
    return result


def _sections_off(path: Path, where: str, sections: dict) -> list[str]:
    """`sections: {places: off, quotes: on}`: the sections turned off (YAML reads on/off as true/false)."""
    off = []
    for name, state in sections.items():
        try:
            section = parse_section(name)
        except SubscriptionError as exc:
            raise ConfigError(f"{path}: {where} sections: {exc}") from None
        if not isinstance(state, bool):
            raise ConfigError(f"{path}: {where} sections: {name} is {state!r}: use on or off")
        if not state:
            off.append(section)
    return off


def _texts(path: Path, where: str, entry: dict, key: str) -> list[str]:
    """A list of names: each item must be text (YAML reads an unquoted yes, 1979 or {a: b} as something else)."""
    values = entry.get(key) or []
    for value in values:
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {where} key '{key}' has {value!r}: every item must be text "
                              "(put quotes around words YAML reads as yes/no or numbers)")
    return values


def sync_yaml(store: Store, subs: list[Subscription]) -> None:
    """Make the database's YAML subscriptions match the file; Slack-made ones are left alone,
    except that a channel now listed in the YAML is taken over by it."""
    listed = {s.channel for s in subs}
    with store.begin() as conn:
        current = {row.channel: row for row in conn.execute(select(subscriptions))}
        for row in current.values():
            if row.origin == SubscriptionOrigin.YAML and row.channel not in listed:
                conn.execute(delete(subscriptions).where(subscriptions.c.channel == row.channel))
    for sub in subs:
        old = current.get(sub.channel)
        if old is not None and old.origin == SubscriptionOrigin.YAML and old.paused and not sub.paused:
            sub.paused, sub.paused_reason = True, old.paused_reason
        save(store, sub)


# -- the database ------------------------------------------------------------------------------

def _from_row(row) -> Subscription:
    filters = row.filters or {}
    return Subscription(channel=row.channel, time=row.time, timezone=row.timezone, days=tuple(row.days or WEEKDAYS),
                        follow=list(row.follow or []), sources=list(filters.get("sources") or []),
                        kinds=list(filters.get("kinds") or []),
                        sections_off=list(filters.get("sections_off") or []), alerts=filters.get("alerts", True),
                        post_when_quiet=bool(row.post_when_quiet),
                        paused=bool(row.paused), paused_reason=row.paused_reason, origin=row.origin,
                        created_by=row.created_by, created_at=row.created_at and as_utc(row.created_at))


def all_subscriptions(store: Store) -> list[Subscription]:
    with store.connect() as conn:
        return [_from_row(r) for r in conn.execute(select(subscriptions).order_by(subscriptions.c.channel))]


def get(store: Store, channel: str) -> Subscription | None:
    with store.connect() as conn:
        row = conn.execute(select(subscriptions).where(subscriptions.c.channel == channel)).first()
    return _from_row(row) if row else None


def save(store: Store, sub: Subscription) -> None:
    """Insert or replace the channel's subscription."""
    values = dict(time=sub.time, timezone=sub.timezone, days=list(sub.days), follow=list(sub.follow),
                  filters={"sources": list(sub.sources), "kinds": list(sub.kinds),
                           "sections_off": list(sub.sections_off), "alerts": sub.alerts},
                  post_when_quiet=sub.post_when_quiet, paused=sub.paused, paused_reason=sub.paused_reason,
                  origin=sub.origin, created_by=sub.created_by)
    for attempt in (1, 2):
        try:
            with store.begin() as conn:
                updated = conn.execute(update(subscriptions).where(subscriptions.c.channel == sub.channel)
                                       .values(**values)).rowcount
                if not updated:
                    conn.execute(insert(subscriptions).values(
                        channel=sub.channel, created_at=sub.created_at or datetime.now(ZoneInfo("UTC")), **values))
            return
        except IntegrityError:  # another instance inserted this channel between our UPDATE and INSERT
            if attempt == 2:
                raise


def remove(store: Store, channel: str) -> bool:
    with store.begin() as conn:
        return conn.execute(delete(subscriptions).where(subscriptions.c.channel == channel)).rowcount > 0


def set_paused(store: Store, channel: str, paused: bool, reason: str | None = None) -> bool:
    with store.begin() as conn:
        return conn.execute(update(subscriptions).where(subscriptions.c.channel == channel).values(
            paused=paused, paused_reason=reason if paused else None)).rowcount > 0


def yaml_path(settings: Settings) -> Path:
    return settings.config_dir / "digests.yaml"


def load_and_sync(store: Store, settings: Settings) -> list[Subscription]:
    """At start: re-read config/digests.yaml into the database; return every subscription."""
    sync_yaml(store, load_yaml(yaml_path(settings), settings))
    return all_subscriptions(store)
