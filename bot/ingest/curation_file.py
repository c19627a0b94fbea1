"""Editors' edits as `config/actors.yaml` entries, so a desk keeps them in git, and back.

Export writes one entry per actor the active edits touched, as the index holds it now: its name,
kind, description, and as aliases the spellings the edits gave it (an actor merged into it, a
moved spelling, its old name, an added alias). Names marked "not an actor" go under `not_actors:`.
Import reads such a file and records the edits that make the index agree with it: a kind or a
description that differs, an alias the actor lacks, an alias that is another discovered actor's
name (a merge), a name under `not_actors:` still in the index.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.config import read_yaml
from bot.ingest import curation
from bot.nlp.gazetteer import load_gazetteer
from bot.nlp.names import actor_key
from bot.store.curation import active_edits
from bot.store.db import Store
from bot.store.schema import EditAction, actors, aliases

IMPORT_EDITOR = "import"


def export_entries(store: Store) -> dict:
    """{"actors": [...], "not_actors": [...]} for the active edits, in the actors.yaml format."""
    entries: dict[str, dict] = {}
    gone: list[str] = []
    with store.connect() as conn:
        def entry(key: str) -> dict | None:
            if key not in entries:
                row = conn.execute(select(actors.c.name, actors.c.kind, actors.c.description)
                                   .where(actors.c.key == key)).first()
                if row is None:
                    return None
                entries[key] = {"name": row.name, "kind": row.kind,
                                **({"description": row.description} if row.description else {}), "aliases": []}
            return entries[key]

        for edit in active_edits(conn):
            if edit.action == EditAction.NOT_ACTOR:
                gone.append(edit.before["actor"]["name"])
                continue
            spelling = {EditAction.MERGE: edit.before.get("actor", {}).get("name"),
                        EditAction.MOVE: edit.detail.get("spelling"), EditAction.RENAME: edit.before.get("name"),
                        EditAction.ALIAS: edit.detail.get("alias")}.get(edit.action)
            held = entry(edit.target_key if edit.action in (EditAction.MERGE, EditAction.MOVE) else edit.actor_key)
            if held is not None and spelling and actor_key(spelling) != actor_key(held["name"]) \
                    and spelling not in held["aliases"]:
                held["aliases"].append(spelling)
    listed = [{k: v for k, v in e.items() if v or k != "aliases"} for e in entries.values()]
    return {"actors": listed, **({"not_actors": sorted(set(gone))} if gone else {})}


def import_entries(store: Store, path: Path, editor: str = IMPORT_EDITOR) -> list[str]:
    """Record the edits that make the index agree with the actors.yaml file at `path`; a line per edit
    made or entry skipped."""
    listed = load_gazetteer(path)  # validated as the index run validates it
    said: list[str] = []
    for entry in listed.actors:
        actor = _find(store, entry.name)
        if actor is None:
            said.append(f"skipped {entry.name}: not in the index")
            continue
        if entry.kind != actor.kind:
            curation.set_kind(store, editor, actor.id, entry.kind)
            said.append(f"{entry.name}: kind {entry.kind}")
        if entry.description and entry.description != actor.description:
            curation.describe(store, editor, actor.id, entry.description)
            said.append(f"{entry.name}: description")
        for alias in entry.aliases:
            said += _import_alias(store, editor, actor, alias)
    for name in (read_yaml(path) or {}).get("not_actors") or []:
        actor = _find(store, name)
        if actor is not None:
            curation.not_actor(store, editor, actor.id)
            said.append(f"{name}: not an actor")
    return said


def _import_alias(store: Store, editor: str, actor, alias: str) -> list[str]:
    key = actor_key(alias)
    with store.connect() as conn:
        other = conn.execute(select(actors.c.id, actors.c.curated).where(actors.c.key == key)).first()
        held = key == actor.key or conn.execute(select(aliases.c.id).where(
            aliases.c.actor_id == actor.id, aliases.c.key == key)).first() is not None
    if other is not None and other.id != actor.id and not other.curated:
        curation.merge(store, editor, other.id, actor.id)
        return [f"{actor.name}: merged {alias}"]
    if held or (other is not None and other.id == actor.id):
        return []
    curation.add_alias(store, editor, actor.id, alias)
    return [f"{actor.name}: alias {alias}"]


def _find(store: Store, name: str):
    """The actor a name is the key of, else the one actor holding it as an alias."""
    key = actor_key(name)
    with store.connect() as conn:
        row = conn.execute(select(actors).where(actors.c.key == key)).first()
        if row is None:
            holders = conn.execute(select(actors).join(aliases, aliases.c.actor_id == actors.c.id)
                                   .where(aliases.c.key == key)).all()
            row = holders[0] if len({h.id for h in holders}) == 1 else None
        return row
