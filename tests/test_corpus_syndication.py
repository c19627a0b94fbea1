"""Near-duplicate detection: a republished story is the same story; a templated notice with
other figures, or a brief with one word changed, is not."""
from bot.corpus.syndication import (
    MIN_SHARED_BANDS, fingerprint, folded, same_story, same_text, same_traits, shares_enough, traits,
)

STORY = ("Egypt raised the price of petrol and diesel by up to 15 percent on Friday, the petroleum ministry said, "
         "the second increase this year as the country struggles with a weak currency and high import costs. "
         "The price of the most widely used grade of petrol rose to 11 pounds a litre from 10 pounds, while diesel "
         "rose to 8.25 pounds, the ministry said in a statement. A committee that reviews fuel prices every three "
         "months said the increase reflected higher global oil prices and the fall of the pound.")


def test_a_lightly_edited_copy_is_the_same_story_and_shares_bands():
    copy = STORY.replace("on Friday", "on Friday morning").replace("the ministry said", "it said")
    assert same_story(STORY, copy)
    bands = fingerprint(STORY)
    assert shares_enough(len(set(bands) & set(fingerprint(copy))), len(bands))


def test_a_body_sharing_one_band_of_a_full_sketch_is_not_compared():
    assert MIN_SHARED_BANDS == 2
    assert not shares_enough(1, 8)
    assert shares_enough(2, 8)
    assert shares_enough(1, 1)  # a body too short for more than one band


def test_case_spacing_and_punctuation_do_not_matter():
    assert fingerprint(STORY) == fingerprint(STORY.upper().replace(", ", " ,  "))


def test_the_same_template_with_other_figures_is_another_story():
    notice = STORY.replace("15 percent", "9 percent").replace("11 pounds", "12 pounds").replace(
        "8.25 pounds", "9.10 pounds").replace("10 pounds", "11 pounds")
    assert not same_story(STORY, notice)
    # ruled out by the figures alone, before any comparison of the texts (the indexer's order)
    assert not same_traits(traits(folded(STORY)), traits(folded(notice)))
    assert same_text(folded(STORY), folded(notice), brief=False)


def test_traits_hold_what_the_text_tests_read():
    body = folded(STORY)
    assert traits(body).length == len(body)
    assert traits(body).figures == ("10", "11", "15", "25", "8")  # 8.25 folds to two words
    assert same_traits(traits(body), traits(folded(STORY.replace("on Friday", "on Friday morning"))))


def test_briefs_must_match_closely():
    brief = "Acme Corp said its board declared a quarterly dividend of 10 cts a share, payable April 30."
    assert same_story(brief, brief.replace("Acme Corp", "ACME CORP.").replace("payable", "payble"))
    assert not same_story(brief, brief.replace("quarterly", "special"))
    assert not same_story(brief, brief.replace("April 30", "April 15"))


def test_different_stories_are_not_merged():
    other = ("Jordan's parliament approved a new electoral law on Sunday that raises the number of seats reserved "
             "for political parties, the speaker said, after months of debate over the country's voting system.")
    assert not same_story(STORY, other)
