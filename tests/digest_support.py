"""Test helpers for digests: put stories, mentions and quotes straight into a store at chosen
ingestion times (extraction is tested elsewhere; digests only read what the index holds)."""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import insert, select

from bot.digest.build import build_digest
from bot.nlp.names import actor_key
from bot.store.schema import actors, articles, mentions, occurrences, quote_occurrences, quotes, source_files

UTC = timezone.utc


def at(text: str) -> datetime:
    """`2026-03-27 08:00` as a UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


MORNING = at("2026-03-27 08:00")
DAY_BEFORE = MORNING - timedelta(hours=24)


def digest_of(store, **kwargs):
    """The digest of the day before MORNING, in London."""
    return build_digest(store, window_start=DAY_BEFORE, window_end=MORNING, digest_date=MORNING.date(),
                        tz="Europe/London", **kwargs)


def actor(store, name: str, kind: str = "person", *, curated: bool = True, corpus_mentions: int = 0) -> int:
    """The actor named `name`, made on first use: curated (config/actors.yaml) unless told otherwise."""
    with store.begin() as conn:
        found = conn.execute(select(actors.c.id).where(actors.c.key == actor_key(name))).scalar()
        if found:
            return found
        return conn.execute(insert(actors).values(key=actor_key(name), name=name, kind=kind, curated=curated,
                                                  mention_count=corpus_mentions,
                                                  article_count=corpus_mentions)).inserted_primary_key[0]


def story(store, title: str, ingested: datetime, *, source: str = "Wire", copies: tuple[str, ...] = (),
          published: date | None = None, undated: bool = False, url: str | None = None, body: str | None = None,
          mentions_of: tuple[str, ...] = (), quotes_by: tuple[tuple[str, str | None, bool], ...] = ()) -> str:
    """One story (plus syndicated copies from other sources) with mentions and quotes (text, speaker, anonymous),
    published on `published`, else the day it is indexed (news as it breaks), or with no date when `undated`."""
    story_id = hashlib.sha1(title.encode()).hexdigest()[:20]
    body = body or f"{title}.\n\nThis is the body of the story called {title}, long enough to be a summary line."
    said = {name: f"{name} was in the story {title}." for name in mentions_of}  # the sentence naming each
    body += "".join(f"\n\n{sentence}" for sentence in said.values())
    day = None if undated else published or ingested.date()
    with store.begin() as conn:
        conn.execute(insert(articles).values(id=story_id, title=title, source=source, date=day,
                                             url=url, path=f"/corpus/{story_id}.txt", text=body, ingested_at=ingested))
        for position, carrier in enumerate((source, *copies)):
            file_id = conn.execute(insert(source_files).values(
                path=f"/corpus/{story_id}-{position}.txt", sha256="0" * 64, size=1, mtime=0.0, indexed_at=ingested,
                status="ok")).inserted_primary_key[0]
            conn.execute(insert(occurrences).values(article_id=story_id, file_id=file_id, position=0, title=title,
                                                    source=carrier, path=f"/corpus/{story_id}-{position}.txt"))
    for name in mentions_of:  # a name given twice is mentioned twice in its sentence
        sentence = said[name]
        actor_id, at = actor(store, name), body.index(sentence)
        with store.begin() as conn:
            conn.execute(insert(mentions).values(article_id=story_id, actor_id=actor_id, start=at, end=at + len(name),
                                                 surface=name, sentence_start=at, sentence_end=at + len(sentence)))
    for text, speaker, anonymous in quotes_by:
        speaker_id = actor(store, speaker) if speaker and not anonymous else None
        with store.begin() as conn:
            quote_id = conn.execute(select(quotes.c.id).where(quotes.c.key == actor_key(text)[:64])).scalar()
            if quote_id is None:
                quote_id = conn.execute(insert(quotes).values(
                    key=actor_key(text)[:64], text=text, speaker=speaker, speaker_actor_id=speaker_id,
                    anonymous=anonymous, article_id=story_id, start=0, end=len(text), marked=True, partial=False,
                    first_seen=day, first_source=source)).inserted_primary_key[0]
            conn.execute(insert(quote_occurrences).values(quote_id=quote_id, article_id=story_id, start=0,
                                                          end=len(text), source=source))
    return story_id
