"""Quote search's term index: every stored quote's words, what a hit shows and each actor's quotes, in
memory, and how it is written as plain data for a snapshot (bot.search.snapshots) and read back. Built and
searched by bot.search.quotes."""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

from bot.search.results import ArticleRef, QuoteHit


@dataclass
class QuoteIndex:
    """Postings of folded words over quotes; position n is quote ids[n]."""

    generation: int
    ids: array = field(default_factory=lambda: array("q"))
    first_seen: array = field(default_factory=lambda: array("i"))  # date ordinals, 0 when unknown
    folded: list[str] = field(default_factory=list)  # each quote's folded text, for phrase ranking
    # What a hit shows, so a search reads nothing from the store: each quote's
    # (text, speaker, speaker actor's name, anonymous, cue, marked, partial, article id), and those articles'
    # (title, source, date, url).
    shown: list[tuple] = field(default_factory=list)
    articles: dict[str, tuple] = field(default_factory=dict)
    occurrences: dict[int, int] = field(default_factory=dict)  # quote id -> places it was published
    postings: dict[str, array] = field(default_factory=dict)
    speakers: array = field(default_factory=lambda: array("q"))  # each quote's speaker actor id, 0 when none
    by_actor: dict[int, array] = field(default_factory=dict)  # speaker actor id -> positions, newest first
    about: dict[int, array] = field(default_factory=dict)  # actor id -> others' quotes near it, newest first
    speaker_postings: dict[str, array] = field(default_factory=dict)  # folded speaker words (as written, actor)
    title_postings: dict[str, array] = field(default_factory=dict)  # folded words of each quote's article title
    by_initial: dict[str, list[str]] = field(default_factory=dict)  # vocabulary by first letter, for typos

    def df(self, term: str) -> int:
        hits = self.postings.get(term)
        return len(hits) if hits is not None else 0

    def newest_first(self, positions) -> list[int]:
        """Positions newest first, undated last, then the newest id first: the order quotes are listed in."""
        return sorted(positions, key=lambda p: (self.first_seen[p], self.ids[p]), reverse=True)

    def hit(self, position: int, score: float = 1.0) -> QuoteHit:
        """The quote at `position`, its first article and how often it was published."""
        text, speaker, actor_name, anonymous, cue, marked, partial, article_id = self.shown[position]
        title, source, day, url = self.articles[article_id]
        quote_id, first_seen = self.ids[position], self.first_seen[position]
        return QuoteHit(id=quote_id, text=text, speaker=speaker, speaker_actor=actor_name, anonymous=anonymous,
                        article=ArticleRef(id=article_id, title=title, source=source, date=day, url=url),
                        first_seen=date.fromordinal(first_seen) if first_seen else None,
                        occurrences=self.occurrences.get(quote_id, 1), score=score, cue=cue, marked=marked,
                        partial=partial)

    def to_data(self) -> dict:
        """The index as plain data for a snapshot (bot.search.snapshots): arrays as their bytes (the
        arrays of a map one after the other, with their lengths), the hits' columns with each speaker, name,
        cue and article id written once (a table and its numbers), each map as its keys and its values."""
        table: dict = {}
        shown = [list(column) for column in zip(*self.shown)] or [[] for _ in range(8)]
        for column in (1, 2, 4, 7):  # speaker, speaker actor's name, cue, article id
            shown[column] = [table.setdefault(value, len(table)) for value in shown[column]]
        articles = [list(column) for column in zip(*self.articles.values())] or [[] for _ in range(4)]
        articles[2] = [day.toordinal() if day else 0 for day in articles[2]]
        return {"generation": self.generation, "ids": self.ids.tobytes(), "first_seen": self.first_seen.tobytes(),
                "speakers": self.speakers.tobytes(), "folded": self.folded, "table": list(table), "shown": shown,
                "articles": [[table.setdefault(article, len(table)) for article in self.articles], *articles],
                "occurrences": [list(self.occurrences), list(self.occurrences.values())],
                "by_initial": [list(self.by_initial), list(self.by_initial.values())],
                **{name: [list(getattr(self, name)), [len(hits) for hits in getattr(self, name).values()],
                          b"".join(hits.tobytes() for hits in getattr(self, name).values())]
                   for name in _POSITION_MAPS}}

    @classmethod
    def from_data(cls, data: dict) -> "QuoteIndex":
        """The index `to_data` described."""
        look_up = data["table"].__getitem__
        shown = data["shown"]
        for column in (1, 2, 4, 7):
            shown[column] = map(look_up, shown[column])
        article_ids, titles, sources, days, urls = data["articles"]
        days = [date.fromordinal(day) if day else None for day in days]
        return cls(generation=data["generation"], ids=_array("q", data["ids"]),
                   first_seen=_array("i", data["first_seen"]), speakers=_array("q", data["speakers"]),
                   folded=data["folded"], shown=list(zip(*shown)),
                   articles=dict(zip(map(look_up, article_ids), zip(titles, sources, days, urls))),
                   occurrences=dict(zip(*data["occurrences"])), by_initial=dict(zip(*data["by_initial"])),
                   **{name: dict(zip(keys, _slices(_array("i", joined), lengths)))
                      for name in _POSITION_MAPS for keys, lengths, joined in [data[name]]})


_POSITION_MAPS = ("postings", "by_actor", "about", "speaker_postings", "title_postings")  # QuoteIndex maps to arrays of positions


def _array(typecode: str, data: bytes) -> array:
    numbers = array(typecode)
    numbers.frombytes(data)
    return numbers


def _slices(joined: array, lengths: list[int]) -> list[array]:
    ends = list(accumulate(lengths))
    return [joined[start:end] for start, end in zip([0, *ends], ends)]
