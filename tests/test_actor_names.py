"""How far a person's or a company's name reaches, on sentences written for these tests: particles,
nicknames, syllables, epithets and web addresses are words of the name; an adverb opening the sentence
and a country after it are not (unless the country is the surname of a given name)."""
from __future__ import annotations

from bot.nlp.actors import extract_mentions


def spans(text: str) -> dict[str, str]:
    """Surface -> kind of every mention of `text` (no curated list)."""
    found = extract_mentions(text)
    for m in found:
        assert text[m.start:m.end] == m.surface
    return {m.surface: m.kind for m in found}


def test_a_nickname_in_quotes_after_a_title_and_a_given_name_stays_in_the_name():
    found = spans("Former Chilean President Tomás “Toto” Arriagada retired from politics in May.")
    assert found.get("Tomás “Toto” Arriagada") == "person"
    assert "Arriagada" not in found
    unknown = spans("In 2019, Dawatenzing “Dawa” Lhakpori led the climbers to the summit.")
    assert unknown.get("Dawatenzing “Dawa” Lhakpori") == "person"  # a given name no English list knows
    assert "Yes" not in spans('The Senate "Yes" Campaign began on Monday.')


def test_a_pronoun_with_a_capital_inside_a_sentence_is_a_syllable_of_a_chinese_name():
    assert spans("Vice Premier Zhao He on Monday called for more investment.").get("Zhao He") == "person"
    assert spans("Cases rose in 21 provinces, but He Wenbo, an official, said so.").get("He Wenbo") == "person"
    assert spans("Then He said it would rain.") == {}


def test_a_syllable_hyphenated_to_a_name_is_kept_even_when_it_is_a_particle():
    found = spans("County Commissioner Tan Wei-an said the depot would open.")
    assert "Tan Wei-an" in found and "Tan Wei" not in found


def test_an_elided_particle_is_a_word_of_the_name():
    found = spans("It was said by Dr Amélie d’Orbigny Kaberuka, the minister.")
    assert found.get("Amélie d’Orbigny Kaberuka") == "person"
    assert spans("Valérie Dufour d'Estrées was elected.").get("Valérie Dufour d'Estrées") == "person"


def test_a_particle_of_descent_joins_a_name_and_makes_it_a_persons():
    assert spans("The coronation of Sibusiso ka Mandlakazi was halted.").get("Sibusiso ka Mandlakazi") == "person"


def test_a_country_after_a_given_name_is_the_surname_not_a_place():
    found = spans("Lucinda Jordan called the remarks unacceptable.")
    assert found.get("Lucinda Jordan") == "person" and "Jordan" not in found
    other = spans("A spokesperson for Rainbow Kenya said so.")
    assert other.get("Kenya") == "place"  # an ordinary word before a country: the body and its place


def test_an_adverb_opening_a_sentence_is_not_part_of_the_name_after_it():
    found = spans("Fortunately Tadesse Wolde at the bureau was helpful. Interestingly Lee Min-ho agreed.")
    assert "Tadesse Wolde" in found and "Lee Min-ho" in found
    assert not any(s.startswith(("Fortunately", "Interestingly")) for s in found)
    assert "Donnolly" in spans("Donnolly said the plan would work.")  # a surname in -ly is no adjective's adverb


def test_a_verb_s_ing_form_opening_a_sentence_is_not_part_of_the_name_after_it():
    found = spans("Protecting Velmora's reefs took years. Tarnishing Orlin Kestrel's record was the aim.")
    assert "Velmora" in found and "Orlin Kestrel" in found
    assert not any(s.startswith(("Protecting", "Tarnishing")) for s in found), found


def test_a_sentence_opening_with_the_surname_of_a_person_the_article_names_is_that_person():
    text = ("The council's chair Kaiwhare Young said the plan would work.\n\n"
            "Young said teaching the language mattered. Young people agreed.")
    found = [(m.surface, m.name) for m in extract_mentions(text)]
    assert found.count(("Young", "Kaiwhare Young")) == 1, found  # (not `Young people`: a word before a noun)
    # a family name written first, that opens a sentence
    korean = "Lawmaker Park Tae-rin asked the first question.\n\nPark attacked the plan on Monday."
    found = [(m.surface, m.name) for m in extract_mentions(korean)]
    assert ("Park", "Park Tae-rin") in found, found


def test_a_family_name_written_first_refers_back_alone_even_when_it_is_a_place_word():
    text = ("Yoshiro Tanabe met Foreign Minister Park Velin on Monday. Tanabe and Park agreed to meet again, "
            "and Park said talks would go on.")
    found = [(m.surface, m.name, m.kind) for m in extract_mentions(text)]
    assert found.count(("Park", "Park Velin", "person")) == 2, found


def test_an_abbreviated_given_name_opens_the_name_even_before_a_title_word():
    assert "Md Rafiqul Alam Sarker" in spans("Justice Md Rafiqul Alam Sarker delivered the verdict.")
    assert "Mohd Shah Azhar Rizal" in spans("Mohd Shah Azhar Rizal accepted the money as an inducement.")


def test_an_epithet_after_a_given_name_is_part_of_the_name():
    found = spans("It is believed that Frederick the Bold said so, and Marco the Wolf fled.")
    assert found.get("Frederick the Bold") == "person" and found.get("Marco the Wolf") == "person"
    assert "Rashid the President" not in spans("The envoy met Rashid the President on Monday.")  # a title is none


def test_a_web_address_names_the_business():
    found = spans("Shoppers left Baidu, Kwikmart.com, and others. According to Tradeflow.com, prices fell.")
    assert found.get("Kwikmart.com") == "organization" and found.get("Tradeflow.com") == "organization"
    assert not any(s.endswith(".au") or s.endswith(".com.") for s in spans("The site Kwikmart.com.au sells."))


def test_a_curated_country_after_a_given_name_is_the_surname():
    from bot.nlp.gazetteer import load_gazetteer
    from tests.conftest import ROOT

    gazetteer = load_gazetteer(ROOT / "config" / "actors.yaml")
    found = {m.surface: m.kind for m in extract_mentions("Police held Lucinda Jordan on Monday.", gazetteer)}
    assert found == {"Lucinda Jordan": "person"}
    found = {m.surface: m.kind for m in extract_mentions("King Rashid of Jordan flew to Amman Jordan.", gazetteer)}
    assert found.get("Jordan") == "place"


def test_an_adjective_made_with_a_prefix_names_no_one():
    found = spans("Rains fell on sub-Saharan Africa and on sub-Saharan farms, said ex-Barcelona coach Tomás Ruedas.")
    assert "Saharan" not in found and "Africa" in found and "Tomás Ruedas" in found


def test_a_plural_acronym_after_a_body_is_its_members_not_part_of_its_name():
    found = spans("On Monday the Ubuntu Alliance MPs walked out, and the KDP MLAs stayed.")
    assert found.get("Ubuntu Alliance") == "organization" and "KDP" in found
    assert not any("MPs" in s or "MLAs" in s for s in found)


def test_an_ampersand_joins_surnames_into_a_firm_but_not_two_people():
    found = spans("An analyst at research firm Hollis & Sullivan said so. Shares of Tamsin & Bailey Plc fell.")
    assert found.get("Hollis & Sullivan") == "organization"
    assert found.get("Tamsin & Bailey Plc") == "organization"
    people = spans("The award went to Benjamin Otoo & Kojo Mensah on Monday.")
    assert "Benjamin Otoo" in people and "Kojo Mensah" in people


def test_a_country_s_initials_opening_a_body_s_name_qualify_it_as_a_nationality_does():
    # no curated list: the initials are known as a country's, as `German` is known as a nationality
    found = {m.surface: (m.kind, m.name) for m in extract_mentions("The US Navy sent two ships to the UK Home Office.")}
    assert found["Navy"] == ("organization", "US Navy")
    assert found["Home Office"] == ("organization", "UK Home Office")
    assert found["US"][0] == found["UK"][0] == "place"


def test_st_before_a_name_is_saint_a_word_of_the_name_not_a_title_dropped():
    found = spans("The pilgrims walked from St Orvald to the coast, said Mr Denholt.")
    assert "St Orvald" in found and "Orvald" not in found
    assert "Denholt" in found and "Mr Denholt" not in found  # Mr stays a title
    assert spans("She moved to St. Petersburg in 1990.").get("St. Petersburg") == "place"  # the city's St form
    assert spans("Traffic was closed on Harbour St on Sunday.").get("Harbour St") == "place"  # St after: a street
