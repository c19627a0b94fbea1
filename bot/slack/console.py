"""The local console: the Slack bot without Slack.

It reads the same commands (`/lookup …`, `/quote …`, `/digest preview`, `help`), asks the same
`Answers`, and prints the same Block Kit messages as readable text: bold, links with their
address, and every button as a numbered choice that typing its number presses. After each
command, the alerts for the actors its local channel follows (bot.digest.alerts) are posted
here, as in Slack: whatever was indexed since, by `newsbot index` in another terminal too. Line
editing and history come from readline when the console runs in a terminal.
"""
from __future__ import annotations

import itertools
import logging
import re
import shutil
import sys
import textwrap
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from bot.blockkit import Message, escape
from bot.digest.alerts import run_alerts
from bot.slack.answers import COMMANDS, Answers
from bot.slack.digest_command import DIGEST_BUTTONS
from bot.slack.editors import CONSOLE_USER
from bot.wording import plural

log = logging.getLogger(__name__)
PROMPT = "newsbot> "
BOLD, DIM, UNDERLINE, RESET = "\x1b[1m", "\x1b[2m", "\x1b[4m", "\x1b[0m"


@dataclass
class Choice:
    """A button shown as a numbered choice."""

    label: str
    kind: str  # share | more | open | card
    value: str  # what the button carries (bot.slack.buttons)


class TextRenderer:
    """Block Kit dicts to terminal text (ANSI styles only when `color`)."""

    def __init__(self, color: bool = False, width: int = 100):
        self.color = color
        self.width = width

    def style(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.color else text

    def mrkdwn(self, text: str) -> str:
        def link(match: re.Match) -> str:
            target, _, label = match.group(1).partition("|")
            if target.startswith(("@", "#", "!")):
                return (target[0] if target[0] != "!" else "@") + (label or target[1:])
            target = target.replace("&amp;", "&")
            return f"{self.style(label, UNDERLINE)} ({target})" if label else target

        text = re.sub(r"<([^<>]+)>", link, text)
        text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", lambda m: self.style(m.group(1), BOLD), text)
        text = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", lambda m: self.style(m.group(1), DIM), text)
        text = re.sub(r"(?m)^> ?", "  │ ", text)
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    def wrap(self, text: str, indent: str = "") -> list[str]:
        lines = []
        for line in text.splitlines() or [""]:
            prefix = indent + ("  │ " if line.startswith("  │ ") else "")
            body = line[4:] if line.startswith("  │ ") else line
            lines += textwrap.wrap(body, self.width, initial_indent=prefix, subsequent_indent=prefix,
                                   break_on_hyphens=False) or [prefix.rstrip()]
        return lines

    def render(self, message: dict) -> tuple[str, list[Choice]]:
        """The message as text, and its buttons in the order they are numbered."""
        out: list[str] = []
        choices: list[Choice] = []

        def buttons(elements: list[dict]) -> str:
            labels = []
            for element in elements:
                if element.get("type") != "button":
                    continue
                choices.append(Choice(element["text"]["text"], element["action_id"].split(".")[1],
                                      element.get("value", "")))
                labels.append(f"[{len(choices)}] {element['text']['text']}")
            return "   ".join(labels)

        for block in message.get("blocks") or [{"type": "section", "text": {"text": escape(message.get("text", ""))}}]:
            kind = block.get("type")
            if kind == "header":
                title = block["text"]["text"]
                out += ["", self.style(title, BOLD), "═" * min(len(title), self.width)]
            elif kind == "section":
                if block.get("text"):
                    text = self.mrkdwn(block["text"]["text"])
                    out += self.wrap(text) + ([""] if "\n" in text else [])
                for field in block.get("fields", []):
                    label, _, value = self.mrkdwn(field["text"]).partition("\n")
                    out += self.wrap(f"{label}: {value}" if value else label, "  ")
                if block.get("accessory"):
                    out.append("    " + buttons([block["accessory"]]))
            elif kind == "context":
                out += self.wrap(self.style(" · ".join(self.mrkdwn(e.get("text", "")) for e in block["elements"]), DIM))
            elif kind == "divider":
                out.append("")
            elif kind == "actions":
                out += ["", buttons(block.get("elements", []))]
        return "\n".join(out).strip("\n"), choices


class ConsoleChannel:
    """The Web API calls an alert makes, answered by the console: a post is printed in place of the channel."""

    def __init__(self, console: "Console"):
        self.console = console
        self.posted: list[dict] = []
        self._ts = itertools.count(1)

    def chat_postMessage(self, *, channel: str, text: str, blocks: list[dict], thread_ts: str | None = None,  # noqa: N802
                         metadata: dict | None = None, **_) -> dict:
        ts = f"{next(self._ts)}.000000"
        self.posted.append({"ts": ts, "bot_id": "BCONSOLE", "metadata": metadata, "thread_ts": thread_ts})
        self.console.say("(posted in the channel" + (", in the digest's thread" if thread_ts else "") + ":)")
        self.console.show(Message(text=text, blocks=blocks))
        return {"ts": ts}

    def auth_test(self) -> dict:
        return {"bot_id": "BCONSOLE"}

    def conversations_history(self, **_) -> dict:
        return {"messages": self.posted}

    conversations_replies = conversations_history


class Console:
    """The read-answer loop. Tests drive it through `stdin`/`stdout`."""

    def __init__(self, answers: Answers, *, stdin: TextIO | None = None, stdout: TextIO | None = None,
                 color: bool | None = None, no_color: bool = False, history_file: Path | None = None,
                 user_id: str = CONSOLE_USER, channel_id: str = "CCONSOLE"):
        """`color` None: bold on a terminal unless `no_color`; `history_file`: where a terminal session's
        commands are kept (None: nowhere)."""
        self.answers = answers
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.interactive = self.stdin is sys.stdin and sys.stdin.isatty()
        self.history_file = history_file
        if color is None:
            color = self.stdout.isatty() and not no_color
        self.renderer = TextRenderer(color=bool(color), width=min(shutil.get_terminal_size((100, 24)).columns, 100))
        self.user_id, self.channel_id = user_id, channel_id
        self.choices: list[Choice] = []
        self.channel = ConsoleChannel(self)

    def say(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    def show(self, message: Message) -> None:
        text, self.choices = self.renderer.render(message.to_dict())
        self.say(text)
        self.say()

    def banner(self) -> None:
        counts = self.answers.index_counts()
        if counts is None:
            self.say("The index cannot be read: check the database, then run `newsbot index`.")
        elif not counts.get("articles"):
            self.say("The index is empty: run `newsbot index` first (it reads the folders in config/settings.yaml).")
        else:
            self.say(f"Index: {plural(counts['articles'], 'article')}, {plural(counts['actors'], 'actor')}, "
                     f"{plural(counts['quotes'], 'quote')}.")
        self.say("Type /lookup <name>, /quote <words>, /quote by <speaker>, /digest preview or help; "
                 "a number presses that button; quit (or Ctrl-D) leaves.\n")

    def handle(self, line: str) -> bool:
        """Answer one line; False when the user wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line.lower() in ("quit", "exit", ":q", "/quit", "/exit"):
            return False
        if line.isdigit():
            self.press(int(line))
            return True
        word, _, rest = line.partition(" ")
        command = word.lower() if word.startswith("/") else "/" + word.lower()
        if command in ("/help", "/?"):
            command, rest = "/newsbot", "help"
        if command not in COMMANDS:
            if word.startswith("/"):
                self.say(f"Unknown command {word}. Type help to see what newsbot can do.\n")
                return True
            command, rest = "/lookup", line  # a bare name is a lookup
        # Slack sends command text with &, <, > escaped; do the same so both fronts see one input.
        self.show(self.answers.command(command, escape(rest), user_id=self.user_id, channel_id=self.channel_id))
        self.post_alerts()
        return True

    def post_alerts(self) -> None:
        """The local channel's alerts that are due, shown as Slack would post them (a failure is logged)."""
        try:
            run_alerts(self.answers.store, self.channel, now=datetime.now(timezone.utc), buttons=DIGEST_BUTTONS,
                       channel=self.channel_id)
        except Exception:
            log.exception("console: the alerts could not be checked")

    def press(self, number: int) -> None:
        if not 1 <= number <= len(self.choices):
            self.say(f"No choice {number} here." + (f" Pick 1–{len(self.choices)}." if self.choices else "") + "\n")
            return
        choice = self.choices[number - 1]
        if choice.kind == "share":
            self.say("(In Slack this is now posted in the channel, for everyone to see:)")
            self.show(self.answers.show(choice.value, share=False, shared_by=self.user_id))
        else:
            self.show(self.answers.show(choice.value, channel_id=self.channel_id, user_id=self.user_id))

    def read_lines(self):
        if not self.interactive:
            yield from self.stdin
            return
        try:
            import readline
        except ImportError:  # Windows without pyreadline: plain input still works
            readline = None
        keep = readline is not None and self.history_file is not None
        if keep:
            try:
                readline.read_history_file(self.history_file)
            except OSError:
                pass
            readline.set_history_length(1000)
        try:
            while True:
                try:
                    yield input(PROMPT)
                except EOFError:
                    self.say()
                    return
                except KeyboardInterrupt:
                    self.say()
        finally:
            if keep:
                try:
                    readline.write_history_file(self.history_file)
                except OSError:
                    pass

    def run(self) -> None:
        self.banner()
        for line in self.read_lines():
            if not self.interactive and line.strip():
                self.say(PROMPT + line.strip())
            try:
                if not self.handle(line):
                    break
            except KeyboardInterrupt:  # Ctrl-C during a slow answer: back to the prompt
                self.say("(interrupted)\n")
