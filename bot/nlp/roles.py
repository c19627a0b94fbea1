"""Roles the text gives a person: `Supreme Leader Ali Khamenei`, `Iraq's prime minister Mustafa al-Kadhimi`,
`the Saudi oil minister, Hisham Tarzer`, `X, the foreign minister of Y`.

A role is an office (`oil minister`, `supreme leader`, `ayatollah`) and whose it is (`saudi`, `iraqi`: the
country's adjective however the text writes it, `Saudi`, `Saudi Arabia's`, `of Saudi Arabia`). The same reading
turns a typed query (`Iraq's prime minister`) into the key its holders are stored under, so the text and the
query meet. Titles that only say how a person is addressed (Mr, Sir, His Excellency) are no role; a role said
to be past (`former`, `late`) is not one the person held on the article's date.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from bot.corpus.vocabulary import CALENDAR, FORMS_OF_ADDRESS, PERSON_TITLES
from bot.nlp.lexicon import DEMONYMS
from bot.nlp.models import Mention
from bot.nlp.names import fold
from bot.nlp.world import common_words, country_names

_OFFICES = PERSON_TITLES - FORMS_OF_ADDRESS
# Words that end an office (minister, leader, ayatollah) and the words an office may hold (prime, oil, supreme).
_HEADS = frozenset(phrase[-1] for phrase in _OFFICES)
_OFFICE_WORDS = frozenset(word for phrase in _OFFICES for word in phrase) - {"and", "of", "in"}
# Two office words that run on as one office (prime minister, deputy prime): elsewhere a head ends an office.
_RUN_ON = frozenset(pair for phrase in PERSON_TITLES for pair in zip(phrase, phrase[1:]))
_PAST = frozenset({"former", "late", "ex", "then", "outgoing", "previous"})
_ARTICLES = frozenset({"the", "a", "an"})
_COMPASS = frozenset({"west", "east", "north", "south"})  # West German, South Korean: part of the adjective
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_POSSESSIVE = re.compile(r"['’]s?$")
_ADJECTIVE_ENDINGS = ("an", "ese", "ish", "i")  # how a country's adjective ends (Iraqi, Turkish, Peruvian)
MAX_WORDS = 8  # a role is a few words; a longer run of capitalised words is something else


@dataclass(frozen=True)
class Role:
    """An office and whose it is (a country's adjective, or the body after `of`; empty when unsaid)."""

    office: str
    of: str = ""

    def __str__(self) -> str:
        return f"{self.of} {self.office}".strip()


@dataclass(frozen=True)
class RoleMention:
    """A role the text attaches to the person a mention names (`mention_start`: the mention's offset)."""

    mention_start: int
    name: str
    written: str  # as the text has it
    role: Role


@dataclass(frozen=True)
class RoleQuery:
    """A typed query read as a role: `definite` when it names one office (an article, a possessive or a
    country, or an office more particular than a stock title: the Supreme Leader, Iraq's prime minister,
    Treasury Secretary), not a title many carry (Ayatollah, prime minister)."""

    role: Role
    definite: bool


@lru_cache(maxsize=1)
def _country_adjectives() -> dict[tuple[str, ...], str]:
    """Country name (folded words) -> its adjective among the demonyms: the one sharing the longest start with
    the name, at least the whole name or four letters (Iraq -> iraqi, Peru -> peruvian, Canada -> canadian),
    else the name itself; a name opened by a demonym is that one (Saudi Arabia -> saudi). The text's `Iraq's`
    and `Iraqi` make one key."""
    adjectives = [d for d in DEMONYMS if not d.endswith("s")]
    table = {}
    for name in country_names():
        if name[0] in DEMONYMS:
            table[name] = name[0]
            continue
        word = name[0] if len(name) == 1 else ""
        shared = {d: len(os.path.commonprefix([word, d])) for d in adjectives} if word else {}
        # (ties: an adjective's ending before another's, then the shorter: Turkey -> turkish, not turkmen)
        best = max(sorted(shared), key=lambda d: (shared[d], d.endswith(_ADJECTIVE_ENDINGS), -len(d)), default=None)
        table[name] = best if best and shared[best] >= min(4, len(word)) else " ".join(name)
    return table


def _country(words: list[str]) -> str | None:
    """The adjective of the country these words name (`Saudi Arabia`), or None."""
    return _country_adjectives().get(tuple(words))


class _Word:
    """A word of a text, at its offsets, with its key. Only the words a reading reaches are made (see
    _before): a role is looked for before every person's name, and most words of that window are never read."""

    __slots__ = ("text", "start", "end", "key")

    def __init__(self, text: str, start: int, end: int):
        self.text, self.start, self.end = text, start, end
        self.key = _word_key(text)


@lru_cache(maxsize=1 << 16)
def _word_key(text: str) -> str:
    """A word's key, folded once per distinct word: the same few words stand before most names."""
    return fold(_POSSESSIVE.sub("", text))


def _words(text: str, offset: int = 0) -> list[_Word]:
    return [_Word(m.group(), offset + m.start(), offset + m.end()) for m in _WORD.finditer(text)]


def _qualifier(word: _Word) -> bool:
    """A word an office may carry before its head: an office word, or a capitalised ordinary word (Finance)."""
    return word.key in _OFFICE_WORDS or (word.text[:1].isupper() and word.key in common_words()
                                         and word.key not in CALENDAR and word.key not in _ARTICLES)


def _read(words: list[_Word]) -> tuple[list[Role], bool] | None:
    """Words that are wholly a role phrase -> its roles (stacked titles: Supreme Leader Ayatollah) and whether
    it opened with an article or named a country; None when the words are something else."""
    definite = False
    if words and words[0].key in _ARTICLES:
        definite, words = True, words[1:]
    of, tail = "", words
    for cut in range(len(words) - 1, 0, -1):  # the foreign minister of Iran, secretary general of OPEC
        if words[cut].key == "of" and cut + 1 < len(words):
            body = [w.key for w in words[cut + 1:] if w.key != "the"]
            if body and all(w.text[:1].isupper() for w in words[cut + 1:] if w.key not in ("the", "and")):
                of, tail = _country(body) or " ".join(body), words[:cut]
            break
    words = tail
    if not words or any(w.key in _PAST for w in words):
        return None
    roles: list[Role] = []
    office: list[str] = []
    for position, word in enumerate(words):
        possessive = _POSSESSIVE.search(word.text) is not None and word.key not in _OFFICE_WORDS
        if not office and (possessive or word.key in DEMONYMS):
            country = None
            for size in (2, 1):  # Saudi Arabia's
                if possessive and position >= size - 1:
                    country = _country([w.key for w in words[position - size + 1:position + 1]])
                    if country:
                        break
            if possessive and not country:
                return None
            if country or not (of and position > 0 and words[position - 1].key in DEMONYMS):  # (Saudi Arabian)
                compass = position > 0 and words[position - 1].key in _COMPASS
                of = country or (f"{words[position - 1].key} {word.key}" if compass else word.key)
            definite = True
            continue
        if not office and position + 1 < len(words) and (_country([word.key, words[position + 1].key]) or (
                word.key in _COMPASS and words[position + 1].key in DEMONYMS)):
            continue  # Saudi [Arabia's], West [German]
        if not _qualifier(word):
            return None
        office.append(word.key)
        following = words[position + 1].key if position + 1 < len(words) else None
        if word.key in _HEADS and (following is None or (word.key, following) not in _RUN_ON):
            if tuple(office) not in FORMS_OF_ADDRESS:
                roles.append(Role(" ".join(office), of))
            office, of = [], ""
    if office or not roles:
        return None
    return roles, definite or bool(roles[0].of)


def read_query(text: str) -> RoleQuery | None:
    """`the Supreme Leader`, `Iraq's prime minister`, `oil minister of Saudi Arabia` -> the role asked for;
    None when the query is not a role phrase (a name). One office only."""
    read = _read(_words(text))
    if read is None or len(read[0]) != 1:
        return None
    role = read[0][0]
    return RoleQuery(role, read[1] or tuple(role.office.split()) not in PERSON_TITLES)


def described_roles(description: str | None) -> list[Role]:
    """The roles an actor's description states, a clause at a time (`Prime Minister of Iraq 2020-2022, former
    head of ...`: prime minister, iraqi; the former one is past)."""
    roles: list[Role] = []
    for clause in re.split(r"[,;(]| and | since | from | until | in ", description or ""):
        read = _read(_words(clause))
        roles += read[0] if read else []
    return roles


def _before(text: str, sentence_start: int, start: int) -> list[_Word]:
    """The role phrase written right before a name (`Iraq's prime minister`, `the Saudi oil minister, `)."""
    window = text[max(sentence_start, start - 120):start]
    offset = start - len(window)
    taken: list[_Word] = []
    gap_end = start
    for match in reversed(list(_WORD.finditer(window))):  # (a word is made only when read: most runs stop at once)
        word = _Word(match.group(), offset + match.start(), offset + match.end())
        gap = text[word.end:gap_end]
        if gap.strip() not in ("", ",") or (gap.strip() == "," and taken) or len(taken) >= MAX_WORDS:
            break
        if not (word.key in _OFFICE_WORDS or word.key in DEMONYMS or word.key in _ARTICLES or _qualifier(word)
                or _POSSESSIVE.search(word.text) or taken and (word.text[:1].isupper() or word.key == "of")):
            break
        taken.insert(0, word)
        gap_end = word.start
        if word.key in _ARTICLES:
            break
    while taken and not (taken[0].key in _ARTICLES or taken[0].key in _OFFICE_WORDS or taken[0].key in DEMONYMS
                         or _POSSESSIVE.search(taken[0].text)
                         or taken[0].key in _COMPASS and len(taken) > 1 and taken[1].key in DEMONYMS):
        taken = taken[1:]  # (a capitalised word run on before the role: a place, the name of a body)
    if taken and _said_past(text, sentence_start, taken[0].start):
        return []
    if taken and text[taken[-1].end:start].strip() == "," and not (
            taken[0].key in _ARTICLES or _POSSESSIVE.search(taken[0].text)):
        return []  # `Oil minister, Tarzer`: a list, not an appositive
    return taken


def _titles_in(text: str, mention: Mention) -> list[_Word]:
    """The office words a mention's own text opens with (a curated name is matched with its titles:
    `Ayatollah Ali Khamenei`)."""
    matches = list(_WORD.finditer(text[mention.start:mention.end]))
    count = 0
    while count < len(matches) - 1 and _word_key(matches[count].group()) in _OFFICE_WORDS:
        count += 1
    return [_Word(m.group(), mention.start + m.start(), mention.start + m.end()) for m in matches[:count]]


def _said_past(text: str, sentence_start: int, start: int) -> bool:
    """One of the two words before a role says it is past: [former U.S.] Secretary of State Henry Kissinger."""
    last_two = list(_WORD.finditer(text[max(sentence_start, start - 20):start]))[-2:]
    return any(_word_key(m.group()) in _PAST for m in last_two)


def _after(text: str, end: int, sentence_end: int) -> list[_Word]:
    """The role set after a name between commas: `Hisham Tarzer, the Saudi oil minister, said`."""
    rest = text[end:sentence_end]
    if not rest.lstrip().startswith(","):
        return []
    opening = end + rest.index(",") + 1
    stop = re.search(r"[,.;:()\"“”]|\s[a-z]+(?:ed|s)\b", text[opening:sentence_end])
    closing = opening + stop.start() if stop else sentence_end
    words = _words(text[opening:closing], opening)
    return words if 0 < len(words) <= MAX_WORDS + 4 else []


def role_mentions(text: str, mentions: list[Mention]) -> list[RoleMention]:
    """Every role the text attaches to a person it names: written before the name, as an appositive before or
    after it, or as the role extraction cut off the name (Minister of Energy [Ali Veli])."""
    found: list[RoleMention] = []
    for mention in mentions:
        if mention.kind != "person":
            continue
        name = mention.curated or mention.name
        before = _before(text, mention.sentence_start, mention.start)
        past = _said_past(text, mention.sentence_start, before[0].start if before else mention.start) or any(
            w.key in _PAST for w in before)
        phrases = [(text, before + _titles_in(text, mention)), (text, _after(text, mention.end, mention.sentence_end))]
        if mention.role and not past:
            phrases.append((mention.role, _words(mention.role)))
        seen: set[Role] = set()
        for source, words in phrases:
            read = _read(words) if words else None
            for role in read[0] if read else ():
                if role not in seen and not any(role.office == held.office and not role.of for held in seen):
                    seen.add(role)
                    found.append(RoleMention(mention.start, name, source[words[0].start:words[-1].end], role))
    return found
