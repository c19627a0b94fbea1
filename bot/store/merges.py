"""Two actors found to be one, or some of one actor's mentions found to be another's: the rows that
move, in a few statements for many actors. What is merged is decided by the corpus-level resolution
(bot.ingest.resolve); the figures of the actors involved are recounted by its caller
(actor_stats.recount_actors)."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from bot.store.db import chunks, one_of
from bot.store.schema import AliasOrigin, actors, aliases, mentions, quote_occurrences, quotes


def merge_actors(conn: Connection, merges: dict[int, int]) -> None:
    """Each source actor of `merges` is its target: its mentions and quotes move over, its name and
    spellings become the target's spellings, and it is deleted."""
    if not merges:
        return
    sources = sorted(merges)
    renamed: dict[str, dict[int, int]] = defaultdict(dict)  # article -> source -> target
    for chunk in chunks(sources):
        for article_id, actor_id in conn.execute(select(mentions.c.article_id, mentions.c.actor_id).where(
                one_of(conn, mentions.c.actor_id, chunk)).distinct()):
            renamed[article_id][actor_id] = merges[actor_id]
    pairs = [{"source": source, "target": target} for source, target in merges.items()]
    conn.execute(update(mentions).where(mentions.c.actor_id == bindparam("source"))
                 .values(actor_id=bindparam("target")), pairs)
    conn.execute(update(quotes).where(quotes.c.speaker_actor_id == bindparam("source"))
                 .values(speaker_actor_id=bindparam("target")), pairs)
    _rename_subjects(conn, renamed)
    _move_spellings(conn, merges)
    for chunk in chunks(sources):
        conn.execute(delete(actors).where(one_of(conn, actors.c.id, chunk)))


def move_mentions(conn: Connection, moves: list[tuple[int, int, str]]) -> None:
    """Each (source, target, article id): the source's mentions in that article become the target's,
    with the quotes it speaks there and the quote occurrences that have it among their subjects."""
    if not moves:
        return
    rows = [{"source": source, "target": target, "article": article} for source, target, article in moves]
    conn.execute(update(mentions).where(and_(mentions.c.actor_id == bindparam("source"),
                                             mentions.c.article_id == bindparam("article")))
                 .values(actor_id=bindparam("target")), rows)
    conn.execute(update(quotes).where(and_(quotes.c.speaker_actor_id == bindparam("source"),
                                           quotes.c.article_id == bindparam("article")))
                 .values(speaker_actor_id=bindparam("target")), rows)
    renamed: dict[str, dict[int, int]] = defaultdict(dict)
    for source, target, article in moves:
        renamed[article][source] = target
    _rename_subjects(conn, renamed)


def _rename_subjects(conn: Connection, renamed: dict[str, dict[int, int]]) -> None:
    """quote_occurrences.subjects (comma-separated actor ids) of these articles: each source becomes its target."""
    changed = []
    for chunk in chunks(sorted(renamed)):
        for occurrence_id, article_id, subjects in conn.execute(
                select(quote_occurrences.c.id, quote_occurrences.c.article_id, quote_occurrences.c.subjects).where(
                    and_(one_of(conn, quote_occurrences.c.article_id, chunk),
                         quote_occurrences.c.subjects.is_not(None)))):
            here = {str(source): str(target) for source, target in renamed[article_id].items()}
            ids = subjects.split(",")
            if not here.keys().isdisjoint(ids):
                changed.append({"occurrence": occurrence_id,
                                "subjects": ",".join(dict.fromkeys(here.get(i, i) for i in ids))})
    if changed:
        conn.execute(update(quote_occurrences).where(quote_occurrences.c.id == bindparam("occurrence"))
                     .values(subjects=bindparam("subjects")), changed)


def _move_spellings(conn: Connection, merges: dict[int, int]) -> None:
    """The sources' names and aliases become aliases of their targets (but for keys a target has)."""
    involved = sorted(set(merges) | set(merges.values()))
    names: dict[int, tuple[str, str]] = {}
    spellings: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for chunk in chunks(involved):
        names.update((row.id, (row.name, row.key)) for row in conn.execute(
            select(actors.c.id, actors.c.name, actors.c.key).where(one_of(conn, actors.c.id, chunk))))
        for row in conn.execute(select(aliases.c.actor_id, aliases.c.alias, aliases.c.key, aliases.c.origin)
                                .where(one_of(conn, aliases.c.actor_id, chunk)).order_by(aliases.c.id)):
            spellings[row.actor_id].append((row.alias, row.key, row.origin))
    held = {target: {names[target][1], *(key for _, key, _ in spellings[target])}
            for target in set(merges.values()) if target in names}
    rows = []
    for source, target in merges.items():
        if source not in names or target not in held:
            continue
        name, key = names[source]
        for alias, alias_key, origin in [(name, key, AliasOrigin.CORPUS), *spellings[source]]:
            if alias_key not in held[target]:
                held[target].add(alias_key)
                rows.append({"actor_id": target, "alias": alias, "key": alias_key, "origin": origin})
    for chunk in chunks(sorted(merges)):
        conn.execute(delete(aliases).where(one_of(conn, aliases.c.actor_id, chunk)))
    if rows:
        conn.execute(insert(aliases), rows)
