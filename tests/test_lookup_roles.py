"""Lookup by role: the roles the text gives a person, kept with the article's date, answer `/lookup the Supreme
Leader`, `Iraq's prime minister`, `Saudi oil minister`; a title alone (`Ayatollah`) lists who carries it; a
name still wins over a role reading."""
from __future__ import annotations

import pytest

from bot.nlp.actors import extract_mentions
from bot.nlp.roles import Role, read_query, role_mentions
from tests.indexed import index_wire
from tests.slack_loopback import answer, bot, run, slack, words  # noqa: F401  (fixtures)
from tests.slack_world import indexed_store  # noqa: F401  (fixture)
from tests.test_console import after, answers, session  # noqa: F401  (fixture: the seeds and the wire story)

STORIES = [{"id": story_id, "title": title, "source": "Gulf Wire", "date": day, "text": text}
           for story_id, title, day, text in [
    ("oil-1", "Quota talks", "1986-05-01",
     "The oil minister of Saudi Arabia, Ahmed Zaki Yamani, said the quota was fair.\n\n"
     "Yamani spoke in Geneva."),
    ("oil-2", "Prices firm", "1987-03-02",
     "Prices rose, the Saudi oil minister, Hisham Nazer, told reporters in Riyadh on Monday.\n\n"
     "Nazer said output would hold."),
    ("oil-3", "OPEC meets", "1987-06-30",
     "Hisham Nazer, Saudi Arabia's oil minister, said OPEC would meet.\n\nNazer spoke in Vienna."),
    ("iran-1", "Talks over", "2019-03-22",
     "Iranian Supreme Leader Ali Khamenei said talks were over. Ayatollah Ahmad Jannati agreed with "
     "Ayatollah Ali Khamenei.\n\nIraq's prime minister Mustafa al-Kadhimi visited Tehran."),
    ("iraq-1", "Visit", "2020-07-01",
     "Mustafa al-Kadhimi, the prime minister of Iraq, flew to Riyadh. Priti Patel, the British home "
     "secretary, said nothing. Former President Bill Clinton spoke later."),
]]


def roles_of(text: str) -> list[tuple[str, str, str]]:
    return [(r.name, r.role.office, r.role.of) for r in role_mentions(text, extract_mentions(text))]


def test_every_way_a_role_is_written_is_read_as_an_office_and_whose_it_is():
    assert roles_of("Iranian Supreme Leader Ali Khamenei said so.") == [("Ali Khamenei", "supreme leader", "iranian")]
    assert roles_of("Iraq's prime minister Mustafa al-Kadhimi visited Tehran.") == [
        ("Mustafa al-Kadhimi", "prime minister", "iraqi")]
    assert roles_of("Prices rose, the Saudi oil minister, Hisham Nazer, told reporters.") == [
        ("Hisham Nazer", "oil minister", "saudi")]
    assert roles_of("Hassan Rouhani, the president of Iran, said the deal held.") == [
        ("Hassan Rouhani", "president", "iranian")]
    assert roles_of("Hisham Nazer, Saudi Arabia's oil minister, said so.") == [("Hisham Nazer", "oil minister", "saudi")]
    # stacked titles are two roles; a past role and a form of address are none
    assert roles_of("Supreme Leader Ayatollah Ali Khamenei spoke.") == [
        ("Ali Khamenei", "supreme leader", ""), ("Ali Khamenei", "ayatollah", "")]
    assert roles_of("Former President Bill Clinton and Mr John Smith spoke.") == []


def test_a_query_is_read_as_a_role_only_when_it_is_one():
    assert read_query("the Supreme Leader").role == Role("supreme leader")
    assert read_query("Iraq's prime minister").role == Role("prime minister", "iraqi")
    assert read_query("oil minister of Saudi Arabia") == read_query("Saudi Arabia's oil minister") \
        == read_query("the Saudi oil minister")
    assert read_query("Ayatollah").definite is False
    assert read_query("Saudi Arabian oil minister").role == Role("oil minister", "saudi")
    assert read_query("West German finance minister").role == Role("finance minister", "west german")
    for name in ("Ali Khamenei", "Priti Patel", "Kataeb Hezbollah", "IRGC", "Khamenei"):
        assert read_query(name) is None


@pytest.fixture
def newsbot(tmp_path, db_url):
    return index_wire(STORIES, tmp_path / "wire", db_url)


def test_cli_answers_a_role_with_its_holders_latest_first_and_the_dates_seen(newsbot):
    out = newsbot("lookup", "Saudi oil minister").output
    assert out.startswith("Hisham Nazer")
    assert "held by: Hisham Nazer (1987-03-02 – 1987-06-30, 2 articles); " \
           "Ahmed Zaki Yamani (1986-05-01, 1 article)" in out
    assert newsbot("lookup", "oil minister of Saudi Arabia").output.startswith("Hisham Nazer")
    out = newsbot("lookup", "Iraq's prime minister").output
    assert out.startswith("Mustafa al-Kadhimi") and "Priti Patel" not in out.split("\n")[2]
    assert "(2019-03-22 – 2020-07-01, 2 articles)" in out
    assert newsbot("lookup", "the Supreme Leader").output.startswith("Ali Khamenei")


def test_a_title_alone_is_ambiguous_between_those_who_carry_it(newsbot):
    result = newsbot("lookup", "Ayatollah", "--json")
    assert '"status": "ambiguous"' in result.output
    assert "Ali Khamenei" in result.output and "Ahmad Jannati" in result.output


def test_a_name_wins_over_a_role_reading(newsbot):
    out = newsbot("lookup", "Khamenei").output
    assert out.startswith("Ali Khamenei") and "read as a role" not in out
    assert "Bill Clinton" not in newsbot("lookup", "president").output  # a former president held no office then


# -- on the seeds, through Slack and the console ----------------------------------------------------------

def test_slack_lookup_the_supreme_leader_on_the_seeds(bot, slack):  # noqa: F811
    status, _, _ = run(bot, slack, "/lookup", "the Supreme Leader")
    assert status == 200
    text = words(answer(slack))
    assert "Ali Khamenei" in text and "No actor named" not in text
    assert "read as a role" in text


def test_slack_lookup_iraqs_prime_minister_on_the_seeds(bot, slack):  # noqa: F811
    run(bot, slack, "/lookup", "Iraq's prime minister")
    text = words(answer(slack))
    assert "Mustafa al-Kadhimi" in text and "Priti Patel" not in text


def test_console_lookup_the_supreme_leader(answers):
    output = session(answers, "/lookup the Supreme Leader")
    assert "Ali Khamenei" in after(output, "/lookup the Supreme Leader")


def test_slack_lookup_a_title_alone_offers_everyone_who_carries_it(bot, slack):  # noqa: F811
    run(bot, slack, "/lookup", "Ayatollah")
    text = words(answer(slack))
    assert "could be more than one actor" in text
    assert "Ruhollah Khomeini" in text and "Ali Khamenei" in text
