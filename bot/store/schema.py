"""Every table of the index, in one place.

Articles are *stories*: a syndicated copy of the same story is one article with
several occurrences (one per file position it was found at). Actors hold both the
curated list (config/actors.yaml) and actors discovered in the corpus. A column
holding one of a few words has them declared beside its table.
"""
from enum import StrEnum

from sqlalchemy import (
    JSON, BigInteger, Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer,
    MetaData, String, Table, Text, UniqueConstraint, func,
)

metadata = MetaData()

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


class FileStatus(StrEnum):
    """How a corpus file was read: whole, or with problems (the articles that could be read are kept)."""
    OK = "ok"
    PARTIAL = "partial"


source_files = Table(
    "source_files", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("path", Text, nullable=False, unique=True),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mtime", Float, nullable=False),
    Column("indexed_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # FileStatus: ok | partial
    Column("error", Text),
)

articles = Table(
    "articles", metadata,
    Column("id", String(32), primary_key=True),  # stable: derived from the normalised body
    Column("title", Text),
    Column("source", Text),
    Column("author", Text),
    Column("date", Date),
    Column("url", Text),
    Column("path", Text, nullable=False),  # file of the first occurrence
    Column("text", Text, nullable=False),  # offsets of mentions and quotes point into this
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Index("ix_articles_ingested_at", "ingested_at"),
    Index("ix_articles_date", "date"),
)

occurrences = Table(
    "occurrences", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("file_id", Integer, ForeignKey("source_files.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),  # index of the article within its file
    Column("title", Text),
    Column("source", Text),
    Column("author", Text),
    Column("date", Date),
    Column("url", Text),
    Column("path", Text, nullable=False),
    UniqueConstraint("file_id", "position", name="uq_occurrence_file_position"),
    Index("ix_occurrences_article", "article_id"),
    Index("ix_occurrences_url", "url"),  # "is this page indexed already?" (bot.ingest.links)
)

# MinHash-LSH bands of each article body, for near-duplicate (syndication) detection.
article_bands = Table(
    "article_bands", metadata,
    Column("band", String(40), nullable=False),
    Column("article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Index("ix_article_bands_band_article", "band", "article_id"),  # near-copy candidates from the index alone
    Index("ix_article_bands_article", "article_id"),
)

actors = Table(
    "actors", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),  # bot.nlp.names.actor_key(name)
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),  # person | organization | place | other
    Column("description", Text),
    Column("described_on", Date),  # a discovered actor's description is the role its latest article gives it
    Column("curated", Boolean, nullable=False, default=False),
    # Denormalised counts, refreshed at the end of each index run.
    Column("mention_count", Integer, nullable=False, default=0),
    Column("article_count", Integer, nullable=False, default=0),
    Column("first_seen", Date),
    Column("last_seen", Date),
    # bot.nlp.names.short_form of the key (migration 10): the surname or the name without its legal form the
    # actor goes by alone, which the corpus-level resolution (bot.ingest.resolve) matches short-form actors to.
    Column("short_key", String(200)),
    Index("ix_actors_short_key", "short_key"),
    # The kind a discovered actor's mentions vote for, weighed by how sure each article's cue is
    # (bot.store.actor_stats.KIND_VOTE_COLUMNS): its kind is the one with the most.
    Column("votes_person", Integer, default=0),
    Column("votes_organization", Integer, default=0),
    Column("votes_place", Integer, default=0),
    Column("votes_other", Integer, default=0),
)


class AliasOrigin(StrEnum):
    """Where an alias comes from, strongest first: what an editor wrote beats what the corpus
    shows, which beats what lookup derives (never stored: initials of an organisation, the
    surname of a person)."""
    CONFIG = "config"
    CORPUS = "corpus"
    DERIVED = "derived"


aliases = Table(
    "aliases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("actor_id", Integer, ForeignKey("actors.id", ondelete="CASCADE"), nullable=False),
    Column("alias", Text, nullable=False),
    Column("key", String(200), nullable=False),
    Column("origin", String(16), nullable=False),  # AliasOrigin: config | corpus
    UniqueConstraint("actor_id", "key", name="uq_alias_actor_key"),
    Index("ix_aliases_key", "key"),
)

mentions = Table(
    "mentions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("actor_id", Integer, ForeignKey("actors.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("surface", Text, nullable=False),
    # The sentence the mention is in, as offsets into articles.text (migration 8; as text it was half the index).
    Column("sentence_start", Integer),
    Column("sentence_end", Integer),
    # The kind the mention's article gives the actor and how sure it is (bot.nlp.actors Piece.cue): its vote.
    Column("kind", String(16)),
    Column("cue", Integer),
    # With the actor: "does this article mention that actor" and "who else is in these articles" read no row.
    Index("ix_mentions_article_actor", "article_id", "actor_id"),
)


# Roles the text gives the person a mention names (bot.nlp.roles): the office and whose it is, as keys. The
# row points at its mention by (article_id, mention_start), so it follows the mention to whichever actor the
# name resolves to; the article gives the date.
role_mentions = Table(
    "role_mentions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("mention_start", Integer, nullable=False),
    Column("office", String(200), nullable=False),
    Column("of", String(200), nullable=False, default=""),
    Column("written", Text, nullable=False),
    Index("ix_role_mentions_office", "office"),
    Index("ix_role_mentions_article", "article_id"),
)


def mention_sentence(text=articles.c.text):
    """A mention's sentence, cut from its article's `text` by the database (in a query that joins articles)."""
    return func.substr(text, mentions.c.sentence_start + 1,
                       mentions.c.sentence_end - mentions.c.sentence_start).label("sentence")


quotes = Table(
    "quotes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),  # hash of the folded text
    Column("text", Text, nullable=False),  # the longest form seen, without the marks
    Column("speaker", Text),  # as written
    Column("speaker_actor_id", Integer, ForeignKey("actors.id", ondelete="SET NULL")),
    Column("anonymous", Boolean, nullable=False, default=False),
    Column("cue", String(64)),
    Column("article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("marked", Boolean, nullable=False, default=True),
    Column("partial", Boolean, nullable=False, default=False),
    Column("first_seen", Date),
    Column("first_source", Text),
    # Blocking keys for near-identical forms (bot.nlp.quote_identity): first and last six folded words.
    Column("head_key", String(40), nullable=False, default=""),
    Column("tail_key", String(40), nullable=False, default=""),
    Index("ix_quotes_speaker_actor", "speaker_actor_id"),
    Index("ix_quotes_article", "article_id"),
    Index("ix_quotes_head_key", "head_key"),
    Index("ix_quotes_tail_key", "tail_key"),
)

# Indexes in the orders profiles read (migration 2): an actor's latest mentions, articles newest first and
# quotes newest first, undated ones last (ORDER BY date DESC NULLS LAST, id). SQLite keeps the rowid
# (mentions.id) in every index and sorts NULLs last in DESC order; PostgreSQL sorts them first, and reads an
# ASC index backwards as DESC NULLS FIRST, so its orders are spelled out.
MENTION_READS = ["article_id", "surface", "start", "end"]
NEWEST_FIRST = {  # by dialect; created on existing databases by migrations 2, 5 and 7
    "sqlite": [
        # An actor's latest mentions from the index alone: SQLite has no INCLUDE, so the columns read are keyed
        # after the rowid (mentions.id), which keeps the (actor_id, id) order.
        Index("ix_mentions_actor_newest", mentions.c.actor_id, mentions.c.id, *(mentions.c[c] for c in MENTION_READS)),
        Index("ix_articles_newest", articles.c.date.desc(), articles.c.id),  # the walk reads no article row
        Index("ix_quotes_first_seen", quotes.c.first_seen, quotes.c.id),
    ],
    "postgresql": [
        # Holding what profiles read of an actor's mentions: its latest ones are read from the index alone.
        Index("ix_mentions_actor_newest", mentions.c.actor_id, mentions.c.id, postgresql_include=MENTION_READS),
        Index("ix_articles_newest", articles.c.date.desc().nulls_last(), articles.c.id),
        Index("ix_quotes_newest", quotes.c.first_seen.desc().nulls_last(), quotes.c.id.desc()),
    ],
}
for _dialect, _indexes in NEWEST_FIRST.items():
    for _index in _indexes:
        _index.ddl_if(dialect=_dialect)


ABOUT_CONTEXT = 150  # characters around a quote whose mentions make it a quote "about" their actors

quote_occurrences = Table(
    "quote_occurrences", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("quote_id", Integer, ForeignKey("quotes.id", ondelete="CASCADE"), nullable=False),
    Column("article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("source", Text),
    # The actors mentioned within ABOUT_CONTEXT characters of this occurrence, as comma-separated ids (migration
    # 9): the quote is "about" them. Written with the occurrence, read into the quote index.
    Column("subjects", Text),
    Index("ix_quote_occurrences_quote", "quote_id"),
    # By article, for deletes and digests. Its span and quote columns served profiles' "quotes near these
    # mentions" (migration 7) until the occurrences held their subjects (migration 9).
    Index("ix_quote_occurrences_article_span", "article_id", "start", "end", "quote_id"),
)


class SubscriptionOrigin(StrEnum):
    """Who manages a subscription: the operator's config/digests.yaml, or a channel from Slack."""
    YAML = "yaml"
    SLACK = "slack"


subscriptions = Table(
    "subscriptions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(32), nullable=False, unique=True),
    Column("time", String(5), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("days", JSON, nullable=False),  # list of weekday numbers, Monday = 0
    Column("follow", JSON, nullable=False),  # list of actor names
    # {"sources": [...], "kinds": [...], "sections_off": [...], "alerts": bool (absent: on)}
    Column("filters", JSON, nullable=False),
    Column("post_when_quiet", Boolean, nullable=False, default=False),
    Column("paused", Boolean, nullable=False, default=False),
    Column("paused_reason", Text),  # e.g. "not_in_channel", shown by /digest status
    Column("origin", String(8), nullable=False),  # SubscriptionOrigin: yaml | slack
    Column("created_by", String(32)),
    Column("created_at", DateTime(timezone=True)),
)


class LedgerStatus(StrEnum):
    """Where a channel's digest for one day stands."""
    CLAIMED = "claimed"  # an instance is posting it (or died doing so: see lease_until)
    POSTED = "posted"
    QUIET = "quiet"  # nothing to post
    FAILED = "failed"  # may be tried again
    GIVEN_UP = "given_up"  # never posted: too late, or refused for good


def claim_columns() -> list[Column]:
    """The columns of a claim in a ledger table (bot.digest.ledger): the digests' and the alerts'."""
    return [
        Column("status", String(16), nullable=False),  # LedgerStatus
        Column("ts", String(32)),  # the message posted
        Column("claimed_at", DateTime(timezone=True), nullable=False),
        Column("claimed_by", String(64), nullable=False),
        Column("attempts", Integer, nullable=False, default=0),
        Column("error", Text),
        # A claim is a lease: its holder renews it while it works; once it has run out another process may
        # take the row over.
        Column("lease_until", DateTime(timezone=True)),
        # Set before a post is sent and cleared when Slack refuses it: while set, a post may have gone
        # through, so whoever takes the row over looks for it in the channel's history first.
        Column("sending_since", DateTime(timezone=True)),
    ]


digest_ledger = Table(
    "digest_ledger", metadata,
    Column("channel", String(32), primary_key=True),
    Column("digest_date", Date, primary_key=True),
    # The window of new articles this digest covers; the next digest starts where it ended.
    Column("window_start", DateTime(timezone=True)),
    Column("window_end", DateTime(timezone=True)),
    *claim_columns(),
)

# Alerts for followed actors, claimed like digests: one row per (channel, actor, seq), where `seq` counts the
# alerts of that actor in that channel. Row 0 (status quiet, never posted) records when the channel began to
# follow the actor: nothing indexed before it alerts. Each alert covers the mentions and quotes indexed in
# [covered_from, covered_until); the next one starts where it ended, and not before an hour after it.
alert_ledger = Table(
    "alert_ledger", metadata,
    Column("channel", String(32), primary_key=True),
    Column("actor_id", Integer, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("thread_ts", String(32)),  # the day's digest message it was posted under, if any
    Column("covered_from", DateTime(timezone=True), nullable=False),
    Column("covered_until", DateTime(timezone=True), nullable=False),
    *claim_columns(),
)

# Slack requests an instance has taken on, by a key Slack repeats when it sends a request again (an event's
# event_id): Slack retries an event it thinks was lost, to any instance, and the one whose insert of the key
# goes in answers it. Rows older than an hour are pruned.
slack_requests_taken = Table(
    "slack_requests_taken", metadata,
    Column("key", String(200), primary_key=True),
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("taken_by", String(64), nullable=False),  # host:pid, for the operator
    Index("ix_slack_requests_taken_at", "taken_at"),
)


class EditAction(StrEnum):
    """What an editor did to an actor (bot.ingest.curation applies each)."""
    MERGE = "merge"  # the actor is another: its mentions, quotes and spellings are the target's
    MOVE = "move"  # the mentions written with one spelling belong to another (or a new) actor
    RENAME = "rename"
    KIND = "kind"
    DESCRIBE = "describe"
    ALIAS = "alias"  # one more name the actor goes by
    NOT_ACTOR = "not_actor"  # a name the corpus took for an actor that is none


# Edits editors made to the index from Slack, the console or `newsbot curation import`: who, when, what the
# actor was before and after. Actors are named by key (bot.nlp.names.actor_key), which survives re-indexing
# where ids do not; every active (not undone) edit is applied again at the end of each index run.
actor_edits = Table(
    "actor_edits", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("actor_key", String(200), nullable=False),  # the actor edited
    Column("action", String(16), nullable=False),  # EditAction
    Column("target_key", String(200)),  # merge and move: the actor that receives
    Column("detail", JSON, nullable=False),  # what was asked: {"name": …, "kind": …, "alias": …}
    Column("before", JSON, nullable=False),  # what undoing it restores (rows moved, values replaced)
    Column("after", JSON, nullable=False),  # what the edit made, for the history
    Column("editor", String(64), nullable=False),  # a Slack user id, `console`, or `import`
    Column("edited_at", DateTime(timezone=True), nullable=False),
    Column("undone_at", DateTime(timezone=True)),
    Column("undone_by", String(64)),
    Index("ix_actor_edits_actor_key", "actor_key"),
    Index("ix_actor_edits_target_key", "target_key"),
)

# Feeds of config/feeds.yaml, as polled: conditional-request validators and the outcome of the last polls.
feeds = Table(
    "feeds", metadata,
    Column("url", String(2000), primary_key=True),
    Column("source", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_poll", DateTime(timezone=True)),
    Column("last_success", DateTime(timezone=True)),
    Column("items_indexed", Integer, nullable=False, default=0),  # items indexed from it, over all polls
    Column("errors", Integer, nullable=False, default=0),  # polls that failed, over all polls
    Column("last_error", Text),  # why the last poll failed (None once a poll succeeds)
)

# The item URLs of each feed already indexed: a feed lists an item in poll after poll, it is fetched once.
feed_items = Table(
    "feed_items", metadata,
    Column("feed_url", String(2000), ForeignKey("feeds.url", ondelete="CASCADE"), primary_key=True),
    Column("item_url", String(2000), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

# Feeds editors added from Slack (`/newsbot feeds add`), polled beside those of config/feeds.yaml; their polled
# state is kept in `feeds` like any feed's.
added_feeds = Table(
    "added_feeds", metadata,
    Column("url", String(2000), primary_key=True),
    Column("source", Text, nullable=False),
    Column("every_minutes", Float, nullable=False),
    Column("added_by", String(64), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)
