"""Quote extraction, one newsroom convention at a time (bot.nlp.quotes.extract_quotes)."""
from __future__ import annotations

from bot.nlp.models import Mention
from bot.nlp.quotes import extract_quotes
from tests.conftest import SEEDS


def quotes_of(text: str, mentions=None):
    return extract_quotes(text, mentions)


def only(text: str, mentions=None):
    found = quotes_of(text, mentions)
    assert len(found) == 1, found
    return found[0]


def mention(text: str, surface: str, name: str, kind: str = "person", nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(start, start + len(surface), surface, name, kind, "", name)


def test_curly_quote_with_attribution_after():
    text = "The ceasefire held overnight.\n\n“We will not stop until the road is open,” Ali Hassan said."
    quote = only(text)
    assert quote.text == "We will not stop until the road is open"
    assert text[quote.start:quote.end] == quote.text
    assert (quote.speaker, quote.cue, quote.marked, quote.partial, quote.anonymous) == (
        "Ali Hassan", "said", True, False, False)


def test_straight_quote_introduced_with_a_colon_and_an_appositive():
    text = 'Sonya Sceats, CEO of Freedom from Torture, said: "We have repeatedly called for safe routes."'
    quote = only(text)
    assert quote.text == "We have repeatedly called for safe routes."
    assert quote.speaker == "Sonya Sceats"


def test_told_outlet_before_the_quote_resolves_to_the_actor():
    text = 'Trump told Reuters: "We are going to win this thing, believe me."'
    quote = only(text, [mention(text, "Trump", "Donald Trump")])
    assert (quote.speaker, quote.speaker_name, quote.cue) == ("Trump", "Donald Trump", "told")


def test_attribution_in_the_middle_gives_both_parts_one_speaker():
    text = ('Angela Merkel spoke in Berlin on Monday.\n\n'
            '"Europe has to stand together," said Angela Merkel, adding, "and we will not be divided by anyone."')
    first, second = quotes_of(text)
    assert first.text == "Europe has to stand together"
    assert second.text == "and we will not be divided by anyone."
    assert first.speaker == second.speaker == "Angela Merkel"


def test_according_to_a_description_is_an_anonymous_source():
    text = '"The talks in Doha have failed for now," according to a senior Gulf diplomat.'
    quote = only(text)
    assert quote.speaker == "a senior Gulf diplomat"
    assert quote.anonymous and quote.speaker_name is None


def test_an_english_word_the_mentions_left_out_is_no_speakers_name():
    """`Analysts said:`, `Thus, the researchers concluded,`: one English word that the article's mentions do
    not back names no one (a description, no speaker actor); `reported Reuters`, a mention, stays a name,
    and so does `Baker` where the article names James Baker."""
    text = ('Valtronic Co said its profit rose.\n\nAnalysts said: "Demand for chips has turned."\n\n'
            'Thus, the researchers concluded, "the plant was safe."\n\n'
            '"Orders will pick up," reported Reuters.\n\n'
            'Treasury Secretary James Baker spoke later.\n\nBaker said: "The dollar has fallen far enough."')
    mentions = [mention(text, "Valtronic Co", "Valtronic Co", "organization"),
                mention(text, "Reuters", "Reuters", "organization"),
                mention(text, "James Baker", "James Baker")]
    analysts, thus, agency, baker = quotes_of(text, mentions)
    assert (analysts.speaker, analysts.speaker_name, analysts.anonymous) == ("Analysts", None, True)
    assert (thus.speaker_name, thus.anonymous) == (None, True)
    assert (agency.speaker, agency.speaker_name, agency.anonymous) == ("Reuters", "Reuters", False)
    assert (baker.speaker, baker.speaker_name) == ("Baker", "Baker")


def test_a_clause_opening_the_attribution_is_not_the_speaker():
    """`Commenting on the results, chairman John Hale said:` the title starts the speaker, not an appositive
    of the clause; `Commenting on the results, the company said:` is the company's."""
    named = only('Commenting on the results, chairman John Hale said: "Orders have turned."')
    assert (named.speaker, named.speaker_name) == ("John Hale", "John Hale")
    described = only('Commenting on the results, the company said: "Orders have turned."')
    assert (described.speaker, described.anonymous) == ("the company", True)


def test_a_later_reference_resolves_to_the_anonymous_source_first_described():
    text = ('"The orders came from the very top," a senior commander of an armed faction told MEE.\n\n'
            'The factions met in Qom last week.\n\n'
            '"We will respect the truce as long as the others do," the commander said.')
    first, second = quotes_of(text)
    assert first.speaker == second.speaker == "a senior commander of an armed faction"
    assert second.anonymous


def test_a_description_taken_up_again_is_the_source_it_fits_the_latest_of_its_role():
    text = ('"The orders came from the very top," a senior commander of an armed faction told MEE.\n\n'
            '"We were not consulted," a commander of the Basra brigade said.\n\n'
            '"We will respect the truce," a senior commander of an armed faction in Basra said.\n\n'
            '"Nobody asked us," a spokesman of the provincial council said.\n\n'
            '"The truce is holding," the commander said.')
    first, second, third, fourth, fifth = quotes_of(text)
    assert second.speaker == "a commander of the Basra brigade"
    # a longer form is the same source, and so the latest commander for `the commander`
    assert first.speaker == third.speaker == fifth.speaker == "a senior commander of an armed faction"
    assert fourth.speaker == "a spokesman of the provincial council"
    assert all(q.anonymous for q in (first, second, third, fourth, fifth))


def test_lost_possessives_are_counted_as_the_text_spells_them():
    from bot.nlp.quotes import LOST_POSSESSIVE, _capitalised_prefix_counts

    text = " ".join(path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt")))
    text += " USIran Irans Iranian Iransx Khameneis Khamenei"
    names = {w for base in LOST_POSSESSIVE.findall(text) for w in (base, base + "s")}
    assert len(names) > 20
    assert _capitalised_prefix_counts(text, names) == {name: text.count(name) for name in names}


def test_pronoun_resolves_to_the_nearest_speaker():
    text = ('German Chancellor Angela Merkel said on Monday that talks would go on.\n\n'
            '"Europe must act now, and it must act together," she said.')
    quote = only(text, [mention(text, "Angela Merkel", "Angela Merkel")])
    assert quote.speaker_name == "Angela Merkel"
    assert quote.cue == "said"


def test_a_quote_over_several_paragraphs_is_one_speakers():
    text = ('"We will rebuild every street," the mayor, Hana Saleh, said. "It will take years.\n\n'
            '"Every family will get its house back before the winter comes.\n\n'
            '"Nobody will be left behind."\n\n'
            'The council meets again next week.')
    found = quotes_of(text)
    assert [q.text for q in found] == ["We will rebuild every street", "It will take years.",
                                       "Every family will get its house back before the winter comes.",
                                       "Nobody will be left behind."]
    assert {q.speaker_name for q in found} == {"Hana Saleh"}


def test_an_unattributed_quoted_paragraph_continues_the_last_speaker():
    text = ('"The bridge is closed to all traffic," police chief Omar Khalil said.\n\n'
            '"Anyone who tries to cross it will be turned back at the checkpoint."')
    first, second = quotes_of(text)
    assert second.speaker == first.speaker == "Omar Khalil"


def test_pull_quote_merges_with_the_body_quote_and_is_not_counted_twice():
    text = ("Khamenei's orders were straightforward and clear. All attacks must stop, a senior commander "
            "of an armed faction told Middle East Eye.\n\n"
            "'Khamenei's orders were straightforward and clear. All attacks must stop'\n\n"
            "- Iraqi paramilitary commander\n\n"
            "Iraq's prime minister welcomed the truce, his office said in a statement.")
    quote = only(text)
    assert quote.text.startswith("Khamenei's orders were straightforward")
    assert quote.speaker == "a senior commander of an armed faction"
    assert quote.start < text.index("'Khamenei")


def test_a_pull_quote_alone_is_attributed_to_its_speaker_line():
    text = ("The talks went on until late.\n\n"
            "'All signs indicate that the British played an influential role this time'\n\n"
            "- Shia politician\n\n"
            "The embassy declined to comment on Tuesday.")
    quote = only(text)
    assert quote.speaker == "Shia politician" and quote.anonymous


def test_titles_nicknames_scare_quotes_and_headlines_are_not_quotes():
    text = ('He is the author of "The Iranian Nuclear Crisis: A Memoir" (2012).\n\n'
            'He met Abdulaziz al-Muhammadawi "Abu Fadak" earlier this month.\n\n'
            'The so-called "axis of resistance" met again in Beirut on Sunday.\n\n'
            "'War is imminent': Iraq's Kadhimi moves to fend off US threat\n\n"
            'Officials described the deal as "good".')
    assert quotes_of(text) == []


def test_partial_quote_inside_reported_speech():
    text = 'Trump claimed during the show that Iran is "dying to have me lose." Polls were mixed.'
    quote = only(text, [mention(text, "Trump", "Donald Trump")])
    assert quote.partial and quote.marked
    assert quote.text == "dying to have me lose."
    assert quote.speaker_name == "Donald Trump"


def test_british_single_quotes():
    text = "'We will not give up on the families of the missing,' the minister, Sara Naji, said."
    quote = only(text)
    assert quote.text == "We will not give up on the families of the missing"
    assert quote.speaker_name == "Sara Naji"


def test_transcript_labels_name_the_speaker():
    text = '"WALLACE: Governor, do you think the debate will change anything tonight?'
    quote = only(text)
    assert quote.speaker == "WALLACE"


# -- texts that lost their quotation marks -------------------------------------------------

LOST = ("The poet fled Iran in 2015. His son couldnt stay and he didnt want to leave him.\n\n"
        "Zartosht said the camp was violent and there was little support.\n\n"
        "I was worried sick. For 10 days I just couldnt stop crying, he said.\n\n"
        "I was alone and tearful.\n\n"
        "He worked until he got enough money together to make the crossing himself.\n\n"
        "Iraqi officials said the US administration is afraid of a wider war.\n\n"
        "Sonya Sceats, CEO of Freedom from Torture, said: We have repeatedly called for safe and legal routes.\n\n"
        "These tragedies will happen again unless we listen to the people who make these journeys.")


def test_unmarked_quotes_are_recovered_from_the_attribution_pattern():
    mentions = [mention(LOST, "Zartosht", "Zartosht"), mention(LOST, "Sonya Sceats", "Sonya Sceats")]
    found = {q.text: q for q in quotes_of(LOST, mentions)}
    worried = found["I was worried sick. For 10 days I just couldnt stop crying"]
    assert not worried.marked and worried.speaker_name == "Zartosht" and worried.cue == "said"
    assert found["I was alone and tearful."].speaker_name == "Zartosht"  # a first-person continuation
    sceats = found["We have repeatedly called for safe and legal routes."]
    assert sceats.speaker_name == "Sonya Sceats"
    assert found["These tragedies will happen again unless we listen to the people who make these journeys."
                 ].speaker_name == "Sonya Sceats"


def test_reported_speech_is_never_turned_into_a_quote():
    texts = [q.text for q in quotes_of(LOST)]
    assert not any("administration is afraid" in t for t in texts)
    assert not any("camp was violent" in t for t in texts)
    assert not any("enough money" in t for t in texts)


def test_text_with_its_marks_is_not_searched_for_unmarked_quotes():
    text = ("Officials don't expect a deal. Iran's envoy left early.\n\n"
            "The talks will resume next month, a senior diplomat told reporters.")
    assert quotes_of(text) == []


def test_offsets_point_into_the_text_for_every_quote():
    for text in (LOST, 'She said: "Enough is enough, we are leaving now."'):
        for quote in quotes_of(text):
            assert text[quote.start:quote.end] == quote.text


def test_odd_input_is_survived():
    for text in ("", '"', "“”" * 500, "\u202e" + '"abc def ghi"' * 50, "said: " * 2000, "a\n" * 5000):
        assert isinstance(quotes_of(text), list)
