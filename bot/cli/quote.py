"""`newsbot quote`: find a quote from the words you remember, or by who said it; `--card ID` shows one quote
ready to cite."""
from __future__ import annotations

import json
import sys

import click

from bot.cli.base import Context, cli, filter_options, friendly_errors, pass_context, read_filters
from bot.search.engines import engines_for
from bot.search.quote_cards import quote_card
from bot.search.results import QuoteCard, QuoteHit, QuoteSearchResult, filters_json, to_jsonable
from bot.wording import plural


@cli.command("quote")
@click.argument("words", nargs=-1)
@click.option("--by", metavar="SPEAKER", help="Only quotes by this speaker (any spelling; anonymous sources too).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: query, by, total, results.")
@click.option("--limit", type=click.IntRange(1, 200), default=5, show_default=True, help="How many quotes to show.")
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many quotes (paging).")
@click.option("--card", "card_id", type=click.IntRange(1), metavar="ID",
              help="Show quote ID (listed with each quote) as a card ready to cite: the paragraph around it, every "
                   "outlet that carried it and the line to paste.")
@filter_options
@pass_context
@friendly_errors
def quote_command(ctx: Context, words: tuple[str, ...], by: str | None, as_json: bool, limit: int,
                  offset: int, card_id: int | None, filter_values: dict) -> None:
    """Find quotes from WORDS you remember (any order, typos forgiven), optionally --by a speaker, --since or
    --until a day (the day a quote was first seen), from a --source (the outlet that first published it),
    by speakers of a --kind.

    \b
    Examples:
      newsbot quote straightforward and clear
      newsbot quote --by Trump
      newsbot quote --by Trump terror --json
      newsbot quote oil prices --since 1987-03 --until 1987-04 --source Reuters
      newsbot quote --card 12
    """
    if card_id is not None:
        if words or by:
            raise click.UsageError("--card ID shows one quote: give it without WORDS or --by.")
        card = quote_card(ctx.store, card_id)
        if card is None:
            click.echo(f"No quote {card_id} in the index. Find its id with newsbot quote WORDS….", err=True)
            sys.exit(1)
        click.echo(json.dumps(to_jsonable(card), ensure_ascii=False, indent=2) if as_json else render_card(card))
        return
    engines = engines_for(ctx.store)
    filters = read_filters(engines, filter_values)
    result = engines.quote_search.search(" ".join(words), by, limit=limit, offset=offset, filters=filters)
    if as_json:
        click.echo(json.dumps(quote_result_json(result), ensure_ascii=False, indent=2))
    elif not result.results:
        click.echo(result.explanation or f"No quote matches “{result.query}”.", err=True)
        if result.filters.narrows:
            click.echo(f"Filtered: {result.filters.describe()}.", err=True)
        if not words and not by:
            click.echo("Usage: newsbot quote WORDS… [--by SPEAKER] [--json]   (see newsbot quote --help)", err=True)
    else:
        click.echo(render_text(result, offset))
    sys.exit(0 if result.results else (2 if not words and not by else 1))


def quote_result_json(result: QuoteSearchResult) -> dict:
    """The `newsbot quote --json` contract."""
    return {
        "query": result.query, "by": result.by, "total": result.total, "explanation": result.explanation,
        "filters": filters_json(result.filters),
        "speaker": ({"status": result.speaker.status, "candidates": [c.name for c in result.speaker.candidates]}
                    if result.speaker is not None else None),
        "results": [hit_json(hit) for hit in result.results],
    }


def hit_json(hit: QuoteHit) -> dict:
    article = hit.article
    return {
        "id": hit.id, "text": hit.text, "speaker": hit.speaker, "speaker_actor": hit.speaker_actor,
        "anonymous": hit.anonymous, "cue": hit.cue, "marked": hit.marked, "partial": hit.partial,
        "article": {"id": article.id, "title": article.title, "source": article.source,
                    "date": to_jsonable(article.date), "url": article.url},
        "first_seen": to_jsonable(hit.first_seen), "occurrences": hit.occurrences, "score": hit.score,
    }


def render_text(result: QuoteSearchResult, offset: int = 0) -> str:
    lines = [result.explanation] if result.explanation else []
    if result.filters.narrows:
        lines.append(f"Filtered: {result.filters.describe()}.")
    shown = f"{offset + 1}–{offset + len(result.results)} of {result.total}"
    lines.append(f"{plural(result.total, 'quote')} found; showing {shown}.")
    for number, hit in enumerate(result.results, offset + 1):
        lines += ["", f"{number}. “{hit.text}”", "   " + attribution_line(hit)]
    return "\n".join(lines)


def attribution_line(hit: QuoteHit) -> str:
    """`— Donald Trump (as “Trump”), POLITICO, 2020-10-09 · first seen … · 2 occurrences`"""
    if hit.speaker is None:
        who = "unattributed"
    elif hit.anonymous:
        who = f"{hit.speaker} (anonymous source)"
    elif hit.speaker_actor and hit.speaker_actor != hit.speaker:
        who = f"{hit.speaker_actor} (as “{hit.speaker}”)"
    else:
        who = hit.speaker
    where = ", ".join(str(x) for x in (hit.article.source, hit.article.date) if x)
    parts = [f"— {who}" + (f", {where}" if where else "")]
    if hit.article.title:
        parts.append(f"“{hit.article.title}”")
    if hit.first_seen:
        parts.append(f"first seen {hit.first_seen.isoformat()}")
    parts.append(plural(hit.occurrences, "occurrence"))
    if hit.partial:
        parts.append("partial quote")
    if not hit.marked:
        parts.append("quotation marks recovered")
    parts.append(f"card: --card {hit.id}")
    return " · ".join(parts)


def render_card(card: QuoteCard) -> str:
    """A quote card as text: the quote, who and where, the paragraph, the outlets, the line to paste."""
    article = card.article
    who = f"{card.speaker} (anonymous source)" if card.anonymous else card.speaker
    where = ", ".join(x for x in (article.source, article.date.isoformat() if article.date else None) if x)
    lines = [f"“{card.text}”", f"— {who}" + (f", {where}" if where else "")
             + (" · partial quote" if card.partial else "")]
    if article.title or article.url:
        lines.append(" ".join(x for x in (f"“{article.title}”" if article.title else None, article.url) if x))
    lines += ["", "In context:", f"  {card.paragraph}", "", f"Carried by {plural(len(card.carriers), 'outlet')}:"]
    for carrier in card.carriers:
        lines.append("  * " + ", ".join(x for x in (carrier.source or "unknown outlet",
                                                   carrier.date.isoformat() if carrier.date else None) if x)
                     + (" (first)" if carrier.first else "") + (f" {carrier.url}" if carrier.url else ""))
    lines += ["", "Cite:", f"  {card.citation}"]
    return "\n".join(lines)
