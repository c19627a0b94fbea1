"""HTTP mode: bolt's `/slack/events` and a `/healthz` for the host, on one port.

A threaded WSGI server from the standard library: each request gets a thread, bolt acks from its
listener pool, so a slow lookup never holds up another user's ack."""
from __future__ import annotations

import json
import logging
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.slack.answers import Answers
from bot.slack.health import HEALTH_PATH, health_report

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of commands must queue, not be refused


class QuietHandler(WSGIRequestHandler):
    """Request lines go to the log at debug level, not to stderr."""

    def log_message(self, format, *args):  # noqa: A002 (the stdlib's name)
        log.debug("%s %s", self.address_string(), format % args)


def wsgi_app(app: App, answers: Answers):
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ, start_response):
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            code, report = health_report(answers)
            status = "200 OK" if code == 200 else "503 Service Unavailable"
            body = json.dumps(report).encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return slack(environ, start_response)

    return application


def make_http_server(app: App, answers: Answers, host: str = "0.0.0.0", port: int = 3000) -> ThreadingWSGIServer:
    """The server, bound and ready: call `.serve_forever()` (tests run it in a thread; port 0 picks one)."""
    return make_server(host, port, wsgi_app(app, answers), server_class=ThreadingWSGIServer,
                       handler_class=QuietHandler)
