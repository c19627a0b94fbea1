"""Configuration mistakes, as an operator makes them: each stops `newsbot index`, `newsbot run` (before
the console opens) and `newsbot digest` with one line naming the file and the key (and the line and
column where YAML knows them), exit code 2 and no traceback."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import load_settings
from bot.digest.subscriptions import load_yaml, yaml_path
from tests.unprivileged import run_newsbot

COMMANDS = {"index": ["index"], "run": ["run"], "digest": ["digest", "--channel", "C0123456"]}


def newsbot(config_dir, monkeypatch, command: str):
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    db = str(config_dir.parent / "newsbot.db")
    return CliRunner().invoke(cli, ["--db", db, *COMMANDS[command]], input="quit\n")


def assert_one_line_error(result, *fragments: str) -> str:
    """Exit 2, and the output is exactly one `Configuration error:` line holding every fragment."""
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("Configuration error: "), result.output
    assert "Traceback" not in result.output and "opening the local console" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


# -- unquoted times -----------------------------------------------------------------------------

@pytest.mark.parametrize("written, example", [("1230", "12:30"), ("0730", "07:30"), ("800", "08:00")])
@pytest.mark.parametrize("command", ["run", "digest"])
def test_an_unquoted_numeric_time_in_digests_yaml_is_refused_with_quote_it(config_dir, monkeypatch, command,
                                                                           written, example):
    (config_dir / "digests.yaml").write_text(f"subscriptions:\n  - channel: C0123456\n    time: {written}\n")
    assert_one_line_error(newsbot(config_dir, monkeypatch, command), str(config_dir / "digests.yaml"),
                          "subscriptions[1]: key 'time'", "in quotes", f'"{example}"')


@pytest.mark.parametrize("command", ["run", "digest"])
def test_an_unquoted_numeric_time_in_settings_is_refused_with_quote_it(config_dir, monkeypatch, command):
    (config_dir / "settings.yaml").write_text("digest:\n  time: 1230\n")
    assert_one_line_error(newsbot(config_dir, monkeypatch, command), str(config_dir / "settings.yaml"),
                          "digest: key 'time'", "in quotes", '"12:30"')


def test_an_unquoted_clock_time_means_what_it_says(config_dir):
    """YAML 1.1 reads an unquoted 8:00 as 480 and 09:30 as text; both are read as the times they look like."""
    (config_dir / "settings.yaml").write_text("digest:\n  time: 7:45\n")
    (config_dir / "digests.yaml").write_text(
        "subscriptions:\n  - channel: C0123456\n    time: 8:00\n  - channel: C0654321\n    time: 09:30\n"
        "  - channel: C0999999\n")
    settings = load_settings()
    assert settings.digest.time == "07:45"
    assert [s.time for s in load_yaml(yaml_path(settings), settings)] == ["08:00", "09:30", "07:45"]


# -- every other mistake ------------------------------------------------------------------------

MISTAKES = [
    # (file, content, what the line must say)
    ("settings.yaml", "digest:\n  grace_hours: -5\n", ["digest: key 'grace_hours'", "from 0 to 168", "-5"]),
    ("settings.yaml", "digest:\n  grace_hours: .inf\n", ["key 'grace_hours'", "inf"]),
    ("settings.yaml", "digest:\n  reindex_minutes: -1\n", ["key 'reindex_minutes'", "0 turns re-indexing off"]),
    ("settings.yaml", "digest:\n  reindex_minutes: .nan\n", ["key 'reindex_minutes'", "nan"]),
    ("settings.yaml", "digest:\n  grace_hours: yes\n", ["key 'grace_hours' expected int or float, got bool"]),
    ("settings.yaml", "digest:\n  days: weekends\n", ["digest: key 'days'", "“weekends” is not a day"]),
    ("settings.yaml", "digest:\n  time: '25:00'\n", ["digest: key 'time'", "“25:00” is not a time"]),
    ("settings.yaml", "digest:\n  - time: '08:00'\n", ["key 'digest' expected dict, got list"]),
    ("settings.yaml", "timezone: Europe/Londn\n", ["key 'timezone'", "'Europe/Londn'"]),
    ("settings.yaml", "corpus_folders: seeds\n", ["key 'corpus_folders' expected list, got str"]),
    ("settings.yaml", "corpus_folders: []\n", ["key 'corpus_folders' expected a list of one or more folder paths"]),
    ("settings.yaml", "corpus_folders: [seeds, {a: b}]\n", ["key 'corpus_folders'"]),
    ("settings.yaml", "timezone: UTC\ntimezone: Asia/Beirut\n", ["line 2, column 1", "key 'timezone' is written twice"]),
    ("settings.yaml", "corpus_folders: [seeds\ndigest: {}\n", ["line 2, column 7", "not valid YAML"]),
    ("settings.yaml", "digest:\n\ttime: '08:00'\n", ["line 2, column 1", "not valid YAML", "a tab; indent with spaces"]),
    ("settings.yaml", "timezone: UTC\x07\n", ["line 1, column 14", "U+0007"]),
    ("settings.yaml", "database_url: !!python/object/apply:os.system [id]\n", ["line 1, column 15", "not valid YAML"]),
    ("actors.yaml", b"actors:\n  - name: Caf\xe9 Owner\n    kind: person\n", ["line 2, column 14", "not valid UTF-8"]),
    ("actors.yaml", "", ["key 'actors' is required"]),
    ("actors.yaml", "actors:\n  - name: KH\n    kind: militia\n", ["actor #1 (KH) key 'kind'"]),
    ("actors.yaml", "actors:\n  - name: KH\n    kind: organization\n    aliases: KH\n", ["key 'aliases' expected list"]),
    ("actors.yaml", "actors:\n  - name: [Kataeb\n", ["line 3, column 1", "not valid YAML"]),
    ("actors.yaml", "actors:\n  - name: KH\n    kind: organization\n    active: since 2003\n",
     ["actor #1 (KH) key 'active'", "2014- (from 2014 on) or 1979-2020", "'since 2003'"]),
    ("actors.yaml", "actors:\n  - name: KH\n    kind: organization\n    active: 2003\n",
     ["actor #1 (KH) key 'active'", "2014- (from 2014 on)", "2003"]),
    ("actors.yaml", "actors:\n  - name: KH\n    kind: organization\n    active: 2020-2003\n",
     ["actor #1 (KH) key 'active'", "'2020-2003'"]),
    ("digests.yaml", "subscriptions:\n  channel: C0123456\n", ["key 'subscriptions' expected list, got dict"]),
    ("digests.yaml", "subscriptions:\n  - channel: C0123456\n    follow: [{Kataeb: Hezbollah}]\n",
     ["subscriptions[1]: key 'follow' has {'Kataeb': 'Hezbollah'}: every item must be text"]),
    ("digests.yaml", "subscriptions:\n  - channel: C0123456\n    post_when_quiet: 1\n",
     ["key 'post_when_quiet' expected bool, got int"]),
    ("digests.yaml", "subscriptions:\n  - channel: C0123456\n    timezone: Mars/Olympus\n",
     ["subscriptions[1]: key 'timezone' “Mars/Olympus” is not a time zone"]),
    ("digests.yaml", "subscriptions:\n  - channel: C0123456\n    channel: C0654321\n",
     ["line 3, column 5", "key 'channel' is written twice"]),
]
READS = {"settings.yaml": ("index", "run", "digest"), "actors.yaml": ("index", "run"), "digests.yaml": ("run", "digest")}


CASES = [(command, *mistake) for mistake in MISTAKES for command in READS[mistake[0]]]


@pytest.mark.parametrize("command, name, content, fragments", CASES,
                         ids=[f"{command}-{name}-{i}" for i, (command, name, _, _) in enumerate(CASES)])
def test_a_configuration_mistake_is_one_line_naming_the_file(config_dir, monkeypatch, command, name, content,
                                                             fragments):
    path = config_dir / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert_one_line_error(newsbot(config_dir, monkeypatch, command), str(path), *fragments)


@pytest.mark.parametrize("name", ["settings.yaml", "actors.yaml", "digests.yaml"])
def test_a_folder_where_a_file_should_be(config_dir, monkeypatch, name):
    path = config_dir / name
    path.unlink()
    path.mkdir()
    for command in READS[name]:
        assert_one_line_error(newsbot(config_dir, monkeypatch, command), str(path), "is not a file")


def test_an_unreadable_file(config_dir, tmp_path):
    path = config_dir / "actors.yaml"
    path.chmod(0)
    result = run_newsbot(["--db", str(tmp_path / "newsbot.db"), "index"], cwd=config_dir.parent,
                         env={"NEWSBOT_CONFIG_DIR": str(config_dir), "NEWSBOT_CACHE_DIR": str(tmp_path / "cache")})
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stdout + result.stderr
    assert lines[0] == f"Configuration error: {path}: cannot be read (Permission denied)"


def test_a_missing_actor_list_is_named(config_dir, monkeypatch):
    (config_dir / "actors.yaml").unlink()
    assert_one_line_error(newsbot(config_dir, monkeypatch, "run"), str(config_dir / "actors.yaml"), "file not found")


def test_zero_grace_and_zero_reindex_are_allowed(config_dir):
    """0 h of grace posts no missed digest; 0 minutes turns re-indexing off (one instance of several)."""
    (config_dir / "settings.yaml").write_text("digest:\n  grace_hours: 0\n  reindex_minutes: 0\n")
    assert (load_settings().digest.grace_hours, load_settings().digest.reindex_minutes) == (0, 0)
