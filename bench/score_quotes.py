"""Score quote extraction on the PolNeAR dev set (../shared/data/quotes-benchmark).

Follows the data set's README: a predicted quote matches a gold quote when it covers
at least half of the gold span's characters, or when both are equal after stripping
marks and outer punctuation (one-to-one, greedy). P/R/F1 on `direct` gold quotes and
on all; predictions inside unresolved `uncertain_spans` are ignored. Speaker accuracy
is counted on matched quotes whose gold speaker is not a pronoun: correct when the
predicted speaker (as written, or the actor it resolves to), case-folded, equals the
gold speaker, contains it, or shares its last name token.

    python -m bench.score_quotes                 # figures, per-publisher table
    python -m bench.score_quotes --errors 30     # also print misses and wrong speakers
    python -m bench.score_quotes --no-actors     # without bot.nlp.actors mentions
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from bot.nlp.names import fold
from bot.nlp.quotes import extract_quotes

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "quotes-benchmark" / "polnear-dev.jsonl"
PRONOUNS = {"he", "she", "they", "i", "we", "it", "you", "him", "her", "them"}
TITLE_WORDS = {"mr", "mrs", "ms", "dr", "sen", "rep", "gov", "president", "senator", "representative"}


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def mentions_for(text: str, use_actors: bool):
    """The real actor extractor's mentions, when bot.nlp.actors provides them."""
    if not use_actors:
        return None
    try:
        from bot.nlp.actors import extract_mentions
        from bot.nlp.gazetteer import load_gazetteer
        gazetteer = load_gazetteer(ROOT / "config" / "actors.yaml")
    except Exception:  # the actor extractor is optional for this benchmark
        return None
    return extract_mentions(text, gazetteer) or None


def _stripped(text: str) -> str:
    return fold(text)


def matches(pred: tuple[int, int, str], gold: dict) -> bool:
    start, end, text = pred
    g_start, g_end = gold["start"], gold["end"]
    overlap = max(0, min(end, g_end) - max(start, g_start))
    if overlap >= 0.5 * (g_end - g_start):
        return True
    return _stripped(text) == _stripped(gold["quote"]) != ""


def _name_tokens(speaker: str) -> list[str]:
    head = re.split(r",|\(", speaker)[0]
    return [t for t in fold(head).split() if t not in TITLE_WORDS]


def speaker_correct(predicted: list[str], gold: str) -> bool:
    gold_folded = fold(gold)
    gold_last = (_name_tokens(gold) or [""])[-1]
    for candidate in predicted:
        folded = fold(candidate or "")
        if not folded:
            continue
        if folded == gold_folded or gold_folded in folded:
            return True
        tokens = _name_tokens(candidate)
        if tokens and gold_last and tokens[-1] == gold_last:
            return True
    return False


def in_spans(start: int, end: int, spans: list[list[int]]) -> bool:
    return any(start < s_end and end > s_start for s_start, s_end in spans)


def score(rows: list[dict], use_actors: bool = True, errors: int = 0) -> dict:
    tally = Counter()
    by_publisher: dict[str, Counter] = defaultdict(Counter)
    shown = Counter()
    seconds = 0.0
    for row in rows:
        text = row["text"]
        mentions = mentions_for(text, use_actors)
        started = time.perf_counter()
        predicted = extract_quotes(text, mentions)
        seconds += time.perf_counter() - started
        gold = row["quotes"]
        used: set[int] = set()
        pub = by_publisher[row["meta"]["publisher"]]
        for quote in predicted:
            match = next((i for i, g in enumerate(gold) if i not in used and matches((quote.start, quote.end, quote.text), g)),
                         None)
            if match is None:
                if in_spans(quote.start, quote.end, row.get("uncertain_spans", [])):
                    continue
                tally["fp"] += 1
                pub["fp"] += 1
                if shown["fp"] < errors:
                    shown["fp"] += 1
                    print(f"FP  {row['id']}: {quote.text[:100]!r} [{quote.speaker}]")
                continue
            used.add(match)
            g = gold[match]
            kind = g["kind"]
            tally[f"tp_{kind}"] += 1
            pub[f"tp_{kind}"] += 1
            if g["speaker"] and fold(g["speaker"]) not in PRONOUNS:
                ok = speaker_correct([quote.speaker, quote.speaker_name], g["speaker"])
                tally["spk_total"] += 1
                tally["spk_ok"] += int(ok)
                pub["spk_total"] += 1
                pub["spk_ok"] += int(ok)
                if not ok and shown["spk"] < errors:
                    shown["spk"] += 1
                    print(f"SPK {row['id']}: gold {g['speaker']!r} got {quote.speaker!r}/{quote.speaker_name!r} "
                          f"for {g['quote'][:70]!r}")
        for i, g in enumerate(gold):
            tally[f"gold_{g['kind']}"] += 1
            pub[f"gold_{g['kind']}"] += 1
            if i not in used and g["kind"] == "direct" and shown["fn"] < errors:
                shown["fn"] += 1
                context = text[max(0, g["start"] - 60):g["end"] + 60].replace("\n", " ⏎ ")
                print(f"FN  {row['id']}: {context!r}")
    tally["articles"] = len(rows)
    return {"all": _figures(tally), "publishers": {k: _figures(v) for k, v in sorted(by_publisher.items())},
            "articles": len(rows), "seconds": seconds}


def _figures(t: Counter) -> dict:
    tp_direct, tp_all = t["tp_direct"], t["tp_direct"] + t["tp_mixed"]
    gold_direct, gold_all = t["gold_direct"], t["gold_direct"] + t["gold_mixed"]

    def prf(tp: int, fp: int, gold: int) -> dict:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / gold if gold else 0.0
        return {"p": round(p, 3), "r": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
                "tp": tp, "fp": fp, "gold": gold}

    return {"direct": prf(tp_direct, t["fp"], gold_direct), "all": prf(tp_all, t["fp"], gold_all),
            "speaker_accuracy": round(t["spk_ok"] / t["spk_total"], 3) if t["spk_total"] else 0.0,
            "speaker_checked": t["spk_total"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--errors", type=int, default=0, help="print up to N misses of each kind")
    parser.add_argument("--no-actors", action="store_true", help="do not run bot.nlp.actors for mentions")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"skipped: {args.data} is not here (the shared data set is internal)")
        return 0
    result = score(load(args.data), use_actors=not args.no_actors, errors=args.errors)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    overall = result["all"]
    print(f"PolNeAR dev: {result['articles']} articles, extraction {result['seconds']:.2f}s")
    for kind in ("direct", "all"):
        f = overall[kind]
        print(f"  {kind:7s} P {f['p']:.3f}  R {f['r']:.3f}  F1 {f['f1']:.3f}  (tp {f['tp']}, fp {f['fp']}, gold {f['gold']})")
    print(f"  speaker accuracy {overall['speaker_accuracy']:.3f} on {overall['speaker_checked']} matched quotes "
          f"with a non-pronoun gold speaker")
    for name, f in result["publishers"].items():
        print(f"    {name:18s} direct P {f['direct']['p']:.2f} R {f['direct']['r']:.2f}  "
              f"speaker {f['speaker_accuracy']:.2f} ({f['speaker_checked']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
