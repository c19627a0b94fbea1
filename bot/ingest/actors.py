"""The actors and spellings an index run stores: the curated list synced, ids looked up or created
by key (a few queries per file), and the spellings the corpus gives discovered actors."""
from __future__ import annotations

import hashlib
import json
from datetime import date
from functools import lru_cache

from sqlalchemy import and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from bot.ingest.pipeline import AnalysedArticle
from bot.nlp.gazetteer import Gazetteer
from bot.nlp.models import Kind
from bot.nlp.names import actor_key, short_form
from bot.store.bulk import insert_plain_rows
from bot.store.db import Store, chunks, one_of
from bot.store.schema import AliasOrigin, actors, aliases

CURATED_DIGEST_KEY = "curated_actors_digest"

_key = lru_cache(maxsize=1 << 17)(actor_key)  # names and spellings repeat across a corpus: fold each once


class RunActors:
    """The actor ids and stored spellings met in one index run, by key, and the spellings of the file
    being written. A file rolled back takes what it cached with it: see forget."""

    def __init__(self):
        self._ids: dict[str, int] = {}
        self._alias_pairs: set[tuple[int, str]] = set()  # (actor id, spelling key) stored
        self._alias_keys_read: set[str] = set()  # spelling keys whose stored pairs are all in _alias_pairs
        self._new_aliases: list[tuple] = []  # alias rows of the file being written
        self._roles: dict[int, tuple[date | None, str]] = {}  # discovered actor id -> its latest role in the file

    def forget(self) -> None:
        """A file's transaction rolled back: the ids and spellings cached in it are gone with it."""
        self._ids.clear()
        self._alias_pairs.clear()
        self._alias_keys_read.clear()
        self._new_aliases.clear()
        self._roles.clear()

    def sync_curated(self, store: Store, gazetteer: Gazetteer | None) -> bool:
        """Upsert the config/actors.yaml list: names, kinds, descriptions and aliases; True when it wrote.

        Skipped when the list (and the spelling keys its aliases fold to) is what the
        last run stored: an unchanged corpus and actor list cost no writes.
        """
        if gazetteer is None:
            return False
        digest = hashlib.sha256(json.dumps(
            [[e.name, e.kind, e.description, [[a, actor_key(a)] for a in [e.name, *e.aliases]]]
             for e in gazetteer.actors], ensure_ascii=False).encode("utf-8")).hexdigest()
        if store.get_meta(CURATED_DIGEST_KEY) == digest:
            return False
        with store.begin() as conn:
            store.set_meta(conn, CURATED_DIGEST_KEY, digest)
            spellings: dict[int, dict[str, str]] = {}  # actor id -> alias key -> alias; an actor's last entry wins
            for entry in gazetteer.actors:
                actor_id = self.actor_id(conn, entry.name, entry.kind, curated=True, description=entry.description)
                spellings[actor_id] = {}
                for alias in [entry.name, *entry.aliases]:
                    key = actor_key(alias)
                    if key:
                        spellings[actor_id].setdefault(key, alias)
            for chunk in chunks(sorted(spellings)):
                conn.execute(delete(aliases).where(and_(one_of(conn, aliases.c.actor_id, chunk),
                                                        aliases.c.origin == AliasOrigin.CONFIG)))
            rows = [(actor_id, alias, key, AliasOrigin.CONFIG) for actor_id, keyed in spellings.items()
                    for key, alias in keyed.items()]
            if rows:  # a spelling the corpus gave the actor is now the curated one
                conn.execute(delete(aliases).where(and_(aliases.c.actor_id == bindparam("a"),
                                                        aliases.c.key == bindparam("k"))),
                             [{"a": actor_id, "k": key} for actor_id, _, key, _ in rows])
                insert_plain_rows(conn, aliases, ("actor_id", "alias", "key", "origin"), rows)
        return True

    def actor_id(self, conn: Connection, name: str, kind: str, *, curated: bool = False,
                 description: str | None = None) -> int:
        """The id of the actor with this name's key, created when new."""
        key = _key(name)
        if key in self._ids and not curated:
            return self._ids[key]
        row = conn.execute(select(actors.c.id, actors.c.curated).where(actors.c.key == key)).first()
        if row is None:
            actor = conn.execute(insert(actors).values(key=key, name=name, kind=kind, description=description,
                                                       curated=curated, mention_count=0, article_count=0,
                                                       short_key=short_form(key, kind)))
            actor_id = actor.inserted_primary_key[0]
        else:
            actor_id = row.id
            if curated:
                conn.execute(update(actors).where(actors.c.id == actor_id).values(
                    name=name, kind=kind, description=description, curated=True, short_key=short_form(key, kind)))
        self._ids[key] = actor_id
        return actor_id

    def add_mention_rows(self, conn: Connection, story_id: str, item: AnalysedArticle, rows: list[tuple]) -> None:
        """Append a new story's mention rows to `rows`, remembering the spellings of discovered actors."""
        for mention in item.mentions:
            name = mention.curated or mention.name
            actor_id = self.actor_id(conn, name, mention.kind)
            rows.append((story_id, actor_id, mention.start, mention.end, mention.surface, mention.sentence_start,
                         mention.sentence_end, mention.kind, mention.cue))
            if not mention.curated:
                self._remember_alias(actor_id, name, mention.surface)
                if mention.role:
                    self._remember_role(actor_id, item.doc.date, mention.role)

    def _remember_role(self, actor_id: int, day: date | None, role: str) -> None:
        """The role an article gives a discovered actor (Minister of Energy): the latest dated one describes it."""
        held = self._roles.get(actor_id)
        if held is None or day is not None and (held[0] is None or day >= held[0]):
            self._roles[actor_id] = (day, role)

    def store_roles(self, conn: Connection) -> None:
        """A discovered actor's description becomes the role of its latest article (by date; an undated one
        only describes an actor no dated article has)."""
        dated = [{"a": a, "d": role, "on": day} for a, (day, role) in self._roles.items() if day is not None]
        undated = [{"a": a, "d": role} for a, (day, role) in self._roles.items() if day is None]
        discovered = and_(actors.c.id == bindparam("a"), actors.c.curated.is_(False))
        if dated:
            conn.execute(update(actors).where(discovered, or_(actors.c.described_on.is_(None),
                                                              actors.c.described_on <= bindparam("on")))
                         .values(description=bindparam("d"), described_on=bindparam("on")), dated)
        if undated:
            conn.execute(update(actors).where(discovered, actors.c.described_on.is_(None))
                         .values(description=bindparam("d")), undated)
        self._roles.clear()

    def _remember_alias(self, actor_id: int, name: str, surface: str) -> None:
        """A spelling of a discovered actor other than its name, stored with the file's other rows."""
        key = _key(surface)
        if key != _key(name) and (actor_id, key) not in self._alias_pairs:
            self._new_aliases.append((actor_id, surface, key, AliasOrigin.CORPUS))
            self._alias_pairs.add((actor_id, key))

    def store_new_aliases(self, conn: Connection) -> None:
        if self._new_aliases:
            insert_plain_rows(conn, aliases, ("actor_id", "alias", "key", "origin"), self._new_aliases)
            self._new_aliases = []

    def cache(self, conn: Connection, items: list[AnalysedArticle]) -> None:
        """Look up, or create in bulk, every actor a file's new stories name, and the spellings already
        stored for them: a few queries per file instead of several per mention."""
        wanted: dict[str, tuple[str, str]] = {}
        spellings: set[str] = set()
        for item in items:
            for mention in item.mentions:
                name = mention.curated or mention.name
                wanted.setdefault(_key(name), (name, mention.kind))
                spellings.add(_key(mention.surface))
            for quote in item.quotes:
                if quote.speaker_name:
                    wanted.setdefault(_key(quote.speaker_name), (quote.speaker_name, Kind.PERSON))
        missing = sorted(k for k in wanted if k not in self._ids)
        for chunk in chunks(missing):
            self._ids.update(conn.execute(select(actors.c.key, actors.c.id).where(
                one_of(conn, actors.c.key, chunk))).all())
        rows = [dict(key=k, name=wanted[k][0], kind=wanted[k][1], description=None, curated=False, mention_count=0,
                     article_count=0, short_key=short_form(k, wanted[k][1])) for k in missing if k not in self._ids]
        if rows:
            self._ids.update(conn.execute(insert(actors).returning(actors.c.key, actors.c.id), rows).all())
        for chunk in chunks(sorted(spellings - self._alias_keys_read)):
            self._alias_pairs.update(conn.execute(select(aliases.c.actor_id, aliases.c.key).where(
                one_of(conn, aliases.c.key, chunk))).all())
        self._alias_keys_read |= spellings  # their stored pairs are known now, and every pair added later
