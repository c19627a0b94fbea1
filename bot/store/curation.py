"""The edits editors make to the index, kept in `actor_edits`: recorded, listed, marked undone. What an
edit does to actors, aliases and mentions is bot.ingest.curation's."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Connection

from bot.store.db import one_of
from bot.store.schema import EditAction, actor_edits


@dataclass(frozen=True)
class Edit:
    id: int
    actor_key: str
    action: EditAction
    target_key: str | None
    detail: dict
    before: dict
    after: dict
    editor: str
    edited_at: datetime
    undone_at: datetime | None = None
    undone_by: str | None = None

    @property
    def keys(self) -> set[str]:
        """The actors the edit touches."""
        return {self.actor_key, *([self.target_key] if self.target_key else [])}


def _edit(row) -> Edit:
    return Edit(row.id, row.actor_key, EditAction(row.action), row.target_key, row.detail or {}, row.before or {},
                row.after or {}, row.editor, row.edited_at, row.undone_at, row.undone_by)


def record_edit(conn: Connection, *, actor_key: str, action: EditAction, target_key: str | None, detail: dict,
                before: dict, after: dict, editor: str) -> int:
    """Store an edit just applied; its id."""
    return conn.execute(insert(actor_edits).values(
        actor_key=actor_key, action=action, target_key=target_key, detail=detail, before=before, after=after,
        editor=editor, edited_at=datetime.now(timezone.utc))).inserted_primary_key[0]


def edit_by_id(conn: Connection, edit_id: int) -> Edit | None:
    row = conn.execute(select(actor_edits).where(actor_edits.c.id == edit_id)).first()
    return _edit(row) if row is not None else None


def edits_of(conn: Connection, keys: list[str], *, limit: int = 50) -> list[Edit]:
    """The edits that touched any of these actors, newest first (undone ones too)."""
    if not keys:
        return []
    rows = conn.execute(select(actor_edits).where(or_(one_of(conn, actor_edits.c.actor_key, keys),
                                                      one_of(conn, actor_edits.c.target_key, keys)))
                        .order_by(actor_edits.c.id.desc()).limit(limit))
    return [_edit(row) for row in rows]


def active_edits(conn: Connection, keys: list[str] | None = None) -> list[Edit]:
    """Every edit not undone (of these actors, when `keys` are given), oldest first: the order they are
    applied again in."""
    query = select(actor_edits).where(actor_edits.c.undone_at.is_(None))
    if keys is not None:
        query = query.where(or_(one_of(conn, actor_edits.c.actor_key, keys), one_of(conn, actor_edits.c.target_key, keys)))
    rows = conn.execute(query.order_by(actor_edits.c.id))
    return [_edit(row) for row in rows]


def keep_before(conn: Connection, edit_id: int, before: dict) -> None:
    """What undoing an edit restores, grown when the edit was applied again after an index run."""
    conn.execute(update(actor_edits).where(actor_edits.c.id == edit_id).values(before=before))


def mark_undone(conn: Connection, edit_id: int, by: str) -> None:
    conn.execute(update(actor_edits).where(actor_edits.c.id == edit_id)
                 .values(undone_at=datetime.now(timezone.utc), undone_by=by))
