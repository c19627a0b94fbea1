"""The local console: the same answers as Slack, as readable text, driven through its input and output."""
from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.cli.run import pick_mode
from bot.slack.answers import Answers
from bot.slack.console import Console
from tests.slack_world import indexed_store  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def answers(indexed_store):  # noqa: F811
    return Answers(indexed_store)


def session(answers, *lines: str, color: bool = False) -> str:
    """Type `lines` into a console; everything it printed."""
    out = io.StringIO()
    Console(answers, stdin=io.StringIO("".join(line + "\n" for line in lines)), stdout=out, color=color).run()
    return out.getvalue()


def after(output: str, typed: str) -> str:
    """What the console printed in answer to `typed` (up to the next prompt)."""
    return output.split(f"newsbot> {typed}\n", 1)[1].split("newsbot> ", 1)[0]


def number_of(output: str, label: str) -> str:
    """The number the console gave the button `label` (the first so labelled)."""
    return re.search(rf"\[(\d+)\] {re.escape(label)}(?:\s{{3}}|$)", output, re.M).group(1)


def test_banner_says_what_is_indexed(answers):
    out = session(answers)
    assert out.startswith("Index: 7 articles,")
    assert "a number presses that button" in out


def test_lookup_prints_a_readable_profile_with_numbered_buttons(answers):
    out = after(session(answers, "/lookup Kataib Hizballah"), "/lookup Kataib Hizballah")
    lines = out.splitlines()
    assert lines[0] == "Kataeb Hezbollah" and set(lines[1]) == {"═"}
    assert "organization: Iran-backed Iraqi Shia militia" in out  # *bold* rendered, not shown as asterisks
    assert "*" not in out.split("Articles")[0]
    # the corpus headline is shown as written, with its address; nothing is a live mention here
    assert "<!channel> Kataeb Hezbollah warns <@U0BOSS> & allies (https://wire.example/story?id=7&lang=en)" in out
    assert "] Share in channel" in out and "] Quote card" in out


def test_a_number_presses_a_button(answers):
    more = number_of(after(session(answers, "Iraq"), "Iraq"), "More articles")
    out = session(answers, "Iraq", more)
    page = after(out, more)
    assert "Articles 6–6 of 6" in page and "More articles" not in page


def test_more_then_previous_then_share_in_the_console(answers):
    first = after(session(answers, "/lookup Iraq"), "/lookup Iraq")
    more = number_of(first, "More articles")
    paged = after(session(answers, "/lookup Iraq", more), more)
    assert "Articles 6–6 of 6" in paged and "Quotes about Iraq 1–3 of" in paged  # the quotes stay
    previous, share = number_of(paged, "Previous articles"), number_of(paged, "Share in channel")
    back = session(answers, "/lookup Iraq", more, previous).rsplit(f"newsbot> {previous}\n", 1)[1]
    assert back.split("Articles", 1)[1] == first.split("Articles", 1)[1]
    shared = session(answers, "/lookup Iraq", more, share).rsplit(f"newsbot> {share}\n", 1)[1]
    assert "Articles 1–5 of 6" in shared and "6–6 of 6" not in shared  # the first view, not the page


def test_share_shows_what_the_channel_would_see(answers):
    share = number_of(after(session(answers, "/lookup Iraq"), "/lookup Iraq"), "Share in channel")
    out = after(session(answers, "/lookup Iraq", share), share)
    assert out.startswith("(In Slack this is now posted in the channel")
    assert "Shared by @UCONSOLE" in out and "Share in channel" not in out


def test_ambiguous_then_pick_a_candidate(answers):
    out = session(answers, "/lookup Tamimi", "2")
    listing = after(out, "/lookup Tamimi")
    assert "Tamimi could be more than one actor" in listing
    assert "[1] Ahmad al-Tamimi" in listing and "[2] Mahmoud al-Tamimi" in listing
    assert after(out, "2").startswith("Mahmoud al-Tamimi\n")


def test_not_found_offers_suggestions(answers):
    out = after(session(answers, "/lookup Hassan"), "/lookup Hassan")
    assert "No actor named Hassan" in out and "Hassan Rouhani" in out and "[1]" in out


def test_quotes_and_quotes_by(answers):
    out = session(answers, "/quote respond to every aggression", "quote by Tamimy")
    assert "“We will respond to every aggression against our brigades”" in after(out, "/quote respond to every aggression")
    assert "could be more than one speaker" in after(out, "quote by Tamimy")


def test_help_digest_and_mistakes(answers):
    out = session(answers, "help", "/digest preview", "/frobnicate", "99", "", "/lookup")
    assert "/lookup <name>" in after(out, "help")  # entities decoded for the terminal
    assert after(out, "/digest preview").strip()
    assert "Unknown command /frobnicate" in after(out, "/frobnicate")
    assert "No choice 99 here" in after(out, "99")
    assert "Usage: `/lookup <name>`" in after(out, "/lookup")


@pytest.mark.parametrize("typed", ["Kataeb Hezbollah " * 236, "Kataeb\x07 Hezbollah\x1b[2J", "كتائب حزب الله",
                                   "🚀 Hezbollah", "<@U123> <!channel>", "Robert'); DROP TABLE actors;--"])
def test_odd_input_is_answered(answers, typed):
    out = session(answers, typed)
    assert "Sorry" not in out and "Traceback" not in out
    assert out.count("newsbot> ") == 1


def test_quit_stops_reading(answers):
    out = session(answers, "quit", "/lookup Iraq")
    assert "Iraq\n═" not in out


def test_colour_on_a_terminal(answers):
    out = session(answers, "/lookup Iraq", color=True)
    assert "\x1b[1mIraq\x1b[0m" in out


def test_run_without_credentials_opens_the_console(indexed_store, monkeypatch):  # noqa: F811
    for name in ("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(cli, ["--db", indexed_store.url, "run"], input="/lookup Iraq\nquit\n")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("No Slack credentials set: opening the local console")
    assert "Iraq\n════" in result.output


@pytest.mark.parametrize("env, mode", [
    ({"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1"}, "socket"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, "http"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "console"),
    ({}, "console"),
])
def test_mode_follows_the_environment(env, mode):
    picked, line = pick_mode(env)
    assert picked == mode and "\n" not in line
    if env == {"SLACK_BOT_TOKEN": "xoxb-1"}:
        assert "SLACK_SIGNING_SECRET is not set" in line


def read_until(fd: int, needle: str, timeout: float = 60.0) -> str:
    seen, deadline = "", time.monotonic() + timeout
    while needle not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {needle!r}; got {seen[-500:]!r}")
        if select.select([fd], [], [], 0.2)[0]:
            seen += os.read(fd, 65536).decode("utf-8", "replace")
    return seen


def test_terminal_console_has_history_and_line_editing(indexed_store, tmp_path):  # noqa: F811
    """In a real terminal: the up arrow recalls the last command, and the cursor keys edit it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(NEWSBOT_HISTORY=str(tmp_path / "history"), NO_COLOR="1", TERM="xterm")
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "bot", "--db", indexed_store.url, "console"],
                               stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    try:
        read_until(leader, "newsbot> ")
        os.write(leader, b"/lookup Tamimi\r")
        assert "could be more than one actor" in read_until(leader, "newsbot> ")
        # up arrow: "/lookup Tamimi"; six times left: the cursor before "Tamimi"; type a given name
        os.write(leader, b"\x1b[A" + b"\x1b[D" * 6 + b"Mahmoud al-\r")
        assert "Mahmoud al-Tamimi\r\n═" in read_until(leader, "newsbot> ")
        os.write(leader, b"quit\r")
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    assert "/lookup Mahmoud al-Tamimi" in (tmp_path / "history").read_text()
