"""Button values: what a posted button carries decodes to the page it opens, and encodes back byte for byte."""
from __future__ import annotations

import pytest

from bot.slack.buttons import (
    ActorQuotesPage, EditHistory, FollowChoice, NotActorChoice, ProfilePage, QuotesPage, UndoEdit, decode,
)


@pytest.mark.parametrize("value, view", [
    ('{"v":"profile","id":7,"ao":0}', ProfilePage(7, 0)),
    ('{"v":"profile","id":7,"ao":5}', ProfilePage(7, 5)),
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
