"""The lookup engine's alias index: what it holds in memory about every actor and alias, and how it is
written as plain data for a snapshot (bot.search.snapshots) and read back. Built by bot.search.lookup;
read by lookup and by profiles."""
from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from bot.nlp.models import Kind
from bot.nlp.names import LIGHT_WORDS, NameForm, name_forms, skeleton_token
from bot.store.schema import AliasOrigin, actors


class AliasEntry(NamedTuple):
    actor_id: int
    text: str  # as written
    origin: AliasOrigin
    how: str  # how an exact hit on it is described
    form: NameForm


class ActorEntry(NamedTuple):
    id: int
    name: str
    kind: Kind
    curated: bool
    description: str | None
    mentions: int
    articles: int
    first_seen: date | None = None
    last_seen: date | None = None


ACTOR_COLUMNS = (actors.c.id, actors.c.name, actors.c.kind, actors.c.curated, actors.c.description,
                 actors.c.mention_count, actors.c.article_count, actors.c.first_seen, actors.c.last_seen)


@dataclass
class AliasIndex:
    """Everything lookup needs in memory; immutable once built."""

    generation: int
    articles: int = 0  # stories in the index
    actors: dict[int, ActorEntry] = field(default_factory=dict)
    entries: list[AliasEntry] = field(default_factory=list)
    by_key: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_variant: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_skeleton: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # variant token -> entries
    weights: dict[str, float] = field(default_factory=dict)  # variant token -> identity weight
    neighbours: dict[str, list[str]] = field(default_factory=dict)  # deletion key -> tokens (most have one)
    skeletons_by_length: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    authored: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # author key -> article ids
    by_actor: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # actor id -> entries
    # actor id -> skeleton -> the transliterated words of its Arabic/Persian-script aliases
    script_words: dict[int, dict[str, set[str]]] = field(default_factory=dict)

    def comparable(self, number: int, query: NameForm) -> bool:
        """Whether a script query may be scored against this (Latin) alias. Vowel-less script makes
        Latin skeletons collide (حسن خميني and Ali Hosseini Khamenei share hsn-kmn), so when the actor's
        own script aliases spell a word of the query's skeleton differently (خميني is not خامنئي),
        only its script aliases speak for it."""
        entry = self.entries[number]
        if not query.script or entry.form.script:
            return True
        words = self.script_words.get(entry.actor_id)
        if not words:
            return True
        for word in query.variants:
            spelled = words.get(skeleton_token(word))
            if spelled and word not in spelled:
                return False
        return True

    def weight(self, token: str) -> float:
        if token in LIGHT_WORDS:
            return 0.3
        return self.weights.get(token, 1.0)

    _MAPS = ("by_key", "by_variant", "by_skeleton", "postings", "weights", "neighbours", "skeletons_by_length",
             "authored", "by_actor")

    def to_data(self) -> dict:
        """The index as plain data for a snapshot (bot.search.snapshots): columns of numbers and
        strings, each map as its keys and its values, so that loading it is a few C-level passes."""
        actors, entries = list(self.actors.values()), self.entries
        forms = [entry.form for entry in entries]
        data = {"generation": self.generation, "articles": self.articles,
                "actors": [[getattr(actor, name) for actor in actors] for name in ActorEntry._fields[:-2]]
                + [[actor.first_seen.toordinal() if actor.first_seen else 0 for actor in actors],
                   [actor.last_seen.toordinal() if actor.last_seen else 0 for actor in actors]],
                "entries": [[getattr(entry, name) for entry in entries] for name in AliasEntry._fields[:-1]],
                "forms": [[form.tokens for form in forms], [form.variants for form in forms],
                          [form.script for form in forms], [form.skeleton for form in forms]],
                "script_words": [[actor, list(words), [sorted(spelled) for spelled in words.values()]]
                                 for actor, words in self.script_words.items()]}
        for name in self._MAPS:
            mapping = getattr(self, name)
            data[name] = [list(mapping), list(mapping.values())]
        return data

    @classmethod
    def from_data(cls, data: dict) -> "AliasIndex":
        """The index `to_data` described."""
        *columns, first_seen, last_seen = data["actors"]
        # One string object for each name, kind, origin and `how`, shared as when built (so is the memory)
        for column in (1, 2):  # names, kinds
            columns[column] = map(sys.intern, columns[column])
        entries = data["entries"]
        for column in (1, 2, 3):  # texts (the actor's name, often), origins, hows
            entries[column] = map(sys.intern, entries[column])
        index = cls(generation=data["generation"], articles=data["articles"],
                    actors=dict(zip(columns[0], map(ActorEntry, *columns, _dates(first_seen), _dates(last_seen)))),
                    entries=list(map(AliasEntry, *entries, name_forms(*data["forms"]))),
                    script_words={actor: dict(zip(skeletons, map(set, spelled)))
                                  for actor, skeletons, spelled in data["script_words"]})
        for name in cls._MAPS:
            setattr(index, name, dict(zip(*data[name])))
        return index


def actor_entry(row) -> ActorEntry:
    """An actor as read with ACTOR_COLUMNS."""
    return ActorEntry(row.id, row.name, row.kind, bool(row.curated), row.description, row.mention_count or 0,
                      row.article_count or 0, row.first_seen, row.last_seen)


def _dates(ordinals: list[int]) -> list[date | None]:
    from_ordinal = date.fromordinal
    return [from_ordinal(day) if day else None for day in ordinals]
