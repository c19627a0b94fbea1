"""Load and validate the YAML configuration in one place.

Every problem is reported as one line naming the file, the key and what was
expected (`ConfigError`), so an editor who mistypes a key knows where to look.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_DB_PATH = "data/newsbot.db"


class ConfigError(Exception):
    """A configuration file is missing, unreadable or has a wrong key or value."""


def config_dir() -> Path:
    """The config folder: `$NEWSBOT_CONFIG_DIR`, else `./config`."""
    return Path(os.environ.get("NEWSBOT_CONFIG_DIR") or "config").resolve()


def project_root() -> Path:
    """Relative paths in settings resolve against the folder holding the config folder."""
    return config_dir().parent


def read_yaml(path: Path, required: bool = True) -> Any:
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: file not found (set NEWSBOT_CONFIG_DIR or create it)")
        return None
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None


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
        if value is not None and not isinstance(value, expected):
            names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
            raise ConfigError(f"{label} key '{key}' expected {names}, got {type(value).__name__} ({value!r})")
    for key in required:
        if data.get(key) in (None, ""):
            raise ConfigError(f"{label} key '{key}' is required")
    return data


@dataclass
class DigestDefaults:
    time: str = "08:00"
    days: str = "weekdays"
    grace_hours: float = 6.0
    reindex_minutes: float = 10.0
    lease_minutes: float = 5.0  # a digest's claim runs out this long after its holder stopped renewing it


@dataclass
class Settings:
    corpus_folders: list[Path] = field(default_factory=lambda: [project_root() / "seeds"])
    database_url: str = ""
    timezone: str = "UTC"
    digest: DigestDefaults = field(default_factory=DigestDefaults)
    config_dir: Path = field(default_factory=config_dir)

    def resolved_database_url(self, override: str | None = None) -> str:
        """`--db`, then `$DATABASE_URL`, then settings, then the SQLite default."""
        url = override or os.environ.get("DATABASE_URL") or self.database_url
        if not url:
            url = f"sqlite:///{project_root() / DEFAULT_DB_PATH}"
        return normalise_database_url(url)


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


SETTINGS_SPEC = {"corpus_folders": list, "database_url": str, "timezone": str, "digest": dict}
DIGEST_SPEC = {"time": str, "days": str, "grace_hours": (int, float), "reindex_minutes": (int, float),
               "lease_minutes": (int, float)}


def load_settings() -> Settings:
    """Read `settings.yaml` (optional: defaults apply when it is absent)."""
    directory = config_dir()
    path = directory / "settings.yaml"
    data = check_keys(path, "", read_yaml(path, required=False), SETTINGS_SPEC)
    digest = check_keys(path, "digest:", data.get("digest"), DIGEST_SPEC)
    settings = Settings(config_dir=directory)
    if data.get("corpus_folders") is not None:
        folders = data["corpus_folders"]
        if not all(isinstance(f, str) for f in folders):
            raise ConfigError(f"{path}: key 'corpus_folders' expected a list of folder paths")
        settings.corpus_folders = [(directory.parent / f).resolve() for f in folders]
    settings.database_url = data.get("database_url") or ""
    settings.timezone = data.get("timezone") or "UTC"
    validate_timezone(path, "timezone", settings.timezone)
    settings.digest = DigestDefaults(**{k: v for k, v in digest.items() if v is not None})
    if settings.digest.lease_minutes <= 0:
        raise ConfigError(f"{path}: key 'digest: lease_minutes' expected a number of minutes above 0, "
                          f"got {settings.digest.lease_minutes!r}")
    return settings


def validate_timezone(path: Path, key: str, name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{path}: key '{key}' expected an IANA time zone such as Europe/London, got {name!r}") from None


def cache_dir() -> Path:
    """Where derived files live (lookup snapshots, word lists): $NEWSBOT_CACHE_DIR, else a folder
    of this user's in the temporary directory. Everything in it can be deleted and is rebuilt."""
    configured = os.environ.get("NEWSBOT_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"newsbot-cache-{os.getuid() if hasattr(os, 'getuid') else 'user'}"

