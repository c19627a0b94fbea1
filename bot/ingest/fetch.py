"""Fetching feeds and pages over HTTP, politely and within bounds.

One `Fetcher` per poll: a requests session with a User-Agent naming newsbot, connect and read timeouts,
retries with doubling pauses after a timeout or a 5xx, at most one request per host every
`host_interval_seconds`, robots.txt obeyed (read once per host and poll), redirect loops cut off, and a
response over the size cap refused, reading stopped there. Every failure is a FetchError whose message
is the reason a feed's status shows.

Unless `allow_private_addresses`, no request reaches a private, loopback, link-local (cloud metadata),
multicast or otherwise non-public address: the host's every address is checked before the request, each
redirect's target before it is followed, and the address actually connected to before the answer is read
(a name that resolves to a public address first and a private one next is caught there). See
docs/security.md.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
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
    content_type: str = ""  # the media type the server declared ("text/html"), lower case, without parameters


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
        if not settings.allow_private_addresses:
            self.session.hooks["response"].append(self._check_response)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """The body of `url`, or `not_modified` when the validators still hold. Raises FetchError."""
        if not self.settings.allow_private_addresses:
            check_public(url)
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
                           last_modified=response.headers.get("Last-Modified"),
                           content_type=response.headers.get("Content-Type", "").split(";")[0].strip().lower())

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


    def _check_response(self, response: requests.Response, *args, **kwargs) -> None:
        """Every response, before it is read or a redirect followed: the address connected to must be public
        (unless a proxy stands between), and so must a redirect's target."""
        try:
            peer = _peer(response)
            if peer is not None and not requests.utils.get_environ_proxies(response.url):
                check_address(urlsplit(response.url).hostname or "", peer)
            if response.is_redirect:
                check_public(urljoin(response.url, response.headers["Location"]))
        except FetchError:
            response.close()
            raise


def _peer(response: requests.Response) -> str | None:
    """The address a response came from: urllib3 keeps the socket on its connection, or, once the server
    said it closes the connection, only on the response's file."""
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is None:
        sock = getattr(getattr(getattr(getattr(response.raw, "_fp", None), "fp", None), "raw", None), "_sock", None)
    try:
        return sock.getpeername()[0] if sock is not None else None
    except OSError:  # already closed: nothing more is read from it
        return None


def check_public(url: str) -> None:
    """Raise FetchError unless every address `url`'s host resolves to is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("not an http:// or https:// address")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise FetchError(f"unreachable (the name {parts.hostname} does not resolve: {exc})") from None
    for *_, address in found:
        check_address(parts.hostname, address[0])


def check_address(host: str, address: str) -> None:
    """Raise FetchError when `address` (of `host`) is not a public one: private, loopback, link-local
    (169.254.169.254, where clouds serve instance credentials), shared, reserved or multicast."""
    ip = ipaddress.ip_address(address.split("%")[0])
    ip = getattr(ip, "ipv4_mapped", None) or ip
    if not ip.is_global or ip.is_multicast:
        what = ("a loopback" if ip.is_loopback else "a link-local (cloud metadata)" if ip.is_link_local
                else "a private" if ip.is_private else "a non-public")
        where = host if host == address else f"{host} ({address})"
        raise FetchError(f"refused: {where} is {what} address, which newsbot does not fetch "
                         "(fetch: allow_private_addresses in feeds.yaml)")


class _Retryable(Exception):
    """A failure worth trying again: a timeout, a 5xx."""


def _short(exc: Exception) -> str:
    text = str(exc)
    reason = text.rsplit(": ", 1)[-1].rstrip("')\"")
    return reason[:200] or exc.__class__.__name__
