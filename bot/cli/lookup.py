"""`newsbot lookup`: find an actor under any spelling and print its profile."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from bot.cli.base import Context, cli, filter_options, friendly_errors, pass_context, read_filters
from bot.search.engines import Engines, engines_for
from bot.search.filters import Filters
from bot.search.results import Band, Candidate, LookupResult, LookupStatus, Profile, lookup_to_json
from bot.wording import plural

DEFAULT_ARTICLES = 10
EVERY_ARTICLE = 2**31 - 1  # a batch lists every article unless --articles says how many
EXIT_CODES = {LookupStatus.FOUND: 0, LookupStatus.AMBIGUOUS: 0, LookupStatus.NOT_FOUND: 1, LookupStatus.INVALID: 2}
CSV_FIELDS = ["line", "query", "status", "name", "kind", "score", "matched", "how", "mentions", "articles",
              "first_seen", "last_seen", "candidates", "explanation", "filters", "matched_articles"]


@cli.command("lookup")
@click.argument("name", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (query, status, actor, candidates, …).")
@click.option("--batch", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Look up every line of this file ('-' for standard input); one result per line, in order.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True,
              help="Output format of --batch.")
@click.option("--articles", "articles_limit", type=click.IntRange(1), default=None,
              help="How many articles to list [default: 10; with --batch, all of them].")
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many articles (paging).")
@click.option("--id", "actor_id", type=int, help="Show the actor with this id (from an ambiguous answer or --json).")
@filter_options
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True,
              help="Articles most about the actor first (mentions, title and lead weighted), or newest first.")
@pass_context
@friendly_errors
def lookup_command(ctx: Context, name: tuple[str, ...], as_json: bool, batch: Path | None, fmt: str,
                   articles_limit: int | None, offset: int, actor_id: int | None, filter_values: dict,
                   sort: str) -> None:
    """Find the actor called NAME (any spelling, abbreviation or Arabic/Persian script) and print its profile.

    \b
    Examples:
      newsbot lookup Kataeb Hezbollah
      newsbot lookup "Kata'ib Hizballah" --json
      newsbot lookup Iran --since 2019 --source "Middle East Eye" --sort date
      newsbot lookup --batch names.txt --format csv
    """
    engines = engines_for(ctx.store)
    filters = read_filters(engines, filter_values, sort)
    if batch is not None:
        if name or actor_id is not None:
            raise click.UsageError("give NAME, --id or --batch FILE, one of them")
        run_batch(engines, batch, fmt, articles_limit, filters)
        return
    query = " ".join(name)
    if name and actor_id is not None:
        raise click.UsageError("give NAME or --id, not both")
    if actor_id is not None:
        result = by_id(engines, actor_id)
        if result.status == LookupStatus.FOUND:
            result.profile = engines.profiles.profile(actor_id, articles_offset=offset, filters=filters,
                                                      articles_limit=articles_limit or DEFAULT_ARTICLES)
    else:
        result = engines.lookup(query, articles_offset=offset, articles_limit=articles_limit or DEFAULT_ARTICLES,
                                filters=filters)
    if as_json:
        click.echo(json.dumps(lookup_to_json(result), ensure_ascii=False, indent=2))
    elif result.status == LookupStatus.INVALID:
        click.echo(result.explanation, err=True)
        click.echo("Usage: newsbot lookup NAME [--json] | newsbot lookup --batch FILE   (see newsbot lookup --help)",
                   err=True)
    else:
        click.echo(render_text(result))
    sys.exit(EXIT_CODES[result.status])


def by_id(engines: Engines, actor_id: int) -> LookupResult:
    try:
        profile = engines.profiles.profile(actor_id, articles_limit=0, quotes_limit=0)
    except KeyError:
        return LookupResult(query=f"--id {actor_id}", status=LookupStatus.INVALID,
                            explanation=f"No actor has the id {actor_id}.")
    match = Candidate(actor_id=actor_id, name=profile.name, kind=profile.kind, score=1.0, matched=profile.name,
                      how="id", band=Band.EXACT, description=profile.description, mentions=profile.mentions,
                      articles=profile.article_count)
    return LookupResult(query=f"--id {actor_id}", status=LookupStatus.FOUND, candidates=[match], band=Band.EXACT,
                        explanation=f"Actor {actor_id}.")


def run_batch(engines: Engines, path: Path, fmt: str, articles_limit: int | None, filters: Filters) -> None:
    """One result per non-empty input line, in input order, with its line number: every article of each
    actor found, or the first `articles_limit` and how many were left out (`articles_left_out`)."""
    try:
        raw = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror or exc}", param_hint="--batch") from None
    lines = raw.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        result = engines.lookup(line, articles_limit=articles_limit or EVERY_ARTICLE, filters=filters)
        if writer:
            writer.writerow(csv_row(number, result))
        else:
            sys.stdout.write(json.dumps({"line": number, **lookup_to_json(result)}, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def csv_row(number: int, result: LookupResult) -> dict:
    top = result.candidates[0] if result.candidates and result.status == LookupStatus.FOUND else None
    profile = result.profile
    return {
        "line": number, "query": result.query, "status": result.status,
        "name": top.name if top else "", "kind": top.kind if top else "", "score": top.score if top else "",
        "matched": top.matched if top else "", "how": top.how if top else "",
        "mentions": profile.mentions if profile else "", "articles": profile.article_count if profile else "",
        "first_seen": profile.first_seen.isoformat() if profile and profile.first_seen else "",
        "last_seen": profile.last_seen.isoformat() if profile and profile.last_seen else "",
        "candidates": " | ".join(f"{c.name} ({c.score:.2f})" for c in result.candidates),
        "explanation": result.explanation,
        "filters": profile.filters.describe() if profile else "",
        "matched_articles": profile.matched_articles if profile and profile.matched_articles is not None else "",
    }


def render_text(result: LookupResult) -> str:
    """The readable answer: a profile, a list of close candidates, or suggestions."""
    if result.status == LookupStatus.FOUND and result.profile is not None:
        return render_profile(result.profile, result)
    lines = [result.explanation]
    if result.candidates:
        lines.append("")
        for c in result.candidates:
            counts = f"{plural(c.mentions, 'mention')} in {plural(c.articles, 'article')}"
            lines.append(f"  [{c.actor_id}] {c.name} ({c.kind}) – {c.how} “{c.matched}”, score {c.score:.2f}; {counts}")
        lines += ["", f"Show one with: newsbot lookup --id {result.candidates[0].actor_id}"]
    return "\n".join(lines)


def render_profile(p: Profile, result: LookupResult) -> str:
    lines = [f"{p.name}  ({p.kind}{', curated' if p.curated else ''}{', kind guessed' if p.kind_guessed else ''})"]
    if p.description:
        lines.append(p.description)
    lines.append(result.explanation)
    lines.append("")
    seen = f"first seen {_day(p.first_seen)}, last seen {_day(p.last_seen)}" if p.first_seen else "no dated article"
    mentioned = p.article_count - p.authored if p.authored else p.article_count
    counts = f"Mentions: {p.mentions}" + (f" in {plural(mentioned, 'article')}" if p.mentions else "")
    if p.authored:
        counts += f"; wrote {plural(p.authored, 'article')}"
    lines.append(f"{counts}; {seen}" + (" (all articles)" if p.filters.narrows else ""))
    if p.filters.narrows:
        lines.append(f"Filtered: {p.filters.describe()}: {plural(p.matched_articles, 'article')}, "
                     f"{plural(p.matched_mentions, 'mention')}")
    if p.aliases:
        lines.append("Seen in the corpus as: " + ", ".join(p.aliases))
    if p.listed_aliases:
        lines.append("Also listed as: " + ", ".join(p.listed_aliases))
    listed, order = p.listed, p.article_order
    if p.articles:
        first = p.articles_offset + 1
        lines += ["", f"Articles {first}–{p.articles_offset + len(p.articles)} of {listed}, {order}:"]
        for a in p.articles:
            role = "  [author]" if "author" in a.role else ""
            lines.append(f"  {_day(a.date):<10}  {a.title or '(untitled)'} – {a.source or 'unknown source'}{role}"
                         f" ({plural(a.mentions, 'mention')})")
            for line in a.contexts or ([a.context] if a.context else []):
                lines.append(f"              “{line}”")
            if a.url:
                lines.append(f"              {a.url}")
        if p.articles_offset + len(p.articles) < listed:
            lines.append(f"  … more with --offset {p.articles_offset + len(p.articles)}")
    elif p.filters.narrows:
        lines += ["", f"No article passes the filters ({p.filters.describe()})."]
    if p.related:
        lines += ["", "Mentioned alongside: " + ", ".join(f"{name} ({count})" for name, count in p.related)]
    for title, quotes in (("Quotes by", p.quotes_by), ("Quotes about", p.quotes_about)):
        if quotes:
            lines += ["", f"{title} {p.name}:"]
            for q in quotes:
                who = q.speaker or "unattributed"
                lines.append(f"  “{q.text}” – {who}, {q.article.source or 'unknown source'} {_day(q.article.date)}")
    others = [c for c in result.candidates[1:]]
    if others:
        lines += ["", "Not to be confused with: " + ", ".join(f"{c.name} ({c.kind}, {c.score:.2f})" for c in others)]
    return "\n".join(lines)


def _day(value) -> str:
    return value.isoformat() if value else "undated"
