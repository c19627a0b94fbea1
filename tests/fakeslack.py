"""A fake Slack for loopback tests: the Web API and the response_url endpoint on 127.0.0.1,
and the signed requests Slack sends to the bot.

    with FakeSlack() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        slack.rate_limit("chat.postMessage", times=1, retry_after=1)   # next call gets a 429
        slack.fail("chat.postMessage", "not_in_channel", channel="C_GONE")
        slack.hold("chat.postMessage", seconds=30)   # the post goes through, the answer comes late
        ...
        slack.wait_for("/respond/r1")          # polls with a deadline: bolt answers from a thread
        assert slack.problems == []            # every message payload met Block Kit's limits

Every message payload received (chat.postMessage, chat.postEphemeral, chat.update, response_url
posts) is checked by `block_kit_problems`; what breaks a limit lands in `slack.problems`.
Messages posted are kept per channel (a reply with its `thread_ts`) and read back by
conversations.history, and a thread's by conversations.replies (newest first, with their metadata
when `include_all_metadata` is set, `oldest` and cursor paging as Slack does).
`post_signed` and the `*_body` helpers build requests exactly as Slack sends them
(form-encoded, `X-Slack-Signature` over the raw body).
"""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

BOT_USER_ID = "UBOTNEWS"
TEAM_ID = "T0NEWSROOM"
MESSAGE_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage")

# Slack's limits, written out here independently of the bot's renderer.
LIMITS = {"blocks": 50, "section": 3000, "header": 150, "fields": 10, "field": 2000, "button_text": 75,
          "button_value": 2000, "button_url": 3000, "context": 10, "actions": 25, "id": 255,
          "text": 4000, "blocks_chars": 13000}


def block_kit_problems(message: dict) -> list[str]:
    """What in a message payload Slack would reject (or would ping a channel with); [] when none."""
    problems: list[str] = []
    text, blocks = message.get("text"), message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if not isinstance(text, str) or not text.strip():
        problems.append("no fallback text")
    elif len(text) > LIMITS["text"]:
        problems.append(f"fallback text {len(text)} > {LIMITS['text']}")
    if len(blocks) > LIMITS["blocks"]:
        problems.append(f"{len(blocks)} blocks > {LIMITS['blocks']}")
    if len(json.dumps(blocks, ensure_ascii=False)) > LIMITS["blocks_chars"]:
        problems.append(f"blocks total {len(json.dumps(blocks, ensure_ascii=False))} chars > {LIMITS['blocks_chars']}")
    action_ids: list[str] = []

    def check_text(where: str, obj, limit: int) -> None:
        value = obj.get("text") if isinstance(obj, dict) else None
        if not isinstance(value, str):
            problems.append(f"{where}: no text")
        elif len(value) > limit:
            problems.append(f"{where}: {len(value)} chars > {limit}")

    def check_button(where: str, element: dict) -> None:
        check_text(f"{where} button", element.get("text"), LIMITS["button_text"])
        if len(element.get("value") or "") > LIMITS["button_value"]:
            problems.append(f"{where}: button value too long")
        if len(element.get("url") or "") > LIMITS["button_url"]:
            problems.append(f"{where}: button url too long")
        action_ids.append(element.get("action_id"))

    for number, block in enumerate(blocks):
        where, kind = f"block {number} ({block.get('type')})", block.get("type")
        if len(block.get("block_id") or "") > LIMITS["id"]:
            problems.append(f"{where}: block_id too long")
        if kind == "header":
            check_text(where, block.get("text"), LIMITS["header"])
        elif kind == "section":
            if not block.get("text") and not block.get("fields"):
                problems.append(f"{where}: neither text nor fields")
            if block.get("text"):
                check_text(where, block["text"], LIMITS["section"])
            fields = block.get("fields") or []
            if len(fields) > LIMITS["fields"]:
                problems.append(f"{where}: {len(fields)} fields > {LIMITS['fields']}")
            for f in fields:
                check_text(f"{where} field", f, LIMITS["field"])
            if isinstance(block.get("accessory"), dict) and block["accessory"].get("type") == "button":
                check_button(where, block["accessory"])
        elif kind == "context":
            if len(block.get("elements") or []) > LIMITS["context"]:
                problems.append(f"{where}: too many elements")
        elif kind == "actions":
            elements = block.get("elements") or []
            if len(elements) > LIMITS["actions"]:
                problems.append(f"{where}: too many elements")
            for element in elements:
                if element.get("type") == "button":
                    check_button(where, element)
        try:
            Block.parse(block).to_dict()
        except SlackObjectFormationError as exc:
            problems.append(f"{where}: slack_sdk rejects it: {exc}")
    ids = [a for a in action_ids if a]
    if len(ids) != len(set(ids)):
        problems.append("action_ids not unique")
    if any("<!" in t for t in mrkdwn_texts(message)):
        problems.append("a broadcast token (<!channel>, <!here>, …) would ping people")
    return problems


def mrkdwn_texts(message: dict) -> list[str]:
    """The texts Slack parses for links and mentions: the fallback text and every mrkdwn object
    (plain_text, as in headers and buttons, is shown literally)."""
    found = [message.get("text") or ""]

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.get("blocks") or [])
    return found


@dataclass
class Received:
    """One request the fake received."""

    path: str
    headers: dict
    body: dict
    at: float = field(default_factory=time.monotonic)

    @property
    def method(self) -> str:
        """The Web API method (`chat.postMessage`), or '' for response_url posts."""
        return self.path[len("/api/"):] if self.path.startswith("/api/") else ""


class FakeSlack:
    """The Slack Web API and response_url endpoint on loopback (port picked by the OS)."""

    def __init__(self, *, validate: bool = True):
        """`validate=False` defers the Block Kit checks to `check_all()` (benchmarks: the checks
        cost CPU the measured process competes for)."""
        self.validate = validate
        self.received: list[Received] = []
        self.problems: list[str] = []
        self._rate_limits: dict[str, list[int]] = {}  # method -> [times left, retry_after]
        self._failures: dict[tuple[str, str | None], str] = {}
        self._refusals: dict[str, list[tuple[int, int]]] = {}  # path -> [(HTTP status, retry_after)]
        self._users: dict[str, dict] = {}
        self._usergroups: dict[str, list[str]] = {}
        self.socket_mode = None  # a FakeSocketMode: apps.connections.open answers with its URL
        self._holds: dict[str, float] = {}
        self._cuts: dict[str, int] = {}  # method -> calls left whose connection closes unanswered
        self.history: dict[str, list[dict]] = {}  # channel -> messages posted, oldest first
        self._lock = threading.Lock()
        self._ts = int(time.time())
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # --- setup -------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"  # the trailing slash matters: WebClient urljoins method names

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base}/respond/{name}"

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls to `method` answer HTTP 429 with Retry-After."""
        with self._lock:
            self._rate_limits[method] = [times, retry_after]

    def refuse(self, path: str, *statuses: int, retry_after: int = 1) -> None:
        """The next requests to `path` (a response_url: `/respond/r1`) answer these HTTP statuses in
        turn (a 429 with Retry-After), the ones after them as usual."""
        with self._lock:
            self._refusals[path] = [(status, retry_after) for status in statuses]

    def fail(self, method: str, error: str, *, channel: str | None = None) -> None:
        """Calls to `method` (for `channel`, or any) answer ok:false with `error`."""
        with self._lock:
            self._failures[(method, channel)] = error

    def heal(self, method: str, *, channel: str | None = None) -> None:
        """Undo `fail`: calls to `method` (for `channel`, or any) succeed again."""
        with self._lock:
            self._failures.pop((method, channel), None)
    def cut(self, method: str, *, times: int = 1) -> None:
        """The next `times` calls to `method` take effect, then the connection closes without an answer
        (a network blip after Slack took the request)."""
        with self._lock:
            self._cuts[method] = times

    def hold(self, method: str, *, seconds: float) -> None:
        """Calls to `method` take effect at once but are answered `seconds` later (0: at once again)."""
        with self._lock:
            self._holds[method] = seconds

    def add_user(self, user_id: str, **fields) -> None:
        """What users.info returns for `user_id` (e.g. tz="Asia/Beirut")."""
        self._users[user_id] = {"id": user_id, "name": user_id.lower(), **fields}

    def add_usergroup(self, group_id: str, users: list[str]) -> None:
        """What usergroups.users.list returns for `group_id`."""
        self._usergroups[group_id] = list(users)

    def _check(self, path: str, body: dict) -> None:
        method = path[len("/api/"):] if path.startswith("/api/") else ""
        if method in MESSAGE_METHODS or path.startswith("/respond/"):
            self.problems += [f"{path}: {p}" for p in block_kit_problems(body)]

    def check_all(self) -> list[str]:
        """Run the Block Kit checks on everything received so far (with `validate=False`)."""
        for record in self.calls("/"):
            self._check(record.path, record.body)
        return self.problems

    # --- reading what happened ---------------------------------------------------------------
    def calls(self, path_prefix: str) -> list[Received]:
        """Requests whose path starts with `path_prefix` (`/api/chat.postMessage`, `/respond/r1`)."""
        with self._lock:
            return [r for r in self.received if r.path.startswith(path_prefix)]

    def wait_for(self, path_prefix: str, count: int = 1, timeout: float = 10.0) -> list[Received]:
        """Poll until `count` requests to `path_prefix` arrived (bolt answers from its own threads)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls(path_prefix)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"expected {count} request(s) to {path_prefix}, got {len(self.calls(path_prefix))}: "
                             f"{[r.path for r in self.received]}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "FakeSlack":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- answering ---------------------------------------------------------------------------
    def _answer(self, path: str, body: dict) -> tuple[int, dict, dict]:
        """(status, headers, json body) for one request."""
        method = path[len("/api/"):] if path.startswith("/api/") else ""
        if self.validate:
            self._check(path, body)
        with self._lock:
            refusals = self._refusals.get(path)
            if refusals:
                status, retry_after = refusals.pop(0)
                return status, ({"Retry-After": str(retry_after)} if status == 429 else {}), \
                    {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"}
            limited = self._rate_limits.get(method)
            if limited and limited[0] > 0:
                limited[0] -= 1
                return 429, {"Retry-After": str(limited[1])}, {"ok": False, "error": "ratelimited"}
            error = self._failures.get((method, body.get("channel"))) or self._failures.get((method, None))
            self._ts = max(self._ts + 1, int(time.time()))  # later than the clock, as Slack's are
            ts = f"{self._ts}.000100"
            if method == "chat.postMessage" and not error:
                self.history.setdefault(body.get("channel"), []).append(
                    {"type": "message", "ts": ts, "bot_id": "BNEWSBOT", "text": body.get("text"),
                     "blocks": body.get("blocks"), **({"metadata": body["metadata"]} if body.get("metadata") else {}),
                     **({"thread_ts": body["thread_ts"]} if body.get("thread_ts") else {})})
            held = self._holds.get(method)
        if held:
            time.sleep(held)
        if error:
            return 200, {}, {"ok": False, "error": error}
        if method in ("conversations.history", "conversations.replies"):
            return 200, {}, self._history(body)
        if path.startswith("/respond/"):
            return 200, {}, {"ok": True}
        if method == "auth.test":
            return 200, {}, {"ok": True, "url": "https://newsroom.slack.com/", "team": "Newsroom", "user": "newsbot",
                             "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": "BNEWSBOT"}
        if method in ("chat.postMessage", "chat.update", "chat.scheduleMessage"):
            return 200, {}, {"ok": True, "channel": body.get("channel"), "ts": ts, "message": {"text": body.get("text")}}
        if method == "chat.postEphemeral":
            return 200, {}, {"ok": True, "message_ts": ts}
        if method == "users.info":
            user = self._users.get(body.get("user"))
            return 200, {}, ({"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"})
        if method == "usergroups.users.list":
            users = self._usergroups.get(body.get("usergroup"))
            return 200, {}, ({"ok": True, "users": users} if users is not None else {"ok": False, "error": "no_such_subteam"})
        if method == "apps.connections.open":
            if self.socket_mode is None:
                return 200, {}, {"ok": False, "error": "not_allowed_token_type"}
            return 200, {}, {"ok": True, "url": self.socket_mode.url}
        if method == "conversations.open":
            return 200, {}, {"ok": True, "channel": {"id": "D" + str(body.get("users", "U"))[1:12]}}
        return 200, {}, {"ok": True}

    def _history(self, query: dict) -> dict:
        with self._lock:
            thread = query.get("ts")  # conversations.replies: the thread's parent and its replies
            messages = [m for m in reversed(self.history.get(query.get("channel"), []))
                        if float(m["ts"]) > float(query.get("oldest") or 0)
                        and (thread is None or thread in (m["ts"], m.get("thread_ts")))]
        start, limit = int(query.get("cursor") or 0), int(query.get("limit") or 100)
        page = messages[start:start + limit]
        if str(query.get("include_all_metadata")).lower() not in ("1", "true"):
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(messages)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw or "{}")
                else:
                    body = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
                path, _, query = self.path.partition("?")  # GET methods (conversations.history) take a query
                body.update({k: v[0] for k, v in urllib.parse.parse_qs(query).items()})
                for key in ("blocks", "attachments"):
                    if isinstance(body.get(key), str):
                        body[key] = json.loads(body[key])
                record = Received(path, dict(self.headers), body)
                status, headers, answer = fake._answer(path, body)
                with fake._lock:
                    fake.received.append(record)
                    method = path[len("/api/"):]
                    cut = fake._cuts.get(method, 0) > 0
                    if cut:
                        fake._cuts[method] -= 1
                if cut:
                    self.close_connection = True
                    return
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a held answer)
                    pass

            do_GET = do_POST

            def log_message(self, *args):
                pass

        return Handler


# --- what Slack sends to the bot ---------------------------------------------------------------

def sign(secret: str, timestamp: str, body: str | bytes) -> str:
    """Slack's request signature: v0=HMAC-SHA256(secret, "v0:{ts}:{body}") over the body's bytes."""
    raw = body if isinstance(body, bytes) else body.encode()
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + raw, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def post_signed(url: str, body: str, secret: str, *, timestamp: float | None = None,
                signature: str | None = None, timeout: float = 10,
                retry: tuple[int, str] | None = None) -> tuple[int, str, float]:
    """POST a body as Slack does (form-encoded, or JSON for events); (HTTP status, response text, seconds).
    `retry` (number, reason) sends it as Slack's retry of a request it thinks was lost."""
    ts = str(int(timestamp if timestamp is not None else time.time()))
    headers = {
        "Content-Type": "application/json" if body.startswith("{") else "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature or sign(secret, ts, body),
    }
    if retry is not None:
        headers.update({"X-Slack-Retry-Num": str(retry[0]), "X-Slack-Retry-Reason": retry[1]})
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers=headers)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(), time.perf_counter() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), time.perf_counter() - started


_ids = itertools.count(1)


def unique_id(prefix: str = "") -> str:
    """A trigger_id or event_id as Slack makes them: a new one for every command, press and event
    (repeats of a request keep its id)."""
    return f"{prefix}{time.time_ns()}.{next(_ids)}"


def command_fields(command: str, text: str, response_url: str, *, user_id: str = "U0REPORTER",
                   channel_id: str = "C0NEWSDESK") -> dict:
    """A slash command's fields as Slack sends them (text escaped: & < > as entities)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {
        "token": "legacy", "team_id": TEAM_ID, "team_domain": "newsroom", "channel_id": channel_id,
        "channel_name": "newsdesk", "user_id": user_id, "user_name": "reporter", "command": command,
        "text": escaped, "api_app_id": "A0NEWSBOT", "is_enterprise_install": "false",
        "response_url": response_url, "trigger_id": unique_id(),
    }


def command_body(command: str, text: str, response_url: str, **who) -> str:
    """A slash command, form-encoded like Slack's HTTP request."""
    return urllib.parse.urlencode(command_fields(command, text, response_url, **who))


def action_body(button: dict, response_url: str, **how) -> str:
    """Pressing `button` as Slack's HTTP request: the payload form-encoded."""
    return urllib.parse.urlencode({"payload": json.dumps(action_payload(button, response_url, **how))})


def action_payload(button: dict, response_url: str, *, ephemeral: bool = True, user_id: str = "U0REPORTER",
                   channel_id: str = "C0NEWSDESK") -> dict:
    """A block_actions payload for pressing `button` (a button element dict from a message)."""
    return {
        "type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": user_id, "username": "reporter"},
        "api_app_id": "A0NEWSBOT", "token": "legacy", "trigger_id": unique_id(),
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": channel_id,
                      "is_ephemeral": ephemeral},
        "channel": {"id": channel_id, "name": "newsdesk"}, "response_url": response_url,
        "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "b1",
                     "text": button["text"], "value": button.get("value", ""), "action_ts": "1700000001.0"}],
    }


def mention_body(text: str, **where) -> str:
    """An app_mention event callback as Slack's HTTP request (Events API bodies are JSON)."""
    return json.dumps(mention_payload(text, **where))


def mention_payload(text: str, *, channel: str = "C0NEWSDESK", ts: str = "1700000100.000200",
                    thread_ts: str | None = None, event_id: str | None = None, user: str = "U0REPORTER") -> dict:
    """An app_mention event callback."""
    event = {"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel,
             "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0NEWSBOT", "event": event,
            "type": "event_callback", "event_id": event_id or unique_id("Ev"), "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}


def buttons(message: dict) -> list[dict]:
    """Every button in a message, in order."""
    found = []
    for block in message.get("blocks") or []:
        if block.get("type") == "actions":
            found += [e for e in block.get("elements", []) if e.get("type") == "button"]
        elif isinstance(block.get("accessory"), dict) and block["accessory"].get("type") == "button":
            found.append(block["accessory"])
    return found
