"""Editors' corrections to the index: merge an actor into another, move the mentions written with one
spelling to another (or a new) actor, rename, set the kind or description, add an alias, mark a name
that is no actor. Each edit is applied at once in one transaction, recorded in `actor_edits` with
who, when, before and after (bot.store.curation), and bumps the store's generation so every bot
instance on the database reloads its lookup caches. Actors are named by key, so the active edits are
applied again at the end of every index run (`reapply_edits`): an actor the corpus brings back, or
mentions new articles add, get the same correction. An edit can be undone while no later edit
touches the same actors.
"""
from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from bot.ingest.quote_merge import mentions_by_story, quote_subjects
from bot.nlp.models import Kind
from bot.nlp.names import actor_key, short_form
from bot.store.actor_stats import recount_actors
from bot.store.curation import Edit, active_edits, edit_by_id, edits_of, keep_before, mark_undone, record_edit
from bot.store.db import IndexRunBusy, Store, chunks, one_of
from bot.store.merges import merge_actors
from bot.store.schema import (
    AliasOrigin, EditAction, actors, aliases, articles, mentions, quote_occurrences, quotes,
)

MAX_NAME = 200
MAX_DESCRIPTION = 600
HISTORY_EDITS = 20  # edits an actor's history lists
ACTOR_FIELDS = ("key", "name", "kind", "description", "curated", "short_key")
MENTION_FIELDS = ("article_id", "start", "end", "surface", "sentence_start", "sentence_end", "kind", "cue")


class EditRefused(Exception):
    """An edit or undo that cannot be made; the message says why, for the editor."""


# --- the edits -------------------------------------------------------------------------------------

def merge(store: Store, editor: str, actor_id: int, target_id: int) -> Edit:
    """The actor is the target ("same as"): its mentions, quotes and spellings become the target's."""
    return _make(store, editor, EditAction.MERGE, actor_id, {}, target_id=target_id)


def move(store: Store, editor: str, actor_id: int, spelling: str, *, target_id: int | None = None,
         new_name: str | None = None) -> Edit:
    """The mentions written `spelling` (and that alias) belong to the actor `target_id`, or to a new actor."""
    spelling = _text(spelling, "spelling", MAX_NAME)
    detail = {"spelling": spelling}
    if target_id is None:
        detail["new_name"] = _text(new_name or "", "new actor's name", MAX_NAME)
    return _make(store, editor, EditAction.MOVE, actor_id, detail, target_id=target_id)


def rename(store: Store, editor: str, actor_id: int, name: str) -> Edit:
    return _make(store, editor, EditAction.RENAME, actor_id, {"name": _text(name, "name", MAX_NAME)})


def set_kind(store: Store, editor: str, actor_id: int, kind: str) -> Edit:
    try:
        kind = Kind(kind.strip().lower())
    except ValueError:
        raise EditRefused(f"“{kind}” is not a kind: use {', '.join(Kind)}") from None
    return _make(store, editor, EditAction.KIND, actor_id, {"kind": str(kind)})


def describe(store: Store, editor: str, actor_id: int, description: str) -> Edit:
    return _make(store, editor, EditAction.DESCRIBE, actor_id,
                 {"description": _text(description, "description", MAX_DESCRIPTION)})


def add_alias(store: Store, editor: str, actor_id: int, alias: str) -> Edit:
    return _make(store, editor, EditAction.ALIAS, actor_id, {"alias": _text(alias, "alias", MAX_NAME)})


def not_actor(store: Store, editor: str, actor_id: int) -> Edit:
    """A name the corpus took for an actor that is none: it leaves the index, mentions and all."""
    return _make(store, editor, EditAction.NOT_ACTOR, actor_id, {})


def history(store: Store, actor_id: int) -> list[Edit]:
    """The latest HISTORY_EDITS edits of an actor, newest first, undone ones too."""
    with store.connect() as conn:
        key = conn.execute(select(actors.c.key).where(actors.c.id == actor_id)).scalar()
        return edits_of(conn, [key], limit=HISTORY_EDITS) if key else []


def actor_id_of(store: Store, key: str) -> int | None:
    """The id the actor of this key has now (ids change when an actor is made again)."""
    with store.connect() as conn:
        return conn.execute(select(actors.c.id).where(actors.c.key == key)).scalar()


@contextmanager
def _writing(store: Store) -> Iterator[Connection]:
    """A transaction that no index run writes beside: a run remembers the actor ids it met across files, so
    an edit waits for none (refused while one writes: runs without new files take a moment)."""
    try:
        with store.index_run(wait=False), store.begin() as conn:
            yield conn
    except IndexRunBusy:
        raise EditRefused("An index run is writing to the index right now: try again in a minute.") from None


def undo(store: Store, editor: str, edit_id: int) -> Edit:
    """Put back what an edit changed; refused while a later edit touches the same actors."""
    with _writing(store) as conn:
        edit = edit_by_id(conn, edit_id)
        if edit is None:
            raise EditRefused(f"There is no edit #{edit_id}.")
        if edit.undone_at is not None:
            raise EditRefused(f"Edit #{edit_id} was already undone by {edit.undone_by}.")
        later = [e for e in edits_of(conn, sorted(edit.keys), limit=1000) if e.id > edit.id and e.undone_at is None]
        if later:
            raise EditRefused(f"Undo edit #{later[0].id} first: it changed the same actor after #{edit_id}.")
        _UNDO[edit.action](conn, edit)
        mark_undone(conn, edit.id, editor)
        reapply_edits(conn, edit.keys)  # recounts elect kinds again: the other edits of these actors hold
        store.bump_generation(conn, indexed=False)
        return edit_by_id(conn, edit_id)


def reapply_edits(conn: Connection, keys: Collection[str] | None = None) -> int:
    """Apply every active edit (of the actors of `keys`, when given) again, oldest first, after an index
    run: an actor merged away or marked no actor that new articles brought back, mentions of a moved
    spelling they added, a kind or a description the run recomputed. Returns how many changed something."""
    changed = 0
    for edit in active_edits(conn, sorted(keys) if keys is not None else None):
        actor = _by_key(conn, edit.actor_key)
        target = _by_key(conn, edit.target_key) if edit.target_key else None
        applied = _APPLY[edit.action](conn, actor, target, edit.detail, edit.before)
        if applied is not None:
            changed += 1
            if applied[0] != edit.before:
                keep_before(conn, edit.id, applied[0])
    return changed


# --- applying -------------------------------------------------------------------------------------

def _make(store: Store, editor: str, action: EditAction, actor_id: int, detail: dict, *,
          target_id: int | None = None) -> Edit:
    with _writing(store) as conn:
        actor = _by_id(conn, actor_id)
        target = _by_id(conn, target_id) if target_id is not None else None
        if action == EditAction.MERGE and target.id == actor.id:
            raise EditRefused(f"{actor.name} is already itself: pick another actor to merge it with.")
        if action == EditAction.MOVE and target is None:
            target = _by_key(conn, actor_key(detail["new_name"]))
        if target is not None and target.id == actor.id:
            raise EditRefused(f"The mentions are already {actor.name}'s.")
        applied = _APPLY[action](conn, actor, target, detail, {})
        if applied is None:
            raise EditRefused(_NOTHING.get(action, "That changes nothing.").format(actor=actor.name, **detail))
        before, after = applied[0], {**applied[1], "of": actor.name}
        target_key = target.key if target is not None else (
            actor_key(detail["new_name"]) if action == EditAction.MOVE else None)
        edit_id = record_edit(conn, actor_key=actor.key, action=action, target_key=target_key, detail=detail,
                              before=before, after=after, editor=editor)
        reapply_edits(conn, {actor.key, *([target_key] if target_key else [])})  # recounts elect kinds again:
        # the earlier edits of these actors hold
        store.bump_generation(conn, indexed=False)
        return edit_by_id(conn, edit_id)


_NOTHING = {
    EditAction.MOVE: "No mention of {actor} is written “{spelling}”.",
    EditAction.ALIAS: "{actor} already goes by “{alias}”.",
}


def _apply_merge(conn: Connection, actor, target, detail: dict, before: dict):
    if actor is None or target is None or actor.id == target.id:
        return None
    moved = _ids(conn, select(mentions.c.id).where(mentions.c.actor_id == actor.id))
    spoken = _ids(conn, select(quotes.c.id).where(quotes.c.speaker_actor_id == actor.id))
    held = set(_alias_keys(conn, target.id))
    spellings = before.get("aliases") or _alias_rows(conn, actor.id)
    merge_actors(conn, {actor.id: target.id})
    recount_actors(conn, {target.id})
    added = set(_alias_keys(conn, target.id)) - held
    return ({"actor": before.get("actor") or _actor_dict(actor), "aliases": spellings,
             "mentions": _joined(before.get("mentions"), moved), "quotes": _joined(before.get("quotes"), spoken),
             "added_keys": sorted(set(before.get("added_keys", [])) | added)},
            {"into": target.name, "mentions": len(moved)})


def _undo_merge(conn: Connection, edit: Edit) -> None:
    target = _by_key(conn, edit.target_key)
    actor_id = _restore_actor(conn, edit.before["actor"])
    if target is not None:
        _move_ids(conn, edit.before["mentions"], edit.before["quotes"], target.id, actor_id)
        if edit.before["added_keys"]:
            conn.execute(delete(aliases).where(and_(aliases.c.actor_id == target.id,
                                                    one_of(conn, aliases.c.key, edit.before["added_keys"]))))
    _insert_aliases(conn, actor_id, edit.before["aliases"])
    recount_actors(conn, {actor_id, *([target.id] if target else [])})


def _apply_move(conn: Connection, actor, target, detail: dict, before: dict):
    if actor is None:
        return None
    key = actor_key(detail["spelling"])
    moved = [row.id for row in conn.execute(select(mentions.c.id, mentions.c.surface)
                                            .where(mentions.c.actor_id == actor.id)) if actor_key(row.surface) == key]
    spoken = [row.id for row in conn.execute(select(quotes.c.id, quotes.c.speaker)
                                             .where(quotes.c.speaker_actor_id == actor.id))
              if row.speaker and actor_key(row.speaker) == key]
    alias = conn.execute(select(aliases.c.alias, aliases.c.origin).where(
        aliases.c.actor_id == actor.id, aliases.c.key == key)).first()
    if not moved and not spoken and alias is None:
        return None
    created = before.get("created", False)
    if target is None:
        name = detail["new_name"]
        target_id = conn.execute(insert(actors).values(
            key=actor_key(name), name=name, kind=actor.kind, curated=False, mention_count=0, article_count=0,
            short_key=short_form(actor_key(name), actor.kind))).inserted_primary_key[0]
        target, created = _by_id(conn, target_id), True
    _move_ids(conn, moved, spoken, actor.id, target.id)
    if alias is not None:
        conn.execute(delete(aliases).where(aliases.c.actor_id == actor.id, aliases.c.key == key))
    if key != target.key and key not in _alias_keys(conn, target.id):
        conn.execute(insert(aliases).values(actor_id=target.id, alias=detail["spelling"], key=key,
                                            origin=AliasOrigin.CORPUS))
    recount_actors(conn, {actor.id, target.id})
    return ({"actor": before.get("actor") or _actor_dict(actor), "created": created,
             "alias": before.get("alias") or (dict(alias._mapping) if alias is not None else None),
             "mentions": _joined(before.get("mentions"), moved), "quotes": _joined(before.get("quotes"), spoken)},
            {"to": target.name, "mentions": len(moved)})


def _undo_move(conn: Connection, edit: Edit) -> None:
    actor_id = _restore_actor(conn, edit.before["actor"])
    target = _by_key(conn, edit.target_key)
    key = actor_key(edit.detail["spelling"])
    if target is not None:
        _move_ids(conn, edit.before["mentions"], edit.before["quotes"], target.id, actor_id)
        conn.execute(delete(aliases).where(aliases.c.actor_id == target.id, aliases.c.key == key))
    if edit.before.get("alias"):
        _insert_aliases(conn, actor_id, [{**edit.before["alias"], "key": key}])
    recount_actors(conn, {actor_id, *([target.id] if target else [])})
    if target is not None and edit.before.get("created"):
        still = conn.execute(select(mentions.c.id).where(mentions.c.actor_id == target.id).limit(1)).first()
        if still is None:
            conn.execute(delete(actors).where(actors.c.id == target.id))


def _apply_rename(conn: Connection, actor, target, detail: dict, before: dict):
    if actor is None:
        return None
    old = before.get("name", actor.name)
    added = before.get("alias_added")
    if added is None:
        added = actor_key(old) not in _alias_keys(conn, actor.id)  # (lookup finds an actor by name and aliases)
    if added and actor_key(old) not in _alias_keys(conn, actor.id):  # the old name still finds it
        conn.execute(insert(aliases).values(actor_id=actor.id, alias=old, key=actor_key(old), origin=AliasOrigin.CONFIG))
    conn.execute(update(actors).where(actors.c.id == actor.id).values(name=detail["name"]))
    return {"name": old, "alias_added": added}, {"name": detail["name"]}


def _undo_rename(conn: Connection, edit: Edit) -> None:
    actor = _by_key(conn, edit.actor_key)
    if actor is None:
        return
    conn.execute(update(actors).where(actors.c.id == actor.id).values(name=edit.before["name"]))
    if edit.before.get("alias_added"):
        conn.execute(delete(aliases).where(aliases.c.actor_id == actor.id,
                                           aliases.c.key == actor_key(edit.before["name"])))


def _setter(column: str):
    """Apply and undo of an edit that sets one column of the actor (kind, description)."""
    def apply(conn: Connection, actor, target, detail: dict, before: dict):
        if actor is None:
            return None
        values = {column: detail[column]}
        if column == "kind":
            values["short_key"] = short_form(actor.key, detail[column])
        conn.execute(update(actors).where(actors.c.id == actor.id).values(**values))
        return before or {column: getattr(actor, column)}, {column: detail[column]}

    def undo(conn: Connection, edit: Edit) -> None:
        actor = _by_key(conn, edit.actor_key)
        if actor is not None:
            values = {column: edit.before[column]}
            if column == "kind":
                values["short_key"] = short_form(actor.key, edit.before[column])
            conn.execute(update(actors).where(actors.c.id == actor.id).values(**values))
    return apply, undo


def _apply_alias(conn: Connection, actor, target, detail: dict, before: dict):
    if actor is None:
        return None
    key = actor_key(detail["alias"])
    present = key == actor.key or key in _alias_keys(conn, actor.id)
    if present and not before:
        return None
    if not present:
        conn.execute(insert(aliases).values(actor_id=actor.id, alias=detail["alias"], key=key,
                                            origin=AliasOrigin.CONFIG))
    return before or {"present": False}, {"alias": detail["alias"]}


def _undo_alias(conn: Connection, edit: Edit) -> None:
    actor = _by_key(conn, edit.actor_key)
    if actor is not None:
        conn.execute(delete(aliases).where(aliases.c.actor_id == actor.id,
                                           aliases.c.key == actor_key(edit.detail["alias"])))


def _apply_not_actor(conn: Connection, actor, target, detail: dict, before: dict):
    if actor is None:
        return None
    rows = [dict(row._mapping) for row in conn.execute(
        select(*(mentions.c[name] for name in MENTION_FIELDS)).where(mentions.c.actor_id == actor.id))]
    spoken = _ids(conn, select(quotes.c.id).where(quotes.c.speaker_actor_id == actor.id))
    spellings = before.get("aliases") or _alias_rows(conn, actor.id)
    conn.execute(update(quotes).where(quotes.c.speaker_actor_id == actor.id).values(speaker_actor_id=None))
    conn.execute(delete(actors).where(actors.c.id == actor.id))  # its mentions and aliases with it
    _refresh_subjects(conn, {row["article_id"] for row in rows})
    return ({"actor": before.get("actor") or _actor_dict(actor), "aliases": spellings,
             "mentions": list({(r["article_id"], r["start"], r["end"]): r for r in [*before.get("mentions", []), *rows]}
                          .values()),
             "quotes": _joined(before.get("quotes"), spoken)},
            {"mentions": len(rows)})


def _undo_not_actor(conn: Connection, edit: Edit) -> None:
    actor_id = _restore_actor(conn, edit.before["actor"])
    rows = edit.before["mentions"]
    kept = set()
    for chunk in chunks(sorted({row["article_id"] for row in rows})):
        kept.update(conn.execute(select(articles.c.id).where(one_of(conn, articles.c.id, chunk))).scalars())
    restored = [{**row, "actor_id": actor_id} for row in rows if row["article_id"] in kept]
    if restored:
        conn.execute(insert(mentions), restored)
        _refresh_subjects(conn, kept)
    for chunk in chunks(edit.before["quotes"]):
        conn.execute(update(quotes).where(one_of(conn, quotes.c.id, chunk), quotes.c.speaker_actor_id.is_(None))
                     .values(speaker_actor_id=actor_id))
    _insert_aliases(conn, actor_id, edit.before["aliases"])
    recount_actors(conn, {actor_id})


_apply_kind, _undo_kind = _setter("kind")
_apply_description, _undo_description = _setter("description")

_APPLY = {EditAction.MERGE: _apply_merge, EditAction.MOVE: _apply_move, EditAction.RENAME: _apply_rename,
          EditAction.KIND: _apply_kind, EditAction.DESCRIBE: _apply_description, EditAction.ALIAS: _apply_alias,
          EditAction.NOT_ACTOR: _apply_not_actor}
_UNDO = {EditAction.MERGE: _undo_merge, EditAction.MOVE: _undo_move, EditAction.RENAME: _undo_rename,
         EditAction.KIND: _undo_kind, EditAction.DESCRIBE: _undo_description, EditAction.ALIAS: _undo_alias,
         EditAction.NOT_ACTOR: _undo_not_actor}


# --- rows -------------------------------------------------------------------------------------------

def _text(value: str, what: str, limit: int) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise EditRefused(f"Give the {what}.")
    if len(value) > limit:
        raise EditRefused(f"The {what} is longer than {limit} characters.")
    return value


def _by_id(conn: Connection, actor_id: int):
    row = conn.execute(select(actors).where(actors.c.id == actor_id)).first()
    if row is None:
        raise EditRefused("That actor is no longer in the index (merged or removed since): look it up again.")
    return row


def _by_key(conn: Connection, key: str | None):
    return conn.execute(select(actors).where(actors.c.key == key)).first() if key else None


def _ids(conn: Connection, query) -> list[int]:
    return list(conn.execute(query).scalars())


def _joined(kept: list[int] | None, more: list[int]) -> list[int]:
    """Ids an edit moved before and now (a full re-index may hand out the same ids again)."""
    return sorted({*(kept or []), *more})


def _alias_keys(conn: Connection, actor_id: int) -> list[str]:
    return _ids(conn, select(aliases.c.key).where(aliases.c.actor_id == actor_id))


def _alias_rows(conn: Connection, actor_id: int) -> list[dict]:
    return [dict(row._mapping) for row in conn.execute(
        select(aliases.c.alias, aliases.c.key, aliases.c.origin).where(aliases.c.actor_id == actor_id))]


def _actor_dict(actor) -> dict:
    return {name: getattr(actor, name) for name in ACTOR_FIELDS}


def _restore_actor(conn: Connection, row: dict) -> int:
    """The actor of this key: the one the index holds, else made again from what an edit kept of it."""
    held = _by_key(conn, row["key"])
    if held is not None:
        return held.id
    return conn.execute(insert(actors).values(**row, mention_count=0, article_count=0)).inserted_primary_key[0]


def _move_ids(conn: Connection, mention_ids: Collection[int], quote_ids: Collection[int], source: int,
              target: int) -> None:
    """These mentions and quotes of `source` become `target`'s."""
    for chunk in chunks(sorted(mention_ids)):
        conn.execute(update(mentions).where(one_of(conn, mentions.c.id, chunk), mentions.c.actor_id == source)
                     .values(actor_id=target))
    for chunk in chunks(sorted(quote_ids)):
        conn.execute(update(quotes).where(one_of(conn, quotes.c.id, chunk), quotes.c.speaker_actor_id == source)
                     .values(speaker_actor_id=target))
    articles_of = set()
    for chunk in chunks(sorted(mention_ids)):
        articles_of.update(conn.execute(select(mentions.c.article_id).where(one_of(conn, mentions.c.id, chunk))).scalars())
    _refresh_subjects(conn, articles_of)


def _refresh_subjects(conn: Connection, article_ids: Collection[str]) -> None:
    """The actors named near each quote occurrence of these articles (quote_occurrences.subjects), read again
    from their mentions: quotes "about" an actor follow its mentions."""
    for chunk in chunks(sorted(article_ids)):
        named = mentions_by_story(conn.execute(
            select(mentions.c.article_id, mentions.c.actor_id, mentions.c.start, mentions.c.end)
            .where(one_of(conn, mentions.c.article_id, chunk))))
        changed = [{"occurrence": row.id, "subjects": subjects} for row in conn.execute(
            select(quote_occurrences.c.id, quote_occurrences.c.article_id, quote_occurrences.c.start,
                   quote_occurrences.c.end, quote_occurrences.c.subjects)
            .where(one_of(conn, quote_occurrences.c.article_id, chunk)))
            if (subjects := quote_subjects(named.get(row.article_id, ()), row.start, row.end)) != row.subjects]
        if changed:
            conn.execute(update(quote_occurrences).where(quote_occurrences.c.id == bindparam("occurrence"))
                         .values(subjects=bindparam("subjects")), changed)


def _insert_aliases(conn: Connection, actor_id: int, rows: list[dict]) -> None:
    held = set(_alias_keys(conn, actor_id))
    fresh = [{"actor_id": actor_id, "alias": row["alias"], "key": row["key"], "origin": row["origin"]}
             for row in rows if row["key"] not in held]
    if fresh:
        conn.execute(insert(aliases), fresh)
