"""The actor graph as a desk on another beat meets it: wire copy of our own in the style of a 1980s
business and politics wire (datelines, `Reuter` signatures, dividend tables, state abbreviations) and of
Gulf state news agencies (styles of address in place of names), indexed with `newsbot index` with the
curated list and with an empty one, read back with `newsbot lookup`, `newsbot export` and `/lookup` in
Slack (SQLite and PostgreSQL).

Public names (Gorbachev, Baker, Texaco) stand in the stories as any wire would print them; the stories
themselves are made up."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.slack.answers import Answers
from bot.store.db import Store
from tests.conftest import BACKENDS, ROOT
from tests.fakeslack import buttons
from tests.slack_loopback import answer, bot, press, run, slack, words  # noqa: F401  (fixtures)
from tests.slack_world import database

LISTS = ("curated", "empty")


def _story(number: int, day: str, title: str, text: str, source: str = "Wire") -> dict:
    return {"id": f"{source.lower().replace(' ', '-')}-{number}", "title": title, "source": source, "date": day,
            "text": text}


WIRE = [
    _story(1, "1987-03-02", "GORBACHEV URGES ARMS TALKS",
           "MOSCOW, March 2 - Soviet leader Mikhail Gorbachev said on Monday that Moscow was ready to resume arms "
           "talks with Washington. Gorbachev told a meeting of party officials that the Kremlin wanted an "
           "agreement this year.\n\nWestern diplomats said the offer was new.\n Reuter"),
    _story(2, "1987-03-03", "SHULTZ TO VISIT MOSCOW",
           "WASHINGTON, March 3 - Secretary of State George Shultz said he would travel to Moscow next month to "
           "meet Gorbachev. Shultz told reporters that President Ronald Reagan wanted a summit this year.\n\n"
           "Reagan said on Monday that a Reagan-Gorbachev summit could come before the autumn. Gorbachev has not "
           "replied, Shultz said.\n Reuter"),
    _story(3, "1987-03-04", "REAGAN SAYS SUMMIT POSSIBLE",
           "WASHINGTON, March 4 - Reagan said on Wednesday that he was ready to meet Gorbachev. Reagan told "
           "reporters at the White House that Shultz would carry a letter to Moscow.\n Reuter"),
    _story(4, "1987-03-05", "NAKASONE PLEDGES TRADE STEPS",
           "TOKYO, March 5 - Prime Minister Yasuhiro Nakasone said Japan would take steps to cut its trade surplus "
           "with the United States. Nakasone told parliament the steps would include tax cuts.\n Reuter"),
    _story(5, "1987-03-06", "NAKASONE TAX PLAN FACES OPPOSITION",
           "TOKYO, March 6 - The Nakasone government's sales tax plan faced fresh opposition on Friday. Nakasone "
           "said he would not give up the tax, and aides said a compromise was unlikely.\n Reuter"),
    _story(6, "1987-03-07", "THATCHER SAYS ELECTION NOT YET",
           "LONDON, March 7 - Prime Minister Margaret Thatcher said on Saturday she would not call an early "
           "election. Thatcher told party workers that the economy was strong.\n Reuter"),
    _story(7, "1987-03-08", "THATCHER VISITS FACTORY",
           "LONDON, March 8 - Thatcher visited a car factory in the Midlands on Sunday. The Thatcher government "
           "wants more such plants, Thatcher said.\n Reuter"),
    _story(8, "1987-03-09", "BAKER SAYS DOLLAR STABLE",
           "WASHINGTON, March 9 - Treasury Secretary James Baker said the dollar had fallen far enough. Baker told "
           "a Senate committee that the major industrial nations agreed.\n\nBaker said the Paris accord was "
           "working.\n Reuter"),
    _story(9, "1987-03-10", "BAKER DEFENDS ACCORD",
           "WASHINGTON, March 10 - Treasury Secretary James Baker said on Tuesday that the United States would "
           "keep to the Paris accord. The accord is working, Baker told reporters.\n Reuter"),
    _story(10, "1987-03-11", "BAKER INTERNATIONAL CUTS JOBS",
           "HOUSTON, March 11 - Baker International Corp said it would cut 1,200 jobs at its oilfield equipment "
           "unit. Baker International said the cuts would save 40 mln dlrs a year.\n\nThe company said its "
           "drilling orders fell, and Baker said it expected no recovery this year.\n Reuter"),
    _story(11, "1987-03-12", "BAKER OILFIELD UNIT",
           "HOUSTON, March 12 - Baker said its oilfield unit would close a plant in Oklahoma, the second cut this "
           "month.\n Reuter"),
    _story(12, "1987-03-13", "TEXACO SEEKS COURT RELIEF",
           "WHITE PLAINS, N.Y., March 13 - Texaco Inc said it asked the Supreme Court to review the Pennzoil "
           "judgment. Texaco said its lawyers were confident.\n Reuter"),
    _story(13, "1987-03-14", "TEXACO SAYS TALKS CONTINUE",
           "HOUSTON, March 14 - Texaco said talks with Pennzoil would continue next week. Texaco gave no "
           "details.\n Reuter"),
    _story(14, "1987-03-15", "CHRYSLER TO BUY AMERICAN MOTORS",
           "DETROIT, March 15 - Chrysler Corp said it agreed to buy American Motors Corp for 1.5 billion dlrs. "
           "Chrysler chairman Lee Iacocca said the deal would close by summer.\n Reuter"),
    _story(15, "1987-03-16", "CHRYSLER SALES FALL",
           "DETROIT, March 16 - Chrysler said its car sales fell seven pct in early March. Chrysler blamed the "
           "weather, and dealers told Chrysler that stocks were high.\n Reuter"),
    _story(16, "1987-03-17", "DOME PETROLEUM TALKS WITH LENDERS",
           "CALGARY, Alberta, March 17 - Dome Petroleum Ltd said it was still talking with its lenders. Dome told "
           "the banks it expected a plan by April. Merrill Lynch and Co is advising Dome.\n\n"
           "Merrill Lynch said it had no comment.\n Reuter"),
    _story(17, "1987-03-18", "FED SEEN HOLDING RATES",
           "NEW YORK, March 18 - The Federal Reserve is expected to leave interest rates unchanged, economists "
           "said. The Federal Reserve Board meets next week, and Federal Reserve Chairman Paul Volcker told "
           "Congress that inflation was under control.\n\nMerrill Lynch economist Jane Ridley said the Federal "
           "Reserve would wait.\n Reuter"),
    _story(18, "1987-03-19", "CHIPMAKER PROFIT RISES",
           "SAN JOSE, Calif., March 19 - Valtronic Co <VALT.O> said its first quarter profit rose 20 pct. The Santa Clara, "
           "Calif.-based company said demand for chips had turned.\n\nAnalysts said the rise was expected.\n\n"
           "Analysts said: \"Demand for chips has turned, and the second quarter will be better.\"\n Reuter"),
    _story(20, "1987-03-20", "FAIRFIELD BANK DIVIDEND",
           "HARTFORD, Conn., March 20 - Qtly div 12 cts vs 12 cts prior\n\nPay April 20\n\nRecord April 1\n Reuter"),
    _story(21, "1987-03-21", "COASTAL BANK DIVIDEND",
           "LOS ANGELES, Calif., March 21 - Qtly div ten cts vs ten cts prior\n\nPay April 15\n\n"
           "Record March 31\n Reuter"),
    _story(22, "1987-03-22", "GREENWICH FIRM RESULTS",
           "GREENWICH, Conn., March 22 - Oper shr 12 cts vs nine cts\n\nNet 1,200,000 vs 900,000\n\n"
           "These figures exclude a one-time gain. The Stamford, Conn., company said sales fell.\n\n"
           "Commenting on the results, chairman John Hale said: \"Orders have turned, and we expect a better "
           "year.\"\n\nFell sharply in the fourth quarter, it said. Goldman, Sachs and Co advised the "
           "company.\n Reuter"),
    _story(23, "1987-03-23", "IRAN SPEAKER WARNS GULF STATES",
           "NICOSIA, March 23 - Iranian parliament speaker Akbar Hashemi Rafsanjani warned Gulf states not to "
           "help Iraq. Rafsanjani told Tehran radio that Iran would answer any attack.\n Reuter"),
    _story(24, "1987-03-24", "RAFSANJANI SAYS WAR WILL GO ON",
           "NICOSIA, March 24 - Hashemi Rafsanjani said on Tuesday the war with Iraq would go on. Ali Akbar "
           "Hashemi Rafsanjani, speaking at Friday prayers, said Iran had new weapons.\n Reuter"),
    _story(25, "1987-03-25", "INDIA SENDS TROOPS TO KASHMIR",
           "NEW DELHI, March 25 - India sent more troops to the northern state of Jammu and Kashmir after clashes "
           "in Jammu on Monday. Officials in Jammu said the curfew would stay, and police in Kashmir said roads "
           "to the valley were closed.\n Reuter"),
    _story(26, "1987-03-26", "PARIS TALKS ON DEBT",
           "PARIS, March 26 - Creditor nations met in Paris on Wednesday to discuss debt relief for Brazil.\n Reuter"),
    _story(27, "1987-03-27", "TOKYO STOCKS RISE",
           "TOKYO, March 27 - Share prices rose on the Tokyo exchange on Thursday, dealers said.\n Reuter"),
]

# A state news agency's style: rulers named by their styles of address, often with no name at all.
AGENCY = [
    _story(1, "2021-05-03", "King receives Pakistani premier",
           "JEDDAH, May 3 (SPA) - The Custodian of the Two Holy Mosques King Salman bin Abdulaziz Al Saud "
           "received the Prime Minister of Pakistan at Al-Salam Palace in Jeddah today. The Custodian of the Two "
           "Holy Mosques welcomed the guest, and the two sides reviewed relations between the two countries.",
           "Gulf Agency"),
    _story(2, "2021-05-04", "King sends cable",
           "RIYADH, May 4 (SPA) - The Custodian of the Two Holy Mosques sent a cable of condolences to the "
           "President of Indonesia over the victims of the floods. The Custodian of the Two Holy Mosques "
           "expressed his sincere sympathy.", "Gulf Agency"),
    _story(3, "2021-05-05", "Amir receives Crown Prince",
           "KUWAIT, May 5 (KUNA) - His Highness the Amir Sheikh Nawaf Al-Ahmad Al-Jaber Al-Sabah received His "
           "Highness the Crown Prince Sheikh Mishal Al-Ahmad Al-Jaber Al-Sabah at Bayan Palace today. His "
           "Highness the Amir also received a cable of congratulations from the King of Jordan.", "Gulf Agency"),
    _story(4, "2021-05-06", "Amir thanks well-wishers",
           "KUWAIT, May 6 (KUNA) - His Highness the Amir thanked citizens for their wishes on the holy month, and "
           "His Highness the Crown Prince sent a similar message.", "Gulf Agency"),
    _story(5, "2021-05-07", "Pilgrims in Najaf",
           "NAJAF, May 7 - Pilgrims gathered at the shrine of Imam Ali on Friday. Mohammad Ali Jafari, the former "
           "commander of the Revolutionary Guards, visited the shrine, and Ali al-Sistani received him.\n\n"
           "Mohammed bin Salman sent a message to the Iraqi government the same day, and Ali Khamenei praised "
           "the pilgrims.", "Gulf Agency"),
]


def _write(folder, stories) -> None:
    folder.mkdir(parents=True)
    (folder / "wire.jsonl").write_text("".join(json.dumps(story) + "\n" for story in stories), encoding="utf-8")


def _indexed(request, tmp_path_factory, stories, with_seeds: bool):
    """(database URL, config folder, cleanup) of `stories` (and the seeds) indexed with the actor list
    `request.param` names."""
    backend, actor_list = request.param
    folder = tmp_path_factory.mktemp(f"{backend}-{actor_list}")
    config = folder / "config"
    config.mkdir()
    (config / "actors.yaml").write_text((ROOT / "config" / "actors.yaml").read_text(encoding="utf-8")
                                        if actor_list == "curated" else "actors: []\n", encoding="utf-8")
    _write(folder / "corpus" / "wire", stories)
    paths = [str(folder / "corpus" / "wire")] + ([str(ROOT / "seeds")] if with_seeds else [])
    url, cleanup = database(backend, folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEWSBOT_CONFIG_DIR", str(config))
        patch.setenv("NEWSBOT_CACHE_DIR", str(folder / "cache"))
        result = CliRunner().invoke(cli, ["--db", url, "index", *paths], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return url, config, cleanup


PARAMS = [(backend, actor_list) for backend in BACKENDS for actor_list in LISTS]
IDS = [f"{backend}-{actor_list}" for backend, actor_list in PARAMS]


@pytest.fixture(scope="module", params=PARAMS, ids=IDS)
def wire_db(request, tmp_path_factory):
    url, config, cleanup = _indexed(request, tmp_path_factory, WIRE, with_seeds=False)
    yield url, config
    cleanup()


@pytest.fixture(scope="module", params=PARAMS, ids=IDS)
def agency_db(request, tmp_path_factory):
    """The agency's stories and the seeds."""
    url, config, cleanup = _indexed(request, tmp_path_factory, AGENCY, with_seeds=True)
    yield url, config
    cleanup()


class Newsbot:
    """`newsbot --db <the indexed database> …` and what its answers hold."""

    def __init__(self, url, config, monkeypatch):
        monkeypatch.setenv("NEWSBOT_CONFIG_DIR", str(config))
        self.url, self.runner = url, CliRunner()

    def __call__(self, *args) -> str:
        result = self.runner.invoke(cli, ["--db", self.url, *args], catch_exceptions=False)
        assert result.exit_code in (0, 1), result.output
        return result.stdout

    def lookup(self, query: str) -> dict:
        return json.loads(self("lookup", "--json", query))

    def exported(self, what: str) -> list[dict]:
        return [json.loads(line) for line in self("export", what).splitlines()]

    def actors(self) -> dict[str, dict]:
        return {row["name"]: row for row in self.exported("actors")}

    def mentions_in(self, title: str) -> list[tuple[str, str]]:
        """(surface, actor) of each mention in the story of this title."""
        article = next(a["id"] for a in self.exported("articles") if a["title"] == title)
        return [(m["surface"], m["actor"]) for m in self.exported("mentions") if m["article_id"] == article]


@pytest.fixture
def wire(wire_db, monkeypatch):
    return Newsbot(*wire_db, monkeypatch)


@pytest.fixture
def agency(agency_db, monkeypatch):
    return Newsbot(*agency_db, monkeypatch)


@pytest.mark.parametrize("surname, full_name", [
    ("Gorbachev", "Mikhail Gorbachev"),
    ("Nakasone", "Yasuhiro Nakasone"),
    ("Shultz", "George Shultz"),
    ("Thatcher", "Margaret Thatcher"),
])
def test_a_surname_finds_the_person_named_in_full(wire, surname, full_name):
    found = wire.lookup(surname)
    assert (found["status"], found["actor"] and found["actor"]["name"]) == ("found", full_name), found
    assert found["actor"]["kind"] == "person"
    assert found["actor"]["article_count"] == sum(surname in story["text"] for story in WIRE)
    assert surname not in wire.actors()


def test_a_surname_a_person_and_a_company_share_is_ambiguous_with_a_button_each(wire_db, bot, slack):
    run(bot, slack, "/lookup", "Baker")
    reply = answer(slack)
    assert "*Baker* could be more than one actor" in words(reply)
    labels = [b["text"]["text"] for b in buttons(reply)]
    assert {"James Baker", "Baker International Corp"} <= set(labels), labels
    opened = press(bot, slack, reply, "James Baker", "open")
    assert opened["blocks"][0]["text"]["text"] == "James Baker"
    assert "in 2 articles" in words(opened)


@pytest.fixture
def answers(wire_db):
    """The Slack app's answers over the indexed wire."""
    store = Store(wire_db[0])
    yield Answers(store)
    store.dispose()


def test_reagan_is_one_actor_and_a_joined_name_two_mentions(wire):
    reagan = wire.lookup("Reagan")
    assert reagan["status"] == "found" and reagan["actor"]["name"] == "Ronald Reagan", reagan
    assert wire.lookup("Ronald Reagan")["actor"]["id"] == reagan["actor"]["id"]
    assert reagan["actor"]["article_count"] == 2 and reagan["actor"]["mentions"] == 3 + 2  # Reagan-Gorbachev too
    names = wire.actors()
    assert "Reagan" not in names and not any("-" in name for name in names if "Reagan" in name), names
    summit = wire.mentions_in("SHULTZ TO VISIT MOSCOW")
    assert [surface for surface, actor in summit if actor == "Ronald Reagan"] == ["Ronald Reagan", "Reagan", "Reagan"]
    assert sum(surface == "Gorbachev" for surface, _ in summit) == 3, summit
    assert not any("-" in surface for surface, _ in summit), summit


@pytest.mark.parametrize("short, full", [("Texaco", "Texaco Inc"), ("Chrysler", "Chrysler Corp")])
def test_a_company_with_and_without_its_legal_form_is_one_actor(wire, short, full):
    found = wire.lookup(short)
    assert found["status"] == "found" and found["actor"]["name"] == full, found
    assert wire.lookup(full)["actor"]["id"] == found["actor"]["id"]
    assert found["actor"]["article_count"] == 2
    assert [name for name in wire.actors() if name.startswith(short)] == [full]


def test_one_man_under_longer_and_shorter_names_is_one_profile(wire):
    found = wire.lookup("Rafsanjani")
    assert found["status"] == "found", found
    assert found["actor"]["article_count"] == 2 and found["actor"]["mentions"] == 4
    for name in ("Hashemi Rafsanjani", "Akbar Hashemi Rafsanjani", "Ali Akbar Hashemi Rafsanjani"):
        assert wire.lookup(name)["actor"]["id"] == found["actor"]["id"], name
    assert [name for name in wire.actors() if "Rafsanjani" in name] == [found["actor"]["name"]]


def test_signatures_state_abbreviations_and_table_words_are_no_actors(wire):
    actors = wire.actors()
    junk = {"Reuter", "REUTER", "Calif", "Qtly", "Conn", "Co", "N.Y", "Oper", "Net", "Pay", "Record"}
    assert not junk & set(actors), junk & set(actors)
    for word in ("Calif", "Qtly", "Conn"):
        assert wire.lookup(word)["status"] == "not_found", word
    agency = wire.lookup("Reuter")["actor"] or {}  # the curated list's Reuters, which no story quotes
    assert agency.get("mentions", 0) == 0, agency
    assert not any(related["name"] in junk for actor in actors
                   for related in (wire.lookup(actor)["actor"] or {}).get("related", [])
                   if actors[actor]["mentions"])


def test_analysts_are_no_person_and_their_quote_is_anonymous(wire):
    assert "Analysts" not in wire.actors()
    assert wire.lookup("Analysts")["status"] == "not_found"  # no profile, no "Quotes by Analysts"
    [quote] = [q for q in wire.exported("quotes") if q["text"].startswith("Demand for chips")]
    assert (quote["speaker"], quote["speaker_actor"], quote["anonymous"]) == ("Analysts", None, True), quote


def test_a_ticker_after_a_company_s_name_is_no_actor(wire):
    actors = wire.actors()
    assert "VALT.O" not in actors and wire.lookup("VALT.O")["status"] == "not_found"
    assert actors["Valtronic Co"]["kind"] == "organization", actors["Valtronic Co"]


def test_datelines_are_not_mentions(wire):
    actors = wire.actors()
    assert actors["Paris"]["mentions"] == 3  # the accord twice, the meeting in Paris; not PARIS, March 26
    assert actors["Tokyo"]["mentions"] == 1  # the Tokyo exchange; not three datelines
    assert not {"MOSCOW", "WASHINGTON", "TOKYO", "PARIS", "NEW YORK", "HOUSTON", "NICOSIA"} & set(actors)


def test_the_region_of_a_dateline_is_no_mention(wire):
    assert "Alberta" not in wire.actors()


def test_capitalised_common_words_are_no_actors(wire):
    assert not {"These", "Fell", "Commenting", "Officials", "Western"} & set(wire.actors())
    [quote] = [q for q in wire.exported("quotes") if q["text"].startswith("Orders have turned")]
    assert quote["speaker_actor"] == "John Hale", quote  # not the clause that opens the sentence


@pytest.mark.parametrize("name, kind", [
    ("Chrysler", "organization"),
    ("Dome", "organization"),
    ("Merrill Lynch", "organization"),
    ("Federal Reserve", "organization"),
    ("Kashmir", "place"),
    ("Jammu", "place"),
])
def test_kind_by_the_evidence_of_all_mentions(wire, name, kind):
    found = wire.lookup(name)
    assert found["status"] == "found", found
    assert found["actor"]["kind"] == kind, found["actor"]


def test_styles_of_address_are_no_actors(agency):
    names = set(agency.actors())
    styles = {name for name in names if re.search(  # words, not letters: Hadi al-Amiri is an actor
        r"\b(Custodian|Holy Mosques|Highness|Majesty|Amir|Crown Prince)\b", name)}
    assert not styles, styles


@pytest.mark.parametrize("style", ["Highness", "His Highness the Amir", "Custodian of the Two Holy Mosques"])
def test_a_style_of_address_alone_finds_no_one(agency, style):
    """Not Jeanine Hennis-Plasschaert as a close spelling of Highness."""
    found = agency.lookup(style)
    assert (found["status"], found["candidates"]) == ("not_found", []), found


def test_a_ruler_s_title_alone_lists_who_carries_it_never_a_close_spelling(agency):
    """`Amir` is a role: the rulers the wire gives it, never Hadi al-Amiri as a close spelling."""
    found = agency.lookup("Amir")
    names = [c["name"] for c in found["candidates"]]
    assert found["status"] == "ambiguous" and "read as a role" in found["explanation"], found
    assert names and all("Sabah" in name for name in names), names


def test_a_title_and_a_name_find_the_bearer_of_the_name_not_his_son(agency):
    """Salman bin Abdulaziz Al Saud, not Mohammed bin Salman, whose surname the press makes of his father's name."""
    found = agency.lookup("King Salman")
    assert (found["status"], found["actor"] and found["actor"]["name"]) == ("found", "Salman bin Abdulaziz Al Saud"), \
        found


def test_the_name_after_a_style_of_address_is_the_person(agency):
    names = agency.actors()
    for name in ("Nawaf Al-Ahmad Al-Jaber Al-Sabah", "Mishal Al-Ahmad Al-Jaber Al-Sabah",
                 "Salman bin Abdulaziz Al Saud"):
        assert names.get(name, {}).get("kind") == "person", (name, sorted(names))


@pytest.mark.parametrize("given, bearers", [
    ("Mohammed", {"Mohammed bin Salman", "Mohammad Ali Jafari"}),
    ("Ali", {"Ali Khamenei", "Ali al-Sistani"}),
])
def test_a_given_name_alone_is_ambiguous(agency, given, bearers):
    result = agency.lookup(given)
    assert result["status"] == "ambiguous", result["explanation"]
    assert bearers <= {c["name"] for c in result["candidates"]}, result["candidates"]


def test_a_given_name_after_a_title_is_not_another_mans_surname(agency):
    pilgrims = agency.mentions_in("Pilgrims in Najaf")
    assert ("Ali", "Zine El Abidine Ben Ali") not in pilgrims, pilgrims


def test_the_seeds_radio_host_is_a_person(agency):
    found = agency.lookup("Limbaugh")
    assert found["status"] == "found" and found["actor"]["kind"] == "person", found["actor"]


def test_a_curated_acronym_does_not_link_before_its_actors_years(db_url, config_dir, tmp_path):
    """The shipped list's `active: 2014-` for the Popular Mobilization Forces: a 1987 story's PMA is a
    pharmaceutical trade body; a 2019 story's PMA in Iraq is the militias' umbrella."""
    _write(tmp_path / "wire", [
        _story(1, "1987-04-02", "DRUG MAKERS WARN ON PRICES",
               "WASHINGTON, April 2 - The PMA said on Thursday that drug prices would rise. PMA officials told "
               "a House panel that research costs had doubled.\n Reuter"),
        _story(2, "2019-10-05", "Umbrella group denies role",
               "BAGHDAD, Oct 5 - The PMA denied any role in the shooting of protesters in Baghdad, and Iraqi "
               "Prime Minister Adel Abdul Mahdi ordered an inquiry."),
    ])
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db_url, "index", str(tmp_path / "wire")]).exit_code == 0
    result = runner.invoke(cli, ["--db", db_url, "lookup", "--json", "Popular Mobilization Forces"])
    titles = {article["title"] for article in json.loads(result.stdout)["actor"]["articles"]}
    assert titles == {"Umbrella group denies role"}
