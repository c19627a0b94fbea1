"""Readers: HTML, JSON Lines, sidecar metadata, and every kind of bad input, reported by name and reason."""
from __future__ import annotations

import codecs
from datetime import date

from bot.corpus.readers import MAX_ARTICLE_CHARS, read_file
from tests.conftest import FIXTURES

CORPUS = FIXTURES / "corpus"


def test_html_page_is_extracted_without_navigation():
    result = read_file(CORPUS / "html" / "ministry-budget.html")
    assert result.problems == []
    [doc] = result.documents
    assert doc.title == "Iraq's cabinet approves record budget"
    assert (doc.source, doc.author, doc.date) == ("Tigris Times", "Huda Karim", date(2023, 3, 14))
    assert doc.url == "https://tigris-times.example/iraq-budget-approved"
    paragraphs = doc.text.split("\n\n")
    assert paragraphs[0].startswith("Iraq's cabinet approved a three-year budget")
    assert paragraphs[-1].endswith("the share of revenue sent to Erbil.")
    assert len(paragraphs) == 5
    for furniture in ("Home", "Trending", "Oil prices", "Related stories", "Basra protests", "Copyright",
                      "Privacy policy", "By Huda Karim"):
        assert furniture not in doc.text


def test_html_without_an_article_is_reported(tmp_path):
    page = tmp_path / "empty.html"
    page.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    result = read_file(page)
    assert result.documents == []
    assert [p.reason for p in result.problems] == ["no article text found in the HTML"]


def test_jsonl_records_with_a_malformed_line_and_a_line_without_text():
    result = read_file(CORPUS / "jsonl" / "wire.jsonl")
    assert [d.external_id for d in result.documents] == ["wire-001", "wire-002", None]
    first, second, third = result.documents
    assert (first.title, first.source, first.author, first.date, first.url) == (
        "Lebanon's central bank extends dollar withdrawal scheme", "Cedar Wire", "Maya Aoun", date(2022, 6, 30),
        "https://cedar-wire.example/001")
    assert first.text.endswith('"The scheme will continue until the end of the year," the bank said in a statement.')
    assert second.date == date(2022, 7, 2)  # an ISO timestamp gives its date
    assert third.date == date(2022, 7, 5)  # "July 5, 2022"
    assert [(p.line, p.fatal) for p in result.problems] == [(3, False), (4, False)]
    assert str(result.problems[0]).startswith(f"{CORPUS / 'jsonl' / 'wire.jsonl'}:3: malformed JSON")
    assert "'text'" in result.problems[1].reason


def test_jsonl_bad_field_types_and_dates(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"text": "Body one.", "date": "next Tuesday"}\n{"text": "Body two.", "title": ["a"]}\n[1, 2]\n')
    result = read_file(feed)
    assert [d.text for d in result.documents] == ["Body one."]
    assert result.documents[0].date is None
    assert [p.line for p in result.problems] == [1, 2, 3]
    assert "not a date" in result.problems[0].reason


def test_sidecar_fills_what_the_text_lacks_and_reports_unknown_keys(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("Talks resume – Gulf Courier\n\nNegotiators met again in Muscat on Sunday, officials said, "
                     "the first round since the spring.\n\nRead more:")
    (tmp_path / "story.txt.meta.yaml").write_text("source: Somebody Else\nurl: https://example.org/talks\n"
                                                  "date: 2024-02-03\ncolour: blue\n")
    result = read_file(story)
    [doc] = result.documents
    assert doc.source == "Gulf Courier"  # the text's own word wins
    assert (doc.url, doc.date) == ("https://example.org/talks", date(2024, 2, 3))
    assert ["unknown key 'colour'" in p.reason for p in result.problems] == [True]


def test_invalid_utf8_is_decoded_with_a_fallback_and_reported(tmp_path):
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Le café de la gare a rouvert à Beyrouth après des mois de fermeture, a dit le patron.\n"
                       .encode("cp1252"))
    result = read_file(legacy)
    assert result.documents[0].text.startswith("Le café de la gare a rouvert à Beyrouth")
    [problem] = result.problems
    assert not problem.fatal and "not valid UTF-8" in problem.reason and "decoded as" in problem.reason


def test_mostly_utf8_with_a_broken_byte_keeps_the_utf8(tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_bytes("Erdoğan met Sisi in Cairo ".encode() + b"\xff" + " and both spoke of a new era.".encode())
    result = read_file(broken)
    assert result.documents[0].text == "Erdoğan met Sisi in Cairo \ufffd and both spoke of a new era."
    assert "replaced" in result.problems[0].reason


def test_utf16_with_a_byte_order_mark_is_read(tmp_path):
    wide = tmp_path / "wide.txt"
    wide.write_bytes(codecs.BOM_UTF16_LE + "Talks in Doha ended without a deal, both sides said.".encode("utf-16-le"))
    result = read_file(wide)
    assert result.problems == []
    assert result.documents[0].text == "Talks in Doha ended without a deal, both sides said."


def test_binary_and_empty_files_are_refused_by_name(tmp_path):
    image = tmp_path / "photo.txt"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    empty = tmp_path / "empty.md"
    empty.write_text("  \n\n")
    for path, reason in ((image, "binary file, not text"), (empty, "empty file")):
        result = read_file(path)
        assert result.documents == []
        assert [(p.path, p.reason, p.fatal) for p in result.problems] == [(str(path), reason, True)]


def test_a_50_mb_text_file_is_reported_not_indexed_quickly(tmp_path):
    big = tmp_path / "dump.txt"
    paragraph = "Officials met again on day {} and said talks on sharing the river would continue next week.\n\n"
    with big.open("w") as handle:
        day = 0
        while handle.tell() < 50_000_000:
            handle.write(paragraph.format(day))
            day += 1
    result = read_file(big)
    assert result.documents == []
    [problem] = result.problems
    assert problem.fatal and f"over the {MAX_ARTICLE_CHARS // 1_000_000} million" in problem.reason


def test_markdown_front_matter_gives_the_metadata(tmp_path):
    note = tmp_path / "briefing.md"
    note.write_text("---\ntitle: Basra port reopens\nsource: Gulf Courier\ndate: 2024-05-02\nauthor: Sara Ali\n"
                    "tags: [iraq, ports]\n---\n\n# Basra port reopens after dredging\n\n"
                    "Basra's main port reopened to large tankers on Thursday after three months of dredging, "
                    "the port authority said.\n")
    result = read_file(note)
    assert result.problems == []
    [doc] = result.documents
    assert (doc.title, doc.source, doc.author, doc.date) == ("Basra port reopens", "Gulf Courier", "Sara Ali",
                                                             date(2024, 5, 2))
    assert doc.text == "Basra's main port reopened to large tankers on Thursday after three months of dredging, " \
                       "the port authority said."


def test_a_web_page_saved_as_txt_is_read_as_html(tmp_path):
    saved = tmp_path / "saved-page.txt"
    saved.write_text((CORPUS / "html" / "ministry-budget.html").read_text())
    [doc] = read_file(saved).documents
    assert doc.title == "Iraq's cabinet approves record budget"
    assert "<p>" not in doc.text and "Home" not in doc.text
