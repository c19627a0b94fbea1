"""Every setting is declared once, in `bot.config.Settings`: the environment is read there alone, and
every variable it declares is documented for the operator."""
from __future__ import annotations

import ast
from dataclasses import fields

from bot.config import Settings, load_settings
from tests.conftest import ROOT


def test_only_the_configuration_reads_the_environment():
    readers = set()
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") \
                    and isinstance(node.value, ast.Name) and node.value.id == "os":
                readers.add(path.relative_to(ROOT).as_posix())
    assert readers == {"bot/config.py"}


def test_every_environment_variable_is_documented():
    documented = "\n".join(path.read_text(encoding="utf-8")
                           for path in [ROOT / "README.md", ROOT / ".env.example", *(ROOT / "docs").glob("*.md")])
    variables = [item.metadata["env"] for item in fields(Settings) if item.metadata["env"]]
    assert variables and [name for name in variables if name not in documented] == []


def test_the_environment_wins_over_settings_yaml(config_dir, monkeypatch):
    (config_dir / "settings.yaml").write_text("database_url: postgresql://from-yaml/newsbot\n")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert load_settings().resolved_database_url() == "postgresql+psycopg://from-yaml/newsbot"
    monkeypatch.setenv("DATABASE_URL", "postgresql://from-env/newsbot")
    assert load_settings().resolved_database_url() == "postgresql+psycopg://from-env/newsbot"
    assert load_settings().resolved_database_url("postgresql://from-option/newsbot") == \
        "postgresql+psycopg://from-option/newsbot"
