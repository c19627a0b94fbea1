"""The curated actor list (config/actors.yaml): loading, validation and alias matching.

`load_gazetteer(path)` reads and checks the file (every mistake is one line naming
the file, the actor and the key); `Gazetteer.match(tokens, i)` finds the longest
alias starting at a word, which is all extraction needs; `Gazetteer.find(text)`
lists every alias occurrence in a text.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.config import ConfigError, check_keys, read_yaml
from bot.nlp.lexicon import ORG_HEADS
from bot.nlp.models import Kind
from bot.nlp.tokens import Tokens, token_key, tokenize

ACTOR_SPEC = {"name": str, "kind": str, "description": str, "aliases": list}
# Aliases written in capitals up to this many letters match only in capitals (IS, US, UN, KH).
EXACT_CASE_MAX = 5


@dataclass(frozen=True)
class CuratedActor:
    name: str
    kind: Kind
    aliases: tuple[str, ...] = ()
    description: str | None = None


@dataclass(frozen=True)
class Alias:
    """One name of a curated actor, as the matcher sees it."""

    actor: CuratedActor
    text: str
    keys: tuple[str, ...]
    capitals: tuple[bool, ...]  # which words must be capitalised in the text
    exact: tuple[str, ...] | None  # words that must appear exactly so (short all-caps aliases)
    surname: bool  # a lone word standing for a person (Khamenei): a given name before it means someone else


@dataclass(frozen=True)
class AliasMatch:
    alias: Alias
    first: int  # word indexes, inclusive
    last: int
    start: int  # character offsets
    end: int


class Gazetteer:
    """Curated actors and an index of their aliases by first word."""

    def __init__(self, actors: list[CuratedActor]):
        self.actors = list(actors)
        self.by_name = {a.name: a for a in self.actors}
        self._index: dict[str, list[Alias]] = {}
        for actor in self.actors:
            for text in dict.fromkeys((actor.name, *actor.aliases)):
                alias = _alias(actor, text)
                if alias is not None:
                    self._index.setdefault(alias.keys[0], []).append(alias)
        for options in self._index.values():
            options.sort(key=lambda a: len(a.keys), reverse=True)
        self.first_words = frozenset(self._index)  # keys an alias can start with
        # ... and their plurals, where an alias is matched after a lost possessive (Khameneis)
        self.first_words_or_plurals = self.first_words | {key + "s" for key in self.first_words}
        # Exact lookup by all of an alias's keys, tried longest first from each word: a handful of
        # dict probes per word instead of comparing every alias that shares the first word.
        self._by_keys: dict[tuple[str, ...], list[Alias]] = {}
        for options in self._index.values():
            for alias in options:
                self._by_keys.setdefault(alias.keys, []).append(alias)
        self._lengths = {key: sorted({len(a.keys) for a in options}, reverse=True) for key, options in self._index.items()}

    def __len__(self) -> int:
        return len(self.actors)

    def aliases_of(self, key: str) -> list[Alias]:
        return self._index.get(key, [])

    def match(self, toks: Tokens, i: int) -> AliasMatch | None:
        """The longest alias starting at word i (its last word may carry a lost possessive s)."""
        keys, joins = toks.keys, toks.joins
        key = keys[i]
        lengths = self._lengths.get(key)
        lone_possessive = lengths is None
        if lone_possessive:
            if len(key) > 2 and key[-1] == "s" and not toks.possessive[i] and key[:-1] in self._lengths:
                lengths = [1]  # Khameneis: a one-word alias that lost its apostrophe
            else:
                return None
        count = len(toks)
        for n in lengths:
            last = i + n - 1
            if last >= count or n > 1 and not all(joins[i:last]):
                continue
            span = tuple(keys[i:last + 1])
            for alias in self._by_keys.get(span, ()):
                if self._case_agrees(alias, toks, i, n, lost_possessive=False):
                    return AliasMatch(alias, i, last, toks.starts[i], toks.ends[last])
            tail = keys[last]
            if (n > 1 or lone_possessive) and len(tail) > 2 and tail[-1] == "s" and toks.words[last][-1] == "s":
                for alias in self._by_keys.get(span[:-1] + (tail[:-1],), ()):
                    if self._case_agrees(alias, toks, i, n, lost_possessive=True):
                        return AliasMatch(alias, i, last, toks.starts[i], toks.ends[last])
        return None

    @staticmethod
    def _case_agrees(alias: Alias, toks: Tokens, i: int, n: int, *, lost_possessive: bool) -> bool:
        """Short all-caps aliases match only as written; capitalised words must be capitalised."""
        words = toks.words
        for j in range(n):
            word = words[i + j]
            if alias.exact is not None and word != alias.exact[j] and not (
                    lost_possessive and j == n - 1 and word[:-1] == alias.exact[j]):
                return False
            if alias.capitals[j] and not word[0].isupper():
                return False
        return True

    def find(self, text: str) -> list[AliasMatch]:
        """Every alias occurrence in `text`, longest first, not overlapping."""
        toks = tokenize(text)
        found, i = [], 0
        while i < len(toks):
            hit = self.match(toks, i)
            if hit:
                found.append(hit)
                i = hit.last + 1
            else:
                i += 1
        return found


def _alias(actor: CuratedActor, text: str) -> Alias | None:
    toks = tokenize(text)
    if not toks.words:
        return None
    words = toks.words
    keys = tuple(toks.keys)
    letters = "".join(ch for ch in text if ch.isalpha())
    exact = tuple(words) if letters.isupper() and len(letters) <= EXACT_CASE_MAX else None
    # head words may be written in lower case (Quds force, Islamic State group)
    capitals = tuple(w[0].isupper() and not (j and k in ORG_HEADS) for j, (w, k) in enumerate(zip(words, keys)))
    surname = actor.kind == Kind.PERSON and len(keys) == 1 and token_key(actor.name) != keys[0]
    return Alias(actor, text, keys, capitals, exact, surname)


def load_gazetteer(path: Path | str) -> Gazetteer:
    """Read and validate config/actors.yaml."""
    path = Path(path)
    data = check_keys(path, "", read_yaml(path), {"actors": list}, required=("actors",))
    actors: list[CuratedActor] = []
    owner: dict[tuple[str, ...], str] = {}
    for number, entry in enumerate(data["actors"], start=1):
        where = f"actor #{number}"
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            where = f"actor #{number} ({entry['name']})"
        entry = check_keys(path, where, entry, ACTOR_SPEC, required=("name", "kind"))
        name = entry["name"].strip()
        try:
            kind = Kind(entry["kind"].strip())
        except ValueError:
            raise ConfigError(f"{path}: {where} key 'kind' expected one of {', '.join(Kind)}, "
                              f"got {entry['kind'].strip()!r}") from None
        aliases = []
        for alias in entry.get("aliases") or []:
            if not isinstance(alias, str) or not alias.strip():
                raise ConfigError(f"{path}: {where} key 'aliases' has {alias!r}: every alias must be text "
                                  f"(put quotes around words YAML reads as yes/no or numbers)")
            aliases.append(alias.strip())
        for text in (name, *aliases):
            keys = tuple(tokenize(text).keys)
            if not keys:
                raise ConfigError(f"{path}: {where} name or alias {text!r} has no letters")
            exact = _alias(CuratedActor(name, kind), text).exact
            claim = (keys, exact) if exact else keys
            if owner.get(claim, name) != name:
                raise ConfigError(f"{path}: {where} alias {text!r} already belongs to {owner[claim]!r}")
            owner[claim] = name
        if any(a.name == name for a in actors):
            raise ConfigError(f"{path}: {where} duplicate actor name {name!r}")
        description = (entry.get("description") or "").strip() or None
        actors.append(CuratedActor(name, kind, tuple(aliases), description))
    return Gazetteer(actors)
