"""The rendering module: result dataclasses in, Block Kit within every limit out, corpus text escaped."""
from __future__ import annotations

import json
from datetime import date

import pytest

from bot.search.results import ArticleRef, Candidate, LookupResult, Profile, QuoteHit, QuoteSearchResult
from bot.blockkit import Message, clip, escape, finish, unescape_command_text
from bot.slack import views as render
from bot.slack.buttons import ProfilePage, wire_of
from tests.fakeslack import block_kit_problems, buttons, mrkdwn_texts


def article(n: int = 1, **overrides) -> ArticleRef:
    values = dict(id=f"a{n}", title=f"Militia leader speaks {n}", source="Al-Monitor", date=date(2019, 3, n % 28 + 1),
                  url=f"https://example.org/story?id={n}&lang=en", mentions=2, context="The group said on Monday")
    return ArticleRef(**{**values, **overrides})


def hit(n: int = 1, **overrides) -> QuoteHit:
    values = dict(id=n, text=f"We will not leave {n}", speaker="Abu Ali al-Askari", speaker_actor="Abu Ali al-Askari",
                  anonymous=False, article=article(n), first_seen=date(2019, 1, 2), occurrences=1)
    return QuoteHit(**{**values, **overrides})


def profile(**overrides) -> Profile:
    values = dict(actor_id=7, name="Kataeb Hezbollah", kind="organisation", description="Iraqi armed group",
                  aliases=["Kata'ib Hizballah", "KH", "كتائب حزب الله"], mentions=41, article_count=12,
                  first_seen=date(2018, 12, 30), last_seen=date(2019, 3, 22),
                  articles=[article(n) for n in range(1, 6)], related=[("Iran", 9), ("Popular Mobilisation Forces", 4)],
                  quotes_by=[hit(n) for n in range(1, 4)],
                  quotes_about=[hit(n, text=f"They fired again {n}", speaker="a US official", speaker_actor=None, anonymous=True) for n in range(4, 7)],
                  quotes_by_total=7, quotes_about_total=5)
    return Profile(**{**values, **overrides})


def found(**overrides) -> LookupResult:
    match = Candidate(7, "Kataeb Hezbollah", "organisation", 0.93, "Kata'ib Hizballah", "spelling variant")
    return LookupResult(query="Kataib Hizballah", status="found", candidates=[match], profile=profile(**overrides))


def text_of(message: Message) -> str:
    return json.dumps(message.blocks, ensure_ascii=False)


def assert_valid(message: Message) -> None:
    assert block_kit_problems(message.to_dict()) == []


def test_profile_reads_in_ten_seconds():
    message = render.lookup_message(found())
    assert_valid(message)
    assert message.blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Kataeb Hezbollah"}}
    body = text_of(message)
    assert "*organisation*: Iraqi armed group" in body
    assert "Matched *Kata'ib Hizballah*, a spelling variant" in body
    assert "41 in 12 articles" in body and "30 Dec 2018 – 22 Mar 2019" in body
    assert "<https://example.org/story?id=1&amp;lang=en|Militia leader speaks 1>" in body
    assert body.count("We will not leave") == 3  # three quotes by
    assert "_a US official_ (anonymous source)" in body  # anonymous speakers shown as such
    assert "Iran (9)" in body
    assert "Kataeb Hezbollah" in message.text and "41 mentions" in message.text
    labels = [b["text"]["text"] for b in buttons(message.to_dict())]
    assert labels == ["Quote card"] * 6 + ["Share in channel", "More articles", "More quotes by", "More quotes about"]
    assert "*Quotes by Kataeb Hezbollah 1–3 of 7*" in body and "*Articles 1–5 of 12*" in body


def test_buttons_carry_the_view_they_open():
    message = render.lookup_message(found())
    views = {b["text"]["text"]: wire_of(b["value"]) for b in buttons(message.to_dict())}
    assert views["Share in channel"] == {"v": "profile", "id": 7, "ao": 0}
    assert views["More articles"] == {"v": "profile", "id": 7, "ao": 5}
    assert views["More quotes by"] == {"v": "profile", "id": 7, "ao": 0, "qb": 3}  # after the three shown
    cards = [wire_of(b["value"]) for b in buttons(message.to_dict()) if b["text"]["text"] == "Quote card"]
    assert cards == [{"v": "card", "id": n} for n in range(1, 7)]  # one per quote shown, by and about


def test_last_page_of_articles_offers_previous_and_no_more():
    page = ProfilePage(7, articles_offset=10, by_offset=3)
    message = render.profile_message(profile(articles=[article(11), article(12)], articles_offset=10), page=page)
    views = {b["text"]["text"]: wire_of(b["value"]) for b in buttons(message.to_dict())}
    assert "More articles" not in views
    assert views["Previous articles"] == {"v": "profile", "id": 7, "ao": 5, "qb": 3}  # quotes by stay on their page
    assert views["Share in channel"] == {"v": "profile", "id": 7, "ao": 0}  # the first view, whatever the page
    assert "*Articles 11–12 of 12*" in text_of(message)


def test_corpus_text_cannot_ping_anyone():
    evil = "<!channel> <!here|here> <@U123> & <https://evil.example|click>"
    message = render.lookup_message(found(
        name=f"Name {evil}", description=evil, aliases=[evil],
        articles=[article(1, title=evil, source=evil, context=evil, url="javascript:alert(1)")],
        quotes_by=[hit(1, text=evil, speaker=evil, speaker_actor=evil)], related=[(evil, 1)]))
    assert_valid(message)
    parsed = "\n".join(mrkdwn_texts(message.to_dict()))  # what Slack reads for mentions and links
    assert "<!" not in parsed and "<@U123>" not in parsed and "<https://evil" not in parsed
    assert "&lt;!channel&gt; &lt;!here|here&gt; &lt;@U123&gt; &amp;" in parsed
    assert "<javascript" not in parsed  # only http(s) addresses become links


def test_fallback_text_is_escaped_too():
    message = render.not_found_message(LookupResult(query="<!channel> x", status="not_found"))
    assert "<!channel>" not in message.text and "&lt;!channel&gt;" in message.text


def test_oversized_answer_is_truncated_not_rejected():
    huge = "Kataeb " * 2000
    message = render.lookup_message(found(
        name="Kataeb Hezbollah " * 20, description=huge, aliases=[huge] * 40, article_count=500,
        articles=[article(n, title=huge, context=huge) for n in range(60)],
        quotes_by=[hit(n, text=huge) for n in range(3)], related=[(huge, 3)] * 30))
    assert_valid(message)
    header = message.blocks[0]["text"]["text"]
    assert len(header) == 150 and header.endswith("…")
    labels = [b["text"]["text"] for b in buttons(message.to_dict())]
    assert labels[:2] == ["Share in channel", "More articles"]  # the controls always survive
    assert "did not fit in one Slack message" in text_of(message)


def test_long_button_labels_are_cut():
    long_name = "Harakat Hezbollah al-Nujaba and Associated Brigades of the Islamic Resistance in Iraq"
    result = LookupResult(query="nujaba", status="ambiguous", candidates=[
        Candidate(1, long_name, "organisation", 0.8, "Nujaba", "partial name"),
        Candidate(2, "Nujaba TV", "organisation", 0.7, "Nujaba", "partial name")])
    message = render.lookup_message(result)
    assert_valid(message)
    first = buttons(message.to_dict())[0]["text"]["text"]
    assert len(first) <= 75 and first.endswith("…")


def test_ambiguous_offers_a_button_per_candidate():
    candidates = [Candidate(i, f"Hezbollah {i}", "organisation", 0.8, "Hizbollah", "spelling variant") for i in range(1, 5)]
    message = render.lookup_message(LookupResult(query="Hizbollah", status="ambiguous", candidates=candidates))
    assert_valid(message)
    opened = [wire_of(b["value"]) for b in buttons(message.to_dict())]
    assert opened == [{"v": "profile", "id": i, "ao": 0} for i in range(1, 5)]
    assert "*Hizbollah* could be more than one actor" in text_of(message)


def test_not_found_suggests_at_most_three():
    candidates = [Candidate(i, f"Name {i}", "person", 0.5, f"Nme {i}", "typo") for i in range(1, 7)]
    message = render.lookup_message(LookupResult(query="Nme", status="not_found", candidates=candidates))
    assert_valid(message)
    assert "No actor named *Nme*" in text_of(message)
    assert [b["text"]["text"] for b in buttons(message.to_dict())] == ["Name 1", "Name 2", "Name 3"]


def test_invalid_query_gets_usage():
    message = render.lookup_message(LookupResult(query="!!!", status="invalid", explanation="Type a name."))
    assert_valid(message)
    assert "Type a name." in text_of(message) and "/lookup &lt;name&gt;" in text_of(message)


def test_quote_results_page_and_label_anonymous_sources():
    results = [hit(1), hit(2, anonymous=True, speaker="a senior Iraqi official", speaker_actor=None)]
    message = render.quotes_message(QuoteSearchResult(query="leave", by=None, results=results, total=9), offset=0)
    assert_valid(message)
    body = text_of(message)
    assert "1–2 of 9" in body and "*Abu Ali al-Askari*" in body
    assert "_a senior Iraqi official_ (anonymous source)" in body
    more = [wire_of(b["value"]) for b in buttons(message.to_dict()) if b["text"]["text"] == "More quotes"]
    assert more == [{"v": "quotes", "q": "leave", "by": None, "o": 2}]


def test_unknown_speaker_offers_candidates():
    speaker = LookupResult(query="Askary", status="ambiguous", candidates=[
        Candidate(3, "Abu Ali al-Askari", "person", 0.8, "Askari", "typo")])
    message = render.quotes_message(QuoteSearchResult(query="", by="Askary", results=[], total=0, speaker=speaker))
    assert_valid(message)
    assert "could be more than one speaker" in text_of(message)
    assert wire_of(buttons(message.to_dict())[0]["value"])["by"] == "Abu Ali al-Askari"


@pytest.mark.parametrize("typed, searched", [
    ("AT&amp;T", "AT&T"),
    ("&lt;b&gt;Hezbollah&lt;/b&gt;", "<b>Hezbollah</b>"),
    ("<@U123|sami> Nasrallah", "@sami Nasrallah"),
    ("<@U123>", "@U123"),
    ("<#C42|newsdesk>", "#newsdesk"),
    ("<!here>", "@here"),
    ("<https://example.org|Hezbollah site>", "Hezbollah site"),
    ("Nas\x00ral\x07lah\u202e", "Nas ral lah"),
    ("  حزب   الله  ", "حزب الله"),
    ("*bold* 🚀", "*bold* 🚀"),
    ("سپاه\u200cپاسداران \u202eevil", "سپاه\u200cپاسداران evil"),  # Persian ZWNJ kept, bidi override dropped
])
def test_command_text_is_unescaped_before_searching(typed, searched):
    assert unescape_command_text(typed) == searched


def test_escape_only_touches_the_three_characters():
    assert escape("We've <!channel> & \"co\"") == "We've &lt;!channel&gt; &amp; \"co\""


@pytest.mark.parametrize("text", ["a &amp; b " * 10, "see <https://example.org/x|the story> now " * 5])
def test_clip_never_breaks_an_entity_or_a_link(text):
    for limit in range(5, len(text)):
        cut = clip(text, limit)
        assert len(cut) <= limit
        assert cut.count("<") == cut.count(">")
        tail = cut[cut.rfind("&"):] if "&" in cut else ""
        assert not tail or tail.startswith(("&amp;", "&lt;", "&gt;"))


def test_foreign_blocks_are_held_to_the_limits():
    answer = {"text": "<!channel> digest", "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "D" * 400}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 5000}},
    ] + [{"type": "section", "text": {"type": "mrkdwn", "text": "item"}}] * 80}
    message = finish(answer["text"], answer["blocks"])
    assert_valid(message)
    assert len(message.blocks) == 50
