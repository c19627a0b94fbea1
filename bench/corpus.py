"""A synthetic corpus of N articles, grown from the real stories in ../shared/data.

Real Reuters and Worldwide Newswire paragraphs are recombined into new articles;
people and organisations in the newswire paragraphs (gold entity offsets) are
swapped for other real names and for spelling variants of the actors in
config/actors.yaml; quotes are built from real sentences with the attribution
shapes newsrooms use, in curly and straight marks; page furniture (trailers,
"Read more:", cookie lines) is sprinkled in as scraped copy has it.

The build is deterministic and prefix-stable: article i depends only on the
seed and i, so the 1k corpus is the first thousand articles of the 100k one.
The shared data is internal: the corpus goes to bench/results/tmp/ (gitignored).

    python -m bench.corpus 10000            # writes bench/results/tmp/corpus-10000/
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
NEWS_CORPUS = SHARED_DATA / "news-corpus"
TMP = ROOT / "bench" / "results" / "tmp"

SEED = 20261122
ARTICLES_PER_FILE = 500
# Dates of the synthetic archive: two years ending the day before the digest day.
ARCHIVE_END = date(2026, 11, 20)
ARCHIVE_DAYS = 730

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_QUOTE_MARKS = re.compile(r"[\"\u201c\u201d\u2018\u2019']")
# Sentences that cannot stand as quoted speech: datelines, sign-offs, reported speech, tables.
_NOT_SPEECH = re.compile(r"^[A-Z][A-Z .,]+, \w+\.? \d+ -|REUTER|\bsaid\b|\d{3,}")

# Page furniture as aggregators and scrapers leave it ({title} and {source} are filled in).
TRAILERS = ("Read more: {title} - {source}", "See the original post: {title} - {source}",
            "Read more here: {title} - {source}", "Continued here: {title} - {source}")
FURNITURE = ("We use cookies to improve your experience on our site. By continuing you accept our cookie policy.",
             "Advertisement", "Also read: {title}", "Subscribe to our newsletter for the latest news from the region.",
             "Share this article", "Trending: {title}")
ANONYMOUS_SPEAKERS = ("a senior official", "a spokesman for the ministry", "a Western diplomat",
                      "a commander of the group", "a source close to the negotiations", "the official",
                      "a government adviser who asked not to be named")
REPORTING_VERBS = ("said", "told reporters", "added", "said in a statement", "warned", "told Reuters")


class SharedDataMissing(Exception):
    """../shared/data is not there: benchmarks that need it are skipped."""


@dataclass
class Story:
    """A real story split into paragraphs, with the people and organisations it names (offsets per paragraph)."""

    title: str | None
    source: str
    paragraphs: list[str]
    # paragraph index -> [(start, end, label)] for gold Person / Organization spans
    entities: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)


@dataclass
class Material:
    """Everything the builder recombines: stories, sentences, names and actor spellings."""

    stories: list[Story]
    sentences: list[str]
    people: list[str]
    organisations: list[str]
    sources: list[str]
    actors: list[tuple[str, str, list[str]]]  # (canonical name, kind, aliases)


def shared_data_available() -> bool:
    return (NEWS_CORPUS / "reuters-21578" / "articles.jsonl").exists()


def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _split_with_entities(text: str, spans: list[dict]) -> tuple[list[str], dict[int, list[tuple[int, int, str]]]]:
    """Paragraphs of `text`, and each paragraph's Person/Organization spans relative to it."""
    paragraphs, entities = [], {}
    offset = 0
    for block in text.split("\n\n"):
        start, end = offset, offset + len(block)
        offset = end + 2
        stripped = block.strip()
        if not stripped:
            continue
        lead = block.index(stripped)
        inside = [(s["start"] - start - lead, s["end"] - start - lead, s["label"]) for s in spans
                  if s["label"] in ("Person", "Organization") and start + lead <= s["start"] and s["end"] <= end]
        if inside:
            entities[len(paragraphs)] = sorted(inside)
        paragraphs.append(stripped)
    return paragraphs, entities


def load_actors(config_dir: Path) -> list[tuple[str, str, list[str]]]:
    """The curated actors (name, kind, aliases), read at run time from the project's config."""
    try:
        from bot.nlp.gazetteer import load_gazetteer
    except ImportError:
        load_gazetteer = None
    path = config_dir / "actors.yaml"
    if not path.exists():
        return []
    if load_gazetteer is not None:
        gazetteer = load_gazetteer(path)
        return [(a.name, a.kind, list(a.aliases)) for a in gazetteer.actors]
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("actors", []) if isinstance(data, dict) else data
    return [(e["name"], e.get("kind", "other"), list(e.get("aliases") or [])) for e in entries
            if isinstance(e, dict) and e.get("name")]


def load_material(config_dir: Path | None = None) -> Material:
    """Read the shared data once; raises SharedDataMissing when it is absent."""
    if not shared_data_available():
        raise SharedDataMissing(f"{NEWS_CORPUS} is absent: the benchmark corpus cannot be built, benchmarks skipped")
    stories: list[Story] = []
    for record in _read_jsonl(NEWS_CORPUS / "reuters-21578" / "articles.jsonl"):
        if record.get("wire_type") == "UNPROC" or not record.get("text"):
            continue  # tables of figures, not prose
        paragraphs = [p.strip() for p in record["text"].split("\n\n") if p.strip()]
        stories.append(Story(record.get("title"), record.get("source") or "Reuters", paragraphs))
    wwn_dir = NEWS_CORPUS / "worldwide-newswire"
    gold = {row["id"]: row["entities"] for row in _read_jsonl(wwn_dir / "entities.jsonl")}
    people: set[str] = set()
    organisations: set[str] = set()
    sources: set[str] = {"Reuters"}
    for record in _read_jsonl(wwn_dir / "articles.jsonl"):
        spans = gold.get(record["id"], [])
        paragraphs, entities = _split_with_entities(record["text"], spans)
        title = record.get("title") or _title_from_url(record.get("url"))
        stories.append(Story(title, record.get("source") or "newswire", paragraphs, entities))
        sources.add(record.get("source") or "newswire")
        for span in spans:
            name = span["text"].strip()
            if span["label"] == "Person" and " " in name and name[0].isupper():
                people.add(name)
            elif span["label"] == "Organization" and name[:1].isupper():
                organisations.add(name)
    sentences = sorted({s for story in stories for p in story.paragraphs for s in _SENTENCE_END.split(p)
                        if 8 <= len(s.split()) <= 40 and s[-1] in ".!?" and not _QUOTE_MARKS.search(s)
                        and not _NOT_SPEECH.search(s)})
    return Material(stories=stories, sentences=sentences, people=sorted(people), organisations=sorted(organisations),
                    sources=sorted(sources), actors=load_actors(config_dir or ROOT / "config"))


def _title_from_url(url: str | None) -> str | None:
    """Newswire records have no headline; the URL slug often carries one."""
    if not url:
        return None
    slug = url.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    words = [w for w in re.split(r"[-_]+", slug) if w.isalpha()]
    return " ".join(words).capitalize() if len(words) >= 3 else None


# -- spelling ------------------------------------------------------------

_VARIANT_RULES = (
    (re.compile(r"\b([Aa])l-"), r"\1l "), (re.compile(r"\b[Aa]l-"), "el-"), (re.compile(r"-"), " "),
    (re.compile(r"['\u2019\u02bc]"), ""), (re.compile(r"ou"), "u"), (re.compile(r"u"), "ou"),
    (re.compile(r"q"), "k"), (re.compile(r"e"), "i"), (re.compile(r"i(?=[^aeiou])"), "e"),
    (re.compile(r"([bdlmnrst])\1"), r"\1"), (re.compile(r"(?<=[aeiou])([bdlmnrst])(?=[aeiou])"), r"\1\1"),
    (re.compile(r"ai"), "ei"), (re.compile(r"Kh"), "Kh'"), (re.compile(r"dh"), "z"),
)


def spelling_variant(name: str, rng: random.Random) -> str:
    """Another way outlets spell the same name (transliteration, hyphens, apostrophes, doubled letters)."""
    rules = list(_VARIANT_RULES)
    rng.shuffle(rules)
    for pattern, replacement in rules:
        changed = pattern.sub(replacement, name, count=1)
        if changed != name:
            return changed
    return name


def typo(name: str, rng: random.Random) -> str:
    """One slip of the keyboard: a swapped, dropped, doubled or wrong letter (never the first)."""
    letters = [i for i, ch in enumerate(name) if ch.isalpha() and i > 0]
    if len(letters) < 3:
        return name
    i = rng.choice(letters[:-1])
    kind = rng.randrange(4)
    if kind == 0 and name[i + 1].isalpha():
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    if kind == 1:
        return name[:i] + name[i + 1:]
    if kind == 2:
        return name[:i] + name[i] + name[i:]
    return name[:i] + rng.choice("aeiounrst".replace(name[i].lower(), "")) + name[i + 1:]


# -- articles ------------------------------------------------------------

class CorpusBuilder:
    """Builds article i of the synthetic corpus from `Material`, deterministically."""

    def __init__(self, material: Material, seed: int = SEED):
        self.m = material
        self.seed = seed
        latin = lambda s: s.isascii()  # noqa: E731  (a short predicate)
        self.person_actors = [a for a in material.actors if a[1] == "person"]
        self.other_actors = [a for a in material.actors if a[1] != "person"]
        self.newswire = [s for s in material.stories if s.entities]
        self.script_forms = [alias for a in material.actors for alias in a[2] if not latin(alias)]

    def story(self, rng: random.Random) -> Story:
        """A real story to draw from: a third of the time a newswire one (they name more people)."""
        pool = self.newswire if self.newswire and rng.random() < 0.35 else self.m.stories
        return pool[rng.randrange(len(pool))]

    def actor_spelling(self, rng: random.Random, people: bool) -> str:
        """A name of a curated actor as some outlet would write it: canonical, alias or variant."""
        pool = (self.person_actors if people else self.other_actors) or self.m.actors
        if not pool:
            return rng.choice(self.m.people if people else self.m.organisations)
        name, _kind, aliases = rng.choice(pool)
        written = rng.choice([name, name, *[a for a in aliases if a.isascii()]])
        roll = rng.random()
        if roll < 0.25:
            return spelling_variant(written, rng)
        if roll < 0.30:
            return typo(written, rng)
        return written

    def name(self, rng: random.Random, label: str) -> str:
        people = label == "Person"
        if rng.random() < 0.4:
            return self.actor_spelling(rng, people)
        return rng.choice(self.m.people if people else self.m.organisations)

    def with_names_swapped(self, story: Story, index: int, rng: random.Random) -> str:
        """A newswire paragraph whose people and organisations are swapped for other real names."""
        paragraph = story.paragraphs[index]
        pieces, last = [], 0
        for start, end, label in story.entities.get(index, []):
            if start < last:
                continue
            pieces.append(paragraph[last:start])
            pieces.append(self.name(rng, label) if rng.random() < 0.6 else paragraph[start:end])
            last = end
        pieces.append(paragraph[last:])
        return "".join(pieces)

    def quote(self, rng: random.Random) -> str:
        """A quote paragraph: a real sentence, an attribution shape, curly or straight marks."""
        open_mark, close_mark = ("\u201c", "\u201d") if rng.random() < 0.5 else ('"', '"')
        roll = rng.random()
        speaker = (rng.choice(ANONYMOUS_SPEAKERS) if roll < 0.15 else
                   self.actor_spelling(rng, people=True) if roll < 0.6 else rng.choice(self.m.people))
        said = rng.choice(REPORTING_VERBS)
        first = rng.choice(self.m.sentences)
        body = first[:-1]
        shape = rng.randrange(5)
        if shape == 0:
            return f"{open_mark}{body},{close_mark} {speaker} {said}."
        if shape == 1:
            return f"{speaker[0].upper()}{speaker[1:]} {said}: {open_mark}{first}{close_mark}"
        if shape == 2:
            second = rng.choice(self.m.sentences)
            return f"{open_mark}{body},{close_mark} said {speaker}, adding, {open_mark}{second}{close_mark}"
        if shape == 3:
            return f"{open_mark}{first}{close_mark} according to {speaker}."
        return f"{open_mark}{body},{close_mark} the {rng.choice(('official', 'politician', 'commander'))} added."

    def article(self, i: int, day: date | None = None) -> dict:
        """Article number i (a dict ready for a JSONL line). `day` pins the date (a digest day's news)."""
        rng = random.Random(f"{self.seed}:{i}:{day or ''}")
        stories = self.m.stories
        base = self.story(rng)
        keep = rng.randint(3, 9)
        paragraphs = [self.with_names_swapped(base, k, rng) for k in range(min(keep, len(base.paragraphs)))]
        for _ in range(rng.randint(1, 3)):  # paragraphs borrowed from other stories (not their datelined lede)
            other = self.story(rng)
            k = rng.randrange(1, len(other.paragraphs)) if len(other.paragraphs) > 1 else 0
            paragraphs.insert(rng.randint(1, len(paragraphs)), self.with_names_swapped(other, k, rng))
        for _ in range(rng.choices((0, 1, 2, 3), (20, 40, 28, 12))[0]):
            paragraphs.insert(rng.randint(1, len(paragraphs)), self.quote(rng))
        if self.script_forms and rng.random() < 0.03:  # an Arabic or Persian name left in the copy
            paragraphs.append(f"{self.actor_spelling(rng, people=rng.random() < 0.5)} ({rng.choice(self.script_forms)})")
        source = base.source if rng.random() < 0.5 else rng.choice(self.m.sources)
        other_title = stories[rng.randrange(len(stories))].title or "Latest news"
        if rng.random() < 0.15:
            paragraphs.insert(rng.randint(1, len(paragraphs)), rng.choice(FURNITURE).format(title=other_title))
        if rng.random() < 0.25:
            paragraphs.append(rng.choice(TRAILERS).format(title=other_title, source=source))
        title = base.title or _SENTENCE_END.split(paragraphs[0])[0][:90]
        if title.isupper() and rng.random() < 0.5:
            title = title.title()
        when = day or ARCHIVE_END - timedelta(days=rng.randrange(ARCHIVE_DAYS))
        return {"id": f"bench-{self.seed}-{day.isoformat() + '-' if day else ''}{i}", "title": title,
                "source": source, "url": f"https://{source.lower().replace(' ', '')}/bench/{i}",
                "date": when.isoformat(), "author": self.name(rng, "Person") if rng.random() < 0.4 else None,
                "text": "\n\n".join(paragraphs)}

    def syndicated_copy(self, i: int, original: int) -> dict:
        """The same story republished by another outlet, with its own furniture (merged on indexing)."""
        copy = self.article(original)
        rng = random.Random(f"{self.seed}:copy:{i}")
        copy["id"] = f"bench-{self.seed}-{i}"
        copy["source"] = rng.choice(self.m.sources)
        copy["url"] = f"https://{copy['source'].lower().replace(' ', '')}/bench/{i}"
        copy["text"] += "\n\n" + rng.choice(TRAILERS).format(title=copy["title"], source=copy["source"])
        return copy

    def record(self, i: int) -> dict:
        """Article i of the archive: about 2% are syndicated copies of an earlier article."""
        rng = random.Random(f"{self.seed}:kind:{i}")
        if i > 10 and rng.random() < 0.02:
            return self.syndicated_copy(i, rng.randrange(i))
        return self.article(i)


def material_or_skip() -> Material | None:
    """The shared material, or None once a benchmark has said it is skipped (../shared/data absent)."""
    try:
        return load_material()
    except SharedDataMissing as exc:
        print(f"skipped: {exc}")
        return None


def write_corpus(n: int, folder: Path, material: Material | None = None, *, seed: int = SEED,
                 day: date | None = None) -> Path:
    """Write N articles as JSONL files of ARTICLES_PER_FILE lines under `folder`; returns the folder.

    Reuses a finished build (a `done` marker holds the count and seed)."""
    marker = folder / ".done"
    stamp = f"{n} {seed} {day or ''}"
    if marker.exists() and marker.read_text() == stamp:
        return folder
    builder = CorpusBuilder(material or load_material(), seed)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.jsonl"):
        old.unlink()
    for first in range(0, n, ARTICLES_PER_FILE):
        with (folder / f"part-{first // ARTICLES_PER_FILE:05d}.jsonl").open("w", encoding="utf-8") as out:
            for i in range(first, min(n, first + ARTICLES_PER_FILE)):
                record = builder.article(i, day) if day else builder.record(i)
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    marker.write_text(stamp)
    return folder


def corpus_folder(n: int) -> Path:
    return TMP / f"corpus-{n}"


def main(argv: list[str]) -> int:
    if not argv or not argv[0].isdigit():
        print("usage: python -m bench.corpus N [FOLDER]", file=sys.stderr)
        return 2
    n = int(argv[0])
    try:
        folder = write_corpus(n, Path(argv[1]) if len(argv) > 1 else corpus_folder(n))
    except SharedDataMissing as exc:
        print(f"skipped: {exc}")
        return 0
    print(f"{n} articles in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
