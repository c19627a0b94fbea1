"""What a button carries: the page it shows, or the choice it makes, when pressed.

A button's value is compact JSON with one-letter keys (`{"v":"profile","id":7,"ao":0}`), and buttons
already posted in Slack stay pressable for as long as the message lives, so this wire format never
changes: each class below encodes itself to exactly those bytes and decodes them back, clamping what
a forged value could push out of range (keys added later are written only when they differ from their
default, so an older value still reads). A value only chooses what to show or which name to follow,
never which channel changes: that is always the channel Slack says the button was pressed in.

Every value the bot posts is signed (`sign_buttons`: an HMAC of the JSON with the key kept in the
database, so every instance on it verifies the others' buttons). A value that makes a choice (follow,
edit) is read only when its signature holds (`verified`): one edited or made up outside the bot is refused
with a message, never followed. A value that only shows a page anyone could ask for (READ_ONLY) is read
unsigned too, so buttons posted before values were signed, and those of scheduled digests, stay pressable.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Callable, ClassVar, Literal

MAX_QUERY_IN_VIEW = 300  # keeps every button value far below 2000 characters


class Encoded:
    """Encoding shared by every button value: the wire dict as compact JSON."""

    kind: ClassVar[str]  # the `v` on the wire

    def wire(self) -> dict:
        raise NotImplementedError

    def encode(self) -> str:
        return json.dumps(self.wire(), ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class ProfilePage(Encoded):
    """An actor's profile, each section at its own page: articles from the `articles_offset`-th on, quotes
    by the actor from `by_offset`, quotes about it from `about_offset`, related actors from `related_offset`;
    through its filters (as query tokens, bot.search.filters; `f` on the wire only when there are any)."""

    actor_id: int
    articles_offset: int = 0
    by_offset: int = 0
    about_offset: int = 0
    related_offset: int = 0
    filters: str = ""
    kind: ClassVar[str] = "profile"

    def wire(self) -> dict:
        later = {"qb": self.by_offset, "qa": self.about_offset, "ro": self.related_offset}
        return {"v": self.kind, "id": self.actor_id, "ao": self.articles_offset,
                **{key: value for key, value in later.items() if value}, **filters_wire(self.filters)}

    @classmethod
    def from_wire(cls, wire: dict) -> ProfilePage:
        return cls(actor_id=int(wire["id"]), articles_offset=offset(wire, "ao"), by_offset=offset(wire, "qb"),
                   about_offset=offset(wire, "qa"), related_offset=offset(wire, "ro"), filters=filters_of(wire))

    @property
    def first(self) -> ProfilePage:
        """The profile as first shown: every section at its first page, through the same filters."""
        return ProfilePage(self.actor_id, filters=self.filters)


@dataclass(frozen=True)
class QuotesPage(Encoded):
    """A page of quote search results: `/quote words` or `/quote by speaker words` (each written cut to
    MAX_QUERY_IN_VIEW, whoever makes the page)."""

    words: str
    by: str | None = None
    offset: int = 0
    filters: str = ""  # as query tokens, like ProfilePage's
    kind: ClassVar[str] = "quotes"

    def wire(self) -> dict:
        by = self.by[:MAX_QUERY_IN_VIEW] if self.by else None
        return {"v": self.kind, "q": self.words[:MAX_QUERY_IN_VIEW], "by": by, "o": self.offset,
                **filters_wire(self.filters)}

    @classmethod
    def from_wire(cls, wire: dict) -> QuotesPage:
        return cls(words=wire.get("q") or "", by=wire.get("by") or None, offset=offset(wire, "o"),
                   filters=filters_of(wire))


@dataclass(frozen=True)
class ActorQuotesPage(Encoded):
    """A page of the quotes by (or about) one actor, from the "More quotes" buttons profiles once had, through
    the profile's filters: shown as the profile with that section at that page (`as_profile`)."""

    actor_id: int
    side: Literal["by", "about"]
    offset: int = 0
    filters: str = ""
    kind: ClassVar[str] = "actor_quotes"

    def wire(self) -> dict:
        return {"v": self.kind, "id": self.actor_id, "side": self.side, "o": self.offset, **filters_wire(self.filters)}

    @classmethod
    def from_wire(cls, wire: dict) -> ActorQuotesPage:
        return cls(actor_id=int(wire["id"]), side="by" if wire.get("side") == "by" else "about",
                   offset=offset(wire, "o"), filters=filters_of(wire))

    def as_profile(self) -> ProfilePage:
        if self.side == "by":
            return ProfilePage(self.actor_id, by_offset=self.offset, filters=self.filters)
        return ProfilePage(self.actor_id, about_offset=self.offset, filters=self.filters)


@dataclass(frozen=True)
class QuoteCardPage(Encoded):
    """One quote as a card ready to cite (`citation`: only its one-line attribution, shown privately)."""

    quote_id: int
    citation: bool = False
    kind: ClassVar[str] = "card"

    def wire(self) -> dict:
        return {"v": self.kind, "id": self.quote_id, **({"c": 1} if self.citation else {})}

    @classmethod
    def from_wire(cls, wire: dict) -> QuoteCardPage:
        return cls(quote_id=int(wire["id"]), citation=bool(wire.get("c")))


@dataclass(frozen=True)
class FollowChoice(Encoded):
    """A name offered by `/digest follow`, to follow in the channel the button is pressed in."""

    name: str
    kind: ClassVar[str] = "digest_follow"

    def wire(self) -> dict:
        return {"v": self.kind, "n": self.name}

    @classmethod
    def from_wire(cls, wire: dict) -> FollowChoice:
        return cls(name=str(wire.get("n") or "").strip())


@dataclass(frozen=True)
class ActorEdit(Encoded):
    """What an editor's button does to one actor; each kind below says what."""

    actor_id: int

    def wire(self) -> dict:
        return {"v": self.kind, "id": self.actor_id}

    @classmethod
    def from_wire(cls, wire: dict) -> ActorEdit:
        return cls(actor_id=int(wire["id"]))


@dataclass(frozen=True)
class EditHistory(ActorEdit):
    """An actor's edits, each with an Undo button (editors only)."""

    kind: ClassVar[str] = "edit_history"


@dataclass(frozen=True)
class EditForm(ActorEdit):
    """Open the edit form (a modal) of an actor (editors only)."""

    kind: ClassVar[str] = "edit_form"


@dataclass(frozen=True)
class NotActorChoice(ActorEdit):
    """Mark an actor "not an actor" (editors only)."""

    kind: ClassVar[str] = "not_actor"


@dataclass(frozen=True)
class UndoEdit(Encoded):
    """Undo one edit (editors only)."""

    edit_id: int
    kind: ClassVar[str] = "undo_edit"

    def wire(self) -> dict:
        return {"v": self.kind, "e": self.edit_id}

    @classmethod
    def from_wire(cls, wire: dict) -> UndoEdit:
        return cls(edit_id=int(wire["e"]))


EDITING = (EditForm, EditHistory, NotActorChoice, UndoEdit)  # the values only an editor may press
# Values that only show what /lookup or /quote would show anyone: read even unsigned (posted before values
# were signed, or in a scheduled digest). Every other kind is read only with its signature.
READ_ONLY = (ProfilePage, QuotesPage, ActorQuotesPage, QuoteCardPage)
ButtonValue = (ProfilePage | QuotesPage | ActorQuotesPage | QuoteCardPage | FollowChoice | EditForm | EditHistory
               | NotActorChoice | UndoEdit)
KINDS: dict[str, type[ButtonValue]] = {cls.kind: cls for cls in (ProfilePage, QuotesPage, ActorQuotesPage,
                                                                 QuoteCardPage, FollowChoice, *EDITING)}
SIGNATURE_CHARS = 32  # hex characters of the HMAC-SHA256 kept in front of a value (128 bits)


def filters_wire(filters: str) -> dict:
    return {"f": filters} if filters else {}


def filters_of(wire: dict) -> str:
    """A view's filters as sent (read by bot.search.filters when shown), cut to MAX_QUERY_IN_VIEW."""
    return str(wire.get("f") or "")[:MAX_QUERY_IN_VIEW]


def offset(wire: dict, key: str) -> int:
    """A page offset as sent: missing is 0, negative is clamped to 0."""
    return max(int(wire.get(key) or 0), 0)


def wire_of(value: str) -> dict:
    """The JSON object a button value holds (empty when unreadable)."""
    try:
        wire = json.loads(value)
    except (TypeError, ValueError):
        return {}
    return wire if isinstance(wire, dict) else {}


def kind_of(wire: dict) -> type[ButtonValue] | None:
    """Which kind of value a wire dict says it is, even when the rest of it does not read."""
    kind = wire.get("v")
    return KINDS.get(kind) if isinstance(kind, str) else None


def decode(value: str) -> ButtonValue | None:
    """What a pressed button carries; None when the value is none of ours. A value of a known kind
    whose fields do not read (a forged id, say) raises ValueError, TypeError or KeyError."""
    wire = wire_of(value)
    kind = kind_of(wire)
    return kind.from_wire(wire) if kind else None


def signature(value: str, key: bytes) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]


def sign(value: str, key: bytes) -> str:
    """`value` with its signature in front: `<signature>:<value>`."""
    return f"{signature(value, key)}:{value}"


def verified(signed: str, key: bytes) -> str | None:
    """The value a signed button carries, or None when it was not signed with `key` (edited, made up, or
    posted before values were signed)."""
    mark, colon, value = (signed or "").partition(":")
    if not colon or len(mark) != SIGNATURE_CHARS or not hmac.compare_digest(mark, signature(value, key)):
        return None
    return value


def sign_buttons(blocks: list[dict], key: Callable[[], bytes]) -> None:
    """Sign the value of every button of ours in a message's blocks (accessories and actions), in place;
    `key` is asked for only when there is a button to sign."""
    elements = [b["accessory"] for b in blocks if isinstance(b.get("accessory"), dict)]
    elements += [e for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])]
    for element in elements:
        if str(element.get("action_id", "")).startswith("newsbot.") and "value" in element:
            element["value"] = sign(element["value"], key())
