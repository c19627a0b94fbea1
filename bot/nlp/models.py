"""Dataclasses produced by extraction."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What an actor is; stored, exported and shown as these words."""
    PERSON = "person"
    ORGANIZATION = "organization"
    PLACE = "place"
    OTHER = "other"


@dataclass(frozen=True)
class Mention:
    """One mention of an actor in an article's stored text.

    `name` is the actor this mention resolves to inside the article (a short form
    `Kadhimi` carries the full name introduced earlier); `curated` is the canonical
    name of a config/actors.yaml actor when the mention links to one. The sentence
    it is in is kept as offsets too (`text[sentence_start:sentence_end]`): stored as
    text it was half of the index.
    """

    start: int
    end: int
    surface: str
    name: str
    kind: Kind
    sentence_start: int
    sentence_end: int
    curated: str | None = None
    role: str | None = None  # the role written before the name (Minister of Energy): a description
    cue: int = 0  # how sure the article is of `kind`: 0 a guess, 1 a weak rule, 2 a head word or title, 3 curated


@dataclass(frozen=True)
class Quote:
    """One direct (or partial) quote with its attribution."""

    text: str  # without the quotation marks
    start: int  # offsets of the quoted text in the stored article text
    end: int
    speaker: str | None  # as written: a name, a description or a pronoun's antecedent
    speaker_name: str | None  # the actor the speaker resolves to (canonical name), if any
    anonymous: bool
    cue: str | None
    marked: bool  # True: between quotation marks; False: recovered from the attribution pattern
    partial: bool = False
