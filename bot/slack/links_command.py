"""`/newsbot add <url>` (and a link posted with @newsbot) and `/newsbot feeds`: the live corpus from Slack.

    /newsbot add <url>                                       index that article now, answer with what is in it
    /newsbot feeds                                           the feeds and how their polls went
    /newsbot feeds add <url> [source name] [every N minutes] a feed polled beside config/feeds.yaml's
    /newsbot feeds remove <url>                              one added from Slack

Adding an article or a feed is the editors' (bot.slack.editors): a refusal is private and logged. A link
posted with @newsbot by someone else is answered with its findings when the page is indexed already, and
otherwise with who can add it. Fetching, extracting and indexing are bot.ingest.links' and bot.ingest.feeds'.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

from bot.blockkit import Message, actions, button, context, escape, finish, link, quoted, section
from bot.config import MAX_REINDEX_MINUTES, ConfigError, FeedConfig, Settings, load_feeds
from bot.ingest.feeds import all_feeds, check_feed, reason, status_lines
from bot.ingest.links import LinkRefused, add_link, indexed_article, web_address
from bot.search.articles import ArticleFindings, article_findings
from bot.slack.buttons import ProfilePage, QuoteCardPage
from bot.slack.views import format_date
from bot.store import feeds as feed_store
from bot.wording import plural

log = logging.getLogger(__name__)

VERBS = ("add", "feeds")
ADD_USAGE = "Usage: `/newsbot add &lt;url&gt;`: an editor indexes the article at that address now."
FEEDS_USAGE = ("*Feeds* (`/newsbot feeds` lists them)\n"
               "• `/newsbot feeds add &lt;url&gt; [source name] [every N minutes]` (editors): poll an RSS or Atom "
               "feed beside those of config/feeds.yaml\n"
               "• `/newsbot feeds remove &lt;url&gt;` (editors): stop polling a feed added from Slack")
REFUSED = "Only the desk's editors can add articles and feeds (they are named in settings.yaml)."
ACTOR_BUTTONS = 20  # an actions block holds 25 elements; the rest are counted
QUOTE_CARDS = 10
_LINK = re.compile(r"<(https?://[^<>|\s]+)(?:\|[^<>]*)?>")
_FEED_ADD = re.compile(r"(?is)^(?P<url>\S+)(?:\s+(?P<source>.+?))??"
                       r"(?:\s+every\s+(?P<every>\d+(?:\.\d+)?)\s*(?:m|min|mins|minutes?)?)?\s*$")


def link_targets(text: str) -> str:
    """Slack's `<https://…|label>` link tokens as their addresses (a typed or pasted address arrives so)."""
    return _LINK.sub(r"\1", text)


def is_links(text: str) -> bool:
    """Whether `/newsbot` text is one of these commands."""
    return text.split(" ", 1)[0].lower() in VERBS


def handle(text: str, *, user_id: str, store, settings: Settings, engines, allowed: bool,
           mentioned: bool = False) -> Message:
    """Answer `/newsbot add …` or `/newsbot feeds …` (text already unescaped) for `user_id`; `mentioned`: a
    link posted with @newsbot, which anyone may ask about."""
    verb, _, rest = text.strip().partition(" ")
    try:
        if verb.lower() == "add":
            return _add(rest.strip(), user_id=user_id, store=store, settings=settings, engines=engines,
                        allowed=allowed, mentioned=mentioned)
        return _feeds(rest.strip(), user_id=user_id, store=store, settings=settings, allowed=allowed)
    except (LinkRefused, ConfigError) as exc:  # ConfigError: feeds.yaml, edited while the bot runs, does not read
        return _say(str(exc))


def _add(rest: str, *, user_id: str, store, settings: Settings, engines, allowed: bool, mentioned: bool) -> Message:
    if not rest:
        return finish("/newsbot add usage", [section(ADD_USAGE)])
    url = web_address(rest.split()[0])
    if not allowed:
        known = indexed_article(store, url) if mentioned else None
        if known is not None:
            return _findings(store, known, url, "Already indexed")
        log.warning("refused to add %s for %s, who is no editor", url[:300], user_id)
        return _say("That page is not indexed; one of the desk's editors can add it with `/newsbot add` "
                    "(or by posting the link with @newsbot)." if mentioned else REFUSED)
    added = add_link(store, settings, url)
    if not added.already:
        engines.refresh()  # its actors' profiles and its quotes are found at once
        log.info("%s added %s", user_id, url[:300])
    return _findings(store, added.article_id, url, "Already indexed" if added.already else "Indexed")


def _findings(store, article_id: str, url: str, said: str) -> Message:
    findings = article_findings(store, article_id)
    if findings is None:
        return _say("That article is no longer in the index.")
    return findings_message(findings, url, said)


def findings_message(findings: ArticleFindings, url: str, said: str) -> Message:
    """An article's title, outlet, date, actors (each a button to its profile) and quotes (each a button to its
    card). Corpus text is escaped."""
    article = findings.article
    title = escape(article.title or "Untitled")
    date = format_date(article.date) if article.date else "undated"
    blocks = [section(f"{said}: *{link(url, title)}*\n{escape(article.source or 'unknown outlet')} · {date}")]
    if findings.actors:
        shown = findings.actors[:ACTOR_BUTTONS]
        blocks.append(section(f"*Actors* ({len(findings.actors)}): " + ", ".join(
            f"{escape(a.name)} ({a.kind}, {plural(a.mentions, 'mention')})" for a in shown)))
        blocks.append(actions([button(a.name, "open", ProfilePage(a.id).encode()) for a in shown]))
        if len(findings.actors) > len(shown):
            blocks.append(context(f"and {plural(len(findings.actors) - len(shown), 'more actor')}"))
    else:
        blocks.append(section("*Actors*: none found."))
    if findings.quotes:
        blocks.append(section(f"*Quotes* ({len(findings.quotes)})"))
        for quote in findings.quotes[:QUOTE_CARDS]:
            blocks.append(section(f"{quoted(escape(quote.text))}\n— {escape(quote.speaker or 'unattributed')}",
                                  accessory=button("Quote card", "card", QuoteCardPage(quote.id).encode())))
        if len(findings.quotes) > QUOTE_CARDS:
            blocks.append(context(f"and {plural(len(findings.quotes) - QUOTE_CARDS, 'more quote')}"))
    else:
        blocks.append(section("*Quotes*: none found."))
    return finish(f"{said}: {article.title or 'Untitled'}", blocks)


def _feeds(rest: str, *, user_id: str, store, settings: Settings, allowed: bool) -> Message:
    verb, _, rest = rest.partition(" ")
    verb, rest = verb.lower(), rest.strip()
    config = load_feeds(settings.config_dir)
    if not verb:
        return feeds_message(store, config)
    if verb not in ("add", "remove"):
        return finish("/newsbot feeds usage", [section(FEEDS_USAGE)])
    if not allowed:
        log.warning("refused /newsbot feeds %s by %s, who is no editor", verb, user_id)
        return _say(REFUSED)
    match = _FEED_ADD.match(rest) if verb == "add" else re.fullmatch(r"(?P<url>\S+)", rest)
    if match is None:
        return finish("/newsbot feeds usage", [section(FEEDS_USAGE)])
    url = web_address(match["url"])
    if any(feed.url == url for feed in config.feeds):
        return _say(f"{url} is listed in config/feeds.yaml: it is changed or removed there, not from Slack.")
    if verb == "remove":
        if not feed_store.remove(store, url):
            return _say(f"No feed {url} was added from Slack; `/newsbot feeds` lists them.")
        log.info("%s removed feed %s", user_id, url[:300])
        return _say(f"Removed feed {url}: it is no longer polled (what it indexed stays).")
    every = float(match["every"] or 15)
    if not 1 <= every <= MAX_REINDEX_MINUTES:
        return _say(f"Poll a feed every 1 to {MAX_REINDEX_MINUTES} minutes.")
    try:
        items = check_feed(config, url)
    except Exception as exc:  # the reason, in a line: unreachable, an HTTP error, not a feed, …
        return _say(f"{url} was not added: {reason(exc)}.")
    source = (match["source"] or "").strip() or (urlsplit(url).hostname or url).removeprefix("www.")
    feed = FeedConfig(url=url, source=source, every_minutes=every, added_by=user_id)
    if not feed_store.add(store, feed, datetime.now(timezone.utc)):
        return _say(f"{url} is polled already; `/newsbot feeds` lists the feeds.")
    log.info("%s added feed %s", user_id, url[:300])
    return _say(f"Added feed {url} ({source}, {plural(items, 'item')} now): the running bot polls it within a "
                f"minute, then every {every:g} min.")


def feeds_message(store, config) -> Message:
    """Every feed with its status, as `newsbot feeds status` shows it."""
    feeds = all_feeds(store, config)
    if not feeds:
        return finish("No feeds", [section("No feeds yet: editors add one with `/newsbot feeds add &lt;url&gt;`, "
                                           "the operator in config/feeds.yaml."), section(FEEDS_USAGE)])
    states = feed_store.all_feed_states(store)
    blocks = [section(f"*Feeds* ({len(feeds)})")]
    for feed in feeds:
        heading, *details = status_lines(feed, states.get(feed.url))
        blocks.append(section("\n".join([f"*{escape(heading)}*", *(escape(line.strip()) for line in details)])))
    return finish(f"Feeds ({len(feeds)})", [*blocks, context(FEEDS_USAGE.replace("\n", " "))])


def _say(text: str) -> Message:
    return finish(text, [section(escape(text))])
