"""Socket Mode: the websocket link to Slack, kept up by one supervising loop, and its status.

slack_sdk's built-in client does not notice a connection that ends without a disconnect envelope
(a proxy restart, a network that drops it): it pings the dead socket for about a minute, spinning
on it meanwhile, before it reconnects. This client is a loop over the `websockets` library, which
reports a closed or reset connection at once and a silent one when a keepalive ping goes
unanswered; every way a connection ends brings the loop back to its top, which opens a new one.

Envelopes go to bolt as its own Socket Mode adapters send them; each ack goes back on the
connection its envelope came on. When Slack asks for a new connection (a `disconnect` envelope,
routinely every few hours), the new one is opened first and the old one is read until Slack
closes it, so nothing in flight is dropped."""
from __future__ import annotations

import json
import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.request import SocketModeRequest
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import ClientConnection, connect

from bot.slack.answers import Answers
from bot.slack.server import make_health_server
from bot.wording import plural

log = logging.getLogger(__name__)

# A ping every PING_INTERVAL_S; no pong within twice that and the connection is dead. A silent
# connection is thus given up within 3 intervals and the close timeout (17 s), a closed or reset
# one at once, and a new connection is tried at once: the bot is back within 30 s of Slack being
# reachable.
PING_INTERVAL_S = 5.0
CLOSE_TIMEOUT_S = 2.0  # how long a closing handshake may wait for a peer that is gone
OPEN_TIMEOUT_S = 10.0
RETRY_DELAYS_S = (1, 2, 4, 8)  # between failed attempts; then 8 s apart, each with up to 20 % jitter
DRAIN_S = 15.0  # an old connection is read this long after Slack asked for a new one (Slack closes it in ~10 s)
MAX_MESSAGE_BYTES = 8 * 1024 * 1024
DISPATCH_WORKERS = 16  # threads that hand envelopes to bolt; each is busy until its listener acks
# Answers from apps.connections.open that no retry will change.
REFUSED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
           "not_allowed_token_type", "missing_scope", "no_permission"}


class QuietKeepaliveTimeout(logging.Filter):
    """websockets logs a keepalive timeout as an error with a traceback; the link's own
    "Slack link down: the connection went silent" line says it once, plainly."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "keepalive ping failed"


WEBSOCKET_LOG = log.getChild("websocket")
WEBSOCKET_LOG.addFilter(QuietKeepaliveTimeout())


class LinkRefused(Exception):
    """Slack refused the app token: reconnecting cannot help."""


class LinkStatus:
    """Whether the link to Slack is up, and since when. Every change is one log line."""

    def __init__(self):
        self._lock = threading.Lock()
        self.connected = False
        self.hellos = 0  # connections Slack greeted
        self.since = datetime.now(timezone.utc)
        self.reason = "not connected yet"

    def up(self, detail: str) -> None:
        with self._lock:
            self.hellos += 1
            if self.connected:
                return
            down_for = (datetime.now(timezone.utc) - self.since).total_seconds()
            again = self.hellos > 1
            self.connected, self.since, self.reason = True, datetime.now(timezone.utc), ""
        if again:
            log.warning("Slack link up again after %.1f s down: Socket Mode connected (%s)", down_for, detail)
        else:
            log.info("Slack link up: Socket Mode connected (%s)", detail)

    def down(self, reason: str) -> None:
        with self._lock:
            was_connected, first = self.connected, self.hellos == 0 and self.reason == "not connected yet"
            if was_connected:
                self.since = datetime.now(timezone.utc)
            self.connected, self.reason = False, reason
        if was_connected:
            log.warning("Slack link down: %s; reconnecting", reason)
        elif first:
            log.warning("Slack link not up yet: %s; retrying", reason)

    def report(self) -> dict:
        """{"slack": "connected", ...} or {"slack": "down since <UTC time>", "reason": ...}."""
        with self._lock:
            since = self.since.isoformat(timespec="seconds").replace("+00:00", "Z")
            if self.connected:
                return {"slack": "connected", "since": since}
            return {"slack": f"down since {since}", "reason": self.reason}


def ack_message(envelope_id: str, response: BoltResponse) -> dict | None:
    """The ack Slack expects for an envelope, carrying what the listener passed to ack();
    None when bolt did not ack (no listener matched, or it failed)."""
    if response.status != 200:
        return None
    ack: dict = {"envelope_id": envelope_id}
    if response.body:
        content_type = (response.headers.get("content-type") or [""])[0]
        ack["payload"] = json.loads(response.body) if content_type.startswith("application/json") \
            else {"text": response.body}
    return ack


class SocketModeLink:
    """Slack's Socket Mode for a bolt App. `run()` blocks, reconnecting for ever; `stop()` ends it."""

    def __init__(self, app: App, app_token: str, *, status: LinkStatus | None = None,
                 ping_interval: float = PING_INTERVAL_S):
        self.app = app
        self.app_token = app_token
        self.status = status or LinkStatus()
        self.ping_interval = ping_interval
        self.pool = ThreadPoolExecutor(max_workers=DISPATCH_WORKERS, thread_name_prefix="newsbot-socket")
        self._stopping = threading.Event()
        self._current: ClientConnection | None = None

    # --- the supervising loop ------------------------------------------------------------------
    def run(self) -> None:
        """Connect, read, and when the connection ends for any reason, connect again. Raises
        LinkRefused when Slack refuses the app token."""
        failures = 0  # connection attempts in a row that never got Slack's hello
        try:
            while not self._stopping.is_set():
                hellos = self.status.hellos
                reason = None  # Slack asked for a new connection: the old one is still up, draining
                try:
                    if not self._session():
                        break  # stopping
                except LinkRefused:
                    raise
                except ConnectionClosed as exc:
                    reason = describe_close(exc)
                except (OSError, TimeoutError, WebSocketException, SlackApiError) as exc:
                    reason = f"cannot connect ({type(exc).__name__}: {exc})"
                except Exception as exc:  # a bug must not leave the bot deaf: log it and reconnect
                    log.exception("Socket Mode connection failed")
                    reason = f"unexpected {type(exc).__name__}: {exc}"
                if self._stopping.is_set():
                    break
                if reason is not None:
                    self.status.down(reason)
                failures = 0 if self.status.hellos > hellos else failures + 1
                delay = retry_delay(failures)
                if delay:
                    log.info("Socket Mode: next connection attempt in %.1f s (%s)", delay,
                             reason or "Slack asked for a new connection before greeting this one")
                self._stopping.wait(delay)
        finally:
            self.pool.shutdown(wait=False, cancel_futures=True)

    def stop(self) -> None:
        self._stopping.set()
        connection = self._current
        if connection is not None:
            connection.close()

    def _session(self) -> bool:
        """One connection, read until it ends: True when Slack asked for a new one (the old one is
        left draining), False when it was closed because the link is stopping."""
        url = self._open_url()
        connection = connect(url, open_timeout=OPEN_TIMEOUT_S, ping_interval=self.ping_interval,
                             ping_timeout=2 * self.ping_interval, close_timeout=CLOSE_TIMEOUT_S,
                             max_size=MAX_MESSAGE_BYTES, compression=None, logger=WEBSOCKET_LOG)
        self._current = connection
        try:
            for raw in connection:
                message = self._handle(connection, raw)
                if message.get("type") == "disconnect":
                    if message.get("reason") == "link_disabled":
                        log.error("Slack says Socket Mode is turned off for this app (link_disabled): turn it "
                                  "on again under Socket Mode in the app's settings, or run in HTTP mode")
                    else:
                        log.info("Slack asked for a new connection (%s): opening it, the old one drains",
                                 message.get("reason"))
                    threading.Thread(target=self._drain, args=(connection,), name="newsbot-socket-drain",
                                     daemon=True).start()
                    return True
            if self._stopping.is_set():
                return False
            raise ConnectionClosed(connection.protocol.close_rcvd, connection.protocol.close_sent)
        except BaseException:
            connection.close()
            raise

    def _open_url(self) -> str:
        """A new connection URL from apps.connections.open."""
        try:
            return self.app.client.apps_connections_open(app_token=self.app_token)["url"]
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            if error in REFUSED:
                raise LinkRefused(f"Slack refused SLACK_APP_TOKEN ({error}): use the app-level token "
                                  "(xapp-…) from Basic Information → App-Level Tokens, with the "
                                  "connections:write scope") from exc
            raise

    def _drain(self, connection: ClientConnection) -> None:
        """Read an old connection until Slack closes it (or DRAIN_S), so what was in flight is acked."""
        deadline = time.monotonic() + DRAIN_S
        try:
            while (left := deadline - time.monotonic()) > 0:
                self._handle(connection, connection.recv(timeout=left))
        except (ConnectionClosed, TimeoutError):
            pass
        finally:
            connection.close()

    # --- one message ---------------------------------------------------------------------------
    def _handle(self, connection: ClientConnection, raw: str | bytes) -> dict:
        """Note a hello, hand an envelope to bolt; the message."""
        try:
            message = json.loads(raw)
        except ValueError:
            log.warning("Socket Mode: a message that is not JSON was ignored (%d bytes)", len(raw))
            return {}
        if not isinstance(message, dict):
            return {}
        if message.get("type") == "hello":
            info = message.get("debug_info") or {}
            count = message.get("num_connections")
            connections = plural(count, "connection") if isinstance(count, int) else "connections"
            self.status.up(f"{connections}, host {info.get('host', '?')}")
        elif message.get("envelope_id") and not self._stopping.is_set():
            self.pool.submit(self._dispatch, connection, message)
        return message

    def _dispatch(self, connection: ClientConnection, message: dict) -> None:
        """Run bolt on one envelope and send its ack on the connection it came on."""
        envelope_id = message["envelope_id"]
        request = SocketModeRequest.from_dict(message)
        if request is None:
            log.warning("Socket Mode: envelope %s of type %r has no payload", envelope_id, message.get("type"))
            return
        try:
            ack = ack_message(envelope_id, run_bolt_app(self.app, request))
        except Exception:
            log.exception("Socket Mode: envelope %s (%s) failed", envelope_id, request.type)
            return
        if ack is None:
            log.info("Socket Mode: envelope %s (%s) was not acknowledged", envelope_id, request.type)
            return
        try:
            connection.send(json.dumps(ack))
        except ConnectionClosed:
            log.warning("Socket Mode: the ack of envelope %s (%s) was lost with its connection; "
                        "Slack retries events, a command's user sees a timeout", envelope_id, request.type)


def retry_delay(failures: int) -> float:
    """Seconds to wait before the next connection attempt, after `failures` attempts in a row that
    never got Slack's hello: none after a connection that was up, then growing, with jitter so that
    several instances do not reconnect in step."""
    if failures == 0:
        return 0.0
    return RETRY_DELAYS_S[min(failures, len(RETRY_DELAYS_S)) - 1] * (1 + random.uniform(-0.2, 0.2))


def describe_close(exc: ConnectionClosed) -> str:
    """Why a connection ended, in a few words for the log and the health report."""
    if exc.rcvd is None and exc.sent is None:
        return "the connection was lost (no close frame: network or proxy)"
    if exc.sent is not None and exc.sent.code == 1011 and "keepalive" in (exc.sent.reason or ""):
        return "the connection went silent (keepalive ping unanswered)"
    frame = exc.rcvd or exc.sent
    return f"the connection was closed (code {frame.code}{', ' + frame.reason if frame.reason else ''})"


def serve(app: App, answers: Answers, app_token: str, *, health_port: int | None = None,
          health_host: str = "0.0.0.0", ping_interval: float = PING_INTERVAL_S) -> None:
    """Run the bot in Socket Mode until interrupted; with `health_port`, also serve `GET /healthz`
    (the index and the link's status) there. Raises LinkRefused when the app token is refused."""
    link = SocketModeLink(app, app_token, ping_interval=ping_interval)
    server = None
    if health_port is not None:
        server = make_health_server(answers, link.status, health_host, health_port)
        threading.Thread(target=server.serve_forever, name="newsbot-health", daemon=True).start()
        log.info("Socket Mode: health check at http://%s:%d/healthz", health_host, server.server_address[1])
    try:
        link.run()
    finally:
        link.stop()
        if server is not None:
            server.shutdown()
            server.server_close()
