"""Name normalisation: the spellings outlets really use fold to the same keys."""
import pytest

from bot.nlp.names import actor_key, acronym, analyse_name, fold, looks_like_acronym, transliterate


def test_fold_strips_accents_case_apostrophes_and_hyphens():
    assert fold("Kata’ib  Ḥizballāh") == "kataib hizballah"
    assert fold("Hennis-Plasschaert") == "hennis plasschaert"
    assert actor_key("Asa'ib Ahl al-Haq") == "asaib ahl al haq"


def test_fold_removes_harakat_tatweel_and_zero_width_joiners():
    assert fold("قَاسِمٌ سُلَيْمَانِيٌّ") == fold("قاسم سليماني")
    assert fold("حزب‌الله") == fold("حزبالله")
    assert fold("سلیمانی") == fold("سليماني")  # Persian yeh is the Arabic yeh


@pytest.mark.parametrize("name,other", [
    ("Supreme Leader Ayatollah Ali Khamenei", "Ali Khamenei"),
    ("Mustafa al-Kadhimi", "Mustafa Kadhimi"),
    ("Abu Mahdi al-Muhandis", "Abu Mahdi Al Muhandis"),
    ("Jabhat an-Nusra", "Jabhat Nusra"),
    ("ad-Dawla al-Islamiya", "Dawla Islamiya"),
    ("Abdulaziz al-Muhammadawi", "Abd al-Aziz al-Muhammadawi"),
    ("Abdul-Aziz", "Abdel Aziz"),
    ("Osama ibn Laden", "Osama bin Laden"),
    ("Maj. Gen. Mohammad Ali Jafari", "Mohammad Ali Jafari"),
    ("Seyed Hossein Mousavian", "Hossein Mousavian"),
    ("Saint Orvald", "St. Orvald"),  # a saint's or a place's name, abbreviated or in full
    ("Mount Tarvo", "Mt Tarvo"),
])
def test_titles_articles_and_particles_do_not_change_the_key(name, other):
    assert analyse_name(name).key == analyse_name(other).key


def test_a_title_alone_is_kept():
    assert analyse_name("President").key == "president"
    assert analyse_name("al").key == "al"


@pytest.mark.parametrize("spellings", [
    ["Kataeb Hezbollah", "Kata'ib Hizbullah", "Kataib Hezbolla"],
    ["Qassem Soleimani", "Qasem Suleimani", "Ghasem Soleymani", "Kasim Sulaimani"],
    ["Mustafa al-Kadhimi", "Mustafa Kazemi", "Moustafa al-Kazimi", "Mustafa al-Kadhemi"],
    ["Hassan Rouhani", "Hasan Rowhani", "Hassan Rohani"],
    ["Asaib Ahl al-Haq", "Asa'ib Ahl al-Haqq", "Asaeb Ahl ul-Haq"],
    ["Abu Mahdi al-Muhandis", "Abou Mahdi al-Mohandes"],
    ["Ali Khamenei", "Ali Khamene'i", "Ali Khameneyi"],
])
def test_romanisations_share_a_variant_key(spellings):
    assert len({analyse_name(s).variant for s in spellings}) == 1, [analyse_name(s).variant for s in spellings]


def test_different_names_keep_different_variant_keys():
    assert analyse_name("Khomeini").variant != analyse_name("Khamenei").variant
    assert analyse_name("Hassan").variant != analyse_name("Hussein").variant
    assert analyse_name("Hezbollah").variant != analyse_name("Kataeb Hezbollah").variant


@pytest.mark.parametrize("script,latin", [
    ("كتائب حزب الله", "Kataeb Hezbollah"),
    ("عصائب أهل الحق", "Asaib Ahl al-Haq"),
    ("قاسم سليماني", "Qassem Soleimani"),
    ("قاسم سلیمانی", "Qasem Soleimani"),  # Persian letters
    ("مصطفى الكاظمي", "Mustafa al-Kadhimi"),
    ("أبو مهدي المهندس", "Abu Mahdi al-Muhandis"),
    ("عبد العزيز المحمداوي", "Abdulaziz al-Muhammadawi"),
    ("علي خامنئي", "Ali Khamenei"),
    ("آیت‌الله علی خامنه‌ای", "Ayatollah Ali Khamenei"),  # Persian -e'i with a zero-width non-joiner
    ("سید حسین موسویان", "Seyed Hossein Mousavian"),
    ("حزب‌الله", "Hezbollah"),
])
def test_arabic_and_persian_script_share_the_consonant_skeleton(script, latin):
    form = analyse_name(script)
    assert form.script
    assert form.skeleton == analyse_name(latin).skeleton


def test_transliteration_is_latin():
    assert transliterate("حزب الله").isascii()
    assert transliterate("Kataeb") == "kataeb"


def test_acronyms_of_multiword_names():
    assert acronym(analyse_name("Popular Mobilization Forces")) == "pmf"
    assert acronym(analyse_name("Islamic Revolutionary Guard Corps")) == "irgc"
    assert acronym(analyse_name("Asaib Ahl al-Haq")) == "aah"
    assert acronym(analyse_name("Hezbollah")) is None
    assert acronym(analyse_name("كتائب حزب الله")) is None
    assert looks_like_acronym("KH") and looks_like_acronym("I.R.G.C.") and not looks_like_acronym("Iran")
