"""The digest as a morning briefing: stories ranked by what matters to the channel and grouped by what
they are about, people apart from places, quotes by prominent speakers first, sections a channel turns off."""
from __future__ import annotations

import json
from datetime import timedelta

from bot.digest.build import DigestFilters
from bot.digest.render import digest_as_text, render_digest
from bot.slack.buttons import ProfilePage, QuoteCardPage, QuotesPage, decode
from bot.slack.digest_command import DIGEST_BUTTONS
from tests.digest_support import DAY_BEFORE, actor, at, digest_of, story

def briefing_day(store):
    """A widely carried story about nobody the desk lists, a curated actor's story, a followed actor's story."""
    actor(store, "Orchard Bullion Ltd", "organization", curated=False)
    actor(store, "Mira Castellane", "person", curated=False)  # followed, not on the desk's list
    actor(store, "Kataeb Hezbollah", "organization")
    actor(store, "Iraq", "place")
    story(store, "Bullion dealer buys a vault of gold", at("2026-03-27 06:00"), source="Wire",
          copies=("AP", "AFP", "DPA", "Kyodo", "ANSA", "EFE"), mentions_of=("Orchard Bullion Ltd",))
    story(store, "Militia statement on the border", at("2026-03-27 02:00"),
          mentions_of=("Kataeb Hezbollah", "Iraq", "Iraq"))
    story(store, "Castellane opens the harbour talks", at("2026-03-26 09:00"), mentions_of=("Mira Castellane",))
    story(store, "Baghdad traffic report", at("2026-03-27 03:00"), mentions_of=("Iraq",))


def test_followed_and_curated_stories_lead_a_widely_carried_story_about_nobody_listed(store):
    briefing_day(store)
    digest = digest_of(store, follow=["Mira Castellane"])
    assert [s.title for s in digest.stories] == [
        "Castellane opens the harbour talks", "Militia statement on the border", "Bullion dealer buys a vault of gold",
        "Baghdad traffic report"]
    assert [s.about.name for s in digest.stories] == ["Mira Castellane", "Kataeb Hezbollah", "Orchard Bullion Ltd",
                                                      "Iraq"]
    # Without the follow, the curated actor's story still leads the seven outlets' story.
    assert [s.title for s in digest_of(store).stories][:2] == ["Militia statement on the border",
                                                              "Bullion dealer buys a vault of gold"]


def test_stories_are_grouped_under_what_they_are_about(store):
    briefing_day(store)
    story(store, "Second militia statement", at("2026-03-27 04:00"), mentions_of=("Kataeb Hezbollah",))
    story(store, "Weather", at("2026-03-27 05:00"))
    digest = digest_of(store)
    groups = [(g.about.name if g.about else None, [s.title for s in g.stories]) for g in digest.groups]
    assert groups[0] == ("Kataeb Hezbollah", ["Militia statement on the border", "Second militia statement"])
    assert (None, ["Weather"]) in groups
    text = digest_as_text(digest)
    assert text.index("[Kataeb Hezbollah]") < text.index("Second militia statement") < text.index("[Orchard Bullion Ltd]")


def test_people_and_organisations_in_the_news_with_places_apart(store):
    briefing_day(store)
    digest = digest_of(store)
    assert "Iraq" not in [t.name for t in digest.in_the_news]
    assert [t.name for t in digest.places] == ["Iraq"] and digest.places[0].mentions == 3
    blocks = json.dumps(render_digest(digest).blocks, ensure_ascii=False)
    assert blocks.index("*In the news*") < blocks.index("*Places in the news*")
    assert "PLACES IN THE NEWS\n  Iraq: 3 mentions in 2 stories" in digest_as_text(digest)


def test_a_name_in_nearly_every_story_is_a_signature_not_news(store):
    actor(store, "WIREDESK", "organization", curated=False)
    for number in range(20):
        story(store, f"Report {number}", at("2026-03-27 01:00") + timedelta(minutes=number),
              mentions_of=("WIREDESK", "Ahmad Karimi") if number < 3 else ("WIREDESK",))
    names = [t.name for t in digest_of(store).in_the_news]
    assert "WIREDESK" not in names and "Ahmad Karimi" in names


def test_quotes_of_the_day_put_a_new_quote_of_a_prominent_speaker_before_a_repeat_and_an_unknown(store):
    actor(store, "Obscure Versifier", curated=False, corpus_mentions=2)
    actor(store, "Grand Official", curated=False, corpus_mentions=4000)
    actor(store, "Curated Minister", corpus_mentions=50)
    repeat = ("The harbour will stay open to every ship that comes in peace", "Grand Official", False)
    story(store, "Last week", DAY_BEFORE - timedelta(days=3), quotes_by=(repeat,))
    story(store, "Poetry evening", at("2026-03-27 01:00"),
          quotes_by=(("I write about the river because the river remembers us", "Obscure Versifier", False),))
    story(store, "Harbour again", at("2026-03-27 02:00"), quotes_by=(repeat,))
    story(store, "Order issued", at("2026-03-27 03:00"),
          quotes_by=(("All units are to return to their barracks by Friday night", "Grand Official", False),))
    story(store, "Cabinet", at("2026-03-27 04:00"),
          quotes_by=(("The budget will be presented to parliament next week", "Curated Minister", False),))
    quotes = [(q.speaker, q.first_time) for q in digest_of(store).quotes]
    assert quotes == [("Curated Minister", True), ("Grand Official", True), ("Obscure Versifier", True),
                      ("Grand Official", False)]


def test_sections_turned_off_are_left_out(store):
    briefing_day(store)
    story(store, "Cabinet", at("2026-03-27 04:00"),
          quotes_by=(("The budget will be presented to parliament next week", "Curated Minister", False),))
    digest = digest_of(store, follow=["Mira Castellane"],
                       filters=DigestFilters(sections_off=("places", "quotes", "followed")))
    assert digest.places == [] and digest.quotes == [] and digest.following == []
    assert digest.stories and digest.in_the_news and digest.quote_count == 1  # the counts still cover the window
    blocks = json.dumps(render_digest(digest).blocks, ensure_ascii=False)
    assert "Places in the news" not in blocks and "Quotes of the day" not in blocks and "Following" not in blocks
    quiet = digest_of(store, filters=DigestFilters(sections_off=("stories", "in the news")))
    assert quiet.stories == [] and quiet.in_the_news == [] and quiet.places


def test_every_name_and_quote_has_a_button_to_its_profile_its_card_or_its_quotes(store):
    briefing_day(store)
    story(store, "Cabinet", at("2026-03-27 04:00"), mentions_of=("Curated Minister",),
          quotes_by=(("The budget will be presented to parliament next week", "Curated Minister", False),))
    digest = digest_of(store, follow=["Mira Castellane"])
    blocks = render_digest(digest, DIGEST_BUTTONS).blocks
    pressed = {}
    for block in blocks:
        elements = ([block["accessory"]] if "accessory" in block else []) + block.get("elements", [])
        for element in elements:
            if element.get("type") == "button":
                pressed[element["text"]["text"]] = decode(element["value"])
    for label, name in (("Profile of Mira Castellane", "Mira Castellane"),  # its story's heading and its section
                        ("Profile of Kataeb Hezbollah", "Kataeb Hezbollah"), ("Kataeb Hezbollah", "Kataeb Hezbollah"),
                        ("Profile of Orchard Bullion Ltd", "Orchard Bullion Ltd"), ("Iraq", "Iraq"),
                        ("Curated Minister", "Curated Minister")):
        assert pressed[label] == ProfilePage(actor(store, name)), label
    assert pressed["More quotes of Curated Minister"] == QuotesPage("The budget will be presented to parliament next",
                                                                    "Curated Minister")
    (quote,) = digest.quotes
    assert pressed["Quote card"] == QuoteCardPage(quote.id)  # the quote's own card
    assert pressed["Profile of Curated Minister"] == ProfilePage(actor(store, "Curated Minister"))  # its speaker
    assert "accessory" not in json.dumps(render_digest(digest).blocks)  # the terminal's digest has no buttons


def test_a_followed_actors_quotes_and_the_newcomers_in_the_news_have_buttons(store):
    story(store, "Last week", DAY_BEFORE - timedelta(days=3), mentions_of=("Old Hand",))  # the index has history
    names = [f"Newcomer {letter}" for letter in "ABCDEFGHIJ"]  # ten new names: eight in the news, two newcomers
    for rank, name in enumerate(names):
        actor(store, name, curated=False)
        story(store, f"Story {rank}", at("2026-03-27 01:00") + timedelta(minutes=rank),
              mentions_of=(name,) * (len(names) - rank))
    story(store, "Harbour", at("2026-03-27 05:00"), mentions_of=("Mira Castellane",),
          quotes_by=(("We will keep the harbour open whatever they decide", "Mira Castellane", False),))
    digest = digest_of(store, follow=["Mira Castellane"])
    assert [t.name for t in digest.new_actors] == [*names[8:], "Mira Castellane"]
    blocks = render_digest(digest, DIGEST_BUTTONS).blocks
    pressed = {e["text"]["text"]: decode(e["value"]) for b in blocks for e in b.get("elements", [])
               if e.get("type") == "button"}
    for name in [*names, "Mira Castellane"]:
        assert pressed[name] == ProfilePage(actor(store, name)), name
    (said,) = digest.following[0].quotes
    (card,) = [label for label in pressed if label.startswith("Quote card: We will keep the harbour open")]
    assert pressed[card] == QuoteCardPage(said.id)


def test_a_quote_from_a_followed_actors_story_leads_and_a_speakers_second_quote_comes_after_the_others(store):
    actor(store, "Grand Official", curated=False, corpus_mentions=4000)
    actor(store, "Mira Castellane", curated=False)
    story(store, "Rally", at("2026-03-27 01:00"), quotes_by=(
        ("We will keep the harbour open whatever they decide in the capital", "Grand Official", False),
        ("Nobody in this city will be left without bread this winter", "Grand Official", False)))
    story(store, "Reading", at("2026-03-27 02:00"),
          quotes_by=(("The river remembers every name we gave it", "Quiet Versifier", False),))
    story(store, "Exclusive: the order came from Castellane", at("2026-03-27 03:00"), mentions_of=("Mira Castellane",),
          quotes_by=(("Her orders were clear: every convoy must stop at the border", "a senior commander", True),))
    speakers = [q.speaker for q in digest_of(store, follow=["Mira Castellane"]).quotes]
    assert speakers == ["a senior commander", "Grand Official", "Quiet Versifier", "Grand Official"]


def test_an_outlet_named_in_its_own_stories_is_neither_in_the_news_nor_a_subject(store):
    actor(store, "Harbour Wire", "organization", curated=False)
    story(store, "Port strike", at("2026-03-27 01:00"), source="Harbour Wire",
          mentions_of=("Harbour Wire", "Harbour Wire", "Ahmad Karimi"))
    digest = digest_of(store)
    assert [t.name for t in digest.in_the_news] == ["Ahmad Karimi"]
    assert digest.stories[0].about.name == "Ahmad Karimi"


def test_a_quote_said_by_the_outlet_or_a_place_comes_after_people(store):
    actor(store, "Harbour Wire", "organization", curated=False, corpus_mentions=9000)
    actor(store, "Port City", "place", curated=False, corpus_mentions=9000)
    actor(store, "Ahmad Karimi", curated=False, corpus_mentions=3)
    story(store, "Strike", at("2026-03-27 01:00"), source="Harbour Wire",
          quotes_by=(("One of the typical rumours that go round the harbour every spring", "Harbour Wire", False),))
    story(store, "Listing", at("2026-03-27 02:00"), source="Harbour Wire",
          quotes_by=(("The new brand is produced at the plant outside the old town", "Port City", False),))
    story(store, "Union", at("2026-03-27 03:00"), source="Harbour Wire",
          quotes_by=(("We will not unload a single ship until the contract is signed", "Ahmad Karimi", False),))
    assert [q.speaker for q in digest_of(store).quotes] == ["Ahmad Karimi", "Port City", "Harbour Wire"]


def test_a_full_day_with_twenty_followed_actors_fits_one_message_with_every_section(store):
    actor(store, "Iraq", "place")
    for number in range(12):
        actor(store, f"Subject Number{number}", curated=False)
        story(store, f"Story {number}", at("2026-03-27 01:00") + timedelta(minutes=number),
              mentions_of=(f"Subject Number{number}", "Iraq"),
              quotes_by=((f"We have said it {number} times and we will say it once more", f"Subject Number{number}",
                          False),))
    follow = [f"Subject Number{number}" for number in range(12)] + [f"Absent Name{n}" for n in range(8)]
    blocks = render_digest(digest_of(store, follow=follow), DIGEST_BUTTONS).blocks
    text = json.dumps(blocks, ensure_ascii=False)
    assert len(blocks) <= 50 and "Story 11" in text and "Places in the news" in text and "Quotes of the day" in text
    assert text.count("Following: ") == 20 and "Absent Name7" in text and "did not fit" not in text
    # A quieter day keeps its buttons.
    quieter = json.dumps(render_digest(digest_of(store, follow=follow[:3]), DIGEST_BUTTONS).blocks)
    assert "Profile of Subject Number2" in quieter and "did not fit" not in quieter
