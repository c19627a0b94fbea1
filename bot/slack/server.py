"""HTTP mode: bolt's `/slack/events` and a `/healthz` for the host, on one port, served by waitress.

waitress reads each request whole on its I/O thread before a worker thread sees it, so a client
that stalls holds a connection slot (closed after `idle_timeout_s` without a byte), never a thread;
a body over `max_body` gets 413 and a malformed or negative Content-Length 400 from waitress itself.

Before bolt sees a request, `slack_front` checks its signature over the raw bytes, then that it is
UTF-8 and a Slack payload: a request that fails gets 401 or 400 and one log line. No log line, at
any level, holds a request body: an attacker's 5 MB must not become 5 MB of log."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
import time
import urllib.parse
import weakref
from dataclasses import dataclass

from slack_bolt import App
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request import BoltRequest
from waitress import wasyncore
from waitress.server import create_server

from bot.slack.answers import Answers
from bot.slack.health import HEALTH_PATH, health_report

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_SIGNATURE_AGE_S = 300  # Slack's rule: a request signed more than five minutes ago is a replay
TIMESTAMP = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class HttpLimits:
    """What one client may cost the server.

    Slack's largest request to this app is a button press, which carries the message it was pressed
    on: Slack refuses messages over about 13k characters of blocks and 40k of text, so a payload is
    under 450 KB even if every character came JSON-escaped and URL-encoded (8 bytes each); 1 MiB
    leaves twice that and bounds what one connection can make the server buffer. Slack sends a
    request in one go, so a connection silent for 10 s is a stalled or idle one, and a request
    (headers and body) still arriving 15 s after its first byte is a client trickling bytes to dodge
    that. Connections cost a socket and a few KB each, not a thread, so the pool can be large enough
    that stalled connections do not lock Slack out before the timeouts clear them (file descriptors:
    well under `ulimit -n`). Threads run bolt's dispatch, which waits for the listener's ack: sized
    for twenty commands at once (see BENCHMARKS.md, Slack)."""

    max_body: int = 1024 * 1024
    max_header: int = 32 * 1024
    idle_timeout_s: int = 10
    request_deadline_s: int = 15
    connections: int = 1000
    threads: int = 16


def signature_problem(secret: bytes, environ: dict, body: bytes, now: float) -> str | None:
    """Why the request is not signed by Slack with `secret` (None when it is). The HMAC runs over
    the raw bytes, so a body that is not UTF-8 is still checked before anything reads it."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "").encode("latin-1")  # WSGI header strings are latin-1
    if not TIMESTAMP.fullmatch(timestamp):
        return "no valid X-Slack-Request-Timestamp"
    if abs(now - int(timestamp)) > MAX_SIGNATURE_AGE_S:
        return "signature timestamp more than 5 minutes away"
    expected = b"v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(expected, signature):
        return "bad signature"
    return None


def is_ssl_check(body: bytes) -> bool:
    """Slack's certificate check (`ssl_check=1&token=…`), which Slack sends unsigned."""
    if len(body) > 1024 or not body.isascii():
        return False
    return urllib.parse.parse_qs(body.decode("ascii")).get("ssl_check") == ["1"]


def slack_front(app: App, signing_secret: str):
    """The WSGI application for `/slack/events`: Slack's signature first, then a payload bolt can
    read, then bolt (which verifies the signature again, as it always does in HTTP mode)."""
    secret = signing_secret.encode()

    def refuse(start_response, environ, status: str, reason: str):
        log.warning("refused a request to %s from %s: %s (HTTP %s)", EVENTS_PATH,
                    environ.get("REMOTE_ADDR", "?"), reason, status[:3])
        body = json.dumps({"error": reason}).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def application(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))  # waitress checked it: digits
        problem = signature_problem(secret, environ, body, time.time())
        if problem and is_ssl_check(body):  # answered as bolt does, and taken no further
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "0")])
            return [b""]
        if problem:
            return refuse(start_response, environ, "401 Unauthorized", problem)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return refuse(start_response, environ, "400 Bad Request", "signed body is not UTF-8")
        try:
            request = BoltRequest(body=text, query=environ.get("QUERY_STRING", ""),
                                  headers=WsgiHttpRequest(environ).get_headers())
        except Exception as exc:  # bolt parses (JSON, form) as it builds the request: any failure is the body's
            return refuse(start_response, environ, "400 Bad Request",
                          f"signed body is not a Slack payload ({type(exc).__name__})")
        response = app.dispatch(request)
        answer = WsgiHttpResponse(status=response.status, headers=response.headers, body=response.body)
        start_response(answer.status, answer.get_headers())
        return answer.get_body()

    return application


def health_app(answers: Answers, link=None):
    """`GET /healthz` (see bot.slack.health.health_report; `link`: the Socket Mode link's status); 404 for
    anything else."""

    def application(environ, start_response):
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            code, report = health_report(answers, link)
            body = json.dumps(report).encode()
            start_response("200 OK" if code == 200 else "503 Service Unavailable",
                           [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "9")])
        return [b"Not Found"]

    return application


def wsgi_app(app: App, answers: Answers, signing_secret: str):
    """`/slack/events` (POST) and `/healthz` (GET); 404 for anything else."""
    slack, health = slack_front(app, signing_secret), health_app(answers)

    def application(environ, start_response):
        if environ.get("PATH_INFO") == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            return slack(environ, start_response)
        return health(environ, start_response)

    return application


class HttpServer:
    """waitress, bound and ready: `.serve_forever()` in one thread, `.shutdown()` from another
    (tests run it in a thread; port 0 picks one). `server_address` is the (host, port) really bound."""

    def __init__(self, application, host: str, port: int, limits: HttpLimits):
        self._map: dict = {}
        self._serving, self._stopping, self._stopped = threading.Event(), threading.Event(), threading.Event()
        self._server = create_server(
            application, map=self._map, host=host, port=port, threads=limits.threads,
            max_request_body_size=limits.max_body, max_request_header_size=limits.max_header,
            channel_timeout=limits.idle_timeout_s, cleanup_interval=1, connection_limit=limits.connections,
            asyncore_use_poll=True,  # select() cannot watch descriptors past 1024
            ident="newsbot",
        )
        self.server_address = (self._server.effective_host, int(self._server.effective_port))
        self._deadline_s = limits.request_deadline_s
        self._arriving: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # request being read -> first seen
        close_idle = self._server.maintenance  # waitress's own, every cleanup_interval on the serving thread

        def maintenance(now: float) -> None:
            close_idle(now)
            self._close_slow_requests(now)
        self._server.maintenance = maintenance

    def _close_slow_requests(self, now: float) -> None:
        """Close a connection whose request has been arriving for longer than the deadline (waitress
        itself only closes a silent one). Runs on the serving thread, as waitress's reads do."""
        for channel in list(self._server.active_channels.values()):
            if channel.request is not None and now - self._arriving.setdefault(channel.request, now) > self._deadline_s:
                channel.will_close = True

    def serve_forever(self) -> None:
        """Serve until `shutdown()` (or Ctrl-C, which propagates). Connections are closed in this thread
        only: closed from another while the loop polls them, a descriptor can be closed twice."""
        self._serving.set()
        try:
            while not self._stopping.is_set() and self._map:
                wasyncore.loop(timeout=self._server.adj.asyncore_loop_timeout, map=self._map, use_poll=True, count=1)
        finally:
            wasyncore.close_all(self._map)
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop `serve_forever` (from another thread) and wait until it has closed every connection."""
        self._stopping.set()
        if not self._stopped.is_set():
            try:
                self._server.trigger.pull_trigger()  # wakes the loop now, not at its next poll timeout
            except OSError:  # the loop ended meanwhile and closed the trigger
                pass
        self._stopped.wait(30)

    def server_close(self) -> None:
        """Close the socket if the server never served, and end the worker threads."""
        if not self._serving.is_set():
            wasyncore.close_all(self._map)
        self._server.task_dispatcher.shutdown(timeout=5)


# Socket Mode's health check: one checker at a time, a request of a few hundred bytes.
HEALTH_LIMITS = HttpLimits(max_body=4096, max_header=8192, connections=64, threads=2)


def make_health_server(answers: Answers, link, host: str, port: int) -> HttpServer:
    """Socket Mode has no HTTP server of its own: this one answers only `GET /healthz`, with the limits
    HTTP mode's server has (a stalled client costs a socket, not a thread)."""
    return HttpServer(health_app(answers, link), host, port, HEALTH_LIMITS)


def make_http_server(app: App, answers: Answers, signing_secret: str, host: str = "127.0.0.1", port: int = 3000,
                     limits: HttpLimits = HttpLimits()) -> HttpServer:
    """The server for `app`, bound to host:port. `signing_secret` is the one `app` was built with."""
    if not signing_secret:
        raise ValueError("HTTP mode needs the Slack signing secret: an empty one would accept requests signed with ''")
    return HttpServer(wsgi_app(app, answers, signing_secret), host, port, limits)
