"""config/actors.yaml: the shipped list loads, mistakes get one clear line, aliases match as documented."""
from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import ConfigError
from bot.nlp.gazetteer import load_gazetteer
from bot.nlp.models import Kind
from tests.conftest import ROOT

SHIPPED = ROOT / "config" / "actors.yaml"


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(SHIPPED)


def write(tmp_path, body: str):
    path = tmp_path / "actors.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_the_shipped_list_covers_the_beat(gazetteer):
    names = {a.name for a in gazetteer.actors}
    assert len(gazetteer) >= 100
    assert {"Kataeb Hezbollah", "Harakat Hezbollah al-Nujaba", "Asaib Ahl al-Haq", "Badr Organization",
            "Popular Mobilization Forces", "Islamic Revolutionary Guard Corps", "Hezbollah", "Ali Khamenei",
            "Mustafa al-Kadhimi", "Abu Fadak al-Muhammadawi", "Qassem Soleimani", "Abu Mahdi al-Muhandis",
            "Jeanine Hennis-Plasschaert", "Iran", "Iraq", "United Nations", "UNAMI"} <= names
    assert all(a.kind in Kind for a in gazetteer.actors)
    kh = gazetteer.by_name["Kataeb Hezbollah"]
    assert {"Kata'ib Hizballah", "KH", "Hezbollah Brigades", "كتائب حزب الله"} <= set(kh.aliases)


def test_actors_left_to_discovery_are_not_listed(gazetteer):
    listed = " | ".join(n for a in gazetteer.actors for n in (a.name, *a.aliases))
    for name in ("Zartosht", "Sonya Sceats", "Sceats", "Faleh Abdul-Jabar", "Mousavian"):
        assert name not in listed


@pytest.mark.parametrize("text, actor, surface", [
    ("Kata'ib Hizballah fired rockets", "Kataeb Hezbollah", "Kata'ib Hizballah"),
    ("the Badr Organisation said", "Badr Organization", "Badr Organisation"),
    ("Khameneis orders were clear", "Ali Khamenei", "Khameneis"),
    ("قال كتائب حزب الله", "Kataeb Hezbollah", "كتائب حزب الله"),
    ("IS fighters withdrew", "Islamic State", "IS"),
    ("the Quds force commander", "Quds Force", "Quds force"),
])
def test_aliases_match_in_text(gazetteer, text, actor, surface):
    hits = gazetteer.find(text)
    assert [(h.alias.actor.name, text[h.start:h.end]) for h in hits][:1] == [(actor, surface)]


def test_the_longest_alias_wins(gazetteer):
    hits = gazetteer.find("Kataeb Hezbollah and Hezbollah and Harakat Hezbollah al-Nujaba")
    assert [h.alias.actor.name for h in hits] == ["Kataeb Hezbollah", "Hezbollah", "Harakat Hezbollah al-Nujaba"]


def test_short_capital_aliases_need_capitals(gazetteer):
    assert gazetteer.find("it is up to us and the un-named") == []
    assert [h.alias.actor.name for h in gazetteer.find("the US and the UN")] == ["United States", "United Nations"]


def test_a_short_name_in_small_letters_matches_its_capitals_only_in_a_text_in_capitals(gazetteer):
    assert gazetteer.find("Tarvo named his first XI, as Louis XI did") == []
    assert [h.alias.actor.name for h in gazetteer.find("President Xi spoke")] == ["Xi Jinping"]
    assert [h.alias.actor.name for h in gazetteer.find("XI MEETS TARVO ENVOY")] == ["Xi Jinping"]


def test_a_minimal_file(tmp_path):
    path = write(tmp_path, """
        actors:
          - name: Kataeb Hezbollah
            kind: organization
            aliases: [KH]
          - name: Zaid Rahimi
            kind: person
    """)
    gaz = load_gazetteer(path)
    assert [a.name for a in gaz.actors] == ["Kataeb Hezbollah", "Zaid Rahimi"]
    assert gaz.actors[1].aliases == () and gaz.actors[1].description is None


@pytest.mark.parametrize("body, message", [
    ("actors:\n  - name: KH\n    kind: militia\n", "actor #1 (KH) key 'kind' expected one of person, organization, place, other"),
    ("actors:\n  - name: KH\n    kind: organization\n    alias: [K]\n", "actor #1 (KH) unknown key 'alias' (expected one of: name, kind, description, aliases, active)"),
    ("actors:\n  - kind: organization\n", "actor #1 key 'name' is required"),
    ("actors:\n  - name: KH\n    kind: organization\n    aliases: [no]\n", "every alias must be text"),
    ("actors:\n  - name: A\n    kind: person\n    aliases: [Abu X]\n  - name: B\n    kind: person\n    aliases: [Abu X]\n",
     "alias 'Abu X' already belongs to 'A'"),
    ("actors:\n  - name: A\n    kind: person\n  - name: A\n    kind: person\n", "actor #2 (A) duplicate actor name 'A'"),
    ("actors: {name: A}\n", "key 'actors' expected list"),
    ("- just a list\n", "expected a mapping"),
    ("actors:\n  - name: [broken\n", "not valid YAML"),
])
def test_mistakes_are_one_clear_line(tmp_path, body, message):
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_gazetteer(path)
    text = str(caught.value)
    assert message in text and str(path) in text and "\n" not in text


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_gazetteer(tmp_path / "actors.yaml")


def test_index_command_reports_a_broken_list_without_a_traceback(config_dir, tmp_path):
    (config_dir / "actors.yaml").write_text("actors:\n  - name: KH\n    kind: militia\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "index"])
    assert result.exit_code != 0
    assert "actors.yaml" in result.output and "militia" in result.output
    assert "Traceback" not in result.output
