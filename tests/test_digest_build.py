"""The digest builder and its Slack rendering: what a desk reads in the morning."""
from __future__ import annotations

import json
from datetime import date, timedelta

from click.testing import CliRunner

from bot.cli import cli
from bot.digest import ledger
from bot.digest.build import DigestFilters, build_digest
from bot.digest.render import digest_as_text, render_digest
from tests.digest_support import DAY_BEFORE, MORNING, at, digest_of, story

def test_new_stories_are_those_ingested_in_the_window_and_copies_count_once(store):
    story(store, "Old news", at("2026-03-25 10:00"))
    story(store, "Ceasefire talks resume in Cairo", at("2026-03-26 12:00"), source="Reuters", copies=("AP", "AFP"),
          url="https://example.org/cairo")
    story(store, "Port reopens", at("2026-03-27 07:59"), source="Al-Monitor")
    story(store, "After the bell", at("2026-03-27 08:00"))

    digest = digest_of(store)

    assert [s.title for s in digest.stories] == ["Ceasefire talks resume in Cairo", "Port reopens"]
    assert digest.story_count == 2
    assert digest.source_count == 4  # Reuters, AP, AFP, Al-Monitor
    top = digest.stories[0]
    assert top.copies == 3 and top.sources == ["Reuters", "AP", "AFP"]
    assert top.summary.startswith("This is the body of the story")


def test_top_stories_stop_at_ten_and_say_how_many_more(store):
    for number in range(14):
        story(store, f"Story {number}", at("2026-03-27 01:00") + timedelta(minutes=number))
    digest = digest_of(store)
    assert len(digest.stories) == 10 and digest.more_stories == 4
    message = render_digest(digest)
    assert "and 4 more new stories" in json.dumps(message.blocks)


def test_in_the_news_compares_with_the_previous_fortnight_and_flags_newcomers(store):
    for day in range(1, 15):  # one mention a day for two weeks
        story(store, f"Routine {day}", DAY_BEFORE - timedelta(days=day), mentions_of=("Hassan Nasrallah",))
    story(store, "Usual before", DAY_BEFORE - timedelta(days=3), mentions_of=("Steady Actor",))
    for number in range(5):  # stories are stored in the order they are ingested, as the indexer does
        story(store, f"Spike {number}", at("2026-03-26 20:00"), mentions_of=("Hassan Nasrallah", "Ahmad Newcomer"))
    story(store, "Usual", at("2026-03-26 21:00"), mentions_of=("Steady Actor",))

    digest = digest_of(store)
    trends = {t.name: t for t in digest.in_the_news}
    nasrallah = trends["Hassan Nasrallah"]
    assert nasrallah.mentions == 5 and nasrallah.usual == 1.0 and nasrallah.spike and not nasrallah.first_time
    assert trends["Ahmad Newcomer"].first_time and not trends["Ahmad Newcomer"].spike
    assert digest.new_actors == []  # newcomers already listed above are not repeated
    assert not trends["Steady Actor"].spike and not trends["Steady Actor"].first_time
    text = json.dumps(render_digest(digest).blocks)
    assert "5.0\\u00d7 the usual :chart_with_upwards_trend:" in text or "5.0× the usual :chart_with_upwards_trend:" in text
    assert "first time in the news" in text


def test_newcomers_beyond_the_top_actors_are_listed_and_a_first_run_has_none(store):
    story(store, "Yesterday", DAY_BEFORE - timedelta(hours=2), mentions_of=("Known Actor",))
    for number in range(10):
        story(store, f"Busy {number}", at("2026-03-27 01:00"), mentions_of=tuple(f"Regular {n}" for n in range(8)))
    story(store, "Small item", at("2026-03-27 02:00"), mentions_of=("Fresh Face",))
    assert [t.name for t in digest_of(store).new_actors] == ["Fresh Face"]

    first_run = build_digest(store, window_start=DAY_BEFORE - timedelta(days=30), window_end=MORNING,
                             digest_date=MORNING.date())
    assert first_run.new_actors == [] and not any(t.first_time or t.spike for t in first_run.in_the_news)


def test_quotes_of_the_day_favour_followed_then_named_then_new_and_label_anonymous(store):
    story(store, "Earlier", DAY_BEFORE - timedelta(days=2),
          quotes_by=(("We have said this many times before and we say it again", "Named Minister", False),))
    story(store, "Today", at("2026-03-27 06:00"), quotes_by=(
        ("We have said this many times before and we say it again", "Named Minister", False),
        ("The talks are over, there is nothing left to discuss today", "Named Minister", False),
        ("Nobody expected the convoy to come through the crossing", "a senior official", True),
        ("Our position on the crossing has not changed at all", "Followed Leader", False),
    ))
    digest = digest_of(store, follow=["Followed Leader"])
    speakers = [(q.speaker, q.first_time) for q in digest.quotes]
    assert speakers == [("Followed Leader", True), ("Named Minister", True), ("Named Minister", False),
                        ("a senior official", True)]
    assert digest.quote_count == 4
    text = json.dumps(render_digest(digest).blocks, ensure_ascii=False)
    assert "_a senior official_ (anonymous source)" in text
    assert "_seen before_" in text


def test_one_talkative_speaker_cannot_fill_the_quotes_of_the_day(store):
    story(store, "Long interview", at("2026-03-27 05:00"), quotes_by=tuple(
        (f"Interview answer number {n} that goes on for a while", "Talkative Poet", False) for n in range(6)))
    story(store, "Short report", at("2026-03-27 05:30"), quotes_by=(
        ("The border crossing will stay closed until further notice", "Border Official", False),))
    speakers = [q.speaker for q in digest_of(store).quotes]
    assert len(speakers) == 5 and "Border Official" in speakers


def test_following_lists_every_new_mention_capped(store):
    for number in range(7):
        story(store, f"Militia story {number}", at("2026-03-27 02:00") + timedelta(minutes=number),
              mentions_of=("Kataeb Hezbollah",))
    story(store, "Older militia story", DAY_BEFORE - timedelta(hours=1), mentions_of=("Kataeb Hezbollah",))
    story(store, "Profile of the militia", at("2026-03-27 01:00"), mentions_of=("Kataeb Hezbollah",) * 3)
    digest = digest_of(store, follow=["kataeb hezbollah", "Nobody Known"])
    followed, unknown = digest.following
    assert followed.total_mentions == 10 and followed.story_count == 8 and len(followed.stories) == 5
    profile = followed.stories[0]
    assert (profile.title, profile.mentions, len(profile.sentences)) == ("Profile of the militia", 3, 1)
    assert unknown.actor_id is None
    assert followed.name == "Kataeb Hezbollah"  # the actor's own spelling, whatever the subscription typed
    text = json.dumps(render_digest(digest).blocks)
    assert "• Profile of the militia (Wire) · 3 mentions" in json.dumps(render_digest(digest).blocks, ensure_ascii=False)
    assert "and 3 more stories (3 mentions)" in text
    assert "No actor by this name in the index yet" in text
    # stories about followed actors come first
    assert digest.stories[0].title.startswith("Militia story")


def test_source_and_kind_filters(store):
    story(store, "From Reuters", at("2026-03-27 03:00"), source="Reuters", mentions_of=("A Person",))
    story(store, "From a blog", at("2026-03-27 03:00"), source="Blog", copies=("Reuters",))
    story(store, "Elsewhere", at("2026-03-27 03:00"), source="Other")
    digest = digest_of(store, filters=DigestFilters(sources=("Reuters",), kinds=("organization",)))
    assert sorted(s.title for s in digest.stories) == ["From Reuters", "From a blog"]
    assert digest.in_the_news == []


def test_corpus_text_cannot_ping_anyone(store):
    story(store, "<!channel> & <@U123> alert", at("2026-03-27 03:00"), source="<!here>",
          url="https://example.org/a?x=1&y=<2>",
          quotes_by=(("Listen <!everyone> now, this is a long enough quote", "<@U999>", False),))
    message = render_digest(digest_of(store))
    raw = json.dumps(message.to_dict())
    for token in ("<!channel>", "<@U123>", "<!here>", "<!everyone>", "<@U999>"):
        assert token not in raw
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in raw


def test_quiet_window_is_one_line(store):
    digest = digest_of(store)
    assert digest.quiet
    message = render_digest(digest)
    assert message.text == "Nothing new since Thu 26 Mar 08:00 (Europe/London)."
    assert len(message.blocks) == 1


def block_kit_problems(message) -> list[str]:
    """Every Block Kit limit a message breaks (empty when Slack would accept it)."""
    problems = []
    blocks = message.blocks
    if len(blocks) > 50:
        problems.append(f"{len(blocks)} blocks")
    if len(json.dumps(blocks, ensure_ascii=False)) > 12000:
        problems.append("blocks too long")
    if not message.text or len(message.text) > 3000:
        problems.append("fallback text")
    for block in blocks:
        text = (block.get("text") or {}).get("text", "")
        if block["type"] == "header" and len(text) > 150:
            problems.append("header")
        if block["type"] == "section" and len(text) > 3000:
            problems.append("section text")
        for element in block.get("elements", []):
            if len(element.get("text", "")) > 3000:
                problems.append("context element")
    return problems


def test_block_kit_limits_hold_on_a_day_of_500_new_articles(store):
    long_title = "Very long headline " * 30
    for number in range(500):
        story(store, f"{long_title}{number}", at("2026-03-27 00:00") + timedelta(seconds=number * 50),
              source=f"Source {number % 40}", url=f"https://example.org/{number}?" + "q=1&" * 200,
              body=("A sentence that is long enough to be summarised, about the region and its people. " * 40),
              mentions_of=(f"Actor {number % 30}", "Kataeb Hezbollah"),
              quotes_by=((f"Quote number {number} is long enough to matter " * 10, f"Speaker {number % 20}", False),))
    digest = digest_of(store, follow=["Actor 1", "Actor 2", "Actor 3", "Kataeb Hezbollah"])
    assert digest.story_count == 500
    message = render_digest(digest)
    assert block_kit_problems(message) == []
    assert message.blocks[0]["type"] == "header"
    assert "500 new stories" in message.text
    text = json.dumps(message.blocks)
    assert "did not fit" not in text  # a busy day shows less of each item, not fewer sections
    assert text.count("*Following: ") == 4 and "and 490 more new stories" in text
    # following thirty actors cannot fit one message: still valid, and it says so
    crowded = render_digest(digest_of(store, follow=[f"Actor {n}" for n in range(30)]))
    assert block_kit_problems(crowded) == []
    assert "did not fit in one Slack message" in json.dumps(crowded.blocks)


def test_replay_cli_renders_a_past_day_and_its_recorded_window(tmp_path, config_dir, store):
    story(store, "Monday's story", at("2026-03-23 06:00"))
    story(store, "Tuesday's story", at("2026-03-24 06:00"))
    ledger.claim(store, "C0DESK01", date(2026, 3, 23), (at("2026-03-22 08:00"), at("2026-03-23 08:00")),
                 now=at("2026-03-23 08:00"))
    ledger.complete(store, "C0DESK01", date(2026, 3, 23), "111.222")
    runner = CliRunner()

    result = runner.invoke(cli, ["--db", store.url, "digest", "--channel", "C0DESK01", "--date", "2026-03-24"])
    assert result.exit_code == 0, result.output
    assert "Tuesday's story" in result.output and "Monday's story" not in result.output
    assert "since Mon 23 Mar 08:00" in result.output  # the window starts where the last digest ended

    result = runner.invoke(cli, ["--db", store.url, "digest", "--channel", "C0DESK01", "--date", "2026-03-23",
                                 "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output[result.output.index("{"):])
    assert [s["title"] for s in payload["digest"]["stories"]] == ["Monday's story"]
    assert payload["ledger"]["ts"] == "111.222"
    assert payload["message"]["blocks"][0]["type"] == "header"

    result = runner.invoke(cli, ["--db", store.url, "digest", "--channel", "#desk"])
    assert result.exit_code == 2 and "not a Slack channel ID" in result.output


def test_text_rendering_for_the_terminal(store):
    story(store, "Ceasefire talks resume", at("2026-03-27 03:00"), source="Reuters", copies=("AP",))
    text = digest_as_text(digest_of(store))
    assert text.startswith("Daily digest · Friday 27 March 2026\n1 new story from 2 sources, 0 quotes")
    assert " 1. Ceasefire talks resume (Reuters · 2026-03-27 · +1 copy)" in text


def test_terminal_text_is_not_mrkdwn_escaped(store):
    story(store, "Talks & tensions", at("2026-03-27 03:00"), mentions_of=("Procter & Gamble",))
    text = digest_as_text(digest_of(store))
    assert "Talks & tensions" in text and "Procter & Gamble (person): 1 mention in 1 story" in text
    assert "&amp;" not in text
