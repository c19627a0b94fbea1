"""bench/score_graph.py: its scoring functions on small fixtures of our own, and one run through
`newsbot index` and the lookup engine on a two-story corpus."""
from __future__ import annotations

import json

from bench import score_graph as sg
from bot.search.results import Candidate, LookupResult, LookupStatus


def answer(status: LookupStatus, *ids: int) -> LookupResult:
    return LookupResult(query="", status=status, candidates=[
        Candidate(actor_id=i, name=f"actor {i}", kind="person", score=1.0, matched="", how="exact name")
        for i in ids])


def test_a_query_is_right_when_its_actor_comes_first_and_a_shared_name_only_when_ambiguous():
    answers = {"Walter Brennan": answer(LookupStatus.FOUND, 1), "Brennan": answer(LookupStatus.AMBIGUOUS, 1, 2),
               "Morimoto": answer(LookupStatus.FOUND, 3), "Ann Brennan": answer(LookupStatus.AMBIGUOUS, 1, 2),
               "Pellworth": answer(LookupStatus.NOT_FOUND)}
    actors = {"Walter Brennan": 1, "Ann Brennan": 2, "Kenji Morimoto": 4, "Pellworth Corp": 5}
    queries = [
        sg.GraphQuery("Walter Brennan", "Walter Brennan", "full name"),  # found, right actor
        sg.GraphQuery("Ann Brennan", "Ann Brennan", "full name"),  # ambiguous with another actor first
        sg.GraphQuery("Brennan", "Walter Brennan", "surname"),  # ambiguous with it first: right
        sg.GraphQuery("Morimoto", "Kenji Morimoto", "surname"),  # found, wrong actor
        sg.GraphQuery("Brennan", "Walter Brennan", "shared surname", ("Ann Brennan",)),  # ambiguous: right
        sg.GraphQuery("Walter Brennan", "Walter Brennan", "shared surname", ("Ann Brennan",)),  # found: wrong
        sg.GraphQuery("Pellworth", "Pellworth Corp", "short form"),  # not found
        sg.GraphQuery("Brennan", "Ann Brennan", "shared surname", ("Walter Brennan",), ("Walter Brennan",)),  # tied
    ]
    tallies = sg.query_accuracy(queries, answers.__getitem__, actors.get)
    assert {t: (s.right, s.total) for t, s in tallies.items()} == {
        "full name": (1, 2), "surname": (1, 2), "shared surname": (2, 3), "short form": (0, 1)}
    assert "'Morimoto': expected 'Kenji Morimoto', got found 'actor 3'" in tallies["surname"].failures
    missing = sg.query_accuracy([sg.GraphQuery("Brennan", "Nobody", "surname")], answers.__getitem__, actors.get)
    assert missing["surname"].right == 0 and "(no such actor)" in missing["surname"].failures[0]


def test_a_split_needs_the_full_name_and_a_short_form_linked_to_different_actors():
    split = sg.SplitTally()
    split.add([1, 1], [1])  # one actor
    split.add([1], [1, 2], "two actors")  # split
    split.add([1], [None])  # the short form is linked to nothing: not scored
    split.add([None], [3])
    assert (split.groups, split.linked, split.split, split.rate) == (4, 2, 1, 0.5)
    assert split.examples == ["two actors"]


def test_kinds_are_scored_only_where_the_index_has_an_actor():
    tally = sg.kind_accuracy([("person", "person", "a"), ("organization", "person", "b"), ("place", None, "c")])
    assert (tally.right, tally.total, tally.failures) == (1, 2, ["'b': organization, indexed as person (1x)"])


def test_wrong_kinds_are_counted_by_gold_kind_and_indexed_kind():
    tally = sg.kind_accuracy([("organization", "person", "b"), ("organization", "person", "c"),
                              ("place", "organization", "d"), ("place", "place", "e")])
    assert tally.confusion == {"organization->person": 2, "place->organization": 1}


def actor(i, name, mentions, curated=False):
    return sg.IndexedActor(i, name, "organization", mentions, curated)


def test_junk_in_the_top_is_what_was_judged_junk_and_the_rest_unjudged_is_listed():
    gold = sg.Gold(judged_actors={sg.name_key("Harbour Board")}, junk={sg.name_key("WIREDESK"): "wire signature"})
    graph = sg.Graph(actors={a.id: a for a in [
        actor(1, "WIREDESK", 90), actor(2, "Pellworth Corp", 80), actor(3, "the Harbour Board", 70),
        actor(4, "Quarterly", 60), actor(5, "Kataeb Hezbollah", 50, curated=True), actor(6, "PELLWORTH CORP", 40),
        actor(7, "Wiredesk", 30), actor(8, "Lowly", 1)]})
    report = sg.junk_among_top(graph.top(7), {sg.name_key("Pellworth Corp")}, gold)
    assert report.junk == [("WIREDESK", "wire signature")]
    # a leading "the" aside, Harbour Board was judged an actor; a name in capitals is judged apart
    assert report.unjudged == ["Quarterly", "PELLWORTH CORP", "Wiredesk"]


def test_the_actor_of_a_name_is_the_most_mentioned_one_named_or_aliased_so():
    graph = sg.Graph(actors={1: actor(1, "Pellworth", 40), 2: actor(2, "Pellworth Corp", 10)})
    graph.by_words[sg.words("Pellworth")].add(1)
    graph.by_words[sg.words("Pellworth Corp")].update({1, 2})  # alias of 1, name of 2
    assert graph.actor_named(["Pellworth Corp"]) == 1
    assert graph.actor_named(["Pellworth Corporation", "Pellworth Corp."]) == 1
    assert graph.actor_named(["Brennan"]) is None


def gold_span(text: str, body: str, label: str = "Person", nth: int = 0) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = body.index(text, start + 1)
    return {"text": text, "label": label, "start": start, "end": start + len(text)}


def test_person_groups_pair_a_full_name_with_its_surname_and_queries_share_a_surname_across_articles():
    one = "President Walter Brennan spoke. Brennan left. Kenji Morimoto stayed."
    two = "Ann Brennan wrote. Brennan signed."
    three = "Ann Brennan again. Mrs Brennan agreed."
    gold = {"one": [gold_span("President Walter Brennan", one), gold_span("Brennan", one, nth=1),
                    gold_span("Kenji Morimoto", one)],
            "two": [gold_span("Ann Brennan", two), gold_span("Brennan", two, nth=1)],
            "three": [gold_span("Ann Brennan", three), gold_span("Mrs Brennan", three)]}
    groups = sg.person_groups(gold)
    assert sorted((g.article, g.full_name, g.short_name, len(g.short)) for g in groups) == [
        ("one", "Walter Brennan", "Brennan", 1), ("three", "Ann Brennan", "Brennan", 1),
        ("two", "Ann Brennan", "Brennan", 1)]
    queries = sg.newswire_queries(groups)
    assert sg.GraphQuery("Walter Brennan", "Walter Brennan", "full name") in queries
    assert sg.GraphQuery("Brennan", "Ann Brennan", "shared surname", ("Walter Brennan",)) in queries  # 2 articles to 1
    tied = sg.newswire_queries([g for g in groups if g.article != "three"])
    assert sg.GraphQuery("Brennan", "Ann Brennan", "shared surname", ("Walter Brennan",), ("Walter Brennan",)) in tied
    assert not any(q.q == "Kenji Morimoto" for q in queries)  # never referred to by the surname alone


def test_offsets_into_the_stored_text_map_back_to_the_original():
    original = "Walter  Brennan\u00a0met\n\n\n Kenji Morimoto."
    stored = "Walter Brennan met\n\nKenji Morimoto."
    where = sg.aligned_offsets(original, stored)
    start = stored.index("Kenji")
    assert original[where[start]:where[start + len("Kenji Morimoto") - 1] + 1] == "Kenji Morimoto"
    assert sg.aligned_offsets(original, "another story") is None


def test_offsets_map_back_past_accents_the_stored_text_composed():
    import unicodedata

    original = unicodedata.normalize("NFD", "Benito Juárez met  Ana Núñez.")
    stored = unicodedata.normalize("NFC", "Benito Juárez met Ana Núñez.")
    where = sg.aligned_offsets(original, stored)
    start, end = stored.index("Ana"), stored.index(".")
    assert original[where[start]:sg.original_end(original, where[end - 1] + 1)] == unicodedata.normalize("NFD", "Ana Núñez")


def test_reuters_splits_count_per_story_and_leave_out_stories_naming_two_bearers_of_a_form():
    gold = sg.Gold(actors=[sg.GoldActor("Walter Brennan", "person", forms=("Brennan",)),
                           sg.GoldActor("Ann Brennan", "person", forms=("Brennan",)),
                           sg.GoldActor("Pellworth Corp", "organization", forms=("Pellworth",))])
    graph = sg.Graph(actors={i: actor(i, str(i), 1) for i in range(1, 5)})
    m = sg.IndexedMention
    graph.mentions.update({
        "same": [m(0, 14, "Walter Brennan", 1), m(20, 27, "Brennan", 1)],
        "split": [m(0, 23, "President Walter Brennan", 1), m(30, 39, "Brennan's", 2),
                  m(40, 54, "Pellworth Corp", 3), m(60, 69, "Pellworth", 3)],
        "both": [m(0, 14, "Walter Brennan", 1), m(20, 31, "Ann Brennan", 2), m(40, 47, "Brennan", 2)],
    })
    tallies = sg.reuters_splits(graph, gold)
    assert (tallies["person"].linked, tallies["person"].split) == (2, 1)
    assert (tallies["organization"].linked, tallies["organization"].split) == (1, 0)
    graph.actors.update({i: sg.IndexedActor(i, str(i), "person", 1, False) for i in (1, 2, 3)})
    kinds = sg.kind_accuracy(sg.reuters_kinds(graph, gold))  # every mention of a gold name or form
    assert (kinds.right, kinds.total) == (7, 9)
    assert kinds.failures == ["'Pellworth Corp': organization, indexed as person (1x)",
                              "'Pellworth': organization, indexed as person (1x)"]


STORIES = [
    "Finance Minister Walter Brennan met bankers of the Pellworth Corp in Tokyo on Monday.\n\n"
    "Brennan said the talks with Pellworth Corp would go on. Kenji Morimoto, the head of Pellworth Corp, agreed.",
    "Walter Brennan flew to Tokyo again. Brennan met Kenji Morimoto there, and Morimoto said the Pellworth Corp "
    "deal was close.",
]


def test_one_run_through_newsbot_index_and_the_lookup_engine(tmp_path, monkeypatch):
    corpus = tmp_path / "stories.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"s{i}", "text": t, "source": "Fixture Wire"}) + "\n"
                              for i, t in enumerate(STORIES)), encoding="utf-8")
    monkeypatch.setattr(sg, "CORPORA", {"fixture": corpus})
    monkeypatch.setattr(sg, "TMP", tmp_path / "tmp")
    entities = {}
    for i, body in enumerate(STORIES):
        spans = [gold_span("Walter Brennan", body), gold_span("Brennan", body, nth=1), gold_span("Tokyo", body, "Location"),
                 gold_span("Kenji Morimoto", body), gold_span("Pellworth Corp", body, "Organization")]
        if "Morimoto said" in body:
            spans.append(gold_span("Morimoto", body, nth=1))
        entities[f"s{i}"] = spans
    data = sg.NewswireGold([{"id": f"s{i}", "text": t, "line": i + 1} for i, t in enumerate(STORIES)], entities)

    path = sg.build_index("fixture", "empty")
    assert sg.build_index("fixture", "empty") == path  # the same code, config and corpus: the cached index
    figures = sg.score_newswire(f"sqlite:///{path}", sg.Gold(), data)
    assert figures["articles_unscored"] == 0
    assert figures["full_name_accuracy"] == 1.0 and figures["full_name_queries"] == 2  # Walter Brennan, Kenji Morimoto
    assert figures["surname_accuracy"] == 1.0 and figures["surname_queries"] == 2
    assert figures["split_rate"] == 0.0 and figures["split_groups_linked"] == 3
    assert figures["mention_recall"] > 0.5
