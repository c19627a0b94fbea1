"""Paging and sharing in Slack, end to end on loopback: More and Previous page one section of a profile (or a
quote search) while the others stay, Share in channel posts the first view whatever page the reader is on, and
a button value edited, made up or older than signing is refused with a message. Quote cards opened from a
profile or a quote search, and their Copy citation, come as new private messages."""
from __future__ import annotations

import json
import logging

from bot.slack.buttons import FollowChoice, ProfilePage, QuoteCardPage, sign
from tests.fakeslack import action_body, buttons, post_signed
from tests.slack_loopback import SECRET, answer, ask, bot, press, slack, words  # noqa: F401  (fixtures)
from tests.slack_world import answers, indexed_store  # noqa: F401  (fixtures)


def labels(message: dict) -> list[str]:
    return [b["text"]["text"] for b in buttons(message)]


def sections(message: dict) -> list[dict]:
    """A profile's blocks after its summary (the summary of a typed lookup also says how the name matched)."""
    return message["blocks"][:1] + message["blocks"][2:]


def quotes_shown(message: dict) -> list[str]:
    return [line for line in words(message).splitlines() if line.startswith("> “")]


def press_value(bot, slack, value: str, name: str) -> dict:  # noqa: F811
    """Press a button carrying `value`, as a forger would send it."""
    forged = {"type": "button", "action_id": "newsbot.more.0", "text": {"type": "plain_text", "text": "More"},
              "value": value}
    status, _, _ = post_signed(f"{bot}/slack/events", action_body(forged, slack.response_url(name)), SECRET)
    assert status == 200
    return answer(slack, name)


def test_more_then_previous_pages_the_articles_and_keeps_quotes_and_related(bot, slack):
    first = ask(bot, slack, "/lookup", "Iraq")
    assert "*Articles 1–5 of 6*" in words(first)
    quotes, related = quotes_shown(first), [t for t in words(first).splitlines() if t.startswith("*Related")]
    assert quotes and related
    second = press(bot, slack, first, "More articles", "more")
    assert second["replace_original"] is True
    assert "*Articles 6–6 of 6*" in words(second)
    assert quotes_shown(second) == quotes  # the quotes and related actors stay where they were
    assert [t for t in words(second).splitlines() if t.startswith("*Related")] == related
    assert "Previous articles" in labels(second) and "More articles" not in labels(second)
    back = press(bot, slack, second, "Previous articles", "previous")
    assert sections(back) == sections(first)  # the first view again, buttons and all


def test_quotes_page_on_their_own_and_come_back(bot, slack):
    first = ask(bot, slack, "/lookup", "Iraq")
    assert "*Quotes about Iraq 1–3 of" in words(first)
    second = press(bot, slack, first, "More quotes about", "more")
    assert "*Quotes about Iraq 4–6 of" in words(second) and "*Articles 1–5 of 6*" in words(second)
    assert not set(quotes_shown(second)) & set(quotes_shown(first))
    third = press(bot, slack, second, "More articles", "articles")  # one section paged, the other kept
    assert "*Articles 6–6 of 6*" in words(third) and quotes_shown(third) == quotes_shown(second)
    assert press(bot, slack, third, "Previous quotes about", "back")["blocks"][0] == first["blocks"][0]


def test_related_actors_page_too(bot, slack):
    first = ask(bot, slack, "/lookup", "Kataeb Hezbollah")
    assert "*Related 1–10 of" in words(first)
    second = press(bot, slack, first, "More related", "more")
    assert "*Related 11–" in words(second) and quotes_shown(second) == quotes_shown(first)
    assert sections(press(bot, slack, second, "Previous related", "back")) == sections(first)


def test_share_after_more_posts_the_first_view_not_the_page(bot, slack):
    first = ask(bot, slack, "/lookup", "Iran")
    paged = press(bot, slack, press(bot, slack, first, "More articles", "more"), "More quotes about", "more2")
    assert "*Articles 6–6 of 6*" in words(paged)
    shared = press(bot, slack, paged, "Share in channel", "share")
    assert shared["response_type"] == "in_channel" and shared["replace_original"] is False
    text = words(shared)
    assert "*Articles 1–5 of 6*" in text and "6–6 of 6" not in text
    assert "*Quotes about Iran 1–3 of" in text and quotes_shown(shared) == quotes_shown(first)
    assert "Shared by <@U0REPORTER>" in text


def test_quote_search_pages_back_and_shares_its_first_page(bot, slack):
    first = ask(bot, slack, "/quote", "Iraq")
    assert "1–5 of" in words(first) and "Previous quotes" not in labels(first)
    second = press(bot, slack, first, "More quotes", "more")
    assert "6–" in words(second) and "Previous quotes" in labels(second)
    assert press(bot, slack, second, "Previous quotes", "back")["blocks"] == first["blocks"]
    shared = press(bot, slack, second, "Share in channel", "share")
    assert quotes_shown(shared) == quotes_shown(first) and "1–5 of" in words(shared)


def test_a_forged_value_is_refused_and_logged_and_an_unsigned_page_still_opens(bot, slack, caplog):
    more = next(b for b in buttons(ask(bot, slack, "/lookup", "Iraq")) if b["text"]["text"] == "More articles")
    signature, _, value = more["value"].partition(":")
    assert json.loads(value)["v"] == "profile" and len(signature) == 32
    edited = json.loads(value) | {"ao": 1000}
    follow = FollowChoice("Iraq").encode()
    with caplog.at_level(logging.WARNING, logger="bot.slack"):
        for name, forged in (("edited", f"{signature}:{json.dumps(edited, separators=(',', ':'))}"),
                             ("garbage", "0" * 32 + ":{not json"),
                             ("unsigned-follow", follow)):  # a choice is read only with its signature
            reply = press_value(bot, slack, forged, name)
            assert "could not be verified" in words(reply) and "Ask again with /lookup or /quote" in words(reply)
        # a page anyone could ask for, posted before values were signed (or by a digest), still opens
        assert "Articles 6–6 of 6" in words(press_value(bot, slack, value, "unsigned-page"))
    assert caplog.text.count("button value refused") == 3


def test_a_signed_value_for_an_actor_or_quote_no_longer_indexed_says_so(bot, slack, answers):
    key = answers.button_key()
    gone = press_value(bot, slack, sign(ProfilePage(10 ** 9).encode(), key), "actor")
    assert "That actor is not in the index" in words(gone) and "Ask again with /lookup" in words(gone)
    gone = press_value(bot, slack, sign(QuoteCardPage(10 ** 9).encode(), key), "quote")
    assert f"Quote {10 ** 9} is not in the index" in words(gone)


def test_every_button_value_stays_within_slack_limits(bot, slack):
    reply = ask(bot, slack, "/quote", "by " + "Abu Ali al-Askari " * 40 + "brigades " * 40)
    assert all(len(b["value"]) <= 2000 for b in buttons(reply))
    # slack.problems (checked by the fixture) holds any value over Slack's 2,000 characters


def test_a_quote_card_from_a_profile_with_its_citation(bot, slack):
    profile = ask(bot, slack, "/lookup", "Kataeb Hezbollah")
    card = press(bot, slack, profile, "Quote card", "card")
    assert card["response_type"] == "ephemeral" and card["replace_original"] is False  # the profile stays
    text = words(card)
    assert card["blocks"][0]["text"]["text"] == "Quote card"
    assert "> “We will respond to every aggression against our brigades”" in text
    assert "*In context*\n> \"We will respond to every aggression against our brigades,\" Abu Ali al-Askari" in text
    # the headline is corpus text: escaped, so it cannot ping the channel
    assert "&lt;!channel&gt; Kataeb Hezbollah warns &lt;@U0BOSS&gt; &amp; allies" in text and "<!channel>" not in text
    assert "• <https://wire.example/story?id=7&amp;lang=en|Desk Wire, 2 Mar 2021> _(first)_" in text
    citation = ("“We will respond to every aggression against our brigades,” Abu Ali al-Askari, the security "
                "official of Kataeb Hezbollah, said, Desk Wire, 2 March 2021")
    assert f"*Cite*\n{citation}" in text
    copied = press(bot, slack, card, "Copy citation", "cite")
    assert copied["response_type"] == "ephemeral" and copied["replace_original"] is False
    assert copied["text"] == citation and labels(copied) == []
    shared = press(bot, slack, card, "Share in channel", "share")
    assert shared["response_type"] == "in_channel" and "*Cite*\n" + citation in words(shared)


def test_a_quote_card_from_a_quote_search(bot, slack):
    card = press(bot, slack, ask(bot, slack, "/quote", "respond to every aggression"), "Quote card", "card")
    assert "Abu Ali al-Askari" in words(card) and "Copy citation" in labels(card)


def test_quote_card_typed_as_a_command(bot, slack, answers):
    hit = answers.engines.quote_search.search("respond to every aggression").results[0]
    assert ask(bot, slack, "/quote", f"card {hit.id}")["blocks"][0]["text"]["text"] == "Quote card"


def test_a_more_quotes_button_from_an_older_profile_opens_the_profile_at_that_page(bot, slack, answers):
    profile = ask(bot, slack, "/lookup", "Kataeb Hezbollah")
    actor_id = json.loads(next(b for b in buttons(profile) if b["text"]["text"] == "Share in channel")
                          ["value"].partition(":")[2])["id"]
    older = sign(json.dumps({"v": "actor_quotes", "id": actor_id, "side": "about", "o": 3}, separators=(",", ":")),
                 answers.button_key())
    page = press_value(bot, slack, older, "older")
    assert page["blocks"][0]["text"]["text"] == "Kataeb Hezbollah"
    assert "*Quotes about Kataeb Hezbollah 4–5 of 5*" in words(page) and "Previous quotes about" in labels(page)
