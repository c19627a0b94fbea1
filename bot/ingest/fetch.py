"""Fetching feeds and pages over HTTP, politely and within bounds.

One `Fetcher` per poll: a requests session with a User-Agent naming newsbot, connect and read timeouts,
retries with doubling pauses after a timeout or a 5xx, at most one request per host every
`host_interval_seconds`, robots.txt obeyed (read once per host and poll), redirect loops cut off, and a
response over the size cap refused, reading stopped there. Every failure is a FetchError whose message
is the reason a feed's status shows.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import requests

from bot.config import FetchSettings

USER_AGENT = "newsbot/0.1 (newsroom feed reader; +https://github.com/newsbot)"
ROBOTS_AGENT = "newsbot"
CHUNK_BYTES = 64 * 1024


class FetchError(Exception):
    """A URL could not be fetched; the message says why, in a line."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    body: bytes
    etag: str | None
    last_modified: str | None
    not_modified: bool = False  # 304: the validators sent still hold


class Fetcher:
    def __init__(self, settings: FetchSettings = FetchSettings(), *, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.max_redirects = 10
        self._host_lock = threading.Lock()
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser | None] = {}

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """The body of `url`, or `not_modified` when the validators still hold. Raises FetchError."""
        if not self.allowed(url):
            raise FetchError("disallowed by the site's robots.txt")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            try:
                return self._get_once(url, headers)
            except _Retryable as exc:
                if attempt >= self.settings.retries:
                    raise FetchError(f"{exc} (after {attempt + 1} attempts)") from None
                self.sleep(0.5 * 2 ** attempt)
                attempt += 1

    def _get_once(self, url: str, headers: dict[str, str]) -> Fetched:
        self._wait_for_host(url)
        timeout = (self.settings.connect_timeout_seconds, self.settings.read_timeout_seconds)
        try:
            response = self.session.get(url, headers=headers, timeout=timeout, stream=True)
        except requests.TooManyRedirects:
            raise FetchError("redirect loop (more than 10 redirects)") from None
        except requests.ConnectTimeout:
            raise _Retryable(f"no connection within {self.settings.connect_timeout_seconds:g} s") from None
        except requests.ReadTimeout:
            raise _Retryable(f"no answer within {self.settings.read_timeout_seconds:g} s") from None
        except requests.ConnectionError as exc:
            raise FetchError(f"unreachable ({_short(exc)})") from None
        except requests.RequestException as exc:
            raise FetchError(f"cannot be fetched ({_short(exc)})") from None
        with response:
            if response.status_code == 304:
                return Fetched(response.url, b"", etag=headers.get("If-None-Match"),
                               last_modified=headers.get("If-Modified-Since"), not_modified=True)
            if response.status_code >= 500:
                raise _Retryable(f"HTTP {response.status_code} {response.reason}")
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code} {response.reason}")
            body = self._read_capped(response)
            return Fetched(response.url, body, etag=response.headers.get("ETag"),
                           last_modified=response.headers.get("Last-Modified"))

    def _read_capped(self, response: requests.Response) -> bytes:
        """The body, streamed; past the cap (or a Content-Length over it) reading stops and it is refused.
        A server that trickles bytes is cut off once the whole read has taken twice the read timeout."""
        cap = int(self.settings.max_megabytes * 1_000_000)
        too_big = f"over the {self.settings.max_megabytes:g} MB limit: refused"
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(f"{int(declared) / 1e6:.0f} MB, {too_big}")
        deadline = time.monotonic() + 2 * self.settings.read_timeout_seconds
        parts, size = [], 0
        try:
            for part in response.iter_content(CHUNK_BYTES):
                size += len(part)
                if size > cap:
                    raise FetchError(f"more than {self.settings.max_megabytes:g} MB, {too_big}")
                if time.monotonic() > deadline:
                    raise _Retryable(f"body not read within {2 * self.settings.read_timeout_seconds:g} s")
                parts.append(part)
        except requests.RequestException as exc:  # a read timeout or a dropped connection mid-body
            raise _Retryable(f"body cut off ({_short(exc)})") from None
        return b"".join(parts)

    def _wait_for_host(self, url: str) -> None:
        """At most one request per host every host_interval_seconds (hosts are polled in turn, so a
        wait here is a wait for this host only)."""
        host = urlsplit(url).netloc.lower()
        with self._host_lock:
            now = time.monotonic()
            wait = self._last_request.get(host, -1e9) + self.settings.host_interval_seconds - now
            self._last_request[host] = now + max(wait, 0)
        if wait > 0:
            self.sleep(wait)

    def allowed(self, url: str) -> bool:
        """robots.txt of the URL's site lets newsbot fetch it (no robots.txt, or one that cannot be
        read for a 4xx, allows all; one the server fails to give, 5xx or unreachable, allows all too,
        the fetch itself then reporting the server's trouble)."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._robots:
            self._robots[site] = self._read_robots(site)
        robots = self._robots[site]
        return robots is None or robots.can_fetch(ROBOTS_AGENT, url)

    def _read_robots(self, site: str) -> RobotFileParser | None:
        self._wait_for_host(site)
        try:
            response = self.session.get(f"{site}/robots.txt", timeout=(
                self.settings.connect_timeout_seconds, self.settings.read_timeout_seconds), stream=True)
            with response:
                if response.status_code != 200:
                    return None
                body = self._read_capped(response)
        except (requests.RequestException, FetchError, _Retryable):
            return None
        robots = RobotFileParser()
        robots.parse(body.decode("utf-8", "replace").splitlines())
        return robots


class _Retryable(Exception):
    """A failure worth trying again: a timeout, a 5xx."""


def _short(exc: Exception) -> str:
    text = str(exc)
    reason = text.rsplit(": ", 1)[-1].rstrip("')\"")
    return reason[:200] or exc.__class__.__name__
