"""The cache folder as an attacker on the same host sees it: a folder in the shared temporary folder,
which anyone can create first or fill. Nothing planted there runs, and a folder that is not this user's
private one is refused (the bot keeps answering without it)."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

STRANGER_UID = 65534  # nobody


class Payload:
    """What an attacker plants: unpickling it creates `marker` (a real attack would run anything)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (str(self.marker),)


@pytest.fixture
def newsbot(db_url, config_dir, tmp_path):
    """`newsbot --db <test database> ARGS…` in a fresh process whose temporary folder is the test's own
    (TMPDIR), with the default cache folder (no NEWSBOT_CACHE_DIR)."""
    temporary = tmp_path / "tmp"
    temporary.mkdir(mode=0o1777)
    temporary.chmod(0o1777)  # as /tmp: anyone may create a folder in it
    env = {key: value for key, value in os.environ.items() if key != "NEWSBOT_CACHE_DIR"}
    env.update(TMPDIR=str(temporary), NEWSBOT_CONFIG_DIR=str(config_dir))

    def run(*args):
        return subprocess.run([sys.executable, "-m", "bot", "--db", db_url, *args], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
    run.cache = temporary / f"newsbot-cache-{os.geteuid()}"
    run.seeds = config_dir.parent / "seeds"
    return run


def plant(folder: Path, marker: Path) -> list[str]:
    """Replace every file in the folder with the attacker's payload (the names the bot reads); the names."""
    names = sorted(path.name for path in folder.iterdir())
    for name in names:
        (folder / name).write_bytes(pickle.dumps(Payload(marker)))
    return names


def test_the_default_cache_folder_is_created_private(newsbot):
    result = newsbot("index", str(newsbot.seeds))
    assert result.returncode == 0, result.stderr
    assert newsbot.cache.is_dir() and (newsbot.cache.stat().st_mode & 0o777) == 0o700
    assert sorted(path.name.split("-")[0] for path in newsbot.cache.iterdir()) == ["lookup", "quotes", "world"]


def test_a_cache_folder_of_this_users_that_others_can_only_read_is_made_private_and_used(newsbot):
    assert newsbot("index", str(newsbot.seeds)).returncode == 0
    newsbot.cache.chmod(0o755)  # as an earlier version made it
    result = newsbot("lookup", "Iran")
    assert result.returncode == 0, result.stderr
    assert "not used" not in result.stderr and "unusable" not in result.stderr
    assert (newsbot.cache.stat().st_mode & 0o777) == 0o700


def test_a_planted_file_in_the_cache_folder_is_never_run(newsbot, tmp_path):
    assert newsbot("index", str(newsbot.seeds)).returncode == 0
    marker = tmp_path / "planted code ran"
    assert plant(newsbot.cache, marker)
    result = newsbot("lookup", "Iran")
    assert not marker.exists()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Iran  (place, curated)\n")


@pytest.mark.parametrize("takeover", ["mode 0777", "owned by another user", "a symbolic link"])
def test_a_cache_folder_that_is_not_private_is_refused_and_the_bot_answers_without_it(newsbot, tmp_path, takeover):
    assert newsbot("index", str(newsbot.seeds)).returncode == 0
    marker = tmp_path / "planted code ran"
    planted = plant(newsbot.cache, marker)
    if takeover == "mode 0777":  # as if another user had made it first, open to all
        newsbot.cache.chmod(0o777)
    elif takeover == "owned by another user":
        for path in [newsbot.cache, *newsbot.cache.iterdir()]:
            os.chown(path, STRANGER_UID, STRANGER_UID)
    else:  # pointing at a folder of this user's, with files the attacker chose
        target = tmp_path / "elsewhere"
        newsbot.cache.rename(target)
        newsbot.cache.symlink_to(target)
    result = newsbot("lookup", "Iran")
    assert not marker.exists()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Iran  (place, curated)\n")
    refusals = [line for line in result.stderr.splitlines() if "cache folder" in line]
    assert len(refusals) == 1, result.stderr
    assert f"cache folder {newsbot.cache} not used" in refusals[0] and "NEWSBOT_CACHE_DIR" in refusals[0]
    assert {"mode 0777": "its mode 0777 lets other users write in it",
            "owned by another user": f"it belongs to uid {STRANGER_UID}, not to this user",
            "a symbolic link": "it is a symbolic link"}[takeover] in refusals[0]
    # an index run neither reads nor writes it either
    assert newsbot("index", str(newsbot.seeds)).returncode == 0
    assert sorted(path.name for path in newsbot.cache.iterdir()) == planted
    assert not marker.exists()
