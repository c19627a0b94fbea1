"""The Socket Mode health server on its own: what it reports, and that stalled clients cannot
pile up its threads."""
from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from bot.slack.server import HEALTH_LIMITS, make_health_server
from bot.slack.socket_mode import LinkStatus


class Index:
    """Stands for Answers: the index counts, or None when the database is unreadable."""

    def __init__(self, counts):
        self.counts = counts

    def index_counts(self):
        return self.counts


@pytest.fixture
def serve():
    servers = []

    def start(counts, status):
        server = make_health_server(Index(counts), status, "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def get(url: str) -> tuple[int, dict | str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        body = exc.read()
        return exc.code, json.loads(body) if body.startswith(b"{") else body.decode()


def test_health_reports_the_link_and_the_index(serve):
    status = LinkStatus()
    url, _ = serve({"articles": 3, "actors": 9, "quotes": 2}, status)
    code, body = get(f"{url}/healthz")
    assert code == 503 and body["slack"].startswith("down since ") and body["reason"] == "not connected yet"
    status.up("1 connection(s), host test")
    code, body = get(f"{url}/healthz")
    assert code == 200 and body["ok"] is True and body["slack"] == "connected" and body["index"]["articles"] == 3
    status.down("the connection was lost (no close frame: network or proxy)")
    code, body = get(f"{url}/healthz")
    assert code == 503 and body["reason"].startswith("the connection was lost")
    assert get(f"{url}/slack/events")[0] == 404


def test_an_unreadable_database_is_unhealthy_even_with_the_link_up(serve):
    status = LinkStatus()
    status.up("test")
    url, _ = serve(None, status)
    code, body = get(f"{url}/healthz")
    assert code == 503 and body["slack"] == "connected" and body["index"] is None


def test_stalled_clients_hold_at_most_a_bounded_number_of_threads(serve):
    status = LinkStatus()
    status.up("test")
    url, server = serve({"articles": 1, "actors": 1, "quotes": 0}, status)
    before = threading.active_count()
    stalled = [socket.create_connection(server.server_address) for _ in range(48)]
    for sock in stalled:
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")  # and never the rest
    time.sleep(0.5)
    assert threading.active_count() - before <= HEALTH_LIMITS.threads
    for sock in stalled:
        sock.close()
    deadline = time.monotonic() + 5
    while get(f"{url}/healthz")[0] != 200:  # the slots come back as the stalled clients go
        assert time.monotonic() < deadline
        time.sleep(0.05)
