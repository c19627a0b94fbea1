"""config/digests.yaml: the shape the issue gives, read with one clear error per mistake."""
from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings
from bot.digest import subscriptions as subs_db
from bot.digest.subscriptions import load_yaml, yaml_path


def write(config_dir, text: str):
    (config_dir / "digests.yaml").write_text(text)
    return load_settings()


def test_the_shipped_file_subscribes_nobody(config_dir):
    assert load_yaml(yaml_path(load_settings()), load_settings()) == []


def test_the_issue_shape_with_defaults_and_an_unquoted_time(config_dir):
    settings = write(config_dir, """
subscriptions:
  - channel: C0123456
    time: 7:30
    timezone: Asia/Beirut
    days: [mon, wed, fri]
    follow: [Kataeb Hezbollah]
    post_when_quiet: true
    filters: {sources: [Reuters], kinds: [person]}
  - channel: C0654321
""")
    first, second = load_yaml(yaml_path(settings), settings)
    assert (first.time, first.timezone, first.days, first.follow, first.post_when_quiet) == \
        ("07:30", "Asia/Beirut", (0, 2, 4), ["Kataeb Hezbollah"], True)
    assert (first.sources, first.kinds) == (["Reuters"], ["person"])
    assert (second.time, second.timezone, second.days) == ("08:00", "Europe/London", (0, 1, 2, 3, 4))


@pytest.mark.parametrize("entry, message", [
    ("channel: '#newsdesk'", "subscriptions[1]: key 'channel' “#newsdesk” is not a Slack channel ID"),
    ("channel: C0123456\n    timezone: Europe/Londn", "“Europe/Londn” is not a time zone I know"),
    ("channel: C0123456\n    time: '8 am'", "“8 am” is not a time: use 24-hour HH:MM"),
    ("channel: C0123456\n    days: weekends", "“weekends” is not a day"),
    ("channel: C0123456\n    tz: UTC", "subscriptions[1]: unknown key 'tz'"),
    ("channel: C0123456\n    filters: {kinds: [militia]}", "unknown actor kind 'militia'"),
    ("time: '08:00'", "key 'channel' is required"),
    ("channel: C0123456\n    sections: {weather: off}", "sections: “weather” is not a digest section: use one of"),
    ("channel: C0123456\n    sections: {places: maybe}", "sections: places is 'maybe': use on or off"),
])
def test_mistakes_name_the_file_the_entry_and_what_is_expected(config_dir, entry, message):
    settings = write(config_dir, f"subscriptions:\n  - {entry}\n")
    with pytest.raises(ConfigError) as error:
        load_yaml(yaml_path(settings), settings)
    assert str(error.value).startswith(str(config_dir / "digests.yaml")) and message in str(error.value)


def test_sections_turned_off_in_the_file_reach_the_digest_and_survive_the_database(config_dir, store):
    settings = write(config_dir, """
subscriptions:
  - channel: C0123456
    sections: {places: off, in-the-news: on, Quotes: off}
""")
    (sub,) = subs_db.load_and_sync(store, settings)
    assert sub.sections_off == ["places", "quotes"]
    assert sub.filters.sections_off == ("places", "quotes")


def test_a_channel_listed_twice_is_an_error(config_dir):
    settings = write(config_dir, "subscriptions:\n  - channel: C0123456\n  - channel: C0123456\n")
    with pytest.raises(ConfigError, match="listed twice"):
        load_yaml(yaml_path(settings), settings)


def test_reloading_keeps_a_pause_and_drops_removed_channels_but_not_slack_ones(config_dir, store):
    settings = write(config_dir, "subscriptions:\n  - channel: C0YAML001\n  - channel: C0YAML002\n")
    subs_db.save(store, subs_db.Subscription(channel="C0SLACK01", created_by="U1"))
    subs_db.load_and_sync(store, settings)
    subs_db.set_paused(store, "C0YAML001", True, "not_in_channel")
    settings = write(config_dir, "subscriptions:\n  - channel: C0YAML001\n    time: '09:00'\n")
    subs = {s.channel: s for s in subs_db.load_and_sync(store, settings)}
    assert sorted(subs) == ["C0SLACK01", "C0YAML001"]
    assert subs["C0YAML001"].paused and subs["C0YAML001"].time == "09:00"


@pytest.mark.parametrize("value", [0, -5])
def test_a_lease_that_never_lasts_is_refused_with_the_file_and_key(config_dir, value):
    settings_path = config_dir / "settings.yaml"
    settings_path.write_text(settings_path.read_text().replace("lease_minutes: 5", f"lease_minutes: {value}"))
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value) == (f"{settings_path}: digest: key 'lease_minutes' expected a number of minutes above 0 "
                                f"and up to 1440 (how long a digest's claim outlives its instance), got {value}")
