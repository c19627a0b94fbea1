"""Load and validate the configuration in one place: settings.yaml and the environment.

Every setting is declared once, in `Settings`, with its default, its meaning and where it
is read. Every problem is reported as one line naming the file, the key and what was
expected (`ConfigError`), so an editor who mistypes a key knows where to look.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Hashable
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

DEFAULT_DB_PATH = "data/newsbot.db"


class ConfigError(Exception):
    """A configuration file is missing, unreadable or has a wrong key or value."""


def config_dir() -> Path:
    """The config folder: `$NEWSBOT_CONFIG_DIR`, else `./config`."""
    return Path(environment(variable("config_dir")) or "config").resolve()


def project_root() -> Path:
    """Relative paths in settings resolve against the folder holding the config folder."""
    return config_dir().parent


def cache_dir() -> Path:
    """Where derived files live (lookup snapshots, word lists): $NEWSBOT_CACHE_DIR, else a folder
    of this user's in the temporary directory. Everything in it can be deleted and is rebuilt."""
    configured = environment(variable("cache_dir"))
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"newsbot-cache-{os.getuid() if hasattr(os, 'getuid') else 'user'}"


class ConfigLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe YAML (parsed by libyaml when present: actors.yaml in a sixth of the time) with YAML 1.2's
    numbers, so that what an editor types means what it looks like: an unquoted 8:00 stays text (YAML
    1.1 reads 480, minutes in base 60) and 0730 is 730 (1.1: octal 472). A key written twice in one
    mapping is refused rather than the last one silently winning."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                continue  # the base class refuses it with its position
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"key '{key}' is written twice",
                                                        key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
ConfigLoader.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
ConfigLoader.add_implicit_resolver(
    _FLOAT, re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?$"
                       r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"), list("-+.0123456789"))
ConfigLoader.add_constructor(_INT, lambda loader, node: int(loader.construct_scalar(node)))


def read_yaml(path: Path, required: bool = True) -> Any:
    """The file's YAML; every way it can fail is one ConfigError naming the file, and the line and
    column where the fault is known."""
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: file not found (set NEWSBOT_CONFIG_DIR or create it)")
        return None
    if not path.is_file():
        raise ConfigError(f"{path}: is not a file (a folder or a device): it must be a YAML file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[raw.rfind(b"\n", 0, exc.start) + 1:exc.start].decode("utf-8", "replace")) + 1
        raise ConfigError(f"{path}: line {line}, column {column}: not valid UTF-8 (byte 0x{raw[exc.start]:02x}): "
                          "save the file as UTF-8") from None
    try:
        return yaml.load(text, Loader=ConfigLoader)  # noqa: S506 (ConfigLoader is a safe loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = " ".join(filter(None, (exc.context, exc.problem)))
        if mark and text[mark.index:mark.index + 1] == "\t":
            problem += ": a tab; indent with spaces"
        raise ConfigError(f"{path}:{where} not valid YAML ({problem})") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ConfigError(f"{path}: line {line}, column {column}: not valid YAML (character "
                          f"U+{exc.character:04X} is not allowed; remove it)") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from None


def _as_tuple(expected: type | tuple[type, ...]) -> tuple[type, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


def check_keys(path: Path, where: str, data: Any, spec: dict[str, type | tuple[type, ...]],
               required: tuple[str, ...] = ()) -> dict:
    """Check a mapping against `spec` (key -> expected type); return it unchanged."""
    label = f"{path}: {where}" if where else f"{path}:"
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{label} expected a mapping, got {type(data).__name__}")
    for key, value in data.items():
        if key not in spec:
            raise ConfigError(f"{label} unknown key '{key}' (expected one of: {', '.join(spec)})")
        expected = spec[key]
        if value is not None and (not isinstance(value, expected)
                                  or isinstance(value, bool) and bool not in _as_tuple(expected)):
            names = " or ".join(t.__name__ for t in _as_tuple(expected))
            raise ConfigError(f"{label} key '{key}' expected {names}, got {type(value).__name__} ({value!r})")
    for key in required:
        if data.get(key) in (None, ""):
            raise ConfigError(f"{label} key '{key}' is required")
    return data


# -- schedule values (digest times and days: settings.yaml, digests.yaml and /digest) ----------

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS = (0, 1, 2, 3, 4)
DAILY = tuple(range(7))
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class SubscriptionError(ValueError):
    """A subscription value is wrong; the message says what is expected (shown to the user as is)."""


def parse_time(value) -> str:
    """`8:00`, `08:00` → `08:00`. A number is what YAML makes of an unquoted 1230, 0730 or 800:
    refused, with the quoted form to write instead (YAML 1.1 would read 1230 as 20:30)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        digits = value if isinstance(value, int) else -1
        example = f"{digits // 100:02d}:{digits % 100:02d}" if 0 <= digits < 2400 and digits % 100 < 60 else "08:00"
        raise SubscriptionError(f"{value} is a number to YAML, not a time: write the time in quotes "
                                f"as 24-hour HH:MM, such as \"{example}\"")
    match = TIME.match(str(value).strip())
    if not match:
        raise SubscriptionError(f"“{value}” is not a time: use 24-hour HH:MM, such as 08:00 or 17:30")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_days(value) -> tuple[int, ...]:
    """`weekdays` (Mon–Fri), `daily`, or a list of day names such as [mon, wed, fri]."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("weekdays", "weekday", "mon-fri"):
            return WEEKDAYS
        if word in ("daily", "every day", "everyday"):
            return DAILY
        value = [v for v in re.split(r"[\s,]+", word) if v]
    if not isinstance(value, list) or not value:
        raise SubscriptionError(f"“{value}” is not a set of days: use weekdays, daily or a list such as [mon, wed, fri]")
    days = set()
    for item in value:
        key = str(item).strip().lower()[:3]
        if key not in DAY_NAMES:
            raise SubscriptionError(f"“{item}” is not a day: use mon, tue, wed, thu, fri, sat or sun")
        days.add(DAY_NAMES.index(key))
    return tuple(sorted(days))


def setting(default: Any = MISSING, *, help: str, yaml: type | tuple[type, ...] | None = None,
            env: str | None = None, factory: Callable[[], Any] | None = None) -> Any:
    """A settings field declared once: its default (or `factory`), what it means, and where it is read:
    the settings.yaml key of its name when `yaml` gives the types a value there may have, the
    environment variable `env`, or both (the environment wins). A `factory` reads `env` itself."""
    metadata = {"help": help, "yaml": yaml, "env": env}
    if factory is None and env is not None:
        factory = lambda: environment(env) or default  # noqa: E731
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def section(kind: type) -> Any:
    """A settings.yaml mapping (`digest:`, `http:`), read into its own dataclass of settings."""
    return field(default_factory=kind, metadata={"help": kind.__doc__, "yaml": dict, "env": None})


@dataclass
class DigestDefaults:
    """Digest defaults: `digest:` in settings.yaml."""
    time: str = setting("08:00", yaml=(str, int, float), help="time of a digest whose subscription gives none")
    days: str = setting("weekdays", yaml=(str, list), help="days of a digest whose subscription gives none")
    grace_hours: float = setting(6.0, yaml=(int, float), help="hours after its time a missed digest is still posted")
    reindex_minutes: float = setting(10.0, yaml=(int, float),
                                     help="minutes between re-indexing runs; 0 turns re-indexing off")
    lease_minutes: float = setting(5.0, yaml=(int, float), help="how long a digest's claim outlives its instance")


@dataclass
class HttpSettings:
    """HTTP mode: `http:` in settings.yaml."""
    bind: str = setting("", yaml=str, help="the address HTTP mode listens on; \"\" lets `newsbot run` choose")


@dataclass
class EditorSettings:
    """Who may correct the index from Slack: `editors:` in settings.yaml."""
    users: list[str] = setting(yaml=list, factory=list, help="Slack user ids (U…, W…) of the desk's editors")
    groups: list[str] = setting(yaml=list, factory=list,
                                help="Slack user group ids (S…) whose members are editors (read with usergroups:read)")


@dataclass
class Settings:
    """Every setting: settings.yaml's keys in the order they are listed to an editor, then what only the
    environment gives (secrets, and what differs between hosts)."""
    corpus_folders: list[Path] = setting(yaml=list, factory=lambda: [project_root() / "seeds"],
                                         help="the folders `newsbot index` and re-indexing read")
    database_url: str = setting("", yaml=str, env="DATABASE_URL",
                                help=f"PostgreSQL (postgresql://…) instead of SQLite at {DEFAULT_DB_PATH}")
    timezone: str = setting("UTC", yaml=str, help="time zone of a digest whose subscription gives none")
    digest: DigestDefaults = section(DigestDefaults)
    http: HttpSettings = section(HttpSettings)
    editors: EditorSettings = section(EditorSettings)
    config_dir: Path = setting(env="NEWSBOT_CONFIG_DIR", factory=config_dir,
                               help="the folder of settings.yaml, actors.yaml and digests.yaml (default ./config)")
    cache_dir: Path = setting(env="NEWSBOT_CACHE_DIR", factory=cache_dir,
                              help="derived files that make start-up fast, safe to delete")
    slack_bot_token: str = setting("", env="SLACK_BOT_TOKEN", help="bot token (xoxb-…), both Slack modes")
    slack_app_token: str = setting("", env="SLACK_APP_TOKEN", help="app-level token (xapp-…): Socket Mode")
    slack_signing_secret: str = setting("", env="SLACK_SIGNING_SECRET",
                                        help="HTTP mode: every request's signature is verified with it")
    slack_api_url: str = setting("", env="SLACK_API_URL", help="Web API base URL (a proxy, or a fake Slack in tests)")
    port: str = setting("", env="PORT", help="HTTP mode port; in Socket Mode, when set, the health check's")
    bind: str = setting("", env="BIND", help="HTTP mode address, before http.bind")
    # Numbers from the environment stay text here: each is checked by the command that uses it.
    slack_workers: str = setting("", env="NEWSBOT_SLACK_WORKERS", help="listener threads that ack (default 32)")
    answer_workers: str = setting("", env="NEWSBOT_ANSWER_WORKERS",
                                  help="threads that compute answers (default one per core)")
    socket_ping_interval: str = setting("", env="NEWSBOT_SOCKET_PING_INTERVAL",
                                        help="Socket Mode keepalive ping, seconds (default 5)")
    history_file: Path = setting(env="NEWSBOT_HISTORY", help="the console's command history",
                                 factory=lambda: Path(environment(variable("history_file"))
                                                      or Path.home() / ".newsbot_history"))
    no_color: str = setting("", env="NO_COLOR", help="set: the console writes no bold")

    def resolved_database_url(self, override: str | None = None) -> str:
        """`--db`, then `$DATABASE_URL`, then settings, then the SQLite default."""
        url = override or self.database_url
        if not url:
            url = f"sqlite:///{project_root() / DEFAULT_DB_PATH}"
        return normalise_database_url(url)

    def variables(self) -> dict[str, str]:
        """The settings given as text by the environment, by variable name ("" when unset)."""
        return {item.metadata["env"]: getattr(self, item.name) for item in fields(self)
                if item.metadata["env"] and not item.metadata["yaml"] and isinstance(getattr(self, item.name), str)}


def environment(name: str) -> str:
    """The one place the environment is read: variable `name`'s value, "" when unset."""
    return os.environ.get(name) or ""


def variable(setting_name: str) -> str:
    """The environment variable declared for a setting."""
    return next(item.metadata["env"] for item in fields(Settings) if item.name == setting_name)


def yaml_keys(kind: type) -> dict[str, type | tuple[type, ...]]:
    """The settings.yaml keys of a settings dataclass and the types each may have, in declaration order."""
    return {item.name: item.metadata["yaml"] for item in fields(kind) if item.metadata["yaml"]}


def meaning(kind: type, name: str) -> str:
    """What a setting means, as declared."""
    return next(item.metadata["help"] for item in fields(kind) if item.name == name)


def normalise_database_url(url: str) -> str:
    """Accept Heroku-style `postgres://` URLs and plain SQLite paths."""
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    elif "://" not in url:
        url = f"sqlite:///{Path(url).resolve()}"
    elif url.startswith("sqlite:///") and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
        url = f"sqlite:///{(project_root() / url[len('sqlite:///'):]).resolve()}"
    return url


MAX_GRACE_HOURS = 7 * 24  # a digest is looked for at most a week back
MAX_REINDEX_MINUTES = 7 * 24 * 60
MAX_LEASE_MINUTES = 24 * 60


def load_settings() -> Settings:
    """Read `settings.yaml` (optional: defaults apply when it is absent). Every value is checked here,
    so that a mistake stops the command at once with one line instead of failing later in the bot."""
    directory = config_dir()
    path = directory / "settings.yaml"
    data = check_keys(path, "", read_yaml(path, required=False), yaml_keys(Settings))
    digest = check_keys(path, "digest:", data.get("digest"), yaml_keys(DigestDefaults))
    http = check_keys(path, "http:", data.get("http"), yaml_keys(HttpSettings))
    settings = Settings(config_dir=directory)
    if data.get("corpus_folders") is not None:
        folders = data["corpus_folders"]
        if not folders or not all(isinstance(f, str) and f.strip() for f in folders):
            raise ConfigError(f"{path}: key 'corpus_folders' expected a list of one or more folder paths")
        settings.corpus_folders = [(directory.parent / f).resolve() for f in folders]
    settings.database_url = settings.database_url or data.get("database_url") or ""  # $DATABASE_URL first
    settings.timezone = data.get("timezone") or settings.timezone
    validate_timezone(path, "timezone", settings.timezone)
    defaults = settings.digest
    defaults.time = parsed_value(path, "digest:", digest, "time", parse_time, defaults.time)  # 8:00 -> 08:00
    parsed_value(path, "digest:", digest, "days", parse_days, defaults.days)  # checked; kept as written
    defaults.days = digest.get("days") or defaults.days
    for key, high in (("grace_hours", MAX_GRACE_HOURS), ("reindex_minutes", MAX_REINDEX_MINUTES)):
        if digest.get(key) is not None:
            check_number(path, "digest:", key, digest[key], 0, high, meaning(DigestDefaults, key))
            setattr(defaults, key, digest[key])
    lease = digest.get("lease_minutes")
    if lease is not None:
        if not 0 < lease <= MAX_LEASE_MINUTES:  # a claim that never lasts would let every instance post
            raise ConfigError(f"{path}: digest: key 'lease_minutes' expected a number of minutes above 0 and up to "
                              f"{MAX_LEASE_MINUTES} ({meaning(DigestDefaults, 'lease_minutes')}), got {lease!r}")
        defaults.lease_minutes = lease
    settings.http.bind = (http.get("bind") or "").strip()
    editors = check_keys(path, "editors:", data.get("editors"), yaml_keys(EditorSettings))
    for key, pattern, example in (("users", r"[UW][A-Z0-9]{2,}", "U024BE7LH"), ("groups", r"S[A-Z0-9]{2,}", "S0614TZR7")):
        ids = editors.get(key) or []
        wrong = [i for i in ids if not isinstance(i, str) or not re.fullmatch(pattern, i.strip())]
        if wrong:
            raise ConfigError(f"{path}: editors: key '{key}' expected Slack ids like {example} "
                              f"({meaning(EditorSettings, key)}), got {wrong[0]!r}")
        setattr(settings.editors, key, [i.strip() for i in ids])
    return settings


def parsed_value(path: Path, where: str, entry: dict, key: str, parse, default):
    """`parse` of the entry's value for `key` (or of `default`), its error naming the file and the key."""
    try:
        return parse(entry[key] if entry.get(key) not in (None, "") else default)
    except SubscriptionError as exc:
        raise ConfigError(f"{path}: {where} key '{key}' {exc}") from None


def check_number(path: Path, where: str, key: str, value: float, low: float, high: float, meaning: str) -> None:
    """A number from YAML must lie in [low, high] (NaN and infinity never do): refused here rather than
    by the scheduler once the bot runs."""
    if not low <= value <= high:
        raise ConfigError(f"{path}: {where} key '{key}' expected a number from {low:g} to {high:g} ({meaning}), "
                          f"got {value!r}")


def validate_timezone(path: Path, key: str, name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{path}: key '{key}' expected an IANA time zone such as Europe/London, got {name!r}") from None



# -- feeds.yaml ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedConfig:
    """One feed of config/feeds.yaml."""
    url: str
    source: str
    every_minutes: float = 15.0
    full_text: bool = False  # the feed carries whole articles: its items are indexed without fetching pages
    added_by: str | None = None  # the Slack user who added it with `/newsbot feeds add`; None: from feeds.yaml


@dataclass(frozen=True)
class FetchSettings:
    """How feeds and their pages are fetched: `fetch:` in feeds.yaml."""
    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 20.0
    retries: int = 2  # after a timeout or a 5xx, with doubling pauses
    host_interval_seconds: float = 1.0  # at least this long between two requests to one host
    max_megabytes: float = 10.0  # a bigger response is refused, reading stops there
    # Private, loopback, link-local and metadata addresses may be fetched (a feed on the desk's own network;
    # tests' loopback servers). Off: a URL from Slack or a feed never reaches inside the bot's network.
    allow_private_addresses: bool = False


@dataclass(frozen=True)
class FeedsConfig:
    feeds: tuple[FeedConfig, ...] = ()
    fetch: FetchSettings = FetchSettings()


_FEED_KEYS = {"url": str, "source": str, "every_minutes": (int, float), "full_text": bool}
_FETCH_LIMITS = {"connect_timeout_seconds": (0.01, 600), "read_timeout_seconds": (0.01, 600), "retries": (0, 10),
                 "host_interval_seconds": (0, 3600), "max_megabytes": (0.001, 1000)}


def load_feeds(directory: Path | None = None) -> FeedsConfig:
    """Read `feeds.yaml` (optional: no file, no feeds), every value checked with one line naming the
    file, the entry and the key."""
    path = (directory or config_dir()) / "feeds.yaml"
    data = check_keys(path, "", read_yaml(path, required=False), {"feeds": list, "fetch": dict})
    fetch_data = check_keys(path, "fetch:", data.get("fetch"),
                            {**{key: (int, float) for key in _FETCH_LIMITS}, "allow_private_addresses": bool})
    for key, (low, high) in _FETCH_LIMITS.items():
        if fetch_data.get(key) is not None:
            check_number(path, "fetch:", key, fetch_data[key], low, high, "see README, Feeds")
    if fetch_data.get("retries") is not None and not isinstance(fetch_data["retries"], int):
        raise ConfigError(f"{path}: fetch: key 'retries' expected a whole number, got {fetch_data['retries']!r}")
    fetch = FetchSettings(**{k: v for k, v in fetch_data.items() if v is not None})
    feeds, seen = [], set()
    for number, entry in enumerate(data.get("feeds") or [], 1):
        where = f"feeds: entry {number}:"
        entry = check_keys(path, where, entry, _FEED_KEYS, required=("url", "source"))
        url = entry["url"].strip()
        if not re.match(r"^https?://[^/\s]+", url):
            raise ConfigError(f"{path}: {where} key 'url' expected an http:// or https:// address, got {url!r}")
        if url in seen:
            raise ConfigError(f"{path}: {where} key 'url' {url} is listed twice")
        seen.add(url)
        every = entry.get("every_minutes")
        if every is not None:
            check_number(path, where, "every_minutes", every, 1, MAX_REINDEX_MINUTES, "minutes between two polls")
        feeds.append(FeedConfig(url=url, source=entry["source"].strip(), every_minutes=float(every or 15),
                                full_text=bool(entry.get("full_text"))))
    return FeedsConfig(feeds=tuple(feeds), fetch=fetch)
