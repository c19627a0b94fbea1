"""A small hand-made index for lookup tests: actors, aliases, articles and mentions
written straight into a store, so the engine is tested without the extractor."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import insert

from bot.nlp.names import actor_key
from bot.store.actor_stats import refresh_actor_stats
from bot.store.schema import actors, aliases, articles, mentions

# name, kind, curated, description, config aliases
ACTORS = [
    ("Kataeb Hezbollah", "organization", True, "Iraqi Shia militia backed by Iran",
     ["Kata'ib Hizballah", "KH", "Hezbollah Brigades", "كتائب حزب الله"]),
    ("Hezbollah", "organization", True, "Lebanese Shia party and militia", ["Hizbullah", "Party of God", "حزب الله"]),
    ("Asaib Ahl al-Haq", "organization", True, None, ["AAH", "League of the Righteous"]),
    ("Islamic Revolutionary Guard Corps", "organization", True, None, ["IRGC", "Revolutionary Guards", "Sepah"]),
    ("Islamic State", "organization", True, None, ["ISIS", "ISIL", "Daesh"]),
    ("Ali Khamenei", "person", True, "Supreme Leader of Iran", ["Ayatollah Khamenei", "Khamenei"]),
    ("Ruhollah Khomeini", "person", True, "Founder of the Islamic Republic", []),
    ("Qassem Soleimani", "person", True, None, ["Qasem Soleimani"]),
    ("Mustafa al-Kadhimi", "person", True, "Prime Minister of Iraq", ["Kadhimi"]),
    ("Abdulaziz al-Muhammadawi", "person", True, None, ["Abu Fadak", "Abu Fadak al-Muhammadawi"]),
    ("Seyed Hossein Mousavian", "person", False, None, []),
    ("Hassan Rouhani", "person", False, None, []),
    ("Iraq", "place", True, None, ["العراق"]),
]
ARTICLES = [
    ("a1", "Militias defy Khamenei", "Middle East Eye", "Ali Hashem", date(2020, 2, 1),
     "Kataeb Hezbollah ignored Khamenei. Kata'ib Hizballah fighters in Iraq. Hezbollah watched."),
    ("a2", "How US, Iranian strategies diverge", "Al-Monitor", "Seyed Hossein Mousavian", date(2019, 3, 22),
     "Seyed Hossein Mousavian writes: Iran's President Hassan Rouhani visited Iraq. The IRGC trains forces."),
    ("a3", "Kadhimi under pressure", "Reuters", "Seyed Hossein Mousavian", date(2020, 6, 30),
     "Mustafa al-Kadhimi met Kataeb Hezbollah leaders. Abu Fadak attended."),
]


def build_world(store) -> dict[str, int]:
    """Write the world into `store`; returns actor ids by name."""
    ids: dict[str, int] = {}
    with store.begin() as conn:
        for name, kind, curated, description, extra in ACTORS:
            ids[name] = conn.execute(insert(actors).values(
                key=actor_key(name), name=name, kind=kind, curated=curated, description=description,
                mention_count=0, article_count=0)).inserted_primary_key[0]
            for alias in [name, *extra]:
                conn.execute(insert(aliases).values(actor_id=ids[name], alias=alias, key=actor_key(alias),
                                                    origin="config" if curated else "corpus"))
        for article_id, title, source, author, day, text in ARTICLES:
            conn.execute(insert(articles).values(id=article_id, title=title, source=source, author=author, date=day,
                                                 path="world.txt", text=text, ingested_at=datetime.now(timezone.utc)))
        for article_id, _, _, _, _, text in ARTICLES:
            for name, _, _, _, extra in ACTORS:
                for surface in sorted({name, *extra}, key=len, reverse=True):
                    at = text.find(surface)
                    if surface == "Hezbollah" and text[max(0, at - 7):at] == "Kataeb ":
                        at = text.find(surface, at + 1)  # part of another actor's name
                    if at >= 0:
                        conn.execute(insert(mentions).values(article_id=article_id, actor_id=ids[name], start=at,
                                                             end=at + len(surface), surface=surface,
                                                             sentence_start=0, sentence_end=120))
                        break
        refresh_actor_stats(conn)
        store.bump_generation(conn)
    return ids
