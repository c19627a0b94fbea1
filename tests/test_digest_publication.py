"""A digest's "new" is *published* in its window: an archive backfill indexed this morning never
floods it, undated articles are left out, and the preview says how many were (CLI, console, Slack)."""
from __future__ import annotations

import io
import json
import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.digest import ledger
from bot.slack.answers import Answers
from bot.slack.console import Console
from tests.digest_support import at, story
from tests.test_digest_commands import bot, said  # noqa: F401  (fixture: the bolt app on loopback)

ARCHIVE_STORIES = 12
NEW_STORIES = 3
WORDS = ("harbour council budget tanker pipeline senate ministry drought harvest tariff strike vote court envoy "
         "refinery border convoy ceasefire election audit bond wheat cocoa copper reactor dam quarry festival "
         "museum railway airport bridge clinic vaccine satellite orchard vineyard glacier canal lighthouse "
         "parliament mayor governor treasury customs embassy garrison militia refugee shelter tribunal verdict "
         "merger dividend shipyard freighter monsoon flood wildfire earthquake harvest auction lottery stadium "
         "marathon orchestra novelist sculptor archive ledger charter treaty summit protest curfew").split()


def body(seed: int) -> str:
    """A story body of its own words, so no two fixture stories are near copies of each other."""
    rng = random.Random(seed)
    sentences = [" ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "." for _ in range(8)]
    return "\n\n".join(" ".join(sentences[i:i + 2]) for i in range(0, 8, 2))


def today() -> date:
    return datetime.now(timezone.utc).date()


@pytest.fixture
def corpus(tmp_path):
    """An archive backfill (JSONL dated 1987, a page with a 2019 dateline), a day of new stories (JSONL
    dated today, a text file whose sidecar dates it today) and one page that says nowhere when it was
    published."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    archive = [{"id": f"archive-{n}", "title": f"Archive story {n}", "source": "Wire",
                "date": f"1987-03-{n + 1:02d}T15:01:01", "text": body(n)} for n in range(ARCHIVE_STORIES)]
    (folder / "archive.jsonl").write_text("\n".join(json.dumps(r) for r in archive) + "\n", encoding="utf-8")
    (folder / "old-page.txt").write_text(f"Old dateline story\n\nMarch 22, 2019\n\n{body(100)}\n", encoding="utf-8")
    fresh = [{"id": f"new-{n}", "title": f"Fresh story {n}", "source": "Wire", "date": today().isoformat(),
              "text": body(200 + n)} for n in range(NEW_STORIES)]
    (folder / "today.jsonl").write_text("\n".join(json.dumps(r) for r in fresh) + "\n", encoding="utf-8")
    (folder / "sidecar-dated.txt").write_text(f"Sidecar dated story\n\n{body(300)}\n", encoding="utf-8")
    (folder / "sidecar-dated.txt.meta.yaml").write_text(f"source: Desk\ndate: {today().isoformat()}\n",
                                                         encoding="utf-8")
    (folder / "undated.txt").write_text(f"Undated story\n\n{body(400)}\n", encoding="utf-8")
    return folder


@pytest.fixture
def indexed(db_url, config_dir, corpus):
    """`newsbot ARGS…` on the test database, after `newsbot index` of the corpus."""
    runner = CliRunner()

    def newsbot(*args):
        return runner.invoke(cli, ["--db", db_url, *args], catch_exceptions=False)
    result = newsbot("index", str(corpus))
    assert result.exit_code == 0, result.output
    assert f"{ARCHIVE_STORIES + NEW_STORIES + 3} new articles" in result.stdout
    return newsbot


LEFT_OUT = f"{ARCHIVE_STORIES + 1} older articles and 1 undated article indexed since the last digest are left out"
NEW = f"{NEW_STORIES + 1} new stories"


def test_every_article_carries_its_publication_date_or_none_never_its_indexing_day(indexed):
    result = indexed("export", "articles", "--format", "jsonl")
    dates = {row["title"]: row["date"] for row in map(json.loads, result.stdout.splitlines())}
    assert dates["Archive story 0"] == "1987-03-01"
    assert dates["Old dateline story"] == "2019-03-22"
    assert dates["Fresh story 0"] == dates["Sidecar dated story"] == today().isoformat()
    assert dates["Undated story"] is None


def test_cli_digest_holds_only_the_new_day_and_says_how_many_older_were_left_out(indexed):
    tomorrow = today() + timedelta(days=1)  # its window ends now: the last 24 hours
    result = indexed("digest", "--channel", "C0NEWSDESK", "--date", tomorrow.isoformat())
    assert result.exit_code == 0, result.output
    assert NEW in result.stdout
    assert "Fresh story 0" in result.stdout and "Sidecar dated story" in result.stdout
    assert "Archive story" not in result.stdout and "Old dateline story" not in result.stdout
    assert "Undated story" not in result.stdout
    assert LEFT_OUT in result.stdout

    as_json = json.loads(indexed("digest", "--channel", "C0NEWSDESK", "--date", tomorrow.isoformat(),
                                 "--json").stdout)["digest"]
    assert (as_json["story_count"], as_json["older_left_out"], as_json["undated_left_out"]) == \
        (NEW_STORIES + 1, ARCHIVE_STORIES + 1, 1)


def test_a_backfill_alone_announces_nothing_new(db_url, config_dir, tmp_path):
    folder = tmp_path / "backfill"
    folder.mkdir()
    (folder / "archive.jsonl").write_text("\n".join(json.dumps(
        {"title": f"Archive story {n}", "date": "1987-02-26", "text": body(n)}) for n in range(5)) + "\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db_url, "index", str(folder)]).exit_code == 0
    result = runner.invoke(cli, ["--db", db_url, "digest", "--channel", "C0NEWSDESK",
                                 "--date", (today() + timedelta(days=1)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "Nothing new since" in result.stdout
    assert "5 older articles indexed since the last digest are left out" in result.stdout


def test_console_preview_says_how_many_older_articles_were_left_out(indexed, db_url):
    from bot.store.db import Store

    store = Store(db_url)
    try:
        out = io.StringIO()
        Console(Answers(store), stdin=io.StringIO("/digest preview\n"), stdout=out).run()
    finally:
        store.dispose()
    printed = out.getvalue()
    assert NEW in printed and LEFT_OUT in printed
    assert "Fresh story 1" in printed and "Archive story" not in printed


def test_slack_preview_says_how_many_older_articles_were_left_out(indexed, bot):  # noqa: F811
    answer = said(bot.digest("preview"))
    assert NEW in answer and LEFT_OUT in answer
    assert "Archive story" not in answer and "Undated story" not in answer


def test_the_window_since_the_previous_digest_takes_stories_published_from_its_first_day(config_dir, store):
    """Tuesday's digest covers Mon 08:00 to Tue 08:00 (London): stories indexed then count when published
    on Monday or later; one published on Sunday (a late backfill) is left out as older, one undated too."""
    ledger.claim(store, "C0DESK01", date(2026, 3, 23), (at("2026-03-22 08:00"), at("2026-03-23 08:00")),
                 now=at("2026-03-23 08:00"))
    ledger.complete(store, "C0DESK01", date(2026, 3, 23), "111.222")
    story(store, "Published Monday before the digest, indexed after", at("2026-03-23 09:00"),
          published=date(2026, 3, 23))
    story(store, "Published Tuesday at dawn", at("2026-03-24 06:00"), published=date(2026, 3, 24))
    story(store, "Published Sunday, indexed Monday", at("2026-03-23 10:00"), published=date(2026, 3, 22))
    story(store, "Published Monday, indexed in Monday's window", at("2026-03-23 07:00"), published=date(2026, 3, 23))
    story(store, "Undated page", at("2026-03-23 11:00"), undated=True)

    result = CliRunner().invoke(cli, ["--db", store.url, "digest", "--channel", "C0DESK01", "--date", "2026-03-24"])
    assert result.exit_code == 0, result.output
    assert "2 new stories" in result.output
    assert "Published Monday before the digest, indexed after" in result.output
    assert "Published Tuesday at dawn" in result.output
    assert "Sunday" not in result.output and "Undated page" not in result.output
    assert "in Monday's window" not in result.output  # it was Monday's news: never in two digests
    assert ("1 older article and 1 undated article indexed since the last digest are left out: "
            "only stories published since Mon 23 Mar count as new.") in result.output


def test_a_first_digest_covers_the_last_24_hours_and_stories_published_from_the_day_they_start(config_dir, store):
    """No digest before it: the window is the 24 hours up to the digest (a replay of tomorrow's ends now),
    and a story indexed in them counts when published on or after the day they start (London), however
    early in that day it broke. The grace period, how late a missed digest is still posted, plays no part."""
    now = datetime.now(timezone.utc)
    first_day = (now - timedelta(hours=24)).astimezone(ZoneInfo("Europe/London")).date()
    story(store, "Published the first day, indexed 23 hours ago", now - timedelta(hours=23), published=first_day)
    story(store, "Published the day before, indexed an hour ago", now - timedelta(hours=1),
          published=first_day - timedelta(days=1))
    story(store, "Published the first day, indexed 25 hours ago", now - timedelta(hours=25), published=first_day)
    result = CliRunner().invoke(cli, ["--db", store.url, "digest", "--channel", "C0FIRST01", "--date",
                                      (today() + timedelta(days=1)).isoformat(), "--json"])
    assert result.exit_code == 0, result.output
    digest = json.loads(result.stdout)["digest"]
    start, end = (datetime.fromisoformat(digest[key]) for key in ("window_start", "window_end"))
    assert end - start == timedelta(hours=24) and now <= end <= datetime.now(timezone.utc)
    assert [s["title"] for s in digest["stories"]] == ["Published the first day, indexed 23 hours ago"]
    assert (digest["older_left_out"], digest["undated_left_out"]) == (1, 0)


@pytest.fixture
def tuesday_digest(store):
    """`newsbot digest [ARGS…]` for C0DESK01 on Tue 24 Mar 2026, after Monday's digest (window Mon 08:00 to
    Tue 08:00, London: stories published from Monday on are new); what it prints."""
    ledger.claim(store, "C0DESK01", date(2026, 3, 23), (at("2026-03-22 08:00"), at("2026-03-23 08:00")),
                 now=at("2026-03-23 08:00"))
    ledger.complete(store, "C0DESK01", date(2026, 3, 23), "111.222")

    def newsbot_digest(*args):
        result = CliRunner().invoke(cli, ["--db", store.url, "digest", "--channel", "C0DESK01", "--date",
                                          "2026-03-24", *args])
        assert result.exit_code == 0, result.output
        return result.stdout
    return newsbot_digest


def test_a_backfill_never_makes_an_actor_new_and_its_fortnight_counts_by_publication(config_dir, store, tuesday_digest):
    """Older stories indexed in the window are the past of the window's news, as their dates say: an actor
    they name is not new in the news, and those published in the fortnight before make its usual rate."""
    story(store, "Last week's news", at("2026-03-17 10:00"), mentions_of=("Known Minister",))
    story(store, "Archive piece from 1987", at("2026-03-23 09:00"), published=date(1987, 3, 2),
          mentions_of=("Old Guard",))
    for day in range(1, 15):  # a fortnight of stories, indexed late, one mention of the envoy a day
        story(store, f"Routine day {day}", at("2026-03-23 09:30"), published=date(2026, 3, 23) - timedelta(days=day),
              mentions_of=("Steady Envoy",))
    story(store, "Undated profile", at("2026-03-23 09:45"), undated=True, mentions_of=("Quiet Adviser",))
    for number in range(3):  # indexed in the fortnight, published in 1987: not part of the envoy's usual rate
        story(store, f"Archive echo {number}", at("2026-03-20 10:00"), published=date(1987, 3, 5),
              mentions_of=("Wire Ghost",))
    story(store, "Today's report", at("2026-03-23 12:00"), published=date(2026, 3, 23),
          mentions_of=("Old Guard", "Steady Envoy", "Fresh Face", "Quiet Adviser", "Wire Ghost", "Wire Ghost",
                       "Wire Ghost"))

    printed = tuesday_digest()
    assert "1 new story" in printed
    lines = {line.split(" (person)")[0].lstrip("• "): line for line in printed.splitlines() if "(person):" in line}
    assert lines["Fresh Face"].endswith("1 mention in 1 story, first time in the news")
    assert lines["Old Guard"].endswith("1 mention in 1 story")  # named in 1987: no history this fortnight
    assert lines["Quiet Adviser"].endswith("1 mention in 1 story")  # undated: never new, so known before
    assert lines["Steady Envoy"].endswith("1 mention in 1 story, as usual")  # 14 in the 14 days published before
    # Its stories indexed in the fortnight were published in 1987: none this fortnight, so back after a quiet one.
    assert lines["Wire Ghost"].endswith("3 mentions in 1 story, back after a quiet fortnight [spike]")

    trends = {t["name"]: t for t in json.loads(tuesday_digest("--json"))["digest"]["in_the_news"]}
    assert [name for name, t in trends.items() if t["first_time"]] == ["Fresh Face"]
    assert (trends["Steady Envoy"]["usual"], trends["Wire Ghost"]["usual"]) == (1.0, 0.0)


def test_a_quote_first_published_last_year_is_not_new_today(config_dir, store, tuesday_digest):
    """A quote is new unless an older story has it: published before the window (even when indexed in it)
    or undated; its first time in today's stories does not make it new."""
    story(store, "Last week's news", at("2026-03-17 10:00"))
    story(store, "Interview from last year", at("2026-03-23 09:00"), published=date(2025, 6, 1),
          quotes_by=(("We will never give up the northern pipeline to anyone", "Named Minister", False),))
    story(store, "Undated profile", at("2026-03-23 09:30"), undated=True,
          quotes_by=(("A harbour without ships is a museum of the sea", "Old Captain", False),))
    story(store, "Today's report", at("2026-03-23 12:00"), published=date(2026, 3, 23), quotes_by=(
        ("We will never give up the northern pipeline to anyone", "Named Minister", False),
        ("A harbour without ships is a museum of the sea", "Old Captain", False),
        ("The convoy reached the crossing before dawn on Monday", "Border Official", False),
    ))

    replay = json.loads(tuesday_digest("--json"))
    quotes = {q["speaker"]: q["first_time"] for q in replay["digest"]["quotes"]}
    assert quotes == {"Border Official": True, "Named Minister": False, "Old Captain": False}
    sections = [block["text"]["text"] for block in replay["message"]["blocks"] if block.get("type") == "section"]
    said = {speaker: next(text for text in sections if f"— *{speaker}*" in text) for speaker in quotes}
    assert "_seen before_" in said["Named Minister"] and "_seen before_" in said["Old Captain"]
    assert "_seen before_" not in said["Border Official"]
