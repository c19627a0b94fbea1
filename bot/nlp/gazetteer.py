"""The curated actor list (config/actors.yaml): loading, validation and alias matching.

`load_gazetteer(path)` reads and checks the file (every mistake is one line naming
the file, the actor and the key); `Gazetteer.match(tokens, i)` finds the longest
alias starting at a word, which is all extraction needs; `Gazetteer.find(text)`
lists every alias occurrence in a text.

A short alias (an acronym of up to five letters) or a one-word alias that is an ordinary
English word stands for many things outside the beat (PMA, Badr): it links only with
evidence in the article (`Gazetteer.evident`): another of the actor's names, words of
the beat, or a date inside the years the actor has been active (`active: 2014-`).
No alias links in an article dated before the actor existed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable
from pathlib import Path

from bot.config import ConfigError, check_keys, read_yaml
from bot.nlp.lexicon import ORG_HEADS
from bot.nlp.models import Kind
from bot.nlp.tokens import Tokens, token_key, tokenize
from bot.nlp.world import common_words, given_names, place_names

ACTOR_SPEC = {"name": str, "kind": str, "description": str, "aliases": list, "active": (str, int)}
# Aliases written in capitals up to this many letters match only in capitals (IS, US, UN, KH).
EXACT_CASE_MAX = 5
# A word of an alias up to this many letters, written in small letters (Xi), matches its capitals only in capitals.
SHORT_WORD_MAX = 3
# `active: 2014-` or `active: 1979-2020`: the years an actor has been active.
_ACTIVE = re.compile(r"^\s*(\d{4})\s*[-–]\s*(\d{4})?\s*$")
# Distinct words of the beat an article must hold for a short alias to link without another name or a date.
BEAT_EVIDENCE = 2


@dataclass(frozen=True)
class CuratedActor:
    name: str
    kind: Kind
    aliases: tuple[str, ...] = ()
    description: str | None = None
    active_from: int | None = None  # first and last year active (either may be open)
    active_until: int | None = None

    def existed(self, year: int | None) -> bool:
        """False only for an article dated before the actor existed."""
        return year is None or self.active_from is None or year >= self.active_from

    def active_in(self, year: int | None) -> bool:
        return year is not None and self.active_from is not None and year >= self.active_from and (
            self.active_until is None or year <= self.active_until)


@dataclass(frozen=True)
class Alias:
    """One name of a curated actor, as the matcher sees it."""

    actor: CuratedActor
    text: str
    keys: tuple[str, ...]
    capitals: tuple[bool, ...]  # which words must be capitalised in the text
    exact: tuple[str, ...] | None  # words that must appear exactly so (short all-caps aliases)
    surname: bool  # a lone word standing for a person (Khamenei): a given name before it means someone else

    @cached_property
    def contextual(self) -> bool:
        """An acronym or an ordinary word: links only with evidence in the article (see evident). Asked
        when text is matched, so loading the list (a configuration check) reads no word lists."""
        return needs_evidence(self.text, self.actor.name, self.actor.kind)


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
        # ... of which those an alias may start with in lower case (al-Qaeda, the Shah), to the second words
        # such an alias goes on with (None: any, an alias of one word): no other alias matches a word that
        # starts in lower case (`the`, `is`: most words of first_words_or_plurals in a text)
        self.lower_case_openings: dict[str, frozenset[str] | None] = {}
        for key, options in self._index.items():
            lower = [a for a in options if not a.capitals[0]]
            if any(len(a.keys) == 1 for a in lower):
                self.lower_case_openings[key] = None
                self.lower_case_openings.setdefault(key + "s", None)  # (a lost possessive)
            elif lower:
                self.lower_case_openings[key] = frozenset(
                    second for a in lower for second in (a.keys[1], a.keys[1] + "s"))
        # Exact lookup by all of an alias's keys, tried longest first from each word: a handful of
        # dict probes per word instead of comparing every alias that shares the first word.
        self._by_keys: dict[tuple[str, ...], list[Alias]] = {}
        for options in self._index.values():
            for alias in options:
                self._by_keys.setdefault(alias.keys, []).append(alias)
        self._lengths = {key: sorted({len(a.keys) for a in options}, reverse=True) for key, options in self._index.items()}

    @cached_property
    def beat_words(self) -> frozenset[str]:
        """The list's beat words (see _beat_words), built when an article first needs them."""
        return _beat_words(self.actors, [a for options in self._index.values() for a in options])

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
        """Short all-caps aliases match only as written; capitalised words must be capitalised; a short word
        the alias writes in small letters (Xi) matches its capitals (XI: his first XI, Louis XI) only in a
        text written in capitals (XI VISITS TARVO)."""
        words = toks.words
        for j in range(n):
            word = words[i + j]
            if alias.exact is not None and word != alias.exact[j] and not (
                    lost_possessive and j == n - 1 and word[:-1] == alias.exact[j]):
                return False
            if alias.capitals[j] and not word[0].isupper():
                return False
        if alias.exact is None and n == 1 and len(words[i]) <= SHORT_WORD_MAX and words[i].isupper():
            return any(0 <= m < len(words) and len(words[m]) > 1 and words[m].isupper() for m in (i - 1, i + 1))
        return True

    def evident(self, hit: AliasMatch, named: set[str], year: int | None, beat: Callable[[], set[str]]) -> bool:
        """Whether a match links in this article: never before the actor existed; a contextual alias
        only when the article also uses another of the actor's names (`named`: actors matched by a
        name that needs no evidence), is dated inside the actor's active years, or holds words of the
        beat (`beat()`: a few of the article's, asked for last)."""
        actor = hit.alias.actor
        if not actor.existed(year):
            return False
        if not hit.alias.contextual or actor.name in named or actor.active_in(year):
            return True
        return len(beat().difference(hit.alias.keys)) >= BEAT_EVIDENCE

    def beat_words_in(self, keys: list[str]) -> set[str]:
        """Distinct beat words of an article, up to one more than evidence needs (an alias's own word aside)."""
        found: set[str] = set()
        beat_words = self.beat_words
        for key in keys:
            if key in beat_words:
                found.add(key)
                if len(found) > BEAT_EVIDENCE:
                    break
        return found

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
    exact = tuple(words) if _acronym(text) else None
    # head words may be written in lower case (Quds force, Islamic State group)
    capitals = tuple(w[0].isupper() and not (j and k in ORG_HEADS) for j, (w, k) in enumerate(zip(words, keys)))
    surname = actor.kind == Kind.PERSON and len(keys) == 1 and token_key(actor.name) != keys[0]
    return Alias(actor, text, keys, capitals, exact, surname)


def _acronym(text: str) -> bool:
    letters = "".join(ch for ch in text if ch.isalpha())
    return letters.isupper() and len(letters) <= EXACT_CASE_MAX


def needs_evidence(alias: str, name: str, kind: str) -> bool:
    """An alias that stands for many things off the beat: an acronym of up to five letters (PMA, MBS), or
    an organisation's one word that is a frequent English word, no given name and no place's name (badr is
    a name, state a word). A place's short names (US, Britain) name that place, a person's surname has its
    own guard (Alias.surname), and the actor's own name is linked by its key whatever the evidence."""
    keys = tokenize(alias).keys
    if not keys or keys == tokenize(name).keys or kind == Kind.PLACE:
        return False
    if _acronym(alias):
        return True
    return kind != Kind.PERSON and len(keys) == 1 and keys[0] in common_words() and keys[0] not in given_names() \
        and (keys[0],) not in place_names()


def _beat_words(actors: list[CuratedActor], aliases: list[Alias]) -> frozenset[str]:
    """The words that tell an article is on the list's beat: the capitalised (or caseless: Arabic script)
    words of the curated names and descriptions (Hezbollah, Iraqi, Shia, Tehran) that are no frequent
    English word, unless a place's name (Iran). Ordinary words of the descriptions (militia, humanitarian)
    are any beat's."""
    words: set[str] = set()
    texts = [a.text for a in aliases if not a.contextual] + [a.description for a in actors if a.description]
    for toks in map(tokenize, texts):
        words.update(k for w, k in zip(toks.words, toks.keys) if not w[:1].islower() and len(k) > 2 and k.isalpha()
                     and (k not in common_words() or (k,) in place_names()))
    return frozenset(words)


def _active_years(path: Path, where: str, value) -> tuple[int | None, int | None]:
    """`2014-` (from 2014 on) or `1979-2020`."""
    if value is None:
        return None, None
    found = _ACTIVE.match(str(value)) if isinstance(value, str) else None
    if found is None or found.group(2) and int(found.group(2)) < int(found.group(1)):
        raise ConfigError(f"{path}: {where} key 'active' expected years like 2014- (from 2014 on) or 1979-2020, "
                          f"got {value!r}")
    return int(found.group(1)), int(found.group(2)) if found.group(2) else None


def load_gazetteer(path: Path | str) -> Gazetteer:
    """Read and validate config/actors.yaml."""
    path = Path(path)
    data = check_keys(path, "", read_yaml(path), {"actors": list, "not_actors": list}, required=("actors",))
    if not all(isinstance(name, str) and name.strip() for name in data.get("not_actors") or []):
        raise ConfigError(f"{path}: key 'not_actors' expected a list of names")
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
            exact = tuple(tokenize(text).words) if _acronym(text) else None
            claim = (keys, exact) if exact else keys
            if owner.get(claim, name) != name:
                raise ConfigError(f"{path}: {where} alias {text!r} already belongs to {owner[claim]!r}")
            owner[claim] = name
        if any(a.name == name for a in actors):
            raise ConfigError(f"{path}: {where} duplicate actor name {name!r}")
        description = (entry.get("description") or "").strip() or None
        actors.append(CuratedActor(name, kind, tuple(aliases), description, *_active_years(path, where, entry.get("active"))))
    return Gazetteer(actors)
