"""`/digest …` as a journalist types it in Slack: signed slash commands to the real bolt app over
loopback HTTP, answered through the response_url, with Slack's Web API faked."""
from __future__ import annotations

import io
import itertools
import json
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert

from bot.digest import subscriptions as subs_db
from bot.nlp.names import actor_key
from bot.slack.answers import Answers
from bot.slack.buttons import sign
from bot.slack.app import build_app
from bot.slack.console import Console
from bot.slack.server import make_http_server
from bot.store.schema import aliases
from tests.digest_support import actor, story
from tests.fakeslack import FakeSlack, action_body, buttons, command_body, post_signed

SECRET = "s3cret"
CHANNEL = "C0NEWSDESK"
_responses = itertools.count(1)


@pytest.fixture
def bot(store, config_dir, monkeypatch):
    """The bolt app served on loopback, talking to a fake Slack; `bot.digest(text)` runs `/digest text`."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SKIP_SLACK_SDK_WARNING", "1")
    with FakeSlack() as slack:
        slack.add_user("U0REPORTER", tz="Asia/Beirut")
        answers = Answers(store)
        app = build_app(answers, token="xoxb-test", signing_secret=SECRET, api_url=slack.api_url)
        server = make_http_server(app, answers, SECRET, host="127.0.0.1", port=0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"

        class Bot:
            fake = slack
            button_key = staticmethod(answers.button_key)

            @staticmethod
            def digest(text: str, channel: str = CHANNEL) -> dict:
                name = f"r{next(_responses)}"
                status, _, _ = post_signed(url, command_body("/digest", text, slack.response_url(name),
                                                             channel_id=channel), SECRET)
                assert status == 200
                return slack.wait_for(f"/respond/{name}")[0].body

            @staticmethod
            def press(button: dict, channel: str = CHANNEL) -> dict:
                name = f"r{next(_responses)}"
                status, _, _ = post_signed(url, action_body(button, slack.response_url(name), channel_id=channel),
                                           SECRET)
                assert status == 200
                return slack.wait_for(f"/respond/{name}")[0].body

        yield Bot
        server.shutdown()
        server.server_close()
        assert slack.problems == []


def said(message: dict) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False) + message["text"]


def test_subscribe_uses_the_subscribers_time_zone_and_announces_it_in_the_channel(bot, store):
    answer = bot.digest("subscribe")
    assert "Subscribed: this channel gets the digest at 08:00 (Asia/Beirut), weekdays" in said(answer)
    sub = subs_db.get(store, CHANNEL)
    assert (sub.time, sub.timezone, sub.days, sub.created_by, sub.origin) == \
        ("08:00", "Asia/Beirut", (0, 1, 2, 3, 4), "U0REPORTER", "slack")
    (announcement,) = [r.body for r in bot.fake.calls("/api/chat.postMessage")]
    assert announcement["channel"] == CHANNEL and "<@U0REPORTER> set up this channel's daily digest" in announcement["text"]

    answer = bot.digest("subscribe 7:30 Europe/London daily")
    assert "Updated: this channel gets the digest at 07:30 (Europe/London), daily" in said(answer)
    assert subs_db.get(store, CHANNEL).days == tuple(range(7))


@pytest.mark.parametrize("text, expected", [
    ("subscribe 08:00 Europe/Londn", "“Europe/Londn” is not a time zone I know: use an IANA name such as "
                                     "Europe/London or Asia/Beirut (did you mean Europe/London?)"),
    ("subscribe 25:00", "“25:00” is not a time: use 24-hour HH:MM"),
    ("subscribe tomorrow", "I did not understand `tomorrow`"),
])
def test_bad_time_zone_or_time_gets_a_clear_reply_and_saves_nothing(bot, store, text, expected):
    assert expected in said(bot.digest(text))
    assert subs_db.get(store, CHANNEL) is None


def test_a_channel_the_bot_cannot_see_gets_a_clear_reply(bot, store):
    bot.fake.fail("conversations.info", "channel_not_found", channel="C0PRIVATE1")
    answer = bot.digest("subscribe 08:00", channel="C0PRIVATE1")
    assert "I cannot see this channel. Invite me with `/invite @newsbot`" in said(answer)
    assert subs_db.get(store, "C0PRIVATE1") is None


def test_status_pause_resume_and_unsubscribe(bot, store):
    assert "This channel has no digest" in said(bot.digest("status"))
    bot.digest("subscribe 06:45 UTC")
    status = said(bot.digest("status"))
    assert "*Digest:* at 06:45 (UTC), weekdays" in status and "*Following:* nobody yet" in status
    assert "Paused: no digests" in said(bot.digest("pause"))
    assert subs_db.get(store, CHANNEL).paused
    assert "*Paused* (by <@U0REPORTER>)" in said(bot.digest("status"))
    assert "Resumed: next digest" in said(bot.digest("resume"))
    assert not subs_db.get(store, CHANNEL).paused
    assert "Unsubscribed" in said(bot.digest("unsubscribe"))
    assert subs_db.get(store, CHANNEL) is None


def test_follow_an_exact_name_at_once_and_a_misspelt_one_only_after_a_button(bot, store):
    actor(store, "Kataeb Hezbollah", "organization")
    actor(store, "Hassan Nasrallah", "person")
    with store.begin() as conn:
        conn.execute(insert(aliases).values(actor_id=actor(store, "Kataeb Hezbollah"), alias="Kataeb Hezbollah",
                                            key=actor_key("Kataeb Hezbollah"), origin="config"))
        conn.execute(insert(aliases).values(actor_id=actor(store, "Hassan Nasrallah"), alias="Hassan Nasrallah",
                                            key=actor_key("Hassan Nasrallah"), origin="config"))
    assert "no digest yet: `/digest subscribe` first" in said(bot.digest("follow Kataeb Hezbollah"))
    bot.digest("subscribe")

    assert "Following *Kataeb Hezbollah*" in said(bot.digest("follow kataeb hezbollah"))
    assert subs_db.get(store, CHANNEL).follow == ["Kataeb Hezbollah"]

    answer = bot.digest("follow Hasan Nasralla")
    assert subs_db.get(store, CHANNEL).follow == ["Kataeb Hezbollah"]  # never guessed
    choice = next(b for b in buttons(answer) if b["text"]["text"] == "Follow Hassan Nasrallah")
    assert "Following *Hassan Nasrallah*" in said(bot.press(choice))
    assert subs_db.get(store, CHANNEL).follow == ["Kataeb Hezbollah", "Hassan Nasrallah"]

    unknown = bot.digest("follow Zzyzx Qqqq")
    assert "No actor named *Zzyzx Qqqq* in the index yet" in said(unknown)
    assert subs_db.get(store, CHANNEL).follow == ["Kataeb Hezbollah", "Hassan Nasrallah"]

    assert "Unfollowed *kataeb hezbollah*" in said(bot.digest("unfollow kataeb hezbollah"))
    assert "does not follow “Nobody”" in said(bot.digest("unfollow Nobody"))
    assert subs_db.get(store, CHANNEL).follow == ["Hassan Nasrallah"]


def test_a_follow_button_changes_the_channel_it_is_pressed_in_whatever_its_value_names(bot, store):
    actor(store, "Hassan Nasrallah", "person")
    other = "C0OTHERDESK"
    bot.digest("subscribe")
    bot.digest("subscribe", channel=other)
    offered = bot.digest("follow Hasan Nasralla")
    button = next(b for b in buttons(offered) if b["text"]["text"] == "Follow Hassan Nasrallah")
    assert other not in button["value"] and CHANNEL not in button["value"]
    named = json.dumps({"v": "digest_follow", "c": other, "n": "Hassan Nasrallah"})
    assert "could not be verified" in said(bot.press({**button, "value": named}))  # made up: not read at all
    assert subs_db.get(store, CHANNEL).follow == [] and subs_db.get(store, other).follow == []
    forged = {**button, "value": sign(named, bot.button_key())}  # even signed, a value names no channel
    assert "Following *Hassan Nasrallah*" in said(bot.press(forged))
    assert subs_db.get(store, other).follow == []
    assert subs_db.get(store, CHANNEL).follow == ["Hassan Nasrallah"]
    assert "no digest yet" in said(bot.press(forged, channel="C0NODIGEST"))
    assert subs_db.get(store, other).follow == []


def test_yaml_managed_channels_say_where_to_change_them(bot, store):
    subs_db.save(store, subs_db.Subscription(channel=CHANNEL, origin="yaml"))
    for text in ("subscribe 09:00", "unsubscribe", "follow Kataeb Hezbollah", "set places off"):
        assert "set in `config/digests.yaml`" in said(bot.digest(text))
    assert "Paused" in said(bot.digest("pause"))


def test_preview_and_usage(bot, store):
    preview = said(bot.digest("preview"))
    assert "Nothing new since" in preview and "Preview: only you can see this." in preview
    assert "`/digest subscribe [HH:MM] [Area/City] [weekdays|daily]`" in said(bot.digest("frobnicate"))


def curated(store, name: str, kind: str) -> int:
    """An actor from config/actors.yaml: its name is an alias the lookup engine matches exactly."""
    actor_id = actor(store, name, kind)
    with store.begin() as conn:
        conn.execute(insert(aliases).values(actor_id=actor_id, alias=name, key=actor_key(name), origin="config"))
    return actor_id


def test_console_subscribes_follows_and_previews_the_followed_actors_section(store, config_dir):
    curated(store, "Kataeb Hezbollah", "organization")
    story(store, "Ceasefire talks resume in Cairo", datetime.now(timezone.utc) - timedelta(hours=1), source="Reuters",
          copies=("AP", "AFP"))
    story(store, "Militia warns the border posts", datetime.now(timezone.utc) - timedelta(minutes=30),
          mentions_of=("Kataeb Hezbollah",))
    output = io.StringIO()
    console = Console(Answers(store), stdin=io.StringIO(), stdout=output, color=False)
    for line in ("/digest subscribe 08:00", "/digest follow Kataeb Hezbollah", "/digest status", "/digest preview"):
        console.handle(line)
    shown = " ".join(output.getvalue().split())
    assert "Subscribed: this channel gets the digest at 08:00" in shown
    assert "Following Kataeb Hezbollah" in shown and "Following: Kataeb Hezbollah" in shown
    assert "Following: Kataeb Hezbollah: 1 new mention, 0 quotes" in shown  # the preview's followed section
    assert shown.index("Militia warns the border posts") < shown.index("Ceasefire talks resume in Cairo")
    sub = subs_db.get(store, "CCONSOLE")
    assert sub.follow == ["Kataeb Hezbollah"]
    number = next(i for i, c in enumerate(console.choices, 1) if c.label == "Profile of Kataeb Hezbollah")
    console.handle(str(number))  # pressing the name opens its profile
    profile = output.getvalue().rsplit("Kataeb Hezbollah\n═", 1)[1]
    assert "Militia warns the border posts" in profile and "Ceasefire talks" not in profile


def test_set_turns_a_section_off_and_on(bot, store):
    curated(store, "Hassan Nasrallah", "person")
    actor(store, "Beirut", "place")
    story(store, "Speech in Beirut", datetime.now(timezone.utc) - timedelta(hours=1),
          mentions_of=("Hassan Nasrallah", "Beirut"))
    assert "no digest yet" in said(bot.digest("set places off"))
    bot.digest("subscribe")
    assert "*Places in the news*" in said(bot.digest("preview"))

    assert "*Places* is now off" in said(bot.digest("set places off"))
    assert "*In the news* is now off" in said(bot.digest("set In-the-News off"))
    assert subs_db.get(store, CHANNEL).sections_off == ["places", "in the news"]
    preview = said(bot.digest("preview"))
    assert "Places in the news" not in preview and "*In the news*" not in preview and "Speech in Beirut" in preview
    assert "*Sections off:* places, in the news" in said(bot.digest("status"))

    assert "*Places* is now on" in said(bot.digest("set places on"))
    assert subs_db.get(store, CHANNEL).sections_off == ["in the news"]
    assert "is not a digest section: use one of stories, in the news, places, quotes, followed" in \
        said(bot.digest("set weather off"))
    assert "Usage: `/digest set &lt;section&gt; on|off`" in said(bot.digest("set places maybe"))
    assert subs_db.get(store, CHANNEL).sections_off == ["in the news"]


def test_a_name_in_the_digest_opens_its_profile_when_pressed(bot, store):
    curated(store, "Hassan Nasrallah", "person")
    story(store, "Speech in the south", datetime.now(timezone.utc) - timedelta(hours=1),
          mentions_of=("Hassan Nasrallah",),
          quotes_by=(("We will answer every attack on our villages", "Hassan Nasrallah", False),))
    preview = bot.digest("preview")
    name = next(b for b in buttons(preview) if b["text"]["text"] == "Hassan Nasrallah")
    profile = said(bot.press(name))
    assert "Speech in the south" in profile and "Hassan Nasrallah" in profile.split("Speech in the south")[0]
    quote = next(b for b in buttons(preview) if b["text"]["text"] == "More quotes of Hassan Nasrallah")
    assert "We will answer every attack on our villages" in said(bot.press(quote))


def test_preview_after_a_digest_shows_only_what_came_in_since(bot, store):
    from bot.digest import ledger

    now = datetime.now(timezone.utc)
    due = now + timedelta(hours=2)
    bot.digest(f"subscribe {due:%H:%M} UTC daily")
    story(store, "In the last digest", now - timedelta(minutes=45))
    story(store, "Came in after it", now - timedelta(minutes=10))
    last = (now - timedelta(days=1)).date()  # the last digest went out half an hour ago
    ledger.claim(store, CHANNEL, last, (now - timedelta(hours=25), now - timedelta(minutes=30)), now=now)
    ledger.complete(store, CHANNEL, last, "1.2")
    preview = said(bot.digest("preview"))
    assert "Came in after it" in preview and "In the last digest" not in preview
    assert f"Preview of the digest due {due:%a %-d %b %H:%M}" in preview


@pytest.mark.parametrize("minutes", [1, -1], ids=["due-in-a-minute", "due-a-minute-ago"])
def test_a_channel_that_subscribes_now_has_missed_no_digest(bot, store, caplog, minutes):
    """Subscribing at 07:59 for 08:00 is not a digest missed 24 h ago; at 08:01, not one missed a minute ago."""
    import logging

    from slack_sdk import WebClient

    from bot.config import Settings
    from bot.digest.scheduler import DigestScheduler

    now = datetime.now(timezone.utc)
    slot = (now + timedelta(minutes=minutes)).strftime("%H:%M")
    assert "Subscribed" in said(bot.digest(f"subscribe {slot} UTC daily"))
    digests = DigestScheduler(store, Settings(), WebClient(token="xoxb-test", base_url=bot.fake.api_url),
                              clock=lambda: now)
    with caplog.at_level(logging.INFO, logger="bot.digest"):
        assert digests.catch_up() == []
    assert "missed" not in caplog.text and "grace" not in caplog.text
    assert [p.body["text"] for p in bot.fake.calls("/api/chat.postMessage") if "Daily digest" in p.body["text"]] == []
