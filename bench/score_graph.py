"""Score the actor graph an index holds: lookups, splits, kinds, junk and mentions, per corpus and actor list.

    python -m bench.score_graph                                   # both corpora, curated and empty lists
    python -m bench.score_graph --corpus reuters --actors empty --errors 20
    python -m bench.score_graph --json
    python -m bench.score_graph --fresh                           # re-index even when a cached index fits

Each corpus of ../shared/data/news-corpus is indexed with `newsbot index` into a SQLite file under
bench/results/tmp/, reused while bot/, the config folder and the corpus file are unchanged. The empty
actor list is a copy of config/ whose actors.yaml lists no actors: the graph a desk on another beat
starts with. Skips cleanly when the shared data is absent.

What is measured (targets from issue 17):
- queries (the lookup engine `newsbot lookup` answers with): right when the expected actor comes first,
  `found` or `ambiguous`; a name `shared` by several actors must be `ambiguous` with it first.
  Reuters: bench/data/reuters_graph.yaml (full names, surnames, shared surnames, company short forms).
  Worldwide Newswire: from its gold Person spans, every full name whose last word(s) the same article
  uses alone as a Person (the surname), queried in full and as the surname; a surname several such
  full names end with is shared, its expected actor the one in most articles. The expected actor is
  the index actor named (or aliased) by the full name, words compared as bench.score_entities does.
- split: one person's full name and surname (one article) linked to different actors. Newswire: a
  gold Person span whose words end another gold Person span of the article; Reuters: the mentions
  of a gold actor's names and forms in one article (an article naming two gold actors that share a
  form is left out). The rate is over the groups where the full name and a short form are linked.
- kind: the actor's kind on every gold Person / Organization / Location span a mention agrees with
  (Newswire), and on every mention of a gold actor's name or form (Reuters).
- junk among the 100 most-mentioned actors: judged by hand in bench/data/<corpus>_graph.yaml
  (`judged: junk`); an actor that is neither a gold name nor judged is listed for a human to label.
- people named as companies: discovered actors of kind person whose name ends in a company's legal form
  (Ltd, Inc, Corp, Co...), and their mentions: no gold needed, a name no person has.
- mentions (Newswire): person / organisation recall and precision of the index's mentions with their
  actor's kind, by bench.score_entities' matching (words agree, leading titles aside).
  `--errors N` lists N misses (with our mentions over them) and false alarms (with the gold spans they
  overlap) of each sort, and counts them by cause; wrong kinds are also counted by gold kind -> indexed
  kind (`kind_confusion` in --json).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import yaml

from bench import score_entities

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "data" / "news-corpus"
CORPORA = {"reuters": NEWS / "reuters-21578" / "articles.jsonl",
           "newswire": NEWS / "worldwide-newswire" / "articles.jsonl"}
GOLD = {corpus: ROOT / "bench" / "data" / f"{corpus}_graph.yaml" for corpus in CORPORA}
TMP = ROOT / "bench" / "results" / "tmp"
TOP = 100
# (figure, "min" | "max", bound)
TARGETS = {"surname_accuracy": ("min", 0.95), "full_name_accuracy": ("min", 0.98),
           "split_rate": ("max", 0.02), "kind_accuracy": ("min", 0.95), "junk_in_top": ("max", 1),
           "mention_recall": ("min", 0.88), "mention_precision": ("min", 0.88)}
GOLD_KINDS = {"Person": "person", "Organization": "organization", "Location": "place"}
REAL_NAME_LABELS = {"Person", "Organization", "Location", "Facility"}  # gold names that are actors, not junk


@lru_cache(maxsize=200_000)
def words(text: str) -> tuple[str, ...]:
    """A name's folded words, leading titles and "the" aside (bench.score_entities' matching)."""
    return score_entities.normalised_words(text)


def name_key(text: str) -> tuple:
    """What a judged name is matched on: its words, and whether it is in capitals (a dateline, PARIS,
    is not the place Paris)."""
    return words(text), text.isupper()


# -- gold ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GoldActor:
    name: str
    kind: str
    also: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.also)


@dataclass(frozen=True)
class GraphQuery:
    q: str
    expect: str  # a full name: the actor it names in the index is the expected answer
    type: str  # full name | surname | shared surname | short form
    shared: tuple[str, ...] = ()
    tied: tuple[str, ...] = ()  # as right first as `expect` (shared names with as much evidence)


@dataclass
class Gold:
    actors: list[GoldActor] = field(default_factory=list)
    queries: list[GraphQuery] = field(default_factory=list)
    judged_actors: set[tuple] = field(default_factory=set)  # name_key()s
    junk: dict[tuple, str] = field(default_factory=dict)  # name_key() -> reason


def load_gold(path: Path) -> Gold:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    gold = Gold()
    for item in data.get("actors") or []:
        gold.actors.append(GoldActor(item["name"], item["kind"], tuple(item.get("also") or ()),
                                     tuple(str(f) for f in item.get("forms") or ())))
    known = {actor.name for actor in gold.actors}
    for item in data.get("queries") or []:
        if item["expect"] not in known:
            raise ValueError(f"{path}: query {item['q']!r} expects {item['expect']!r}, which is not in actors:")
        gold.queries.append(GraphQuery(str(item["q"]), item["expect"], item["type"], tuple(item.get("shared") or ())))
    judged = data.get("judged") or {}
    gold.judged_actors = {name_key(str(name)) for name in judged.get("actors") or []}
    for item in judged.get("junk") or []:
        gold.junk[name_key(str(item["name"]))] = item["why"]
    return gold


# -- the index -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IndexedActor:
    id: int
    name: str
    kind: str
    mentions: int
    curated: bool


@dataclass(frozen=True)
class IndexedMention:
    start: int
    end: int
    surface: str
    actor_id: int


@dataclass
class Graph:
    """What the scores read of an index: its actors, the names pointing at them, mentions by article."""
    actors: dict[int, IndexedActor] = field(default_factory=dict)
    by_words: dict[tuple[str, ...], set[int]] = field(default_factory=lambda: defaultdict(set))
    mentions: dict[str, list[IndexedMention]] = field(default_factory=lambda: defaultdict(list))
    story_at: dict[int, str] = field(default_factory=dict)  # JSONL line number -> stored article id
    texts: dict[str, str] = field(default_factory=dict)  # stored article id -> stored text

    def actor_named(self, names: Iterable[str]) -> int | None:
        """The most-mentioned actor whose name or an alias has the words of one of `names`."""
        ids = {actor_id for name in names for actor_id in self.by_words.get(words(name), ())}
        return max(ids, key=lambda i: (self.actors[i].mentions, -i)) if ids else None

    def top(self, n: int = TOP) -> list[IndexedActor]:
        return sorted(self.actors.values(), key=lambda a: (-a.mentions, a.id))[:n]


def load_graph(db_url: str, *, texts: bool = False) -> Graph:
    from sqlalchemy import select

    from bot.store.db import Store
    from bot.store.schema import actors, aliases, articles, mentions, occurrences

    store = Store(db_url, migrate=False)
    graph = Graph()
    try:
        with store.connect() as conn:
            for row in conn.execute(select(actors.c.id, actors.c.name, actors.c.kind, actors.c.mention_count,
                                           actors.c.curated)):
                graph.actors[row.id] = IndexedActor(row.id, row.name, row.kind, row.mention_count, bool(row.curated))
                graph.by_words[words(row.name)].add(row.id)
            for row in conn.execute(select(aliases.c.actor_id, aliases.c.alias)):
                graph.by_words[words(row.alias)].add(row.actor_id)
            for row in conn.execute(select(mentions.c.article_id, mentions.c.start, mentions.c.end,
                                           mentions.c.surface, mentions.c.actor_id).order_by(mentions.c.id)):
                graph.mentions[row.article_id].append(IndexedMention(row.start, row.end, row.surface, row.actor_id))
            for row in conn.execute(select(occurrences.c.position, occurrences.c.article_id)):
                graph.story_at[row.position] = row.article_id
            if texts:
                graph.texts = dict(conn.execute(select(articles.c.id, articles.c.text)).all())
    finally:
        store.dispose()
    return graph


def code_version(config_dir: Path, corpus: Path) -> str:
    """What an index depends on: the code of bot/, the config folder and the corpus file."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "bot").rglob("*.py")) + sorted(p for p in config_dir.iterdir() if p.is_file()):
        digest.update(str(path.relative_to(path.parents[1])).encode() + b"\0" + path.read_bytes())
    stat = corpus.stat()
    digest.update(f"{corpus}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def empty_config(into: Path) -> Path:
    """A copy of config/ whose actors.yaml lists no actors."""
    folder = into / "config"
    shutil.copytree(ROOT / "config", folder)
    (folder / "actors.yaml").write_text("actors: []\n", encoding="utf-8")
    return folder


def build_index(corpus: str, actor_list: str, *, fresh: bool = False) -> Path:
    """The SQLite file of `corpus` indexed by `newsbot index` with the curated or an empty actor list;
    the one built for the same code, config and corpus when there is one (an older one is removed)."""
    TMP.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=TMP) as tmp:
        config = ROOT / "config" if actor_list == "curated" else empty_config(Path(tmp))
        path = TMP / f"graph-{corpus}-{actor_list}-{code_version(config, CORPORA[corpus])}.db"
        done = path.with_suffix(".done")  # written last: a run cut short is never taken for an index
        if done.exists() and not fresh:
            return path
        for old in TMP.glob(f"graph-{corpus}-{actor_list}-*"):
            old.unlink()
        env = {**os.environ, "NEWSBOT_CONFIG_DIR": str(config)}
        run = subprocess.run([sys.executable, "-m", "bot", "--db", f"sqlite:///{path}", "index", "--no-progress",
                              str(CORPORA[corpus])], cwd=ROOT, env=env, capture_output=True, text=True)
        if run.returncode not in (0, 1):  # 1: some lines could not be indexed (listed), the rest is in
            raise RuntimeError(f"newsbot index {corpus} ({actor_list}) exited with {run.returncode}:\n"
                               f"{run.stderr[-3000:]}")
        done.write_text(run.stdout, encoding="utf-8")
    return path


# -- scoring ---------------------------------------------------------------------------------------

@dataclass
class Tally:
    total: int = 0
    right: int = 0
    failures: list = field(default_factory=list)
    confusion: Counter = field(default_factory=Counter)  # (expected, got) -> how many wrong (kinds)

    def add(self, ok: bool, failure=None) -> None:
        self.total += 1
        self.right += ok
        if not ok and failure is not None:
            self.failures.append(failure)

    @property
    def rate(self) -> float | None:
        return round(self.right / self.total, 4) if self.total else None


def query_accuracy(queries: Iterable[GraphQuery], resolve: Callable, expected_actor: Callable[[str], int | None]
                   ) -> dict[str, Tally]:
    """Per query type: the expected actor first, `found` or `ambiguous`; only `ambiguous` when shared."""
    from bot.search.results import LookupStatus

    tallies: dict[str, Tally] = defaultdict(Tally)
    for query in queries:
        expected = expected_actor(query.expect)
        right_first = {expected, *map(expected_actor, query.tied)} - {None}
        result = resolve(query.q)
        top = result.candidates[0] if result.candidates else None
        answers = (LookupStatus.AMBIGUOUS,) if query.shared else (LookupStatus.FOUND, LookupStatus.AMBIGUOUS)
        ok = expected is not None and top is not None and top.actor_id in right_first and result.status in answers
        got = f"{result.status} {top.name!r}" if top else str(result.status)
        tallies[query.type].add(ok, f"{query.q!r}: expected {query.expect!r}"
                                    f"{'' if expected is not None else ' (no such actor)'}"
                                    f"{' ambiguous' if query.shared else ''}, got {got}")
    return dict(tallies)


@dataclass
class SplitTally:
    groups: int = 0  # a person's full name and short form in one article
    linked: int = 0  # the full name and at least one short form linked to an actor
    split: int = 0  # ... to more than one
    examples: list = field(default_factory=list)

    def add(self, full: list[int | None], short: list[int | None], example=None) -> None:
        self.groups += 1
        full_ids, short_ids = {i for i in full if i is not None}, {i for i in short if i is not None}
        if full_ids and short_ids:
            self.linked += 1
            if len(full_ids | short_ids) > 1:
                self.split += 1
                if example is not None:
                    self.examples.append(example)

    @property
    def rate(self) -> float | None:
        return round(self.split / self.linked, 4) if self.linked else None


def kind_accuracy(triples: Iterable[tuple[str, str | None, str]]) -> Tally:
    """(gold kind, the index's kind or None when the index has no actor there, the name): right when
    the kinds are equal; a name without an actor is not scored (recall is measured apart)."""
    tally, wrong = Tally(), Counter()
    for gold_kind, kind, name in triples:
        if kind is not None:
            tally.add(gold_kind == kind)
            wrong[(name, gold_kind, kind)] += gold_kind != kind
    tally.failures = [f"{name!r}: {gold_kind}, indexed as {kind} ({count}x)"
                      for (name, gold_kind, kind), count in wrong.most_common() if count]
    for (_, gold_kind, kind), count in wrong.items():
        if count:
            tally.confusion[f"{gold_kind}->{kind}"] += count
    return tally


@dataclass
class JunkReport:
    junk: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    unjudged: list[str] = field(default_factory=list)


def junk_among_top(top: Iterable[IndexedActor], real: set[tuple], gold: Gold) -> JunkReport:
    """Top actors judged junk, and those neither real (`real`: name_key()s of gold names; curated;
    judged actors) nor judged junk."""
    report = JunkReport()
    for actor in top:
        key = name_key(actor.name)
        if key in gold.junk:
            report.junk.append((actor.name, gold.junk[key]))
        elif not (actor.curated or key in real or key in gold.judged_actors):
            report.unjudged.append(actor.name)
    return report


def agreeing(span_start: int, span_end: int, span_words: tuple[str, ...], found: list[IndexedMention]
             ) -> IndexedMention | None:
    """The mention over a span with the same words (titles aside), if any."""
    for mention in found:
        if mention.start < span_end and span_start < mention.end and words(mention.surface) == span_words:
            return mention
    return None


# -- Worldwide Newswire: gold spans --------------------------------------------------------------

def aligned_offsets(original: str, stored: str) -> list[int] | None:
    """For each offset of `stored` (normalize_text of `original`: composed (NFC), spaces collapsed,
    invisible characters dropped), the offset of the same character in `original`; None when they are
    other texts. A character composed from a letter and its accents points at the letter."""
    from bot.corpus.normalize import normalize_text

    if normalize_text(original) != stored:
        return None
    if original == stored:
        return list(range(len(stored) + 1))
    composed, origin = _composed(original)
    where, i = [], 0
    for ch in stored:
        while i < len(composed) and composed[i] != ch and not (ch == " " and composed[i].isspace()) \
                and not (ch == "\n" and composed[i] in "\u2028\u2029"):
            i += 1
        where.append(origin[min(i, len(composed) - 1)])
        i += 1
    where.append(len(original))
    return where


def _composed(text: str) -> tuple[str, list[int]]:
    """`text` in NFC, and for each of its characters the offset in `text` of the letter it was composed from."""
    out, origin, i = [], [], 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        out.append(piece)
        origin.extend([i] * len(piece))
        i = j
    return "".join(out), origin


def original_end(original: str, end: int) -> int:
    """A span's end in `original` taken past the accents written after its last letter."""
    while end < len(original) and unicodedata.combining(original[end]):
        end += 1
    return end


@dataclass(frozen=True)
class PersonGroup:
    """One person in one gold article: the spans of the full name and those of its last word(s)."""
    article: str
    full_name: str  # as written, titles aside
    full: tuple[tuple[int, int], ...]
    short_name: str
    short: tuple[tuple[int, int], ...]


def name_as_written(text: str) -> str:
    """The words of a gold span as written, leading titles, "the" and trailing connectors aside."""
    from bot.nlp.tokens import tokenize

    toks = tokenize(text)
    keys, want = list(toks.keys), words(text)
    for i in range(len(keys) - len(want) + 1):
        if tuple(keys[i:i + len(want)]) == want:
            return text[toks.starts[i]:toks.ends[i + len(want) - 1]]
    return text


def person_groups(gold: dict[str, list[dict]]) -> list[PersonGroup]:
    """Every gold full name (2+ words) with the gold Person spans of the same article holding only its
    last word(s); a short span that ends two full names of the article goes with neither."""
    groups = []
    for article, entities in gold.items():
        people = [(e["start"], e["end"], words(e["text"]), e["text"]) for e in entities if e["label"] == "Person"]
        full_names: dict[tuple[str, ...], list] = defaultdict(list)
        for person in people:
            if len(person[2]) >= 2:
                full_names[person[2]].append(person)
        shorts: dict[tuple[str, ...], list] = defaultdict(list)
        for person in people:
            owners = [name for name in full_names if len(person[2]) < len(name) and name[-len(person[2]):] == person[2]]
            if person[2] and len(owners) == 1:
                shorts[owners[0]].append(person)
        for name, short in shorts.items():
            full = full_names[name]
            groups.append(PersonGroup(article, name_as_written(full[0][3]), tuple((s, e) for s, e, *_ in full),
                                      name_as_written(short[0][3]), tuple((s, e) for s, e, *_ in short)))
    return groups


def newswire_queries(groups: list[PersonGroup]) -> list[GraphQuery]:
    """A full-name and a surname query per person whose surname its articles use alone. A surname
    several such people end with is shared: the one in most articles is expected first (any of
    those in as many)."""
    articles_of: dict[tuple[str, ...], set[str]] = defaultdict(set)
    written: dict[tuple[str, ...], str] = {}
    enders: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    short_written: dict[tuple[str, ...], str] = {}
    for group in groups:
        full, short = words(group.full_name), words(group.short_name)
        articles_of[full].add(group.article)
        written.setdefault(full, group.full_name)
        enders[short].add(full)
        short_written.setdefault(short, group.short_name)
    queries = [GraphQuery(written[full], written[full], "full name") for full in sorted(written)]
    for short, fulls in sorted(enders.items()):
        ranked = sorted(fulls, key=lambda f: (-len(articles_of[f]), f))
        shared = tuple(written[f] for f in ranked[1:])
        tied = tuple(written[f] for f in ranked[1:] if len(articles_of[f]) == len(articles_of[ranked[0]]))
        queries.append(GraphQuery(short_written[short], written[ranked[0]],
                                  "shared surname" if shared else "surname", shared, tied))
    return queries


@dataclass
class NewswireGold:
    articles: list[dict]  # the annotated articles: id, text (original), line number
    entities: dict[str, list[dict]]


def load_newswire() -> NewswireGold:
    articles, gold = score_entities.load(None)
    lines = {}
    with CORPORA["newswire"].open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                lines[json.loads(line)["id"]] = number
    for article in articles:
        article["line"] = lines[article["id"]]
    return NewswireGold(articles, gold)


def newswire_mentions(data: NewswireGold, graph: Graph) -> tuple[dict[str, list[IndexedMention]], int]:
    """The index's mentions of each annotated article at offsets into its original text, and how many
    articles could not be scored (stored as a copy of another story)."""
    out, unscored = {}, 0
    for article in data.articles:
        story = graph.story_at.get(article["line"])
        where = aligned_offsets(article["text"], graph.texts.get(story, "")) if story else None
        if where is None:
            unscored += 1
            continue
        text = article["text"]  # (the surface as the original writes it: its words are compared with the gold's)
        spans = [(where[m.start], original_end(text, where[m.end - 1] + 1), m.actor_id)
                 for m in graph.mentions.get(story, ())]
        out[article["id"]] = [IndexedMention(start, end, text[start:end], actor) for start, end, actor in spans]
    return out, unscored


# -- per corpus ------------------------------------------------------------------------------------

def looked_up(db_url: str, queries: list[GraphQuery], expected_actor: Callable[[str], int | None]
              ) -> dict[str, Tally]:
    """query_accuracy() with the lookup engine of the index at `db_url`."""
    from bot.search.lookup import LookupEngine
    from bot.store.db import Store

    store = Store(db_url, migrate=False)
    try:
        return query_accuracy(queries, LookupEngine(store).resolve, expected_actor)
    finally:
        store.dispose()


def score_reuters(db_url: str, gold: Gold) -> dict:
    graph = load_graph(db_url)
    by_name = {actor.name: actor for actor in gold.actors}
    queries = looked_up(db_url, gold.queries, lambda name: graph.actor_named(by_name[name].names))
    splits = reuters_splits(graph, gold)
    kinds = kind_accuracy(reuters_kinds(graph, gold))
    real = {name_key(n) for actor in gold.actors for n in (*actor.names, *actor.forms)}
    return figures(graph, queries, splits, kinds, junk_among_top(graph.top(), real, gold),
                   gold_actors_indexed=sum(graph.actor_named(a.names) is not None for a in gold.actors) / len(gold.actors))


def reuters_splits(graph: Graph, gold: Gold) -> dict[str, SplitTally]:
    """Per kind: articles where a gold actor's full name and one of its forms both have mentions."""
    full_of: dict[tuple[str, ...], GoldActor] = {}
    form_of: dict[tuple[str, ...], list[GoldActor]] = defaultdict(list)
    for actor in gold.actors:
        for name in actor.names:
            full_of[words(name)] = actor
        for form in actor.forms:
            form_of[words(form)].append(actor)
    tallies: dict[str, SplitTally] = defaultdict(SplitTally)
    for story, found in graph.mentions.items():
        full: dict[GoldActor, list[int]] = defaultdict(list)
        short: dict[GoldActor, list[int]] = defaultdict(list)
        for mention in found:
            key = words(mention.surface)
            if key in full_of:
                full[full_of[key]].append(mention.actor_id)
            for actor in form_of.get(key, ()):
                short[actor].append(mention.actor_id)
        for actor, ids in full.items():
            rivals = [other for form in actor.forms for other in form_of[words(form)] if other != actor and other in full]
            if short.get(actor) and not rivals:
                tallies[actor.kind].add(ids, short[actor], (story, actor.name, sorted(
                    {graph.actors[i].name for i in ids + short[actor]})))
    return dict(tallies)


def reuters_kinds(graph: Graph, gold: Gold) -> Iterable[tuple[str, str, str]]:
    """(gold kind, the actor's kind, surface) for every mention of a gold actor's name or form (a form
    gold actors of two kinds share, Baker, is left out)."""
    kind_of: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for actor in gold.actors:
        for name in (*actor.names, *actor.forms):
            kind_of[words(name)].add(actor.kind)
    for found in graph.mentions.values():
        for mention in found:
            kinds = kind_of.get(words(mention.surface), ())
            if len(kinds) == 1:
                yield next(iter(kinds)), graph.actors[mention.actor_id].kind, mention.surface


def score_newswire(db_url: str, gold: Gold, data: NewswireGold, errors: int = 0) -> dict:
    graph = load_graph(db_url, texts=True)
    found, unscored = newswire_mentions(data, graph)
    groups = [g for g in person_groups(data.entities) if g.article in found]
    queries = looked_up(db_url, newswire_queries(groups), lambda name: graph.actor_named([name]))

    def actor_at(article: str, span: tuple[int, int], name: str) -> int | None:
        mention = agreeing(*span, words(name), found[article])
        return mention.actor_id if mention else None

    split = SplitTally()
    for g in groups:
        split.add([actor_at(g.article, s, g.full_name) for s in g.full],
                  [actor_at(g.article, s, g.short_name) for s in g.short],
                  (g.article, g.full_name, g.short_name))

    def kind_pairs():
        for article, entities in data.entities.items():
            for e in entities:
                if e["label"] in GOLD_KINDS and article in found:
                    mention = agreeing(e["start"], e["end"], words(e["text"]), found[article])
                    yield GOLD_KINDS[e["label"]], graph.actors[mention.actor_id].kind if mention else None, e["text"]

    kinds = kind_accuracy(kind_pairs())
    real = {name_key(e["text"]) for entities in data.entities.values() for e in entities
            if e["label"] in REAL_NAME_LABELS}
    scored = [a for a in data.articles if a["id"] in found]

    def extract(text: str):
        return [score_entities_mention(m, graph) for m in by_text[text]]

    by_text = {a["text"]: found[a["id"]] for a in scored}
    counts, misses, false_alarms, _, causes = score_entities.score(scored, data.entities, extract, errors)
    mentions = score_entities.report(counts, 0, len(scored))
    out = figures(graph, queries, {"person": split}, kinds, junk_among_top(graph.top(), real, gold),
                  mention_recall=mentions["recall"], mention_precision=mentions["precision"],
                  mention_strict_precision=mentions["strict_precision"], articles_unscored=unscored)
    out["details"]["mentions"] = {"causes": dict(causes.most_common()),
                                  "misses": [f"{a}: {t!r} ({label}) in {around!r}; ours: "
                                             + (", ".join(ours) or "none") for a, t, label, around, ours in misses],
                                  "false alarms": [f"{a}: {t!r} ({why})" for a, t, why in false_alarms]}
    return out


@dataclass(frozen=True)
class ScoredMention:
    """A mention as bench.score_entities reads one: offsets, words and the actor's kind."""
    start: int
    end: int
    surface: str
    kind: str


def score_entities_mention(mention: IndexedMention, graph: Graph) -> ScoredMention:
    return ScoredMention(mention.start, mention.end, mention.surface, graph.actors[mention.actor_id].kind)


def figures(graph: Graph, queries: dict[str, Tally], splits: dict[str, SplitTally], kinds: Tally, junk: JunkReport,
            **more) -> dict:
    from bot.nlp.lexicon import LEGAL_FORMS

    surname = Tally()
    for kind in ("surname", "shared surname"):
        surname.total += queries[kind].total if kind in queries else 0
        surname.right += queries[kind].right if kind in queries else 0
    as_companies = [a for a in graph.actors.values() if a.kind == "person" and not a.curated
                    and len(words(a.name)) > 1 and words(a.name)[-1] in LEGAL_FORMS]
    person_split = splits.get("person", SplitTally())
    org_split = splits.get("organization")
    out = {
        "actors": len(graph.actors),
        "surname_accuracy": surname.rate, "surname_queries": surname.total,
        "shared_surname_accuracy": queries["shared surname"].rate if "shared surname" in queries else None,
        "full_name_accuracy": queries["full name"].rate if "full name" in queries else None,
        "full_name_queries": queries["full name"].total if "full name" in queries else 0,
        "short_form_accuracy": queries["short form"].rate if "short form" in queries else None,
        "split_rate": person_split.rate, "split_groups_linked": person_split.linked,
        "split_groups": person_split.groups,
        "organization_split_rate": org_split.rate if org_split else None,
        "kind_accuracy": kinds.rate, "kind_scored": kinds.total,
        "junk_in_top": len(junk.junk), "unjudged_in_top": len(junk.unjudged),
        "people_named_as_companies": len(as_companies),
        "their_mentions": sum(a.mentions for a in as_companies),
        **{k: round(v, 4) if isinstance(v, float) else v for k, v in more.items()},
        "details": {"queries": {t: q.failures for t, q in queries.items()},
                    "splits": {k: s.examples for k, s in splits.items()},
                    "kinds": kinds.failures, "kind_confusion": dict(kinds.confusion), "junk": junk.junk,
                    "unjudged": junk.unjudged,
                    "people_named_as_companies": [f"{a.name} ({a.mentions})" for a in
                                                  sorted(as_companies, key=lambda a: -a.mentions)]},
    }
    return out


def missed(name: str, value) -> bool:
    """Whether a figure misses its target."""
    if name not in TARGETS or value is None:
        return False
    direction, bound = TARGETS[name]
    return value < bound if direction == "min" else value > bound


def target_text(name: str) -> str:
    if name not in TARGETS:
        return ""
    direction, bound = TARGETS[name]
    return f"{'>=' if direction == 'min' else '<='} {f'{bound:.0%}' if isinstance(bound, float) else bound}"


def render(results: dict[str, dict], errors: int) -> str:
    runs = list(results)
    rows = ["surname_accuracy", "shared_surname_accuracy", "full_name_accuracy", "short_form_accuracy",
            "split_rate", "organization_split_rate", "kind_accuracy", "junk_in_top", "unjudged_in_top",
            "people_named_as_companies", "their_mentions", "mention_recall", "mention_precision",
            "mention_strict_precision", "gold_actors_indexed", "actors"]
    width = max(len(r) for r in runs) + 2
    lines = [f"{'':28s}" + "".join(f"{r:>{width}s}" for r in runs) + "   target"]
    for row in rows:
        values = [results[r].get(row) for r in runs]
        if all(v is None for v in values):
            continue
        cells = "".join(f"{('-' if v is None else f'{v:.1%}' if isinstance(v, float) else str(v)):>{width}s}"
                        for v in values)
        marks = ", ".join(r for r, v in zip(runs, values) if missed(row, v))
        lines.append(f"{row:28s}{cells}   {target_text(row)}{'  missed: ' + marks if marks else ''}")
    for run in runs:
        res = results[run]
        lines.append(f"\n{run}: {res['surname_queries']} surname and {res['full_name_queries']} full-name queries; "
                     f"split over {res['split_groups_linked']} of {res['split_groups']} groups linked; "
                     f"kind over {res['kind_scored']} spans/actors")
        details = res["details"]
        if details["unjudged"]:
            lines.append(f"  top-{TOP} actors to label (bench/data/{run.split('/')[0]}_graph.yaml, judged:): "
                         + ", ".join(details["unjudged"]))
        if details["junk"]:
            lines.append("  junk in the top: " + ", ".join(f"{n} ({why})" for n, why in details["junk"]))
        if errors:
            for kind, failures in details["queries"].items():
                for failure in failures[:errors]:
                    lines.append(f"  [{kind}] {failure}")
            for kind, examples in details["splits"].items():
                for example in examples[:errors]:
                    lines.append(f"  [split {kind}] {example}")
            for name in details["people_named_as_companies"][:errors]:
                lines.append(f"  [person named as a company] {name}")
            for pair, count in sorted(details["kind_confusion"].items(), key=lambda item: -item[1]):
                lines.append(f"  [kind gold->indexed] {pair}: {count}")
            for example in details["kinds"][:errors]:
                lines.append(f"  [kind] {example}")
            mentions = details.get("mentions", {})
            for cause, count in mentions.get("causes", {}).items():
                lines.append(f"  [mention {cause}] {count}")
            for sort in ("misses", "false alarms"):
                for example in mentions.get(sort, [])[:errors]:
                    lines.append(f"  [mention {sort}] {example}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["reuters", "newswire", "both"], default="both")
    parser.add_argument("--actors", choices=["curated", "empty", "both"], default="both")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--errors", type=int, default=0, help="print up to N failures of each sort")
    parser.add_argument("--fresh", action="store_true", help="index again even when a cached index fits")
    args = parser.parse_args(argv)
    corpora = list(CORPORA) if args.corpus == "both" else [args.corpus]
    lists = ["curated", "empty"] if args.actors == "both" else [args.actors]
    missing = [str(CORPORA[c]) for c in corpora if not CORPORA[c].exists()]
    if missing:
        print(f"skipped: {', '.join(missing)} not there")
        return 0
    results = {}
    for corpus in corpora:
        gold = load_gold(GOLD[corpus])
        data = load_newswire() if corpus == "newswire" else None
        for actor_list in lists:
            db_url = f"sqlite:///{build_index(corpus, actor_list, fresh=args.fresh)}"
            results[f"{corpus}/{actor_list}"] = (score_newswire(db_url, gold, data, args.errors) if data
                                                 else score_reuters(db_url, gold))
    if args.json:
        print(json.dumps(results, ensure_ascii=False, default=str))
    else:
        print(render(results, args.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
