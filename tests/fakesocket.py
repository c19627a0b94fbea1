"""A fake Slack Socket Mode endpoint on loopback: a websocket server that says hello, sends
envelopes and records the acks, and can end a connection the ways a network does.

    with FakeSlack() as slack, FakeSocketMode() as socket_mode:
        slack.socket_mode = socket_mode              # apps.connections.open answers with its URL
        socket_mode.wait_connections(1)
        envelope_id = socket_mode.send(slash_command_envelope(...))
        socket_mode.wait_ack(envelope_id, timeout=3)
        socket_mode.drop()                           # the TCP connection ends, no disconnect envelope
        socket_mode.wait_connections(2, timeout=30)  # the client came back

Each accepted connection is kept in `connections` (newest last); envelopes go to the newest open
one. An ack is recorded with the connection it came on and when. Clients reach the server through
a loopback relay standing for the network: `drop()` ends a connection there (FIN, or RST with
`reset=True`) and `silence()` stops carrying its bytes while both ends stay open.
"""
from __future__ import annotations

import itertools
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from tests.fakeslack import action_payload, command_fields, mention_payload

_envelope_ids = itertools.count(1)


@dataclass
class Ack:
    envelope_id: str
    payload: dict | None
    connection: int  # index in FakeSocketMode.connections
    at: float = field(default_factory=time.monotonic)


class FakeSocketMode:
    """Slack's Socket Mode server, as far as a client can tell."""

    def __init__(self):
        self.connections: list[ServerConnection] = []
        self.acks: list[Ack] = []
        self.sent: dict[str, float] = {}  # envelope_id -> when it was sent
        self._ids = itertools.count(1)
        self._changed = threading.Condition()
        # No server-side pings: what keeps the link alive is the client's business.
        self.server = serve(self._serve, "127.0.0.1", 0, compression=None, ping_interval=None)
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-socket-mode", daemon=True)
        self.thread.start()
        self.network = Relay(self.server.socket.getsockname())

    @property
    def url(self) -> str:
        """A fresh connection URL, as each apps.connections.open call gives one."""
        return f"ws://127.0.0.1:{self.network.port}/link/?ticket={next(self._ids)}"

    def _serve(self, connection: ServerConnection) -> None:
        with self._changed:
            self.connections.append(connection)
            number = len(self.connections) - 1
            self._changed.notify_all()
        try:
            connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                        "connection_info": {"app_id": "A0NEWSBOT"},
                                        "debug_info": {"host": "fake", "approximate_connection_time": 18060}}))
            for raw in connection:
                message = json.loads(raw)
                with self._changed:
                    self.acks.append(Ack(message.get("envelope_id"), message.get("payload"), number))
                    self._changed.notify_all()
        except (ConnectionClosed, OSError):
            pass

    # --- sending -----------------------------------------------------------------------------
    def current(self) -> ServerConnection:
        """The newest connection that is still open."""
        with self._changed:
            live = [c for c in self.connections if c.state.name == "OPEN"]
        if not live:
            raise AssertionError("no open Socket Mode connection")
        return live[-1]

    def send(self, envelope: dict, connection: ServerConnection | None = None) -> str:
        """Send an envelope (on the newest open connection unless told); its envelope_id."""
        (connection or self.current()).send(json.dumps(envelope))
        self.sent[envelope["envelope_id"]] = time.monotonic()
        return envelope["envelope_id"]

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Slack's routine goodbye: a disconnect envelope on the newest connection."""
        self.current().send(json.dumps({"type": "disconnect", "reason": reason,
                                        "debug_info": {"host": "fake"}}))

    def drop(self, *, reset: bool = False) -> None:
        """End the newest connection without a disconnect envelope or close frame: a proxy
        restart (FIN) or, with `reset`, a network that lost the connection (RST)."""
        self.network.links[-1].cut(reset=reset)

    def silence(self) -> None:
        """The newest connection stays open at both ends but nothing gets through any more."""
        self.network.links[-1].silent = True

    # --- reading what happened ---------------------------------------------------------------
    def acks_for(self, envelope_id: str) -> list[Ack]:
        with self._changed:
            return [a for a in self.acks if a.envelope_id == envelope_id]

    def wait_ack(self, envelope_id: str, timeout: float = 3.0) -> Ack:
        """The ack of `envelope_id`, which must come within `timeout` seconds of sending it."""
        deadline = self.sent[envelope_id] + timeout
        with self._changed:
            while not any(a.envelope_id == envelope_id for a in self.acks):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no ack for {envelope_id} within {timeout} s")
                self._changed.wait(left)
            return next(a for a in self.acks if a.envelope_id == envelope_id)

    def wait_connections(self, count: int, timeout: float = 10.0) -> ServerConnection:
        """Wait until `count` connections were accepted in all; the newest."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.connections) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} Socket Mode connection(s), got {len(self.connections)}")
                self._changed.wait(left)
            return self.connections[count - 1]

    def close(self) -> None:
        self.network.close()
        self.server.shutdown()
        for connection in self.connections:
            connection.close_socket()

    def __enter__(self) -> "FakeSocketMode":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Link:
    """One client connection carried by the relay: bytes pumped both ways until cut."""

    def __init__(self, client: socket.socket, server_address):
        self.client = client
        self.server = socket.create_connection(server_address)
        self.silent = False
        self.ended = False

    def start(self) -> None:
        for source, sink in ((self.client, self.server), (self.server, self.client)):
            threading.Thread(target=self._pump, args=(source, sink), name="fake-network", daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if not self.silent:
                    sink.sendall(data)
        except OSError:
            pass
        if not self.silent:
            self.cut()

    def cut(self, *, reset: bool = False) -> None:
        """Close both sides: FIN, or RST to the client with `reset`. (shutdown first: a plain close
        waits for the pump thread blocked in recv on the same socket.)"""
        if self.ended:
            return
        self.ended = True
        if reset:
            self.client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        for sock in (self.client, self.server):
            try:
                sock.shutdown(socket.SHUT_RD if reset and sock is self.client else socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


class Relay:
    """A loopback TCP relay to `server_address`: the network between the bot and Slack."""

    def __init__(self, server_address):
        self.server_address = server_address
        self.links: list[Link] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, name="fake-network", daemon=True).start()

    def _accept(self) -> None:
        try:
            while True:
                client, _ = self.listener.accept()
                link = Link(client, self.server_address)
                self.links.append(link)  # before any byte passes: the server sees the connection after this
                link.start()
        except OSError:
            pass

    def close(self) -> None:
        self.listener.close()
        for link in self.links:
            link.cut()


# --- what Slack sends over the socket ----------------------------------------------------------

def envelope(kind: str, payload: dict, **extra) -> dict:
    """A Socket Mode envelope with a fresh envelope_id."""
    return {"envelope_id": f"env-{next(_envelope_ids):04d}-{kind}", "type": kind, "payload": payload,
            "accepts_response_payload": kind in ("slash_commands", "interactive"), **extra}


def slash_command_envelope(command: str, text: str, response_url: str, **who) -> dict:
    return envelope("slash_commands", command_fields(command, text, response_url, **who))


def button_envelope(button: dict, response_url: str, **how) -> dict:
    return envelope("interactive", action_payload(button, response_url, **how))


def mention_envelope(text: str, *, retry_attempt: int = 0, **where) -> dict:
    return envelope("events_api", mention_payload(text, **where), retry_attempt=retry_attempt,
                    retry_reason="timeout" if retry_attempt else "")
