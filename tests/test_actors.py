"""Actor extraction on texts written for these tests: each messy form a scraped article
has is read as a reader would, and nothing is invented from furniture."""
from __future__ import annotations

import pytest

from bot.corpus.models import Document
from bot.corpus.readers import read_file
from bot.ingest.pipeline import analyse
from bot.nlp.actors import extract_mentions
from bot.nlp.gazetteer import load_gazetteer
from tests.conftest import ROOT, SEEDS


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(ROOT / "config" / "actors.yaml")


def mentions(text, gazetteer):
    found = extract_mentions(text, gazetteer)
    for m in found:  # offsets always point at the surface, inside its sentence
        assert text[m.start:m.end] == m.surface
        assert m.sentence_start <= m.start < m.end <= m.sentence_end
        assert text[m.sentence_start:m.sentence_end] == text[m.sentence_start:m.sentence_end].strip()
    return found


def names_of(found, surface):
    return {m.name for m in found if m.surface == surface}


def test_titles_stay_out_of_the_name(gazetteer):
    text = ("Iranian Supreme Leader Ali Khamenei spoke on Tuesday. The top commander, Maj. Gen. Mohammad Ali Jafari, "
            "agreed, and Grand Ayatollah Ali al-Sistani said nothing.")
    found = mentions(text, gazetteer)
    surfaces = [m.surface for m in found if m.kind == "person"]
    assert surfaces == ["Ali Khamenei", "Mohammad Ali Jafari", "Ali al-Sistani"]


def test_possessive_without_apostrophe(gazetteer):
    text = "Khameneis orders were explicit. Prime Minister Mustafa al-Kadhimis government needs respite."
    found = mentions(text, gazetteer)
    assert [(m.surface, m.curated) for m in found if m.kind == "person"] == [
        ("Khamenei", "Ali Khamenei"), ("Mustafa al-Kadhimi", "Mustafa al-Kadhimi")]


def test_words_run_together(gazetteer):
    found = mentions("Iraqi officials told MEEthatPompeo also promised strikes.", gazetteer)
    assert names_of(found, "Pompeo") == {"Mike Pompeo"}
    assert names_of(found, "MEE") == {"Middle East Eye"}


def test_british_and_american_spelling(gazetteer):
    found = mentions("The Badr Organisation and the Badr Organization are one group.", gazetteer)
    assert {m.curated for m in found} == {"Badr Organization"}


def test_acronym_defined_in_brackets_of_a_discovered_organisation(gazetteer):
    text = ("The Tigris Irrigation Authority (TIA) warned farmers on Sunday. Engineers said TIA would "
            "release more water.")
    found = mentions(text, gazetteer)
    long_form = next(m for m in found if m.surface.endswith("Irrigation Authority"))
    assert long_form.kind == "organization"
    assert [m.name for m in found if m.surface == "TIA"] == [long_form.name, long_form.name]


def test_an_acronym_spelling_a_qualified_name_keeps_its_nationality_and_place_apart(gazetteer):
    text = ("The Kenyan Dockworkers Solidarity Union (KDSU) met the Reserve Bank of Malawi (RBM) on Monday, "
            "and the Liberal Workers Party (LWP) joined them.")
    found = {m.surface: m for m in mentions(text, gazetteer)}
    assert found["Dockworkers Solidarity Union"].name == "Kenyan Dockworkers Solidarity Union"
    assert found["Reserve Bank"].name == "Reserve Bank of Malawi" and found["Malawi"].kind == "place"
    assert found["Liberal Workers Party"].kind == "organization"  # (a leaning is part of a party's name)
    assert found["KDSU"].name == "Kenyan Dockworkers Solidarity Union" and found["RBM"].name == "Reserve Bank of Malawi"


def test_curated_acronym_defined_in_brackets(gazetteer):
    found = mentions("The Popular Mobilisation Authority (PMA) met. The PMA refused.", gazetteer)
    assert {m.curated for m in found} == {"Popular Mobilization Forces"}


def test_nickname_in_quotes_is_the_person(gazetteer):
    text = 'Militia leader Karim Haddawi "Abu Zainab" refused to meet her. Later Abu Zainab said he would.'
    found = mentions(text, gazetteer)
    assert names_of(found, "Abu Zainab") == {"Karim Haddawi"}


def test_short_forms_resolve_to_the_full_name(gazetteer):
    text = ("Sonya Sceats, who runs a charity, spoke first. Later Sceats said the rules were unfair. "
            "The dispute worried Tariq Mahmoudi, and Mahmoudi left.")
    found = mentions(text, gazetteer)
    assert names_of(found, "Sceats") == {"Sonya Sceats"}
    assert names_of(found, "Mahmoudi") == {"Tariq Mahmoudi"}
    assert {m.kind for m in found if m.name in ("Sonya Sceats", "Tariq Mahmoudi")} == {"person"}


def test_a_one_letter_typo_is_the_same_person(gazetteer):
    text = ("Commander Abu Fadak refused. Abu Fadek later agreed. Nadia Karimova spoke to the press, "
            "and Nadia Karimowa spoke again the next day, and Nadia Karimova left.")
    found = mentions(text, gazetteer)
    assert names_of(found, "Abu Fadek") == {"Abu Fadak al-Muhammadawi"}
    assert names_of(found, "Nadia Karimowa") == {"Nadia Karimova"}
    # a letter dropped or added: the more often named spelling wins, wherever it first appears
    found = mentions("Tariq Mahmoudi arrived on Monday. Later Tariq Mahmudi spoke, and Tariq Mahmoudi left. "
                     "Leila Ahmadii met reporters. Leila Ahmadi and Leila Ahmadi's aides followed.", gazetteer)
    assert names_of(found, "Tariq Mahmudi") == {"Tariq Mahmoudi"}
    assert names_of(found, "Leila Ahmadii") == {"Leila Ahmadi"}


MANY_SURNAMES = ("Mahmoudi Mansouri Masri Mousavi Moradi Mohammadi Mirzaei Malek Mehdizadeh Movahedi Mokhtari "
                 "Majidi Moghaddam Mazaheri Mesbah Mobasher Montazeri Mortazavi Motahari Mostafavi Madani Marashi "
                 "Milani Moeini Mojtahedi Moshiri Mottaki Musavian Mahdavi Mamouri Meshkini Mofid Mahallati "
                 "Mashhadi Mehrabi Marvasti Mirbagheri Mahjoub").split()


def test_typos_among_many_names_of_the_same_initials_link_as_among_a_few(gazetteer, monkeypatch):
    """Past a few names of the same initials, candidates come from an index of typo signatures: the
    links must be those of comparing every pair."""
    from bot.nlp.actors import resolution

    crowd = ". ".join(f"Later Tariq {surname} spoke to Tariq {surname} again" for surname in MANY_SURNAMES)
    text = (crowd + ". Tariq Mahmudi and Tariq Mansoury and Tariq Mousavii left. Tariq Masri met Tariq Madani. "
            "Commander Abu Fadak refused. Abu Fadek later agreed.")
    texts = [text] + [doc.text for path in sorted(SEEDS.glob("*.txt")) for doc in read_file(path).documents]
    indexed = [mentions(t, gazetteer) for t in texts]
    assert names_of(indexed[0], "Tariq Mahmudi") == {"Tariq Mahmoudi"}
    assert names_of(indexed[0], "Tariq Mansoury") == {"Tariq Mansouri"}
    assert names_of(indexed[0], "Tariq Mousavii") == {"Tariq Mousavi"}
    assert names_of(indexed[0], "Tariq Madani") == {"Tariq Madani"}
    assert names_of(indexed[0], "Abu Fadek") == {"Abu Fadak al-Muhammadawi"}
    monkeypatch.setattr(resolution, "_TYPO_PAIRWISE", 10**6)
    assert [mentions(t, gazetteer) for t in texts] == indexed
    monkeypatch.setattr(resolution, "_TYPO_PAIRWISE", 0)
    assert [mentions(t, gazetteer) for t in texts] == indexed


def test_distinct_actors_stay_distinct(gazetteer):
    text = ("Hezbollah in Lebanon and Kataeb Hezbollah in Iraq are different groups. The Islamic State "
            "fought the Islamic Revolutionary Guard Corps. Mojtaba Khamenei is not Ali Khamenei.")
    found = mentions(text, gazetteer)
    assert [m.name for m in found if m.kind in ("person", "organization")] == [
        "Hezbollah", "Kataeb Hezbollah", "Islamic State", "Islamic Revolutionary Guard Corps",
        "Mojtaba Khamenei", "Ali Khamenei"]


def test_discovery_finds_people_and_organisations_nobody_listed(gazetteer):
    text = ("Zartosht, a poet, fled Tehran in 2019. \"I was worried,\" Zartosht said. "
            "The Freedom Legal Centre helped him, and Lina Dahhak of the Centre for Migrant Rights called it brave.")
    found = mentions(text, gazetteer)
    kinds = {m.name: m.kind for m in found}
    assert kinds["Zartosht"] == "person"
    assert kinds["Lina Dahhak"] == "person"
    assert kinds["Centre for Migrant Rights"] == "organization"
    assert kinds["Freedom Legal Centre"] == "organization"
    assert kinds["Tehran"] == "place"


def test_no_actors_from_headlines_months_or_furniture(gazetteer):
    text = ("Read more\n"
            "TRENDING NOW\n"
            "How Regional Powers Shape The Future Of Iraqi Politics\n"
            "However, the talks in March went nowhere. Meanwhile the ministers met again on Monday.\n"
            "Advertisement\n"
            "Recommended Articles\n")
    found = mentions(text, gazetteer)
    assert {m.name for m in found if m.curated is None} == set()


def test_a_subhead_of_ordinary_words_is_no_actor_but_a_place_on_its_own_line_is(gazetteer):
    text = ("The fund lost money for a third year, its managers told investors on Monday.\n\n"
            "Hard Times\n"
            "To investors, Velkor Data, the fund's largest holder, said it would stay.\n\n"
            "Cairo\n\n"
            "The fund's office there will close in May, the managers said.")
    found = mentions(text, gazetteer)
    assert [m.surface for m in found] == ["Velkor Data", "Cairo"]


def test_sentence_initial_words_are_not_actors(gazetteer):
    text = "Shocked residents gathered. Angry crowds returned. Nothing changed. Pompeo left."
    found = mentions(text, gazetteer)
    assert [m.name for m in found] == ["Mike Pompeo"]


def test_script_forms_and_case_sensitive_acronyms(gazetteer):
    found = mentions("قال قاسم سليماني ذلك. It is up to us. IS fighters and ISIS cells.", gazetteer)
    assert [m.curated for m in found] == ["Qassem Soleimani", "Islamic State", "Islamic State"]


def test_empty_and_plain_texts(gazetteer):
    assert extract_mentions("", gazetteer) == []
    assert extract_mentions("   \n ", gazetteer) == []
    assert extract_mentions("nothing to see here, all lower case.", gazetteer) == []


def test_works_without_a_curated_list():
    found = extract_mentions("Sonya Sceats said the Home Office had failed. Sceats asked again.")
    assert {m.name for m in found if m.kind == "person"} == {"Sonya Sceats"}
    assert all(m.curated is None for m in found)


def test_the_pipeline_adds_mentions_to_a_document(gazetteer):
    doc = Document(text="Ali Khamenei met Mustafa al-Kadhimi in Tehran.", path="story.txt", title="Khamenei meets Kadhimi")
    result = analyse(doc, gazetteer)
    assert [m.curated for m in result.mentions] == ["Ali Khamenei", "Mustafa al-Kadhimi", "Tehran"]
    assert all(m.start < len(doc.text) for m in result.mentions)  # the title is not scanned


def test_a_possessive_does_not_open_a_quotation(gazetteer):
    found = mentions("He met Iran's Ministry of Foreign Affairs today. Uganda's Supreme Court ruled.", gazetteer)
    assert [(m.surface, m.kind) for m in found] == [
        ("Iran", "place"), ("Ministry of Foreign Affairs", "organization"),
        ("Uganda", "place"), ("Supreme Court", "organization")]


def test_a_place_after_of_is_a_mention_of_its_own_and_part_of_the_name(gazetteer):
    found = mentions("A ruling of the Supreme Court of Nigeria angered the Reserve Bank of India.", gazetteer)
    assert [(m.surface, m.name, m.kind) for m in found] == [
        ("Supreme Court", "Supreme Court of Nigeria", "organization"), ("Nigeria", "Nigeria", "place"),
        ("Reserve Bank", "Reserve Bank of India", "organization"), ("India", "India", "place")]


def test_and_inside_the_subject_of_an_organisation(gazetteer):
    found = mentions("The Ministry of Electronics and Information Technology wrote to the Ministry of Defence "
                     "and Iraq. Ministry of Health officials agreed with the EU Office for the Promotion of Small "
                     "Business.", gazetteer)
    orgs = [m.name for m in found if m.kind == "organization"]
    assert orgs == ["Ministry of Electronics and Information Technology", "Ministry of Defence", "Ministry of Health",
                    "EU Office for the Promotion of Small Business"]
    assert [m.surface for m in found if m.kind == "place"] == ["Iraq"]


def test_names_no_dictionary_knows_are_names_even_opening_a_sentence(gazetteer):
    found = mentions("Zorvanek has not shown leadership. Meanwhile the talks involved Park Joo-min of the party.",
                     gazetteer)
    assert [m.surface for m in found] == ["Zorvanek", "Park Joo-min"]
    assert found[0].kind in ("person", "organization") and found[1].kind == "person"


def test_platforms_militias_post_on_are_curated(gazetteer):
    found = mentions("The group claimed the attack on Telegram; the video spread on WhatsApp, not on twitter.", gazetteer)
    assert [(m.surface, m.name, m.kind) for m in found] == [
        ("Telegram", "Telegram", "organization"), ("WhatsApp", "WhatsApp", "organization")]


def test_quantities_dates_and_what_a_title_is_of_are_not_actors(gazetteer):
    found = mentions("On Jan. 12 the fund paid R92 million and MNT 3,380 to Chief Election Commissioner Sikandar Sultan "
                     "Raja, and the National Shippers' Council thanked Health Minister L.H. Mitchell.", gazetteer)
    assert [(m.surface, m.kind) for m in found] == [
        ("Sikandar Sultan Raja", "person"), ("National Shippers' Council", "organization"), ("L.H. Mitchell", "person")]


def test_a_number_that_counts_the_next_noun_or_is_a_share_leaves_the_name_an_actor(gazetteer):
    found = mentions("Tamsin Orvell joined the VKRF 11 years ago. In the poll, Velkorra held 31.6 percent and Dorvashi "
                     "3.3%. Orvell said Dorvashi would not concede.", gazetteer)
    assert {"VKRF", "Velkorra", "Dorvashi"} <= {m.surface for m in found}


def test_a_name_ending_in_ing_is_no_gerund_unless_its_stem_is_a_word(gazetteer):
    found = mentions("The panel heard from Kipling and Hårding on Monday. Farming, Mapping and Kayaking were on the "
                     "agenda.\n\nReaffirming its pledge, the panel adjourned.", gazetteer)
    assert [m.surface for m in found] == ["Kipling", "Hårding"]


def test_kinds_of_things_and_references_back_are_not_actors(gazetteer):
    found = mentions("The Institute said the NGOs were Combating fraud. Babel Finance told Parliament it had paid.",
                     gazetteer)
    assert [(m.surface, m.kind) for m in found] == [("Babel Finance", "organization"), ("Parliament", "organization")]


def test_word_lists_come_back_from_the_cache_file_unchanged(tmp_path, monkeypatch):
    from bot.nlp import world

    monkeypatch.setenv("NEWSBOT_CACHE_DIR", str(tmp_path))
    world._lists.cache_clear()
    built = world._lists()
    (cached,) = tmp_path.glob("world-*.msgpack")
    world._lists.cache_clear()
    assert world._lists() == built  # read back from the file
    cached.write_bytes(b"not a cache file")
    world._lists.cache_clear()
    assert world._lists() == built  # a broken file is rebuilt, not trusted
    world._lists.cache_clear()
