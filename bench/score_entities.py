"""Score actor extraction against gold people and organisations (Worldwide Newswire).

    python -m bench.score_entities                 # our extractor, with config/actors.yaml
    python -m bench.score_entities --baseline caps # a capitalised-run extractor, for calibration
    python -m bench.score_entities --limit 200 --errors 40   # a quick look at misses and false alarms
    python -m bench.score_entities --causes        # misses and false alarms counted by cause

Reads ../shared/data/news-corpus/worldwide-newswire/{articles,entities}.jsonl (internal data:
nothing from it is copied into the project); skips cleanly when it is absent.

Entity level, words must agree:
- A gold Person or Organization entity is *found* when a predicted mention overlaps it and
  has the same words, leading titles (President, Sheikh, Maj. Gen.), a leading "the", a
  trailing possessive and trailing function words aside (the annotators cut nested places
  out of names and left their connector: `Supreme Court of` + `Nigeria`). `Iranian Foreign Ministry Spokesman Nasser Kanaani` as one
  mention does not find `Nasser Kanaani`.
- Predictions are the mentions we label person or organization (places and `other` are not
  predictions of this task). A prediction is *correct* when it is the words of a gold Person
  or Organization entity.
- A prediction whose words are those of a gold entity of another type (Location, NORP,
  Facility, Misc, ...) names something real but with the wrong kind. The headline precision
  leaves these out; `strict precision` counts them as errors. Both are printed.
- `kind-exact` figures also require person <-> Person and organization <-> Organization.
- Stretches the upstream alignment lost are not scored (the data README, step 3: about 3% of
  tokens did not align and "entities in those stretches are missing"): a paragraph with no
  gold entity of any label (not even a date or a place) but three or more distinct capitalised
  words inside its sentences. Neither its gold nor our predictions count; `--all-text` scores
  them anyway, and the report gives the share of text left out.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "news-corpus" / "worldwide-newswire"
GOLD_LABELS = {"Person": "person", "Organization": "organization"}
TRAILING_FUNCTION_WORDS = {"of", "in", "for", "and", "the", "on", "at", "to", "de", "del", "la"}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    words: tuple[str, ...]
    label: str  # gold label, or our kind


def normalised_words(text: str) -> tuple[str, ...]:
    """Folded words without leading titles / "the", a trailing or leading possessive, and trailing
    function words (left where the annotators cut a nested place out of a name)."""
    from bot.corpus.vocabulary import PERSON_TITLES
    from bot.nlp.tokens import tokenize

    toks = tokenize(text)
    words = [k for k in toks.keys if k]
    if text.lstrip().startswith(("'s", "’s")) and words and words[0] == "s":
        words = words[1:]
    changed = True
    while changed and len(words) > 1:
        changed = False
        if words[0] in ("the", "a", "an"):
            words, changed = words[1:], True
            continue
        for size in range(min(4, len(words) - 1), 0, -1):
            if tuple(words[:size]) in PERSON_TITLES:
                words, changed = words[size:], True
                break
    while len(words) > 1 and words[-1] in TRAILING_FUNCTION_WORDS:
        words = words[:-1]  # `Supreme Court of` + `Nigeria`: the gold cut a nested place out
    return tuple(words)


def load(limit: int | None):
    articles, gold = [], {}
    with (DATA / "entities.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            gold[row["id"]] = row["entities"]
    with (DATA / "articles.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["id"] in gold:  # articles without annotation upstream are not scored
                articles.append(row)
            if limit and len(articles) >= limit:
                break
    return articles, gold


def caps_baseline(text: str):
    """Every run of capitalised words (the issue's calibration baseline)."""
    from bot.nlp.models import Mention

    return [Mention(m.start(), m.end(), m.group(), m.group(), "organization", "")
            for m in re.finditer(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*", text)]


_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]+)*")
_CAPITALISED_INSIDE = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]+")


def unannotated_stretches(text: str, entities: list[dict]) -> list[tuple[int, int]]:
    """Paragraphs whose annotation was lost upstream: no gold entity of any label, yet names in them."""
    out = []
    for paragraph in _PARAGRAPH.finditer(text):
        start, end = paragraph.span()
        if any(e["start"] < end and start < e["end"] for e in entities):
            continue
        if len(set(_CAPITALISED_INSIDE.findall(paragraph.group()))) >= 3:
            out.append((start, end))
    return out


def score(articles, gold, extract, errors: int = 0, all_text: bool = False):
    counts, causes = Counter(), Counter()
    misses, false_alarms, kinds = [], [], Counter()
    for article in articles:
        text = article["text"]
        lost = [] if all_text else unannotated_stretches(text, gold[article["id"]])
        counts["chars"] += len(text)
        counts["chars_unscored"] += sum(end - start for start, end in lost)
        gold_spans = [Span(e["start"], e["end"], normalised_words(e["text"]), e["label"]) for e in gold[article["id"]]]
        every = [Span(m.start, m.end, normalised_words(m.surface), m.kind) for m in extract(text)]
        predicted = [p for p in every if p.label in ("person", "organization") and p.words
                     and not any(start <= p.start < end for start, end in lost)]
        by_words: dict[tuple[str, ...], list[Span]] = {}
        for g in gold_spans:
            by_words.setdefault(g.words, []).append(g)

        def agreeing(p: Span) -> list[Span]:
            return [g for g in by_words.get(p.words, ()) if g.start < p.end and p.start < g.end]

        found, found_kind = set(), set()
        for p in predicted:
            same = agreeing(p)
            target = [g for g in same if g.label in GOLD_LABELS]
            if target:
                counts["pred_correct"] += 1
                found.update(target)
                exact = [g for g in target if GOLD_LABELS[g.label] == p.label]
                found_kind.update(exact)
                counts["pred_correct_kind"] += bool(exact)
                kinds[(p.label, target[0].label)] += 1
            elif same:
                counts["pred_other_type"] += 1
                kinds[(p.label, same[0].label)] += 1
                if len(false_alarms) < errors:
                    false_alarms.append((article["id"], text[p.start:p.end], f"gold {same[0].label}"))
            else:
                counts["pred_wrong"] += 1
                overlapping = [g for g in gold_spans if g.start < p.end and p.start < g.end]
                causes["false alarm: " + ("other words than the gold entity it overlaps" if overlapping
                                          else "no gold entity there")] += 1
                if len(false_alarms) < errors * 3:  # (with the gold spans it overlaps, for boundary errors)
                    false_alarms.append((article["id"], text[p.start:p.end], p.label + "".join(
                        f"; gold {text[g.start:g.end]!r} {g.label}" for g in overlapping[:2])))
        for g in gold_spans:
            if g.label in GOLD_LABELS and g.words:
                counts["gold"] += 1
                counts["gold_found"] += g in found
                counts["gold_found_kind"] += g in found_kind
                if g not in found:
                    causes["miss: " + miss_cause(g, every, gold_spans)] += 1
                if g not in found and len(misses) < errors * 3:
                    ours = tuple(f"{text[p.start:p.end]!r} {p.label}" for p in every if p.start < g.end and g.start < p.end)
                    misses.append((article["id"], text[g.start:g.end], g.label, text[max(0, g.start - 40):g.end + 40],
                                   ours))
    return counts, misses, false_alarms, kinds, causes


def miss_cause(g: Span, every: list[Span], gold_spans: list[Span]) -> str:
    """Why a gold entity was not found, in the terms BENCHMARKS.md reports."""
    overlapping = [p for p in every if p.start < g.end and g.start < p.end]
    if any(p.words == g.words for p in overlapping):
        return "our words, labelled place or other"
    if any(h.label in ("Location", "NORP") and (0 <= h.start - g.end <= 4 or 0 <= g.start - h.end <= 4)
           for h in gold_spans):
        return "a place or nationality the annotators cut out of the name"
    return "other words (a boundary)" if overlapping else "never proposed"


def report(counts: Counter, seconds: float, n: int) -> dict:
    def ratio(a, b):
        return round(a / b, 4) if b else 0.0

    predictions = counts["pred_correct"] + counts["pred_wrong"]
    return {
        "articles": n,
        "gold_entities": counts["gold"],
        "recall": ratio(counts["gold_found"], counts["gold"]),
        "precision": ratio(counts["pred_correct"], predictions),
        "strict_precision": ratio(counts["pred_correct"], predictions + counts["pred_other_type"]),
        "recall_kind_exact": ratio(counts["gold_found_kind"], counts["gold"]),
        "precision_kind_exact": ratio(counts["pred_correct_kind"], predictions + counts["pred_other_type"]),
        "predictions": predictions + counts["pred_other_type"],
        "predictions_of_other_gold_types": counts["pred_other_type"],
        "text_unscored": ratio(counts["chars_unscored"], counts["chars"]),
        "articles_per_second": round(n / seconds, 1) if seconds else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="score only the first N annotated articles")
    parser.add_argument("--baseline", choices=["caps"], help="score a baseline instead of our extractor")
    parser.add_argument("--errors", type=int, default=0, help="print up to N misses and false alarms")
    parser.add_argument("--causes", action="store_true", help="count misses and false alarms by cause")
    parser.add_argument("--all-text", action="store_true",
                        help="score the stretches whose annotation was lost upstream too")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    if not (DATA / "articles.jsonl").exists():
        print(f"skipped: {DATA} is not there")
        return 0
    articles, gold = load(args.limit)
    if args.baseline:
        extract = caps_baseline
    else:
        from bot.nlp.actors import extract_mentions
        from bot.nlp.gazetteer import load_gazetteer

        gazetteer = load_gazetteer(ROOT / "config" / "actors.yaml")

        def extract(text):
            return extract_mentions(text, gazetteer)

    from bot.nlp.world import preload

    preload()  # word lists load once per process, not per article
    started, cpu_started = time.perf_counter(), time.process_time()
    for article in articles:  # extraction alone, timed
        extract(article["text"])
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    counts, misses, false_alarms, kinds, causes = score(articles, gold, extract, args.errors, args.all_text)
    figures = report(counts, seconds, len(articles))
    figures["articles_per_cpu_second"] = round(len(articles) / cpu_seconds, 1) if cpu_seconds else None
    figures["extractor"] = args.baseline or "newsbot"
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:32s} {value}")
        print("kind vs gold label (correct and other-type predictions):",
              ", ".join(f"{k[0]}/{k[1]} {v}" for k, v in kinds.most_common()))
    if args.causes:
        print("\n-- misses and false alarms by cause")
        for cause, count in sorted(causes.items()):
            print(f"  {count:6d}  {cause}")
    if args.errors:
        print("\n-- misses (gold not found)")
        for row in misses[:args.errors]:
            print("  ", row)
        print("\n-- false alarms")
        for row in false_alarms[:args.errors]:
            print("  ", row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
