"""`GET /healthz`: whether the bot can answer. HTTP mode serves it beside `/slack/events`; in Socket
Mode, which has no HTTP server of its own, a small one serves it when a port is configured, and
it also says whether the link to Slack is up."""
from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot.slack.answers import Answers

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
REQUEST_TIMEOUT_S = 10  # a client that stalls mid-request loses its thread after this
MAX_CLIENTS = 16  # a health checker needs one


def health_report(answers: Answers, link=None) -> tuple[int, dict]:
    """(HTTP status, body): 200 when the index can be read (and, with a Socket Mode `link`
    status, the link to Slack is up), 503 otherwise."""
    counts = answers.index_counts()
    body: dict = {"ok": counts is not None, "index": counts}
    if link is not None:
        body.update(link.report())
        body["ok"] = body["ok"] and link.connected
    return (200 if body["ok"] else 503), body


class HealthServer(ThreadingHTTPServer):
    """A thread per connection, at most MAX_CLIENTS at once: more are closed unanswered, so
    stalled clients cannot pile up threads."""

    daemon_threads = True

    def __init__(self, *args, **kwargs):
        self.slots = threading.BoundedSemaphore(MAX_CLIENTS)
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def handle_error(self, request, client_address):
        """A client that went away mid-answer is not the bot's problem: no traceback on stderr."""
        log.debug("health check from %s failed", client_address[0], exc_info=True)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


def make_health_server(answers: Answers, link, host: str, port: int) -> HealthServer:
    """A server answering only `GET /healthz`, bound and ready: call `.serve_forever()`."""

    class Handler(BaseHTTPRequestHandler):
        timeout = REQUEST_TIMEOUT_S

        def do_GET(self):  # noqa: N802 (http.server's name)
            if self.path.split("?")[0] != HEALTH_PATH:
                self.send_error(404)
                return
            status, body = health_report(answers, link)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_HEAD = do_GET

        def log_message(self, format, *args):  # noqa: A002 (the stdlib's name)
            log.debug("%s %s", self.address_string(), format % args)

    return HealthServer((host, port), Handler)
