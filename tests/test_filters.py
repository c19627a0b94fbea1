"""Filters (since, until, source, kind), the order of a profile's articles and `lookup --batch`, through the
paths a reader takes: `newsbot lookup` and `newsbot quote`, the console and signed Slack requests, on the
seeds plus the wire story of tests/slack_world.py (Al-Monitor's article is dated 22 March 2019, the wire
story 2 March 2021, the other seeds are undated)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.search.filters import FilterError, match_outlet, parse_query
from tests.fakeslack import buttons
from tests.slack_loopback import answer, ask, bot, press, run, slack, words  # noqa: F401  (fixtures)
from tests.slack_world import answers, indexed_store  # noqa: F401  (fixtures)
from tests.test_console import after, session

TODAY = date(2026, 12, 6)


@pytest.fixture(scope="module")
def newsbot(indexed_store):  # noqa: F811
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["--db", indexed_store.url, *args], catch_exceptions=False)
    return invoke


# --- reading filters -------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, since, until", [
    ("since:2019-03-22", date(2019, 3, 22), None),
    ("since:2019 until:2019", date(2019, 1, 1), date(2019, 12, 31)),
    ("since:2019-02 until:2019-02", date(2019, 2, 1), date(2019, 2, 28)),
    ("since:7d", date(2026, 11, 29), None),
    ("since:1y until:2w", date(2025, 12, 6), date(2026, 11, 22)),
])
def test_dates_read_as_days_months_years_and_spans(typed, since, until):
    rest, filters = parse_query(f"Iran {typed}", today=TODAY)
    assert rest == "Iran" and (filters.since, filters.until) == (since, until)


@pytest.mark.parametrize("typed, kind", [("kind:person", "person"), ("kind:organization", "organization"),
                                         ("kind:organisation", "organization"), ("kind:ORG", "organization"),
                                         ("kind:place", "place")])
def test_kinds_under_their_usual_spellings(typed, kind):
    assert parse_query(f"{typed} Baker")[1].kind == kind


def test_an_outlet_in_quotes_and_the_words_around_the_tokens():
    rest, filters = parse_query('by Trump source:"Middle East Eye" terror sort:date')
    assert rest == "by Trump terror"
    assert filters.source == "Middle East Eye" and filters.sort == "date" and filters.narrows
    assert parse_query(filters.tokens())[1] == filters  # what a button carries reads back the same


@pytest.mark.parametrize("typed, says", [
    ("since:yesterdayish", "not a date I can read"), ("until:2019-02-30", "not a date that exists"),
    ("kind:plant", "not a kind of actor"), ("sort:loudest", "not an order"),
    ("since:2020 until:2019", "is after"), ("since:2019 since:2020", "given twice"), ("source:", "needs an outlet"),
])
def test_a_bad_value_says_what_is_accepted(typed, says):
    with pytest.raises(FilterError, match=says):
        parse_query(f"Iran {typed}")


def test_outlets_match_fuzzily_or_name_the_nearest():
    outlets = ["Al-Monitor", "Brookings Institution", "Middle East Eye", "POLITICO"]
    assert match_outlet("middle east eye", outlets) == "Middle East Eye"
    assert match_outlet("Midle East Eye", outlets) == "Middle East Eye"
    assert match_outlet("brookings", outlets) == "Brookings Institution"
    with pytest.raises(FilterError, match="Nearest: "):
        match_outlet("New York Times", outlets)


# --- the order of a profile's articles ---------------------------------------------------------------

def test_lookup_lists_the_article_most_about_the_actor_first(newsbot):
    """The Brookings article names Iran 43 times: first, not last behind one that names it 3 times."""
    out = newsbot("lookup", "Iran", "--json")
    listed = [(a["source"], a["mentions"]) for a in json.loads(out.output)["actor"]["articles"]]
    assert listed[0] == ("Brookings Institution", 43)
    assert [n for _, n in listed] == sorted((n for _, n in listed), reverse=True)
    text = newsbot("lookup", "Iran").output
    assert "most about it first" in text
    assert text.index("Brookings Institution (43 mentions)") < text.index("shropshirestar.com (3 mentions)")


def test_sort_date_lists_the_newest_first(newsbot):
    listed = json.loads(newsbot("lookup", "Iran", "--sort", "date", "--json").output)["actor"]["articles"]
    assert listed[0]["source"] == "Al-Monitor" and listed[0]["date"] == "2019-03-22"  # the only dated one
    assert "newest first" in newsbot("lookup", "Iran", "--sort", "date").output


# --- filters on the command line -----------------------------------------------------------------------

def test_lookup_filtered_by_date_and_outlet_says_so(newsbot):
    out = newsbot("lookup", "Iran", "--since", "2019-01-01", "--source", "al monitor")
    assert out.exit_code == 0
    assert "Filtered: since 1 Jan 2019 · source Al-Monitor: 1 article, 19 mentions" in out.output
    assert "99 in 6 articles" in out.output and "(all articles)" in out.output  # the header keeps the totals
    assert "Articles 1–1 of 1" in out.output and "Brookings" not in out.output.split("Articles 1–1")[1]
    data = json.loads(newsbot("lookup", "Iran", "--until", "2019", "--json").output)["actor"]
    assert data["filters"] == {"until": "2019-12-31", "sort": "relevance"}
    assert data["matched_articles"] == 1 and [a["source"] for a in data["articles"]] == ["Al-Monitor"]


def test_a_span_back_from_today_leaves_the_old_articles_out(newsbot):
    out = newsbot("lookup", "Iran", "--since", "7d")
    assert "Filtered: since " in out.output and "0 articles" in out.output
    assert "No article passes the filters" in out.output


def test_lookup_by_kind(newsbot):
    assert json.loads(newsbot("lookup", "Iran", "--kind", "place", "--json").output)["status"] == "found"
    out = newsbot("lookup", "Iran", "--kind", "org")
    assert out.exit_code == 1 and "No organization named “Iran”" in out.output and "Iran (place)" in out.output


@pytest.mark.parametrize("option, says", [
    (["--since", "yesterdayish"], "since:yesterdayish is not a date I can read"),
    (["--kind", "plant"], "not a kind of actor"),
    (["--source", "New York Times"], "No outlet in the index matches “New York Times”. Nearest:"),
])
def test_a_bad_filter_is_a_usage_error_with_help(newsbot, option, says):
    for command in (["lookup", "Iran"], ["quote", "terror"]):
        out = newsbot(*command, *option)
        assert out.exit_code == 2 and says in out.output and "Traceback" not in out.output


def test_quote_help_lists_the_filters(newsbot):
    out = newsbot("quote", "--help").output
    for option in ("--by", "--limit", "--offset", "--since", "--until", "--source", "--kind"):
        assert option in out


def test_quote_filtered_by_outlet_kind_and_date(newsbot):
    every = json.loads(newsbot("quote", "--by", "Trump", "--json").output)
    assert every["total"] >= 2
    politico = json.loads(newsbot("quote", "--by", "Trump", "--source", "politico", "--kind", "person",
                                  "--json").output)
    assert politico["filters"] == {"source": "POLITICO", "kind": "person", "sort": "relevance"}
    assert politico["total"] >= 2 and {q["article"]["source"] for q in politico["results"]} == {"POLITICO"}
    out = newsbot("quote", "--by", "Trump", "--since", "2020")  # POLITICO's story is undated
    assert out.exit_code == 1 and "Filtered: since 1 Jan 2020." in out.output
    text = newsbot("quote", "--by", "Trump", "--source", "politico").output
    assert "Filtered: source POLITICO." in text


def test_quotes_by_organisations_leave_people_out(newsbot):
    assert json.loads(newsbot("quote", "--by", "Trump", "--kind", "organisation", "--json").output)["total"] == 0


# --- batch -------------------------------------------------------------------------------------------

def test_batch_lists_every_article_or_says_how_many_were_left_out(newsbot, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("Iran\nIraq\n", encoding="utf-8")
    for line in newsbot("lookup", "--batch", str(names)).output.splitlines():
        actor = json.loads(line)["actor"]
        assert len(actor["articles"]) == actor["article_count"] and actor["articles_left_out"] == 0
    cut = [json.loads(line)["actor"] for line in newsbot("lookup", "--batch", str(names), "--articles", "2")
           .output.splitlines()]
    assert [(len(a["articles"]), a["articles_left_out"]) for a in cut] == [(2, a["article_count"] - 2) for a in cut]
    assert all(a["article_count"] > 5 for a in cut)  # more than the five a batch used to give
    csv_out = newsbot("lookup", "--batch", str(names), "--format", "csv", "--source", "Al-Monitor").output
    assert "source Al-Monitor" in csv_out.splitlines()[1]


# --- the console and Slack ------------------------------------------------------------------------------

def test_console_shows_the_filters_back(answers):
    typed = '/lookup Iran since:2019 source:"al monitor"'
    out = after(session(answers, typed), typed)
    assert "Filtered: since 1 Jan 2019 · source Al-Monitor: 1 article of 6, 19 mentions" in out
    assert "How US, Iranian regional security strategies diverge" in out and "Brookings" not in out
    bad = after(session(answers, "/quote terror since:yesterdayish"), "/quote terror since:yesterdayish")
    assert "`since:yesterdayish` is not a date I can read" in bad and "Traceback" not in bad


def test_a_candidate_chosen_opens_through_the_filters(answers):
    typed = '/lookup Tamimi source:"middle east eye"'
    out = session(answers, typed, "2")
    assert "Tamimi could be more than one actor" in after(out, typed)
    chosen = after(out, "2")
    assert chosen.startswith("Mahmoud al-Tamimi\n") and "Filtered: source Middle East Eye" in chosen
    typed = "/lookup Hassan since:2019"
    out = session(answers, typed, "1")
    assert "No actor named Hassan" in after(out, typed)
    assert "Filtered: since 1 Jan 2019" in after(out, "1")


def test_slack_lookup_lists_the_article_most_about_the_actor_first(bot, slack):
    text = words(ask(bot, slack, "/lookup", "Iran"))
    assert "most about it first" in text
    first = text.split("*Articles 1–5 of 6*")[1]
    assert first.index("Brookings Institution") < first.index("Al-Monitor")


def test_slack_lookup_with_filters_shows_them_and_more_keeps_them(bot, slack):
    reply = ask(bot, slack, "/lookup", "Iran until:2022 since:2019-03")
    text = words(reply)
    assert "*Filtered:* since 1 Mar 2019 · until 31 Dec 2022: 1 article of 6, 19 mentions" in text
    assert "*Mentions (all articles)*" in text and "Al-Monitor" in text and "Brookings" not in text
    shared = press(bot, slack, reply, "Share in channel", "share")
    assert "*Filtered:* since 1 Mar 2019" in words(shared)


def test_slack_more_articles_pages_through_the_filtered_list(bot, slack):
    first = ask(bot, slack, "/lookup", "Iraq sort:date")
    assert "newest first" in words(first)
    more = press(bot, slack, first, "More articles", "more")
    assert "newest first" in words(more) and "*Articles 6–6 of 6*" in words(more)


def test_slack_quote_with_filters(bot, slack):
    text = words(ask(bot, slack, "/quote", "by Trump source:politico kind:person"))
    assert "*Filtered:* source POLITICO · kind person" in text and "dying to have me lose" in text


@pytest.mark.parametrize("typed, says", [("Iran since:yesterdayish", "not a date I can read"),
                                         ("Iran kind:plant", "not a kind of actor"),
                                         ("Iran source:\"New York Times\"", "No outlet in the index matches"),
                                         ("kind:person", "Give a name besides the filters")])
def test_slack_bad_filter_gets_help(bot, slack, typed, says):
    status, body, _ = run(bot, slack, "/lookup", typed)
    reply = body if says in body else words(answer(slack))
    assert status == 200 and says in reply


def test_slack_buttons_carry_the_filters(bot, slack):
    reply = ask(bot, slack, "/lookup", "Iraq source:brookings")
    share = next(b for b in buttons(reply) if b["text"]["text"] == "Share in channel")
    assert json.loads(share["value"].partition(":")[2])["f"] == 'source:"Brookings Institution"'


def test_slack_more_quotes_keep_the_profile_filters(bot, slack):
    profile = ask(bot, slack, "/lookup", 'Kataeb Hezbollah source:"middle east eye"')
    assert "*Filtered:* source Middle East Eye" in words(profile)
    more = press(bot, slack, profile, "More quotes about", "quotes")
    text = words(more)
    assert "*Filtered:* source Middle East Eye" in text and "*Quotes about Kataeb Hezbollah 4–" in text
    assert "Desk Wire" not in text and "Middle East Eye" in text.split("*Quotes about")[1]
    back = next(b for b in buttons(more) if b["text"]["text"] == "Previous quotes about")
    assert json.loads(back["value"].partition(":")[2])["f"] == 'source:"Middle East Eye"'


def test_a_very_busy_actor_is_ranked_over_its_latest_mentions_and_says_so(newsbot, monkeypatch):
    import bot.search.profiles as profiles

    monkeypatch.setattr(profiles, "RANKED_MENTIONS", 40)  # Iran has 99 mentions in the seeds
    out = newsbot("lookup", "Iran")
    assert "most about it first, among its latest 40 mentions" in out.output
    data = json.loads(newsbot("lookup", "Iran", "--json").output)["actor"]
    assert data["ranked_mentions"] == 40 and data["matched_mentions"] == 40
    assert data["articles_left_out"] == data["matched_articles"] - len(data["articles"])
    every = json.loads(newsbot("lookup", "Iran", "--json", "--articles", "5000").output)["actor"]
    assert every["ranked_mentions"] is None and len(every["articles"]) == every["article_count"]  # a long list: all


def test_without_filters_only_the_articles_that_can_reach_the_page_are_read(newsbot, monkeypatch):
    import bot.search.profiles as profiles

    whole = [a["id"] for a in json.loads(newsbot("lookup", "Iraq", "--json").output)["actor"]["articles"]]
    monkeypatch.setattr(profiles, "TITLE_CANDIDATES", 0)
    for offset in range(len(whole)):
        page = json.loads(newsbot("lookup", "Iraq", "--json", "--articles", "1", "--offset", str(offset)).output)
        assert [a["id"] for a in page["actor"]["articles"]] == whole[offset:offset + 1]
