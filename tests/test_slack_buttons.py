"""Button values: what a posted button carries decodes to the page it opens, and encodes back byte for byte."""
from __future__ import annotations

import pytest

from bot.slack.buttons import (
    ActorQuotesPage, EditHistory, FollowChoice, NotActorChoice, ProfilePage, QuoteCardPage, QuotesPage, UndoEdit,
    decode, sign, sign_buttons, verified,
)


@pytest.mark.parametrize("value, view", [
    ('{"v":"profile","id":7,"ao":0}', ProfilePage(7, 0)),
    ('{"v":"profile","id":7,"ao":5}', ProfilePage(7, 5)),
    ('{"v":"profile","id":7,"ao":5,"qb":3,"ro":10}', ProfilePage(7, 5, by_offset=3, related_offset=10)),
    ('{"v":"profile","id":7,"ao":0,"qa":6}', ProfilePage(7, about_offset=6)),
    ('{"v":"card","id":12}', QuoteCardPage(12)),
    ('{"v":"card","id":12,"c":1}', QuoteCardPage(12, citation=True)),
    ('{"v":"quotes","q":"leave","by":null,"o":2}', QuotesPage("leave", None, 2)),
    ('{"v":"quotes","q":"","by":"Abu Ali al-Askari","o":0}', QuotesPage("", "Abu Ali al-Askari", 0)),
    ('{"v":"actor_quotes","id":7,"side":"by","o":3}', ActorQuotesPage(7, "by", 3)),
    ('{"v":"actor_quotes","id":7,"side":"about","o":3}', ActorQuotesPage(7, "about", 3)),
    ('{"v":"digest_follow","n":"Hassan Nasrallah"}', FollowChoice("Hassan Nasrallah")),
    ('{"v":"digest_follow","n":"حزب الله"}', FollowChoice("حزب الله")),
    ('{"v":"edit_history","id":7}', EditHistory(7)),
    ('{"v":"not_actor","id":7}', NotActorChoice(7)),
    ('{"v":"undo_edit","e":12}', UndoEdit(12)),
])
def test_a_posted_button_opens_the_same_page_and_encodes_to_the_same_bytes(value, view):
    assert decode(value) == view
    assert view.encode() == value


@pytest.mark.parametrize("value, view", [
    ('{"v":"profile","id":"7","ao":-4}', ProfilePage(7, 0)),
    ('{"v":"profile","id":7}', ProfilePage(7, 0)),
    ('{"v":"quotes","q":"war","by":"","o":-1}', QuotesPage("war", None, 0)),
    ('{"v":"actor_quotes","id":7,"side":"sideways"}', ActorQuotesPage(7, "about", 0)),
    ('{"v":"digest_follow","c":"C0OTHER","n":"  Iran "}', FollowChoice("Iran")),
])
def test_forged_values_are_clamped_to_what_a_button_could_carry(value, view):
    assert decode(value) == view


@pytest.mark.parametrize("value", ["", "garbage", "[1]", '{"v":"nope"}', '{"v":["profile"]}', '{"id":7}'])
def test_a_value_that_is_none_of_ours_decodes_to_nothing(value):
    assert decode(value) is None


@pytest.mark.parametrize("value", ['{"v":"profile","id":"x"}', '{"v":"profile"}', '{"v":"quotes","o":"x"}',
                                   '{"v":"undo_edit","e":"x"}', '{"v":"not_actor"}'])
def test_a_known_kind_with_unreadable_fields_is_refused(value):
    with pytest.raises((ValueError, TypeError, KeyError)):
        decode(value)


KEY = b"k" * 64


def test_a_signed_value_reads_back_and_any_change_to_it_is_refused():
    value = ProfilePage(7, 5).encode()
    signed = sign(value, KEY)
    assert verified(signed, KEY) == value
    assert verified(signed.replace('"ao":5', '"ao":6'), KEY) is None  # the value edited
    assert verified(signed, b"another instance's key") is None
    assert verified(value, KEY) is None  # unsigned, as values were before signing
    assert verified("", KEY) is None and verified(":" + value, KEY) is None


def test_signing_a_message_signs_every_button_of_ours_and_only_asks_for_the_key_when_needed():
    asked = []

    def key():
        asked.append(1)
        return KEY
    sign_buttons([{"type": "section", "text": {"type": "mrkdwn", "text": "no buttons"}}], key)
    assert asked == []
    blocks = [{"type": "section", "accessory": {"type": "button", "action_id": "newsbot.card.0", "value": "a"}},
              {"type": "actions", "elements": [{"type": "button", "action_id": "newsbot.more.1", "value": "b"},
                                               {"type": "button", "action_id": "other.app", "value": "c"}]}]
    sign_buttons(blocks, key)
    assert verified(blocks[0]["accessory"]["value"], KEY) == "a"
    assert verified(blocks[1]["elements"][0]["value"], KEY) == "b" and blocks[1]["elements"][1]["value"] == "c"
