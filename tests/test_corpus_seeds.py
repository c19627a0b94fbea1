"""The two seed files come out as six clean articles: right titles, sources, authors,
dates, every story paragraph, and none of the page furniture."""
from __future__ import annotations

from datetime import date

import pytest

from bot.corpus.readers import read_file
from tests.conftest import SEEDS

ARCHIVE = SEEDS / "004_2d23835280e1afb6.txt"
PAGE = SEEDS / "000_b1e42a639ef7d43e.txt"


@pytest.fixture(scope="module")
def archive():
    result = read_file(ARCHIVE)
    assert result.problems == []
    return result.documents


@pytest.fixture(scope="module")
def page():
    result = read_file(PAGE)
    assert result.problems == []
    assert len(result.documents) == 1
    return result.documents[0]


def test_archive_splits_into_five_articles_with_titles_and_sources(archive):
    assert [(d.title, d.source) for d in archive] == [
        ("EXCLUSIVE: Iran’s Khamenei ordered end to Iraqi attacks on US interests", "Middle East Eye"),
        ("‘They pulled a gun on me’: Iranian poet recalls harrowing journey to the UK", "shropshirestar.com"),
        ("How the Iran-Iraq war will shape the region for decades to come", "Brookings Institution"),
        ("Trump drops the F-bomb on Iran", "POLITICO"),
        ("Iran’s New Doctrine: Pivot to the East", "The Diplomat"),
    ]
    assert [d.position for d in archive] == [0, 1, 2, 3, 4]


def test_archive_bodies_run_from_first_to_last_story_paragraph(archive):
    firsts_and_lasts = [
        ("The order for Iraqi armed factions to halt", "must be stopped immediately, he said."),
        ("Persecuted for his beliefs, talented Iranian poet", "uphold our moral and legal duties."),
        ("Forty years ago, a major war between Iran and Iraq", "facing the Middle East now."),
        ('"You don\'t see the terror the way you used to see the terror," Trump said.',
         "He's slated to have an on-air interview on Fox News Friday night."),
        ("Over the past few months, Iran has been working with China",
         "toward the China-Russia Eurasian architecture."),
    ]
    for doc, (first, last) in zip(archive, firsts_and_lasts):
        assert doc.text.startswith(first)
        assert doc.text.endswith(last)


@pytest.mark.parametrize("furniture", [
    "Archive for the", "See the original post", "Read more:", "Read more here:", "Continued here:",
    "Middle East Eye\n", "- Iraqi paramilitary commander", "- Shia politician", "Migrant Channel crossing incidents",
    "'War is imminent': Iraq's Kadhimi moves", "How Iraq's Kadhimi used Iran visit to stake a claim",
    "This article is available in French", "Advertisement", "Get briefed on the story of the week",
    "Enjoying this article?", "Ambassador Seyed Hossein Mousavian is",
])
def test_archive_bodies_hold_no_furniture(archive, furniture):
    for doc in archive:
        assert furniture not in doc.text + "\n"


def test_archive_keeps_story_paragraphs_that_look_like_quotes_or_are_short(archive):
    mee, poet = archive[0].text, archive[1].text
    assert "There was more than one meeting with Khamenei." in mee
    assert "MEE has asked the UKs Foreign Office for comment" in mee
    assert "I was alone and tearful." in poet
    # Pull quotes repeat a paragraph: the paragraph stays, the pull quote goes.
    assert mee.count("Khamenei's orders were straightforward and clear") == 1


def test_author_bio_gives_the_diplomat_article_its_author(archive):
    assert archive[4].author == "Seyed Hossein Mousavian"
    assert [d.author for d in archive[:4]] == [None, None, None, None]


def test_paragraphs_are_separated_by_one_blank_line(archive, page):
    for doc in [*archive, page]:
        assert "\n\n\n" not in doc.text
        assert all(p.strip() == p and p for p in doc.text.split("\n\n"))


def test_scraped_page_header_and_sidecar(page):
    assert page.title == "How US, Iranian regional security strategies diverge"
    assert page.author == "Seyed Hossein Mousavian"
    assert page.date == date(2019, 3, 22)
    assert page.source == "Al-Monitor"  # from the sidecar: the page never names its outlet


def test_scraped_page_body_keeps_the_story(page):
    paragraphs = page.text.split("\n\n")
    assert paragraphs[0].startswith("The Iranian and US models to promote regional security")
    assert paragraphs[1].startswith("The top commander of the Islamic Revolutionary Guard Corps")
    assert paragraphs[-1].endswith("it will only intensify the resentful sentiments in the region.")
    assert "Grand Ayatollah Ali al-Sistani." in page.text
    assert "and beyond, Iran's 1979 Islamic Revolution" in page.text
    # The paragraph a page break cut after "Washington" is whole again.
    assert "retaking Iraq from IS, Washington deems the Iran-backed Shiite force a menace" in page.text
    assert len(paragraphs) == 12


@pytest.mark.parametrize("furniture", [
    "EGYPT", "Trending", "Turkey elections", "MIDDLE EAST LOBBYING", "Iran Pulse", "Article Summary",
    "REUTERS/Omar Sanadiki", "Iranian and Syrian flags flutter", "Also read", "Arab Israelis alienated",
    "Found in:", "is a Middle East security and nuclear policy specialist", "Next for you", "Pentagon nixes",
    "Recommended Articles", "Luxembourg court", "MORE LIKE THIS", "SDF commander", "CONTACT US", "TERMS OF USE",
    "Privacy Policy", "PODCAST", "cookies", "ACCEPT", "March 22, 2019", "](#)", "**", "##",
])
def test_scraped_page_body_holds_no_furniture(page, furniture):
    assert furniture not in page.text
