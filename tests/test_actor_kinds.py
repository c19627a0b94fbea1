"""An actor's kind, person, organisation or place, from the evidence of its mentions: texts of my own read
without a curated list, and wire copy of my own indexed with `newsbot index` and read back with
`newsbot export actors`."""
from __future__ import annotations

import json

import pytest

from bot.nlp.actors import extract_mentions
from tests.indexed import index_wire, numbered_stories


def kinds_of(text: str, surface: str) -> set[str]:
    return {m.kind for m in mentions_of(text, surface)}


def mentions_of(text: str, surface: str) -> list:
    return [m for m in extract_mentions(text) if m.surface == surface]


def test_a_region_that_is_also_a_given_name_is_the_place_the_article_puts_things_in():
    # `Kashmir` is a given name in the lists; alone that is a guess, and `in Kashmir` says it is the place
    text = ("A Hindu pilgrimage began on Monday amid tight security. For decades, Kashmir has been at the heart "
            "of tensions between the two neighbours, and protests were reported in Kashmir again this week. "
            "Officials in Jammu and Kashmir said roads would stay closed.")
    assert kinds_of(text, "Kashmir") == {"place"}
    assert kinds_of(text, "Jammu") == {"place"}


def test_a_populous_country_written_as_its_initials_is_the_country():
    text = "Ministers from the US and the UK met on Monday. The US said trade talks would resume."
    assert kinds_of(text, "US") == {"place"}
    assert kinds_of(text, "UK") == {"place"}


def test_provinces_and_towns_no_context_explains_are_places():
    text = ("Farmers from Haryana marched to the capital on Tuesday. Thousands of pilgrims reach Lalibela "
            "every January, and Lalibela expects more this year.")
    assert kinds_of(text, "Haryana") == {"place"}
    assert kinds_of(text, "Lalibela") == {"place"}


def test_an_article_before_a_word_that_is_no_given_name_names_no_person():
    text = "The measures were needed, a senior aide told Al Jazeera on Sunday."
    assert kinds_of(text, "Al Jazeera") and "person" not in kinds_of(text, "Al Jazeera")


def test_a_central_bank_is_no_place_for_its_head_word():
    text = "Commercial banks borrowed 64 mln dlrs from the Federal Reserve in the week to Wednesday."
    assert "place" not in kinds_of(text, "Federal Reserve")


def test_names_in_one_list_share_the_kind_its_sure_names_have():
    # no list knows Zorvatka, Melnibor or Velgaro: the list they stand in tells what they are
    text = "Aid convoys reached Zorvatka, Melnibor and Cairo on Monday, officials said."
    assert kinds_of(text, "Zorvatka") == kinds_of(text, "Melnibor") == {"place"}
    text = "The award was shared by Teodor Kastrine and Velgaro, the jury said."
    assert kinds_of(text, "Velgaro") == {"person"}


def test_a_name_and_a_person_after_a_comma_alone_are_no_list():
    # an apposition, not a list: the firm a trader works at is no person
    text = "Traders at Velgaro, Teodor Kastrine among them, expect a rise."
    assert "person" not in kinds_of(text, "Velgaro")


def test_one_odd_context_does_not_outvote_all_the_others():
    # `said Velmora has` reads like a person speaking; nine other mentions read as a body's
    text = ("A court dismissed a petition filed by Velmora on Monday. The bureau cancelled Velmora's registration "
            "in June, and Velmora appealed. Velmora is one of the few groups that document abuses, and Velmora "
            "has published reports since 1994. A deputy attorney general said Velmora has no registration. "
            "Velmora's lawyer said it would appeal. Donors have funded Velmora for years, and Velmora's staff "
            "of twelve stayed on. Velmora was founded in 1994.")
    assert kinds_of(text, "Velmora") == {"organization"}


def test_a_place_whose_name_opens_with_the_is_a_place():
    text = "Judges at the Hague heard the case on Monday, and lawyers in The Hague said it would resume."
    assert kinds_of(text, "Hague") == {"place"}


def test_a_person_s_initials_defined_in_brackets_are_that_person():
    text = ("Doctors accompanied President Tomás Ruiz Calvo (TRC) on Monday. Critics say the plan is part of "
            "TRC's agenda. \"We will go on,\" TRC said.")
    trc = mentions_of(text, "TRC")
    assert len(trc) == 3 and {(m.name, m.kind) for m in trc} == {("Tomás Ruiz Calvo", "person")}
    # a party's letters after a person's name are the party's, not hers
    text = "Ana Lobo (PVX) voted against the bill, and the PVX said it would appeal."
    assert kinds_of(text, "PVX") == {"organization"}


def test_a_landform_s_name_without_its_head_word_is_the_place():
    # `Tarvan` alone is a given name in some lists; after `the Tarvan Heights` it is the place
    text = ("Settlers moved into the Tarvan Heights last year. Tourism in the Tarvan thrived, and the Tarvan "
            "became a source of apples.")
    tarvan = mentions_of(text, "Tarvan")
    assert len(tarvan) == 2 and {(m.kind, m.name) for m in tarvan} == {("place", "Tarvan Heights")}


WIRE = numbered_stories("1987-04", [
    "DETROIT, April 1 - Chrysler Corp said it would recall 40,000 cars. Chrysler said its dealers "
              "would fix them free of charge.\n\nThe Federal Reserve said bank reserves rose in the week.        REUTER",
    "CALGARY, April 2 - Dome Petroleum Ltd said it had reached a deal with its lenders. Dome said "
              "the talks took a year.\n\nTreasury balances at the Federal Reserve rose on Tuesday.        REUTER",
    "NEW YORK, April 3 - The brokerage firm Merrill Lynch said it would open an office in Tokyo. "
              "Merrill Lynch said its staff there would number 200.\n\nChrysler told dealers the recall was "
              "voluntary.        REUTER",
    "NEW DELHI, April 4 - Officials in Kashmir said a curfew was lifted in Jammu and Kashmir. "
              "Kashmir has long been disputed.\n\nA Federal Reserve spokesman said the figures were "
              "revised.        REUTER",
    "MOSCOW, April 5 - The Soviet Union said its wheat harvest would be late, and Zaire said its copper "
              "would go to Western Europe and Eastern Asia.        REUTER",
    "WASHINGTON, April 6 - Grain prices on the U.S. Market fell as talks between the U.S. And Japan stalled, "
              "and the market stayed quiet.        REUTER",
])


@pytest.fixture
def exported(tmp_path, db_url, config_dir):
    (config_dir / "actors.yaml").write_text("actors: []\n")  # an empty list: discovery alone
    result = index_wire(WIRE, tmp_path / "wire", db_url)("export", "actors")
    assert result.exit_code == 0, result.output
    return {row["name"]: row for row in map(json.loads, result.output.splitlines())}


def test_companies_are_organisations_whatever_one_context_suggests(exported):
    kinds = {name: row["kind"] for name, row in exported.items()}
    for company in ("Chrysler", "Dome", "Merrill Lynch"):
        named = [name for name in kinds if name.startswith(company)]
        assert named and all(kinds[name] == "organization" for name in named), kinds


def test_the_federal_reserve_is_an_organisation_and_kashmir_a_place(exported):
    kinds = {name: row["kind"] for name, row in exported.items()}
    assert kinds["Federal Reserve"] == "organization", kinds
    assert kinds["Kashmir"] == "place", kinds
    assert kinds["Jammu"] == "place", kinds


def test_countries_that_no_longer_exist_and_world_regions_are_places(exported):
    # a union is a body's head word, and a country speaking is still the country
    kinds = {name: row["kind"] for name, row in exported.items()}
    for place in ("Soviet Union", "Zaire", "Western Europe", "Eastern Asia"):
        assert kinds.get(place) == "place", (place, kinds)


def test_a_country_s_dotted_initials_open_no_person_s_name(exported):
    # wire copy that capitalises the word after U.S.: the country's initials are no person's initials, and
    # two countries joined by `And` are two places
    kinds = {name: row["kind"] for name, row in exported.items()}
    assert kinds.get("U.S. Market") != "person" and "U.S. And Japan" not in kinds, kinds
    assert kinds["Japan"] == "place", kinds


def test_a_rare_word_a_personal_pronoun_refers_back_to_is_a_person():
    # no title, no speech verb: only `his` later in the sentence tells that Tembrov is a man, not a body
    text = ("The memorial honours Tembrov, whose work shaped his country's laws. Critics remembered Tembrov "
            "for his speeches. The Eskovar fund paid for the statue, and Eskovar published its accounts.")
    assert kinds_of(text, "Tembrov") == {"person"}
    assert kinds_of(text, "Eskovar") != {"person"}


def test_a_region_code_in_capitals_is_the_region_in_an_article_naming_its_country():
    # UP is a region code of India's (ISO 3166-2): a place where the article names India; elsewhere, a body's
    text = "Farmers in UP protested on Monday. UP police said India would respond."
    assert kinds_of(text, "UP") == {"place"}
    assert kinds_of("The UP said on Monday that its members would vote.", "UP") == {"organization"}


def test_a_name_the_article_also_writes_before_group_is_the_company():
    text = ("The Korvanta Group and related entities have applied to court. In its application, Korvanta said "
            "the decision was unlawful.")
    assert kinds_of(text, "Korvanta") == {"organization"}


def test_a_speaker_named_after_the_is_no_person():
    text = "He hit a single for the Zorvex, who snapped a losing streak. The Zorvex said on Monday it would fight."
    assert "person" not in kinds_of(text, "Zorvex")


def test_a_legal_form_of_any_country_makes_a_company():
    # rigour's table of company types: SA, LLP, GmbH, JSC; two letters only in capitals
    text = ("The ministry granted Brovantik SA tax exemptions. Ostrelda Ventures LLP and Kelmora Festhaus GmbH "
            "also applied, along with JSC Tarvenko.")
    assert kinds_of(text, "Brovantik SA") == {"organization"}
    assert kinds_of(text, "Ostrelda Ventures LLP") == {"organization"}
    assert kinds_of(text, "Kelmora Festhaus GmbH") == {"organization"}
    assert kinds_of(text, "JSC Tarvenko") == {"organization"}


def test_a_place_noun_or_a_compass_point_and_of_before_a_name_make_it_a_place():
    text = ("The smugglers took us to the border city of Drevallo, where we waited. Later we moved to the "
            "village of Quarvenna, some way west of Trosmund.")
    assert kinds_of(text, "Drevallo") == {"place"}
    assert kinds_of(text, "Quarvenna") == {"place"}
    assert kinds_of(text, "Trosmund") == {"place"}


def test_a_guessed_person_the_article_writes_after_the_is_no_person():
    text = ("Nobody was invited inside the Tarvish Kolmaru, a former governor complained. Delegates left "
            "the Tarvish Kolmaru early.")
    assert kinds_of(text, "Tarvish Kolmaru") == {"organization"}
    # the article of `the Terbanu-Ossei's government` is the government's: the name is still a person's
    own = "Funds went to farmers under the Terbanu-Ossei's government, and Terbanu-Ossei has not replied."
    assert kinds_of(own, "Terbanu-Ossei") == {"person"}


def test_an_acronym_after_a_body_named_of_a_country_is_the_body():
    # the country is a place of its own inside the body's name; the acronym in brackets is the body's
    text = ("Lawmakers accused the Mining Board of Chile (MBC) of hiding losses. On Monday the MBC said it had "
            "acted lawfully.")
    assert {m.name for m in mentions_of(text, "MBC")} == {"Mining Board of Chile"}


def test_a_name_before_the_role_of_a_person_named_next_is_whom_they_work_for():
    text = "Former Marvello anchor Jo Tarnby cited sources close to the couple."
    assert kinds_of(text, "Marvello") == {"organization"}  # (the title before it is the anchor's)
    assert kinds_of(text, "Jo Tarnby") == {"person"}
    leader = "President Orvin Daskel spokesman Jo Tarn spoke to reporters."
    assert kinds_of(leader, "Orvin Daskel") == {"person"}  # a leader's spokesman: the leader stays a person
    office = "On Friday, Nairobi chief executive Jo Tarn and Kestavo mayor Dev Orlin met."
    assert kinds_of(office, "Nairobi") == {"place"}  # a place's officials work for no body
    assert kinds_of(office, "Kestavo") != {"organization"}


def test_a_name_whose_possessive_is_a_person_s_is_whom_the_person_plays_or_works_for():
    text = "Only Rio Dorvo's Marcelo Tarvani and Kestrel's Fernando Gavra have managed it."
    assert kinds_of(text, "Rio Dorvo") == {"organization"}
    assert kinds_of(text, "Kestrel") == {"organization"}
    aide = "Minister Jo Varde arrived late. Varde's Tomas Orlin followed him."
    assert kinds_of(aide, "Varde") == {"person"}  # the surname of a person the article names


def test_the_noun_of_an_apposition_or_of_is_a_gives_the_kind():
    text = ("Sales rose, according to Velkor Data, a market research firm. Dev Osman, 45, from Tarvapalli, one of "
            "the six villages flooded, spoke. Gemo is a settlement of 3,000 people. The startup Zenvora said it "
            "would hire.")
    assert kinds_of(text, "Velkor Data") == {"organization"}
    assert kinds_of(text, "Tarvapalli") == {"place"}  # (the noun, not the participle after it)
    assert kinds_of(text, "Gemo") == {"place"}
    assert kinds_of(text, "Zenvora") == {"organization"}  # the noun before the name
    placed = "The Kestavo-based group said residents of Orvanda, a town north of the capital, fled."
    assert kinds_of(placed, "Kestavo") == {"place"}
    assert kinds_of(placed, "Orvanda") == {"place"}
    assert kinds_of("Crowds gathered on the outskirts of Korvanta on Friday.", "Korvanta") == {"place"}
    maker = ("Vaporvel, a Dutch subsidiary of Kestrova, won a licence. Kestrova, the world's biggest contract maker "
             "of vaping devices, agreed, Tarvo-listed Orvanex said.")
    assert kinds_of(maker, "Vaporvel") == {"organization"}  # (a nationality inside the apposition)
    assert kinds_of(maker, "Kestrova") == {"organization"}  # (the world's: no noun of the apposition)
    assert kinds_of(maker, "Orvanex") == {"organization"}  # listed on a stock exchange
    believer = "Jo Tarnby, a firm believer in luck, won the race."
    assert kinds_of(believer, "Jo Tarnby") == {"person"}  # the apposition's noun is `believer`


def test_the_place_a_person_s_role_is_at_or_with_is_whom_they_work_for():
    # (`Velkorra said` alone would make a person of a word no list knows)
    text = ("Shipments fell 5 per cent, Velkorra said on Monday. \"Demand is weak,\" said Jo Tarnby, an analyst at "
            "Velkorra. Demand would recover, Quenstad said, according to Mira Olsen, a researcher with Quenstad.")
    assert kinds_of(text, "Velkorra") == {"organization"}
    assert kinds_of(text, "Quenstad") == {"organization"}
    # a listed place keeps its kind: a correspondent at Nairobi is in the city
    assert kinds_of("Rain fell, said Jo Tarnby, a correspondent at Nairobi.", "Nairobi") == {"place"}


def test_a_name_said_before_a_spokesman_s_name_is_not_the_speaker():
    text = "\"We offered seats on our flights,\" said Velkorra spokesperson Peter Akvist."
    assert kinds_of(text, "Peter Akvist") == {"person"}
    assert kinds_of(text, "Velkorra") != {"person"}
    assert kinds_of("\"We offered seats,\" said Velkorra on Monday.", "Velkorra") == {"person"}


def test_a_capital_speaking_in_an_article_naming_its_country_is_the_place():
    text = ("Iran rejected the report on Monday. Tehran said the inspectors were welcome, and Tehran warned "
            "against new sanctions.")
    assert kinds_of(text, "Tehran") == {"place"}
    # a capital's name that is also a surname speaks as a person where the country is not named
    assert kinds_of("Officials met on Monday. Hamilton said the inspectors were welcome.", "Hamilton") == {"person"}


def test_a_listed_city_of_several_words_before_said_is_the_place():
    text = ("Rain fell for a week. Residents of Belo Horizonte said the river rose overnight, and Belo Horizonte "
            "said it would open shelters.")
    assert kinds_of(text, "Belo Horizonte") == {"place"}
    # a person's name before `said` is still a person's
    assert kinds_of("Rain fell for a week. Tomas Varde said the river rose.", "Tomas Varde") == {"person"}


def test_a_sentence_set_in_a_name_makes_it_a_place():
    # (`Dorvani's growth` and `linking Dorvani` say nothing of its kind; the opening `In Dorvani,` does)
    text = ("The port will open next year. In Dorvani, work has begun on the roads. Dorvani said the port "
            "would bring jobs.")
    assert kinds_of(text, "Dorvani") == {"place"}


def test_the_ends_of_a_journey_one_of_which_is_listed_are_places():
    text = ("Oscar Velt travelled from Korvasso to Cairo in 1900. A year later Velt sailed from Nairobi to "
            "Tarnamuk.")
    assert kinds_of(text, "Korvasso") == {"place"}
    assert kinds_of(text, "Tarnamuk") == {"place"}


def test_a_community_named_by_its_region_is_one_body():
    text = "The East African Community said on Monday that the talks would resume."
    assert [(m.name, m.kind) for m in mentions_of(text, "Community")] == [("East African Community", "organization")]


def test_a_place_s_head_before_of_makes_the_name_a_place():
    text = "The Republic of Tarvania signed the accord. Ships crossed the Gulf of Orvenna on Monday."
    assert kinds_of(text, "Republic of Tarvania") == {"place"}
    assert kinds_of(text, "Gulf of Orvenna") == {"place"}


def test_a_name_ending_in_a_place_s_head_is_no_speaker_for_it():
    # a team named after its islands: `replied` is said of a person, not of the Vellwind Islands
    text = "Korvastan beat Vellwind Islands by 186 runs. Vellwind Islands replied with 84 all out."
    assert kinds_of(text, "Vellwind Islands") == {"place"}
    # nor is `says` after a comma: the word before it is no surname
    region = "Water is scarce in the Tarvashou Region, says a farmer who grows rice."
    assert kinds_of(region, "Tarvashou Region") == {"place"}


def test_a_rare_word_things_happen_at_is_a_place_and_one_people_work_at_a_body():
    text = ("A whale washed up at Korranoota on Monday, and rangers at Korranoota closed the beach. "
            "Lena Varde, an analyst at Velkorix, said the season was early.")
    assert kinds_of(text, "Korranoota") == {"place"}
    assert kinds_of(text, "Velkorix") == {"organization"}


def test_a_name_whose_birthday_or_widow_the_article_gives_is_a_person():
    # (a one-word name no list knows, called so without a given name, is otherwise a guess)
    text = ("Crowds gathered on Varenko's birthday in the capital. Volunteers recalled Varenko's widow, and the "
            "legacy of Varenko was celebrated.")
    assert kinds_of(text, "Varenko") == {"person"}


def test_a_personal_pronoun_that_refers_back_to_a_rare_word_outweighs_its_guesses():
    # two mentions no cue explains, guessed a body, and one the article refers back to as `he`
    text = ("Neither the party nor Korvinah have understood the voters. Korvinah was advised to forge an alliance. "
            "Korvinah must rue the day he said no.")
    assert kinds_of(text, "Korvinah") == {"person"}
    # a pronoun after the end of a quotation is its speaker's
    quoted = ("Tarvoskom cut power again on Monday. \"Tarvoskom will not be fixed overnight,\" he said. Tarvoskom "
              "blamed old plants.")
    assert kinds_of(quoted, "Tarvoskom") == {"organization"}


def test_a_word_bodies_are_named_with_in_any_language_outweighs_a_guessed_person():
    # rigour's organisation tagger knows Minera, Banque and Uranium; `Dev`, a given name, is also its clipped word
    text = ("Minera Tarvex said on Monday it would cut jobs. Officials met Banque Orlin and Velkor Uranium "
            "later. Dev Varkett said on Monday he would run.")
    for body in ("Minera Tarvex", "Banque Orlin", "Velkor Uranium"):
        assert kinds_of(text, body) == {"organization"}, body
    assert kinds_of(text, "Dev Varkett") == {"person"}


def test_initials_the_article_refers_back_to_as_he_are_a_person():
    # a politician known by his initials; a body's stay a body's
    text = ("The opposition leader spoke on Monday. RVK summed up his case in a short statement. "
            "The QTFA said its members would strike.")
    assert kinds_of(text, "RVK") == {"person"}
    assert kinds_of(text, "QTFA") == {"organization"}


GUESSES = numbered_stories("1990-05", [
    "The walk from Tarnivel to the camp takes a day. Past Tarnivel the path follows the ridge, and the guides "
    "of Tarnivel know it well.",
    "Velkor Inc said its profit rose. Velkor said it would hire.",
])


def test_a_kind_no_article_says_is_answered_as_a_guess_until_an_editor_sets_it(tmp_path, db_url, config_dir):
    from bot.slack.answers import Answers
    from bot.slack.editors import CONSOLE_USER, Editors
    from bot.store.db import Store
    from tests.test_console import after, session

    run = index_wire(GUESSES, tmp_path / "wire", db_url)
    guessed, sure = run("lookup", "Tarnivel").output, run("lookup", "Velkor Inc").output
    assert guessed.splitlines()[0] == "Tarnivel  (organization, kind guessed)", guessed
    assert sure.splitlines()[0] == "Velkor Inc  (organization)", sure
    assert json.loads(run("lookup", "--json", "Tarnivel").output)["actor"]["kind_guessed"] is True
    assert json.loads(run("lookup", "--json", "Velkor Inc").output)["actor"]["kind_guessed"] is False
    store = Store(db_url)
    try:  # the Slack answers, as the console renders them
        answers = Answers(store, Editors([CONSOLE_USER]))
        said = session(answers, "/lookup Tarnivel", "/lookup Velkor Inc", "/newsbot edit Tarnivel kind organization",
                       "/lookup Tarnivel")
        first, edited = said.split("newsbot> /lookup Tarnivel\n")[1:]
        assert "organization (a guess: no article says what it is)" in first
        assert "a guess" not in after(said, "/lookup Velkor Inc")
        assert "organization" in edited and "a guess" not in edited  # an editor's word is no guess
    finally:
        store.dispose()
