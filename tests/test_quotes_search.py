"""The same quote across articles is one quote; quote search ranks and pages it (both backends)."""
from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import and_, or_, select

from bot.cli import cli
from bot.ingest.indexer import Indexer
from bot.search.quotes import QuoteSearch
from bot.store.schema import ABOUT_CONTEXT, actors, mentions, quote_occurrences, quotes

ENVOY = "We will not accept any deal that leaves the militias armed and the borders open"


def article(title: str, source: str, day: str, body: str) -> str:
    return json.dumps({"title": title, "source": source, "date": day, "text": body})


def write_corpus(folder):
    """Four stories that quote the envoy: the same words with other punctuation and case, one word changed,
    a truncation, and one unrelated quote with a phrase in a different order."""
    folder.mkdir()
    (folder / "wires.jsonl").write_text("\n".join([
        article("Envoy rejects deal", "Wire A", "2024-03-02",
                f"The envoy spoke in Geneva on Tuesday after the talks.\n\n“{ENVOY},” Jamal Haddad said."),
        article("Talks stall in Geneva", "Wire B", "2024-03-01",
                "Delegations left the hotel early on Monday evening.\n\n"
                f'"{ENVOY.upper()}!" Jamal Haddad told reporters.'),
        article("Geneva talks: what next", "Wire C", "2024-03-05",
                "Diplomats expect a new round of talks in April.\n\n"
                f"“{ENVOY.replace('militias', 'factions')},” the envoy, Jamal Haddad, said."),
        article("Militias and borders", "Wire D", "2024-03-06",
                "The question of the borders remains open for now.\n\n"
                "“We will not accept any deal that leaves the militias armed,” Jamal Haddad said on Friday."),
        article("Border towns wait", "Wire E", "2024-03-07",
                "Residents of the border towns are waiting for news.\n\n"
                "“The borders stay open and the militias stay armed while nobody decides,” "
                "a local official told the paper."),
    ]) + "\n", encoding="utf-8")


def test_the_same_quote_in_several_articles_is_one_quote_with_its_occurrences(store, tmp_path):
    write_corpus(tmp_path / "corpus")
    Indexer(store).run([tmp_path / "corpus"])
    search = QuoteSearch(store)
    result = search.search("militias armed borders", limit=10)
    envoy = [hit for hit in result.results if hit.speaker == "Jamal Haddad"]
    assert len(envoy) == 1, [h.text for h in result.results]
    hit = envoy[0]
    assert hit.occurrences == 4  # equal after folding, one word changed, and a truncation
    assert hit.first_seen.isoformat() == "2024-03-01" and hit.article.source == "Wire B"
    assert len(hit.text) >= len(ENVOY)  # the longest form is kept


def test_whole_phrase_first_then_word_order_tolerance_and_typos(store, tmp_path):
    write_corpus(tmp_path / "corpus")
    Indexer(store).run([tmp_path / "corpus"])
    search = QuoteSearch(store)
    ranked = search.search("the militias armed and the borders open", limit=5).results
    assert ranked[0].speaker == "Jamal Haddad" and ranked[1].anonymous
    assert ranked[0].score > ranked[1].score
    shuffled = search.search("borders open militias armed", limit=5).results
    assert {h.speaker for h in shuffled} == {"Jamal Haddad", "a local official"}
    typo = search.search("milittias arrmed", limit=5)
    assert typo.total == 2
    by = search.search("", by="local official").results
    assert [h.speaker for h in by] == ["a local official"] and by[0].anonymous
    page = search.search("militias", limit=1, offset=1)
    assert page.total == 2 and len(page.results) == 1
    # `/quote by Jamal Haddad borders`: the speaker is the first words, the rest is what was said.
    split = search.search("", by="Jamal Haddad borders")
    assert (split.by, split.query, [h.speaker for h in split.results]) == ("Jamal Haddad", "borders", ["Jamal Haddad"])


def test_quotes_about_an_actor_are_the_quotes_by_others_published_near_its_mentions(store, tmp_path):
    """The quote index's answer (from quote_occurrences.subjects, written by the indexer) is the join of the
    actor's mentions with quote occurrences within ABOUT_CONTEXT characters, newest first; a profile shows
    the first of them and of the actor's own quotes."""
    write_corpus(tmp_path / "corpus")
    Indexer(store).run([tmp_path / "corpus"])
    search = QuoteSearch(store)
    near = and_(mentions.c.article_id == quote_occurrences.c.article_id,
                mentions.c.start >= quote_occurrences.c.start - ABOUT_CONTEXT,
                mentions.c.end <= quote_occurrences.c.end + ABOUT_CONTEXT)
    with store.connect() as conn:
        actor_ids = conn.execute(select(actors.c.id)).scalars().all()
        expected = {actor_id: conn.execute(
            select(quotes.c.id).where(
                quotes.c.id.in_(select(quote_occurrences.c.quote_id).join(mentions, near)
                                .where(mentions.c.actor_id == actor_id)),
                or_(quotes.c.speaker_actor_id.is_(None), quotes.c.speaker_actor_id != actor_id))
            .order_by(quotes.c.first_seen.desc().nulls_last(), quotes.c.id.desc())).scalars().all()
            for actor_id in actor_ids}
    for actor_id in actor_ids:
        assert [h.id for h in search.quotes_about(actor_id, limit=100)] == expected[actor_id]
        by, about, _, about_total = search.profile_quotes(actor_id, limit=3)
        assert [h.id for h in about] == expected[actor_id][:3] and about_total == len(expected[actor_id])
        assert [h.id for h in by] == [h.id for h in search.quotes_by(actor_id, limit=3)]
    assert sum(map(bool, expected.values())) >= 3  # the comparison covered actors with quotes about them


def test_reindexing_a_changed_file_keeps_one_quote_per_text(store, tmp_path, config_dir):
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", store.url, "index", str(corpus)]).exit_code == 0
    with (corpus / "wires.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(article("A sixth story", "Wire F", "2024-02-20",
                             f"Haddad repeated the line on a radio show.\n\n“{ENVOY},” Haddad said.") + "\n")
    assert runner.invoke(cli, ["--db", store.url, "index", str(corpus)]).exit_code == 0
    rows = [json.loads(line) for line in runner.invoke(cli, ["--db", store.url, "export", "quotes"]).stdout.splitlines()]
    envoy = [r for r in rows if "leaves the militias armed" in r["text"].casefold()]
    assert len(envoy) == 1
    assert envoy[0]["first_seen"] == "2024-02-20" and envoy[0]["first_source"] == "Wire F"
    assert sorted(o["source"] for o in envoy[0]["occurrences"]) == ["Wire A", "Wire B", "Wire C", "Wire D", "Wire F"]
