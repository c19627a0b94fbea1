"""HTTP mode as an attacker and a flaky Slack meet it: `newsbot -v run` in its own process (log at
debug level, to a file), raw requests over loopback sockets: oversized, unsigned, malformed and
stalled ones, then slash commands whose response_url answers 429 or 500 before it takes the answer."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
import yaml

from tests.fakeslack import FakeSlack, command_body, post_signed, sign

ROOT = Path(__file__).resolve().parent.parent
SECRET = "http-test-signing-secret"
MARKER = "BODYMARKER"  # in every hostile body: it must never reach the log
IDLE_TIMEOUT_S = 10  # HttpLimits.idle_timeout_s
REQUEST_DEADLINE_S = 15  # HttpLimits.request_deadline_s


class Bot:
    """`newsbot -v run` in HTTP mode; its stderr log is a file the tests read."""

    def __init__(self, process: subprocess.Popen, port: int, log_path: Path):
        self.process, self.port, self.log_path = process, port, log_path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def threads(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def slack():
    with FakeSlack() as fake:
        yield fake


def launch(slack, folder: Path, *, port: int | None, args: tuple[str, ...] = ()) -> tuple[subprocess.Popen, Path]:
    """`newsbot -v run` in HTTP mode against the fake Slack, on $PORT when `port` is given; (process, log file)."""
    config = folder / "config"
    shutil.copytree(ROOT / "config", config)
    settings = yaml.safe_load((config / "settings.yaml").read_text())
    settings["corpus_folders"] = [str(folder / "corpus")]
    (folder / "corpus").mkdir()
    (config / "settings.yaml").write_text(yaml.safe_dump(settings))
    (config / "digests.yaml").write_text("subscriptions: []\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "BIND", "PORT"))}
    env.update(NEWSBOT_CONFIG_DIR=str(config), NEWSBOT_CACHE_DIR=str(folder / "cache"), SLACK_BOT_TOKEN="xoxb-test",
               SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.api_url, SKIP_SLACK_SDK_WARNING="1")
    if port is not None:
        env["PORT"] = str(port)
    log_path = folder / "bot.log"
    with open(log_path, "w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "bot", "-v", "--db", f"sqlite:///{folder / 'bot.db'}", "run",
                                    *args], env=env, stdout=subprocess.PIPE, stderr=log_file, text=True)
    return process, log_path


def healthy(port: int) -> bool:
    try:
        return status_of(exchange(port, b"GET /healthz HTTP/1.1\r\nHost: bot\r\nConnection: close\r\n\r\n")) == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory):
    port = free_port()
    process, log_path = launch(slack, tmp_path_factory.mktemp("http-bot"), port=port)
    bot = Bot(process, port, log_path)
    deadline = time.monotonic() + 60
    while not healthy(port):
        assert process.poll() is None and time.monotonic() < deadline, bot.log()[-3000:]
        time.sleep(0.2)
    yield bot
    process.terminate()
    process.wait(timeout=30)


def test_run_says_the_address_it_really_listens_on(slack, tmp_path):
    process, log_path = launch(slack, tmp_path, port=None, args=("--port", "0"))  # no $PORT: this machine only
    try:
        line = process.stdout.readline()
        listening = re.match(r"HTTP mode: listening on http://127\.0\.0\.1:(\d+) \(this machine only", line)
        assert listening, line + log_path.read_text()[-2000:]
        assert int(listening[1]) > 0 and healthy(int(listening[1]))
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_port_in_use_is_one_line_and_exit_1(slack, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process, log_path = launch(slack, tmp_path, port=None, args=("--port", str(port)))
        assert process.wait(timeout=60) == 1
    logged = log_path.read_text()
    assert logged.splitlines()[-1].startswith(f"Cannot listen on 127.0.0.1 port {port}: ")
    assert "Traceback" not in logged


def exchange(port: int, request: bytes, body: bytes = b"", timeout: float = 5) -> bytes:
    """Send `request` (and then `body`, unless the server has answered already) on a new connection;
    what came back before the server closed it or `timeout` seconds of silence."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        if body:
            sock.settimeout(0.5)
            try:
                received = sock.recv(65536)  # an early refusal (a body over the cap)
            except socket.timeout:
                try:
                    sock.sendall(body)
                except OSError:  # the server stopped reading
                    pass
            sock.settimeout(timeout)
        while True:
            try:
                chunk = sock.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            received += chunk
        return received


def status_of(response: bytes) -> int | None:
    parts = response.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and response.startswith(b"HTTP/") else None


def request_head(body: bytes | int, *, content_type: str = "application/x-www-form-urlencoded",
                 signed: bool = True, headers: dict | None = None, body_for_signature: bytes | None = None) -> bytes:
    """A POST to /slack/events as Slack sends it (signed with the bot's secret unless `signed` is False);
    `headers` override or add. `body` is the body, or just its length when it is sent separately."""
    length = body if isinstance(body, int) else len(body)
    if body_for_signature is None:
        body_for_signature = body if isinstance(body, bytes) else b""
    timestamp = str(int(time.time()))
    fields = {"Host": "bot", "Content-Type": content_type, "Content-Length": str(length), "Connection": "close",
              "X-Slack-Request-Timestamp": timestamp,
              "X-Slack-Signature": sign(SECRET if signed else "forged", timestamp,
                                        body_for_signature)}
    fields.update(headers or {})
    head = "POST /slack/events HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n"
    return head.encode("latin-1")


def send(bot: Bot, body: bytes, **options) -> tuple[int | None, str]:
    """(HTTP status, what the bot logged meanwhile) for one request with `body`."""
    before = len(bot.log())
    response = exchange(bot.port, request_head(body, **options) + body)
    time.sleep(0.3)  # the log line is written after the response
    return status_of(response), bot.log()[before:]


def problems(logged: str) -> list[str]:
    """The warning and error lines, and any traceback, among what was logged."""
    return [line for line in logged.splitlines()
            if " WARNING " in line or " ERROR " in line or " CRITICAL " in line or "Traceback" in line]


def test_an_oversized_body_is_refused_before_it_is_read_and_never_logged(bot):
    body = (MARKER + "x" * 90) * 50_000  # 5 MB
    before, threads = len(bot.log()), bot.threads()
    response = exchange(bot.port, request_head(len(body), signed=False, body_for_signature=body.encode()),
                        body.encode(), timeout=10)
    assert status_of(response) == 413
    time.sleep(0.3)
    assert len(bot.log()) - before < 2000
    assert MARKER not in bot.log() and bot.threads() <= threads


@pytest.mark.parametrize("case, body, options", [
    ("unsigned, under the cap", (MARKER * 50_000).encode(), {"signed": False}),
    ("unsigned, payload not JSON", f"payload=not-json-{MARKER}".encode(), {"signed": False}),
    ("timestamp not a number", f"command=/lookup&text={MARKER}".encode(),
     {"headers": {"X-Slack-Request-Timestamp": "abc"}}),
    ("unsigned, not UTF-8", MARKER.encode() + b"=\xff\xfe", {"signed": False}),
])
def test_unsigned_or_badly_signed_requests_get_401_and_one_line(bot, case, body, options):
    status, logged = send(bot, body, **options)
    assert status == 401, case
    assert len(problems(logged)) == 1 and "Traceback" not in logged, logged[-3000:]
    assert MARKER not in bot.log()


def test_slacks_unsigned_ssl_check_gets_200_and_goes_no_further(bot, slack):
    status, logged = send(bot, b"ssl_check=1&token=legacy", signed=False)
    assert status == 200 and problems(logged) == []
    smuggled = command_body("/lookup", "Iran", slack.response_url("smuggled")) + "&ssl_check=1"
    status, logged = send(bot, smuggled.encode(), signed=False)
    assert status == 200
    time.sleep(0.5)
    assert slack.calls("/respond/smuggled") == []


@pytest.mark.parametrize("case, body, content_type", [
    ("payload not JSON", f"payload=not-json-{MARKER}".encode(), "application/x-www-form-urlencoded"),
    ("broken JSON", ('{"type": "event_callback", "event": {"text": "' + MARKER).encode(), "application/json"),
    ("not UTF-8", f"command=/lookup&text={MARKER}".encode() + b"\xff\xfe", "application/x-www-form-urlencoded"),
    ("payload a JSON list", ("payload=" + urllib.parse.quote(json.dumps([MARKER]))).encode(),
     "application/x-www-form-urlencoded"),
])
def test_signed_but_malformed_requests_get_400_and_one_line(bot, case, body, content_type):
    status, logged = send(bot, body, content_type=content_type)
    assert status == 400, case
    assert len(problems(logged)) == 1 and "Traceback" not in logged, logged[-3000:]
    assert MARKER not in bot.log()


def test_a_signed_request_no_listener_takes_is_logged_without_its_body(bot):
    event = {"type": "event_callback", "team_id": "T0NEWSROOM", "api_app_id": "A0NEWSBOT", "event_id": "Ev0MARK",
             "event": {"type": "reaction_added", "user": "U0REPORTER", "reaction": MARKER}}
    status, logged = send(bot, json.dumps(event).encode(), content_type="application/json")
    assert status in (200, 404)
    assert len(problems(logged)) <= 1 and "Traceback" not in logged
    assert MARKER not in bot.log()


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", "+25"])
def test_a_bad_content_length_gets_400_at_once_and_holds_no_thread(bot, length):
    threads = bot.threads()
    started = time.monotonic()
    status, logged = send(bot, b"command=/lookup&text=Iran", headers={"Content-Length": length})
    assert status == 400 and time.monotonic() - started < 3
    assert "Traceback" not in logged and len(problems(logged)) <= 1
    assert bot.threads() <= threads


def test_stalled_bodies_hold_no_thread_and_are_cut_off_while_slack_is_still_answered(bot, slack):
    threads = bot.threads()
    stalled = []
    for _ in range(200):
        sock = socket.create_connection(("127.0.0.1", bot.port), timeout=5)
        sock.sendall(request_head(1000) + b"command=/l")  # promises 1000 bytes, sends 10, then nothing
        stalled.append(sock)
    try:
        time.sleep(0.5)
        status, body, seconds = post_signed(bot.url, command_body("/lookup", "Iran", slack.response_url("stall")), SECRET)
        assert status == 200 and seconds < 3 and body.startswith("Looking up")
        slack.wait_for("/respond/stall")
        assert bot.threads() - threads < 20  # a thread per stalled connection would be 200
        deadline = time.monotonic() + IDLE_TIMEOUT_S + 5
        for sock in stalled:
            sock.settimeout(max(deadline - time.monotonic(), 0.1))
            try:
                assert sock.recv(1024) == b"", "a stalled connection got an answer"
            except ConnectionResetError:
                pass
            except socket.timeout:
                pytest.fail(f"a stalled connection was still open {IDLE_TIMEOUT_S + 5} s later")
    finally:
        for sock in stalled:
            sock.close()


def test_a_request_trickled_a_byte_at_a_time_is_cut_off_at_the_deadline(bot):
    head = request_head(1000)
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", bot.port), timeout=5) as sock:
        sock.settimeout(2)  # a byte every 2 s: never idle for the 10 s timeout
        for byte in head * 10:
            try:
                if sock.recv(1) == b"":
                    break  # closed by the server
            except socket.timeout:
                pass
            except ConnectionResetError:
                break
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break
            assert time.monotonic() - started < REQUEST_DEADLINE_S + 6, "still reading the trickled request"
    assert time.monotonic() - started > REQUEST_DEADLINE_S - 1


def lookup(bot: Bot, slack, name: str) -> None:
    status, _, _ = post_signed(bot.url, command_body("/lookup", "Iran", slack.response_url(name)), SECRET)
    assert status == 200


def test_a_429_from_the_response_url_is_retried_after_retry_after(bot, slack):
    slack.refuse("/respond/limited", 429, retry_after=1)
    lookup(bot, slack, "limited")
    posts = slack.wait_for("/respond/limited", 2, timeout=15)
    assert posts[1].at - posts[0].at >= 1.0
    assert posts[1].body["text"] == posts[0].body["text"] and not posts[1].body["text"].startswith("Sorry")


def test_two_500s_from_the_response_url_are_retried_with_backoff(bot, slack):
    slack.refuse("/respond/flaky", 500, 500)
    lookup(bot, slack, "flaky")
    posts = slack.wait_for("/respond/flaky", 3, timeout=20)
    assert posts[2].body["text"] == posts[0].body["text"] and not posts[2].body["text"].startswith("Sorry")
    assert posts[1].at - posts[0].at >= 0.5 and posts[2].at - posts[1].at >= 1.0  # backoff 0.5 s, then 1 s (+ jitter)
    time.sleep(0.5)
    assert len(slack.calls("/respond/flaky")) == 3


def test_an_answer_slack_keeps_refusing_ends_in_an_apology_and_a_log_line(bot, slack):
    before = len(bot.log())
    slack.refuse("/respond/down", 500, 500, 500, 500)
    lookup(bot, slack, "down")
    posts = slack.wait_for("/respond/down", 5, timeout=30)
    assert all(not p.body["text"].startswith("Sorry") for p in posts[:4])
    assert posts[4].body["text"].startswith("Sorry, Slack did not take the answer to `/lookup Iran`")
    time.sleep(0.3)
    errors = [line for line in problems(bot.log()[before:]) if "Iran" in line]
    assert len(errors) == 1 and "HTTP 500" in errors[0] and "the user was told" in errors[0]
