"""The corpus the Slack and console tests talk to: the project's seeds plus one wire story written
for these tests (a headline with `<!channel>` and `<@U…>` in it, a link with `&`), indexed by
`newsbot index` into each backend once per test module.

The test config adds one actor whose description is far longer than a Slack section allows, so
an over-limit answer comes from the real index, not from a hand-built message.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import text

from bot.cli import cli
from bot.slack.answers import Answers
from bot.store.db import Store
from tests.conftest import BACKENDS

ROOT = Path(__file__).resolve().parent.parent

WIRE_STORY = """\
Kataeb Hezbollah warned on Tuesday that it would answer any new strike on its bases in Iraq.

"We will respond to every aggression against our brigades," Abu Ali al-Askari, the security official of Kataeb Hezbollah, said in a statement.

Two Iraqi lawmakers, Ahmad al-Tamimi and Mahmoud al-Tamimi, called for calm.

The Popular Mobilization Forces said Kataeb Hezbollah fighters had been moved away from the border. Kata'ib Hizballah has denied any role in the attack on the Green Zone, and the Tigris Veterans Association welcomed the statement.
"""
WIRE_META = {"title": "<!channel> Kataeb Hezbollah warns <@U0BOSS> & allies", "source": "Desk Wire",
             "date": "2021-03-02", "url": "https://wire.example/story?id=7&lang=en"}
LONG_ACTOR = {"name": "Tigris Veterans Association", "kind": "organization",
              "description": "An association of veterans of the wars along the Tigris. " * 80,
              "aliases": ["TVA Baghdad"]}


def write_corpus(folder: Path) -> Path:
    corpus = folder / "corpus"
    shutil.copytree(ROOT / "seeds", corpus)
    (corpus / "wire_kataeb.txt").write_text(WIRE_STORY, encoding="utf-8")
    (corpus / "wire_kataeb.txt.meta.yaml").write_text(yaml.safe_dump(WIRE_META, allow_unicode=True), encoding="utf-8")
    config = folder / "config"
    shutil.copytree(ROOT / "config", config)
    actors_file = config / "actors.yaml"
    data = yaml.safe_load(actors_file.read_text(encoding="utf-8"))
    data["actors"].append(LONG_ACTOR)
    actors_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return corpus


def database(backend: str, folder: Path):
    """(url, cleanup) for a fresh database on `backend`."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'newsbot.db'}", lambda: None
    from tests.conftest import _postgres_schema_url

    admin, schema, url = _postgres_schema_url(os.environ["NEWSBOT_TEST_POSTGRES_URL"])

    def drop():
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return url, drop


@pytest.fixture(scope="module", params=BACKENDS)
def indexed_store(request, tmp_path_factory):
    """A store holding the seeds and the wire story, on each backend (indexed once per module)."""
    backend = request.param
    folder = tmp_path_factory.mktemp(f"slack-{backend}")
    corpus = write_corpus(folder)
    url, cleanup = database(backend, folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEWSBOT_CONFIG_DIR", str(folder / "config"))
        result = CliRunner().invoke(cli, ["--db", url, "index", str(corpus)])
        assert result.exit_code == 0, result.output
        store = Store(url)
        yield store
        store.dispose()
    cleanup()


@pytest.fixture(scope="module")
def answers(indexed_store):
    """The answers every front gives over the indexed store (the `bot` fixture serves them)."""
    return Answers(indexed_store)
