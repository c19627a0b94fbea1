"""Indexing time against article size: one long article, stories run together with no separator.

For each size (0.25, 0.5, 1 and 1.9 MB by default; the readers refuse an article over
2 million characters) the article is written to a temporary folder and indexed by
`newsbot index` in a fresh process into a fresh SQLite index, as a user runs it. Prints
the wall and CPU seconds of that process, the CPU seconds per MB (flat when indexing is
linear in the article's size; CPU is the steadier figure on a shared machine) and what
the index holds: mentions and quote occurrences. `--steps` also times the analysis steps
in this process (reading, actors, quotes, fingerprint), to find one that grows faster.

The stories are the Worldwide Newswire and Reuters ones in ../shared/data when it is
there (internal data: the article is written to a temporary folder only), else the
articles of seeds/ repeated.

    python -m bench.big_article
    python -m bench.big_article --sizes 0.5,1,1.9 --steps
    python -m bench.big_article --stories path/to/articles.jsonl
"""
from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from itertools import cycle
from pathlib import Path

import click

from bench.corpus import NEWS_CORPUS
from bot.corpus.readers import MAX_ARTICLE_CHARS, read_file

ROOT = Path(__file__).resolve().parent.parent
SHARED_STORIES = (NEWS_CORPUS / "worldwide-newswire" / "articles.jsonl", NEWS_CORPUS / "reuters-21578" / "articles.jsonl")
DEFAULT_SIZES = "0.25,0.5,1,1.9"
INDEX_TIMEOUT_S = 30 * 60


def story_texts(stories: tuple[Path, ...]) -> tuple[str, list[str]]:
    """(where the stories come from, their texts): the given JSONL files, else the shared data, else seeds/."""
    files = [path for path in stories or SHARED_STORIES if path.exists()]
    if files:
        texts = [json.loads(line)["text"] for path in files for line in path.open(encoding="utf-8") if line.strip()]
        return ", ".join(str(path) for path in files), texts
    texts = [doc.text for path in sorted((ROOT / "seeds").glob("*.txt")) for doc in read_file(path).documents]
    return "seeds/ repeated (no stories given and ../shared/data is absent)", texts


def long_article(texts: list[str], megabytes: float) -> str:
    """Stories one after another, separated by a blank line only, up to `megabytes` (UTF-8) and
    under the readers' limit on an article's characters."""
    budget = min(int(megabytes * 1e6), MAX_ARTICLE_CHARS - 1)
    parts, size = [], 0
    for text in cycle(texts):
        text = text.strip()
        if size + len(text.encode("utf-8")) + 2 > budget:
            break
        parts.append(text)
        size += len(text.encode("utf-8")) + 2
    return "\n\n".join(parts)


@dataclass
class Figure:
    megabytes: float
    wall_s: float
    cpu_s: float
    articles: int
    mentions: int
    quote_occurrences: int
    steps: dict[str, float] | None = None

    def cpu_s_per_mb(self, start_up: float) -> float:
        """CPU seconds per MB beyond the start-up's: flat when indexing is linear in the size."""
        return max(0.0, self.cpu_s - start_up) / self.megabytes


def index_in_fresh_process(article: Path, folder: Path) -> tuple[float, float, tuple[int, int, int]]:
    """Wall and CPU seconds of `newsbot index ARTICLE` into a fresh SQLite index, and what it holds."""
    run = Path(tempfile.mkdtemp(dir=folder))
    db = run / "index.db"
    env = {**os.environ, "NEWSBOT_CACHE_DIR": str(run / "cache")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", "--db", f"sqlite:///{db}", "index", str(article),
                           "--no-progress"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=INDEX_TIMEOUT_S)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise click.ClickException(f"newsbot index failed on {article}: {done.stderr.strip()[-500:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    with sqlite3.connect(db) as conn:
        counts = tuple(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                       for table in ("articles", "mentions", "quote_occurrences"))
    return wall, cpu, counts


def analysis_steps(article: Path) -> dict[str, float]:
    """CPU seconds of each analysis step on the article, in this process."""
    from bot.corpus import syndication
    from bot.nlp.actors import extract_mentions
    from bot.nlp.gazetteer import load_gazetteer
    from bot.nlp.quotes import extract_quotes
    from bot.nlp.world import preload

    gazetteer = load_gazetteer(ROOT / "config" / "actors.yaml")
    preload()
    steps: dict[str, float] = {}

    def timed(name, step, *args):
        started = time.process_time()
        result = step(*args)
        steps[name] = time.process_time() - started
        return result

    docs = timed("read", lambda: read_file(article).documents)
    text = max(docs, key=lambda doc: len(doc.text)).text
    mentions = timed("actors", extract_mentions, text, gazetteer)
    timed("quotes", extract_quotes, text, mentions, gazetteer)
    timed("fingerprint", lambda: syndication.fingerprint(syndication.folded(text)))
    return steps


def measure(texts: list[str], sizes: list[float], with_steps: bool) -> tuple[float, list[Figure]]:
    """CPU seconds of indexing one short story (the process's start-up, mostly), and the figures."""
    figures = []
    with tempfile.TemporaryDirectory(prefix="newsbot-big-article-") as tmp:
        folder = Path(tmp)
        short = folder / "short-story.txt"
        short.write_text(texts[0], encoding="utf-8")
        start_up = min(index_in_fresh_process(short, folder)[1] for _ in range(2))  # the first one warms up
        for megabytes in sizes:
            article = folder / f"article-{megabytes:g}mb.txt"
            article.write_text(long_article(texts, megabytes), encoding="utf-8")
            actual = article.stat().st_size / 1e6
            wall, cpu, (articles, mentions, quotes) = index_in_fresh_process(article, folder)
            figures.append(Figure(actual, wall, cpu, articles, mentions, quotes,
                                  analysis_steps(article) if with_steps else None))
    return start_up, figures


@click.command()
@click.option("--sizes", default=DEFAULT_SIZES, show_default=True, help="Article sizes in MB, comma-separated.")
@click.option("--stories", type=click.Path(exists=True, dir_okay=False, path_type=Path), multiple=True,
              help="JSONL files of stories ({\"text\": …} per line); default: ../shared/data, else seeds/.")
@click.option("--steps", "with_steps", is_flag=True, help="Also time each analysis step (in this process).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def main(sizes: str, stories: tuple[Path, ...], with_steps: bool, as_json: bool) -> None:
    """Time `newsbot index` on one long article at each size."""
    try:
        megabytes = [float(size) for size in sizes.split(",") if size.strip()]
    except ValueError:
        raise click.UsageError(f"--sizes takes numbers of MB separated by commas, not {sizes!r}") from None
    if not megabytes or min(megabytes) <= 0:
        raise click.UsageError("--sizes needs at least one size above 0 MB")
    origin, texts = story_texts(stories)
    start_up, figures = measure(texts, megabytes, with_steps)
    if as_json:
        click.echo(json.dumps({"stories": origin, "start_up_cpu_s": round(start_up, 3),
                               "load_average": round(os.getloadavg()[0], 2),
                               "figures": [{**vars(f), "cpu_s_per_mb": round(f.cpu_s_per_mb(start_up), 3)}
                                           for f in figures]}))
        return
    click.echo(f"stories: {origin}")
    click.echo(f"indexing one short story (start-up): {start_up:.2f} CPU s, taken off the CPU s per MB")
    click.echo("    MB   wall s    CPU s  CPU s/MB  articles  mentions  quote occurrences" +
               ("   read  actors  quotes  fingerprint (CPU s)" if with_steps else ""))
    for f in figures:
        line = (f"{f.megabytes:6.2f} {f.wall_s:8.2f} {f.cpu_s:8.2f} {f.cpu_s_per_mb(start_up):9.2f} {f.articles:9d} "
                f"{f.mentions:9d} {f.quote_occurrences:18d}")
        if f.steps:
            line += "  " + "".join(f"{f.steps[name]:7.2f} " for name in ("read", "actors", "quotes")) + \
                f"{f.steps['fingerprint']:12.2f}"
        click.echo(line)
    click.echo(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
