"""Splitting archives and cleaning scraped pages: general rules, shown on our own articles."""
from __future__ import annotations

from datetime import date

from bot.corpus.clean import clean_blocks, furniture_reason
from bot.corpus.normalize import normalize_text, split_blocks
from bot.corpus.readers import documents_from_text, read_file
from bot.corpus.split import split_archive, title_source
from tests.conftest import FIXTURES

CORPUS = FIXTURES / "corpus"


def test_title_source_lines():
    assert title_source("Oman opens tender for desert solar plant – gulfdaily.example") == (
        "Oman opens tender for desert solar plant", "gulfdaily.example")
    assert title_source("Kuwait delays vote on debt law - The Gulf Observer") == (
        "Kuwait delays vote on debt law", "The Gulf Observer")
    assert title_source("Prices rose sharply - and then fell again.") is None  # a sentence, not a header
    assert title_source("The plan - which was approved on Monday - will cost more than expected") is None


def test_aggregator_archive_of_our_own():
    docs = read_file(CORPUS / "archive" / "gulf-roundup.txt").documents
    assert [(d.title, d.source) for d in docs] == [
        ("Port workers in Aden return after three-week strike", "Harbour Ledger"),
        ("Oman opens tender for desert solar plant", "gulfdaily.example"),
        ("Kuwait parliament delays vote on debt law", "The Gulf Observer"),
    ]
    port, solar, kuwait = (d.text for d in docs)
    assert port.startswith("Dock workers at the southern Yemeni port")
    assert port.endswith("return to normal within a week.")
    assert "Advertisement" not in port + solar  # repeated block
    assert "Shipping agents" not in port  # a label line
    assert "Read more" not in port and "Harbour Ledger" not in port
    assert "Sign up" not in solar and "in your inbox" not in solar
    assert solar.endswith("developers from Europe and East Asia.")
    assert "'The government should first cut spending" not in kuwait  # pull quote
    assert "- Opposition lawmaker" not in kuwait
    assert "Lawmakers have resisted the law for years" in kuwait
    assert "senior fellow" not in kuwait
    assert docs[2].author == "Layla Haddad"  # from the closing bio


def test_a_related_link_inside_a_story_is_not_a_cut_point():
    text = ("Markets slipped – Souk Report\n\nShares fell in Riyadh on Sunday as oil prices eased, brokers said, "
            "with banks leading the decline for a second day.\n\nRead more: Why Gulf banks are lending less\n\n"
            "Energy stocks were mixed, and trading volumes were thin ahead of a public holiday on Monday.\n\n"
            "Read more:\nMarkets slipped - Souk Report")
    docs = documents_from_text(text, "x.txt")
    assert len(docs) == 1
    assert docs[0].title == "Markets slipped" and docs[0].source == "Souk Report"
    assert "Energy stocks were mixed" in docs[0].text
    assert "Why Gulf banks" not in docs[0].text


def test_same_story_twice_in_one_archive_is_split_as_two_articles():
    story = ("A ceasefire between rival factions in Tripoli held for a second night, residents said, "
             "after a week of clashes that closed the city's only working airport.")
    text = (f"Tripoli ceasefire holds – Desert Post\n\n{story}\n\nRead more:\nTripoli ceasefire holds - Desert Post\n\n"
            f"Calm returns to Tripoli – Sahel Wire\n\n{story}\n\nSee the original post:\nCalm returns to Tripoli - Sahel Wire")
    docs = documents_from_text(text, "x.txt")
    assert [d.source for d in docs] == ["Desert Post", "Sahel Wire"]
    assert docs[0].text == docs[1].text == story


def test_plain_text_without_archive_markers_is_one_article():
    assert split_archive(split_blocks("Just a paragraph of prose.\n\nAnd another.")) is None


def test_scraped_page_of_our_own():
    doc = read_file(CORPUS / "page" / "scraped-article.md").documents[0]
    assert doc.title == "Jordan valley farmers turn to drip irrigation as rains fail"
    assert doc.author == "Rami Khoury"
    assert doc.date == date(2021, 5, 4)
    paragraphs = doc.text.split("\n\n")
    assert paragraphs[0].startswith("Farmers in the Jordan valley are tearing out")
    assert paragraphs[-1] == ("The ministry plans to raise water prices for large farms next year, "
                              "a move farmers' unions have promised to fight.")
    assert ("many growers say the subsidy arrives months late, forcing them to borrow" in doc.text)
    for furniture in ("HOME", "Trending", "Levant Desk", "By Rami Khoury", "AFP/", "inspects a drip line",
                      "Also read", "Amman rents", "Subscribe", "Tags:", "is a correspondent", "Related",
                      "Yarmouk", "ABOUT US", "Careers", "cookies", "ACCEPT"):
        assert furniture not in doc.text, furniture
    assert len(paragraphs) == 6


def test_quotes_are_kept_as_found():
    text = "Title here – Some Paper\n\n“Curly,” he said, and 'single' and \"straight\" ones too.\n\nRead more:"
    [doc] = documents_from_text(text, "x.txt")
    assert doc.text == "“Curly,” he said, and 'single' and \"straight\" ones too."


def test_normalisation_is_nfc_with_tidy_whitespace():
    raw = "Cafe\u0301  in\u00a0Beirut\t opens.\r\n\r\n\r\n\r\nSecond\u200b paragraph.  \n"
    assert normalize_text(raw) == "Café in Beirut opens.\n\nSecond paragraph."
    assert normalize_text("Persian half\u200cspace") == "Persian half\u200cspace"  # ZWNJ is spelling


def test_furniture_reasons_are_explainable():
    assert furniture_reason("- Home\n- News\n- Sport") == "list of short items"
    assert furniture_reason("[Privacy](#) | [Terms](#)") == "links"
    assert furniture_reason("Get our newsletter: sign up today.") == "subscription pitch"
    assert furniture_reason("We use cookies; by browsing you agree to our privacy policy.") == "cookie banner"
    assert furniture_reason("REUTERS/Jane Roe") == "photo credit"
    assert furniture_reason("The minister said the talks would resume next week.") is None


def test_bullet_points_with_sentences_are_story_text():
    blocks = split_blocks("The agreement covers three points:\n\n- Prisoners will be exchanged within a month.\n"
                          "- Checkpoints on the coast road will be removed.\n\nBoth sides signed it on Sunday.")
    assert clean_blocks(blocks, title="Deal").body == blocks


def test_a_page_copied_with_single_line_breaks(tmp_path):
    page = tmp_path / "copied.txt"
    page.write_text(
        "Skip to content\nWorld\nMiddle East\nSaudi Arabia and Iran reopen embassies after seven-year rift\n"
        "By Ahmed Nasser\nPublished 12 June 2023\nShare\n"
        "Saudi Arabia and Iran reopened their embassies in each other's capitals on Tuesday, seven years after "
        "cutting ties, in a step both governments said would ease tensions across the Gulf.\n"
        "\"This is the beginning of a new chapter,\" a Saudi official told reporters in Tehran.\n"
        "Related\nOil output cuts extended into next year\nCopyright 2023 Desert Times\n")
    [doc] = read_file(page).documents
    assert (doc.title, doc.author, doc.date) == (
        "Saudi Arabia and Iran reopen embassies after seven-year rift", "Ahmed Nasser", date(2023, 6, 12))
    assert doc.text.split("\n\n") == [
        "Saudi Arabia and Iran reopened their embassies in each other's capitals on Tuesday, seven years after "
        "cutting ties, in a step both governments said would ease tensions across the Gulf.",
        "\"This is the beginning of a new chapter,\" a Saudi official told reporters in Tehran."]


def test_a_short_opening_sentence_starting_with_by_is_not_a_byline():
    blocks = ["By Friday Iran had agreed to the deal.",
              "Negotiators in Vienna said the text was final and would be signed within days, "
              "ending months of talks over the sequencing of sanctions relief and nuclear limits."]
    article = clean_blocks(blocks, title="Deal agreed")
    assert article.author is None
    assert article.body == blocks
