"""The fixed query mix the latency figures are measured over, drawn from an index.

Lookups: exact names, spelling variants, typos, lower-case partial forms, Arabic
and Persian script forms (from config/actors.yaml), and names nobody in the
corpus has. Quotes: remembered fragments, fragments with a typo and words out of
order, quotes by a speaker, both, and words no quote has. Seeded, so the same
index always gives the same mix.
"""
from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select

from bench.corpus import spelling_variant, typo
from bot.store.db import Store
from bot.store.schema import actors, aliases, quotes

SEED = 7
# Share of each kind in the lookup and quote mixes.
LOOKUP_KINDS = {"exact": 0.30, "variant": 0.20, "typo": 0.20, "partial": 0.10, "script": 0.05, "absent": 0.15}
QUOTE_KINDS = {"fragment": 0.40, "fragment-typo": 0.25, "by": 0.15, "by+words": 0.10, "absent": 0.10}
_SYLLABLES = ("zor", "vel", "tan", "quim", "bex", "drun", "ly", "sko", "var", "nith", "ulm", "pe", "krat", "oss")


@dataclass
class QueryMix:
    lookups: list[tuple[str, str]] = field(default_factory=list)  # (kind, query)
    quotes: list[tuple[str, str, str | None]] = field(default_factory=list)  # (kind, words, by)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "QueryMix":
        return cls([tuple(q) for q in data["lookups"]], [tuple(q) for q in data["quotes"]])


def invented_name(rng: random.Random) -> str:
    """A plausible-looking name made of syllables no language here uses together."""
    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return f"{word()} {word()}"


def _counts(total: int, shares: dict[str, float]) -> dict[str, int]:
    return {kind: max(1, round(total * share)) for kind, share in shares.items()}


def lookup_queries(store: Store, curated: list[tuple[str, str, list[str]]], total: int,
                   rng: random.Random) -> list[tuple[str, str]]:
    """Names the index knows (most mentioned first, then the curated list) and their distortions."""
    with store.connect() as conn:
        names = conn.execute(select(actors.c.name).where(actors.c.mention_count > 0)
                             .order_by(actors.c.mention_count.desc(), actors.c.id).limit(2000)).scalars().all()
        spellings = conn.execute(select(aliases.c.alias).order_by(aliases.c.id).limit(5000)).scalars().all()
    names = list(dict.fromkeys([*names, *(name for name, _, _ in curated)]))
    spellings = [*spellings, *(alias for _, _, aliases_ in curated for alias in aliases_)]
    script_forms = sorted({s for s in spellings if not s.isascii()})
    if not names:
        return [("absent", invented_name(rng)) for _ in range(total)]
    latin = [s for s in [*names, *spellings] if s.isascii()] or names
    counts = _counts(total, LOOKUP_KINDS)
    if not script_forms:
        counts["exact"] += counts.pop("script")
    make = {
        "exact": lambda: rng.choice(names),
        "variant": lambda: spelling_variant(rng.choice(latin), rng),
        "typo": lambda: typo(rng.choice(latin), rng),
        "partial": lambda: rng.choice(rng.choice(latin).split()).lower(),
        "script": lambda: rng.choice(script_forms),
        "absent": lambda: invented_name(rng),
    }
    mix = [(kind, make[kind]()) for kind, count in counts.items() for _ in range(count)]
    rng.shuffle(mix)
    return mix[:total]


def _fragment(text: str, rng: random.Random) -> str:
    words = text.split()
    size = min(len(words), rng.randint(3, 6))
    start = rng.randrange(len(words) - size + 1)
    return " ".join(words[start:start + size])


def quote_queries(store: Store, total: int, rng: random.Random) -> list[tuple[str, str, str | None]]:
    with store.connect() as conn:
        count = conn.execute(select(func.count()).select_from(quotes)).scalar() or 0
        if not count:
            return [("absent", invented_name(rng).lower(), None) for _ in range(total)]
        step = max(1, count // 2000)
        rows = conn.execute(select(quotes.c.text, actors.c.name)
                            .outerjoin(actors, actors.c.id == quotes.c.speaker_actor_id)
                            .where(quotes.c.id % step == 0).order_by(quotes.c.id).limit(2000)).all()
    spoken = [row for row in rows if row.name] or [(rows[0].text, invented_name(rng))]
    speakers = [name for _, name in spoken]

    def fragment_typo() -> str:
        words = _fragment(rng.choice(rows).text, rng).split()
        i = rng.randrange(len(words))
        words[i] = typo(words[i], rng)
        if len(words) > 2:
            j = rng.randrange(len(words) - 1)
            words[j], words[j + 1] = words[j + 1], words[j]
        return " ".join(words)

    def by_and_words(row) -> tuple[str, str]:
        """Two words remembered from a quote, and who said it."""
        return " ".join(_fragment(row[0], rng).split()[:2]), row[1]

    make = {
        "fragment": lambda: (_fragment(rng.choice(rows).text, rng), None),
        "fragment-typo": lambda: (fragment_typo(), None),
        "by": lambda: ("", rng.choice(speakers)),
        "by+words": lambda: by_and_words(rng.choice(spoken)),
        "absent": lambda: (f"{invented_name(rng)} {invented_name(rng)}".lower(), None),
    }
    mix = [(kind, *make[kind]()) for kind, n in _counts(total, QUOTE_KINDS).items() for _ in range(n)]
    rng.shuffle(mix)
    return mix[:total]


def build_query_mix(store: Store, curated: list[tuple[str, str, list[str]]], *, lookups: int = 1000,
                    quote_searches: int = 500, seed: int = SEED) -> QueryMix:
    """`curated`: the config/actors.yaml actors as (name, kind, aliases)."""
    rng = random.Random(seed)
    return QueryMix(lookup_queries(store, curated, lookups, rng), quote_queries(store, quote_searches, rng))
