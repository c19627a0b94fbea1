"""Name normalisation shared by extraction, the store and lookup.

Four levels, each a function of the text alone (no actor knowledge here; that lives in
config/actors.yaml):

- `fold` / `actor_key`: accents, case, apostrophes, hyphens. The cheap identity key the
  indexer stores actors and aliases under.
- `analyse_name(...).key`: `fold` plus the generic shape of a name: leading titles and
  honorifics (`Supreme Leader`, `Ayatollah`, `Maj. Gen.`) and the Arabic article (`al-`,
  `el-`, `ash-Sham`) dropped, `Abd al-`/`Abdul`/`Abdel` and `bin`/`ibn` unified.
- `.variant`: the key folded across romanisations of Arabic and Persian (q/k/gh, kh,
  dh/z, ou/o/u, ei/ai/ey/y, e/i, doubled letters, final -h), so `Kata'ib Hizballah`,
  `Kataeb Hezbollah` and `kataib hizbulah` land close together.
- `.skeleton`: the variant's consonants only, spaces removed: the key Arabic and Persian
  script (transliterated letter by letter) shares with the Latin spellings.

See ../shared/docs/name-matching.md, section 5, for where each rule comes from.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.corpus.vocabulary import NAME_KEY_TITLES
from bot.nlp.lexicon import LEGAL_FORMS

_APOSTROPHES = re.compile(r"[\u0027\u2018\u2019\u02bc\u02bf\u02be\u0060\u00b4\u02b9\u02bb]")
_NON_WORD = re.compile(r"[^\w]+")
# Invisible joiners and the Arabic tatweel carry no letters; Persian yeh/kaf are Arabic ones.
_SCRIPT_FOLD = str.maketrans({"\u200c": None, "\u200d": None, "\u0640": None, "\u06cc": "\u064a",
                              "\u06a9": "\u0643", "\u06c0": "\u0647"})


def fold(text: str) -> str:
    """Strip accents and case; delete apostrophes; hyphens and punctuation become spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_SCRIPT_FOLD)
    text = _APOSTROPHES.sub("", text.casefold())
    return " ".join(_NON_WORD.sub(" ", text).split())


def actor_key(name: str) -> str:
    """The key an actor is stored under: two names with the same key are one actor."""
    return fold(name)[:200]


# What ends a company's name as its legal form (Texaco Inc, Chrysler Corp, Fiat SpA): the body without it.
_LEGAL_ENDINGS = LEGAL_FORMS | {"co", "corporation", "incorporated", "sa", "ag", "nv", "spa"}
# What ends a person's name after the surname (Martin Luther King Jr).
_GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv"})


# A short form several actors go by is shared when the second most mentioned has at least this share of the
# first's mentions (and more than one): below it, one actor is what the corpus means by it.
SHARED_SHORT_FORM = 0.1


def short_form(key: str, kind: str) -> str | None:
    """The key of the shorter name an actor is also called by alone, which other actors may share:
    an organisation's name without its legal form (`texaco inc` -> texaco), a person's surname
    (`ronald reagan` -> reagan). None for one word, or a place."""
    words = key.split()
    if len(words) < 2 or kind == "place":
        return None
    bare = words
    while len(bare) > 1 and (bare[-1] in _LEGAL_ENDINGS or bare[-1] == "and" and len(bare) < len(words)):
        bare = bare[:-1]  # (Merrill Lynch and Co Inc -> merrill lynch)
    if len(bare) < len(words):
        return " ".join(bare)
    if kind != "person":
        return None
    if words[-1] in _GENERATIONS and len(words) > 2:
        words = words[:-1]
    return words[-1] if len(words[-1]) > 2 else None


# -- Arabic and Persian script -------------------------------------------------

_ARABIC_LETTERS = {
    "\u0627": "a", "\u0628": "b", "\u067e": "p", "\u062a": "t", "\u062b": "th", "\u062c": "j",
    "\u0686": "ch", "\u062d": "h", "\u062e": "kh", "\u062f": "d", "\u0630": "dh", "\u0631": "r",
    "\u0632": "z", "\u0698": "zh", "\u0633": "s", "\u0634": "sh", "\u0635": "s", "\u0636": "dh",
    "\u0637": "t", "\u0638": "z", "\u0639": "", "\u063a": "gh", "\u0641": "f", "\u0642": "q",
    "\u0643": "k", "\u06af": "g", "\u0644": "l", "\u0645": "m", "\u0646": "n", "\u0647": "h",
    "\u0629": "a", "\u0649": "a", "\u0621": "", "\u0648": "u", "\u064a": "i",
}
_ARABIC_RANGE = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_ALLAH = "\u0627\u0644\u0644\u0647"
_ARABIC_ARTICLE = "\u0627\u0644"


def has_arabic_script(text: str) -> bool:
    return bool(_ARABIC_RANGE.search(text))


def _transliterate_word(word: str) -> str:
    """One folded Arabic/Persian word, letter by letter (no short vowels are written)."""
    if word.startswith(_ARABIC_ARTICLE) and len(word) > 3 and word != _ALLAH:
        word = word[2:]
    out = []
    last = len(word) - 1
    for i, ch in enumerate(word):
        if ch == "\u0648":  # waw: a consonant at the start of a word or after a long a, else the vowel u
            out.append("w" if i == 0 or word[i - 1] == "\u0627" else "u")
        elif ch == "\u064a":
            out.append("y" if i == 0 else "i")
        elif ch == "\u0639" and i == 0:
            out.append("a")
        elif ch == "\u0647" and i == last and i > 0:
            out.append("a")  # final heh is the vowel of ta marbuta / Persian -e
        else:
            out.append(_ARABIC_LETTERS.get(ch, ch if ch.isascii() else ""))
    return "".join(out)


# Persian `-e'i` written heh + (ZWNJ) + alef + yeh (خامنه‌ای) is the Arabic `-ئي` (خامنئي).
_PERSIAN_EI = re.compile(r"\u0647[\u200c ]?\u0627[\u06cc\u064a](?!\w)")


def transliterate(text: str) -> str:
    """Arabic or Persian script to plain Latin letters, enough to share a skeleton with
    the usual romanisations."""
    words = fold(_PERSIAN_EI.sub("\u0626\u064a", text)).split()
    return " ".join(w for w in (_transliterate_word(w) if has_arabic_script(w) else w for w in words) if w)


# -- titles, articles and particles --------------------------------------------

# The titles a name's key drops from its start; a leading `the` drops as one (the Popular Mobilization Forces).
_TITLES = NAME_KEY_TITLES | {("the",)}
_TITLE_WORDS = {t[0] for t in _TITLES}
# The Arabic article as romanised: `al-`/`el-` always; sun-letter forms only before their letter.
_ARTICLES = {"al", "el", "il", "ul", "l"}
_SUN_ARTICLE = re.compile(r"^[aeiu](d|dh|n|r|s|sh|t|th|z|zh)$")
_ABD = ("abdul", "abdel", "abdol", "abdal", "abdoul", "abdil")
_PARTICLES = {"bin": "bin", "ibn": "bin", "ben": "bin", "bn": "bin", "bint": "bint", "binti": "bint",
              "abou": "abu", "abo": "abu"}
# Words of place and saints' names that news writes in full or abbreviated, to the one form both are read as
# (lookup reads Saint Petersburg as St Petersburg; bot.nlp.world's place list holds both forms).
ABBREVIATED_NAME_WORDS = {"saint": "st", "sainte": "st", "sankt": "st", "ste": "st", "mount": "mt", "fort": "ft"}
# Words that carry little identity in a name: they weigh less when scoring.
LIGHT_WORDS = frozenset({"abu", "umm", "bin", "bint", "of", "the", "and", "for", "in", "de", "van", "von", "der",
                         "da", "di", "la", "le", "du", "y"})


def _strip_titles(tokens: list[str]) -> list[str]:
    """Drop leading titles (several may stack: `Iran's Supreme Leader Ayatollah Ali Khamenei`
    keeps only what follows the last one), never the whole name."""
    changed = True
    while changed and tokens and tokens[0] in _TITLE_WORDS:
        changed = False
        for title in sorted((t for t in _TITLES if t[0] == tokens[0]), key=len, reverse=True):
            if tuple(tokens[:len(title)]) == title and len(tokens) > len(title):
                tokens = tokens[len(title):]
                changed = True
                break
    return tokens


def is_title(text: str) -> bool:
    """`Highness`, `His Highness the Amir`: titles and styles of address alone, which name no one."""
    tokens = fold(text).split()
    return bool(tokens) and _strip_titles([*tokens, ""]) == [""]  # (the empty word stands for a name)


def titled(text: str) -> bool:
    """`King Salman`: a name written after a title."""
    tokens = fold(text).split()
    return bool(tokens) and tokens[0] in _TITLE_WORDS and len(_strip_titles(tokens)) < len(tokens)


def fathers_name(token: str, name: NameForm) -> bool:
    """`Salman` in `Mohammed bin Salman`: the word after `bin`/`bint` names the bearer's father. It is
    what the press calls the son by, but a title before it (King Salman) addresses the father."""
    words = name.variants
    token = variant_token(token)
    return any(words[i] == token and words[i - 1] in ("bin", "bint") for i in range(1, len(words))) \
        and words[0] != token


def _strip_articles(tokens: list[str]) -> list[str]:
    out = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if nxt and (tok in _ARTICLES or (_SUN_ARTICLE.match(tok) and nxt.startswith(tok[1:]))):
            continue
        out.append(tok)
    return out or tokens


def _unify_particles(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = _PARTICLES.get(tokens[i], tokens[i])
        if tok == "abd" or tok in _ABD:
            if i + 1 < len(tokens):  # `Abd al-Aziz`, `Abdul Aziz` -> abdaziz
                out.append("abd" + tokens[i + 1])
                i += 2
                continue
        elif len(tok) > 6 and tok.startswith(_ABD):  # `Abdulaziz` -> abdaziz
            tok = "abd" + tok[5:]
        out.append(tok)
        i += 1
    return out


# -- romanisation folding --------------------------------------------------------

# One pass for the digraphs (longest first), a translate for single letters, then doubles and a
# final -h after a vowel (Nusrah = Nusra).
_DIGRAPHS = {"sch": "sk", "kh": "k", "gh": "k", "q": "k", "ck": "k", "c": "k", "dh": "z", "th": "s", "ph": "f",
             "ou": "u", "oo": "u", "ow": "u", "uw": "u", "ei": "i", "ey": "i", "ai": "i", "ay": "i", "ae": "i",
             "ee": "i", "ie": "i"}
_DIGRAPH = re.compile(r"sch|kh|gh|ck|dh|th|ph|ou|oo|ow|uw|ei|ey|ai|ay|ae|ee|ie|q|c(?!h)")
_LETTERS = str.maketrans({"o": "u", "e": "i", "y": "i", "w": "v"})
_FINAL_H = re.compile(r"(?<=[aiu])h$")
_NOT_CONSONANT = re.compile(r"[aeiouyvw]")
_DOUBLED = re.compile(r"(.)\1+")


def written_short(words: list[str]) -> list[str]:
    """A name's folded words with its saint's, mount's or fort's word written short (saint orvan -> st orvan)."""
    return [ABBREVIATED_NAME_WORDS.get(word, word) for word in words]


@lru_cache(maxsize=262144)
def variant_token(token: str) -> str:
    """One token folded across romanisations: Qassem/Kasem/Ghasem -> kasim."""
    token = _DIGRAPH.sub(lambda m: _DIGRAPHS[m.group(0)], token).translate(_LETTERS)
    return _FINAL_H.sub("", _DOUBLED.sub(r"\1", token))


@lru_cache(maxsize=262144)
def skeleton_token(variant: str) -> str:
    """The consonants of a variant token (v/w count as vowels: Arabic waw is both; p is b:
    Arabic has no p, ترامب is Trump)."""
    return _DOUBLED.sub(r"\1", _NOT_CONSONANT.sub("", variant).replace("p", "b"))


@dataclass(frozen=True)
class NameForm:
    """A name prepared for matching (every key computed once: forms are built for each alias)."""

    tokens: tuple[str, ...]  # folded, titles and articles dropped, particles unified
    variants: tuple[str, ...]  # each token folded across romanisations
    script: bool  # the text was written in Arabic/Persian script (tokens are its transliteration)
    key: str = ""  # the tokens joined
    variant: str = ""  # the variants joined
    skeleton: str = ""  # consonants of the variants, spaces removed
    compact: str = ""  # the variants with spaces removed: `Hennis Plasschaert` = `Hennisplasschaert`

    @classmethod
    def of(cls, tokens: list[str], script: bool) -> "NameForm":
        variants = tuple(variant_token(t) for t in tokens)
        return cls(tuple(tokens), variants, script, " ".join(tokens), " ".join(variants),
                   _DOUBLED.sub(r"\1", "".join(skeleton_token(v) for v in variants)), "".join(variants))


def name_forms(tokens: list[list[str]], variants: list[list[str]], script: list[bool],
               skeletons: list[str]) -> list[NameForm]:
    """NameForms from their tokens, variants, script flags and skeletons, as a snapshot stores them (the
    joined fields are derived as `of` derives them). Set as unpickling sets them, without the frozen
    __init__'s per-field calls: a big index has hundreds of thousands."""
    new, forms = object.__new__, []
    append = forms.append
    for words, folded, written_in_script, skeleton in zip(tokens, variants, script, skeletons):
        form = new(NameForm)
        fields = form.__dict__  # item by item, in field order: the instance keeps its compact shared-key dict
        fields["tokens"] = words = tuple(words)
        fields["variants"] = folded = tuple(folded)
        fields["script"] = written_in_script
        fields["key"] = " ".join(words)
        fields["variant"] = " ".join(folded)
        fields["skeleton"] = skeleton
        fields["compact"] = "".join(folded)
        append(form)
    return forms


_BRACKETED = re.compile(r"\s*[(\[][^)\]]*[)\]]")
_POSSESSIVE = re.compile(r"(?<=\w)['\u2019]s\b")
_LEADING_POSSESSIVE = re.compile(r"^\s*[\w-]+['\u2019]s\s+(?=\S)")  # `Iran's Revolutionary Guards`


def _merge_initials(tokens: list[str]) -> list[str]:
    """Runs of single letters are one abbreviation: `I.R.G.C.` -> irgc."""
    out: list[str] = []
    run: list[str] = []
    for tok in [*tokens, ""]:
        if len(tok) == 1:
            run.append(tok)
            continue
        out.extend(["".join(run)] if len(run) > 1 else run)
        run = []
        if tok:
            out.append(tok)
    return out


@lru_cache(maxsize=262144)
def analyse_name(text: str) -> NameForm:
    """Prepare a name (Latin, Arabic or Persian script) for matching. Bracketed parts
    (`Popular Mobilization Forces (PMF)`), a leading possessive (`Iran's`) and a trailing
    `'s` are not part of the name."""
    script = has_arabic_script(text)
    if "(" in text or "[" in text:
        text = _BRACKETED.sub("", text).strip() or text
    if "s" in text and ("'" in text or "\u2019" in text):
        text = _POSSESSIVE.sub("", _LEADING_POSSESSIVE.sub("", text))
    tokens = fold(_PERSIAN_EI.sub("\u0626\u064a", text) if script else text).split()
    if any(len(t) == 1 for t in tokens):
        tokens = _merge_initials(tokens)
    if script:
        tokens = _strip_titles(tokens)
        tokens = transliterate(" ".join(tokens)).split()
    if tokens and tokens[0] in _TITLE_WORDS:
        tokens = _strip_titles(tokens)
    if any(len(t) <= 3 for t in tokens):
        tokens = _strip_articles(tokens)
    if any(t.startswith(("ab", "ib", "bi", "be", "bn")) for t in tokens):
        tokens = _unify_particles(tokens)
    if len(tokens) > 1 and not ABBREVIATED_NAME_WORDS.keys().isdisjoint(tokens):
        tokens = written_short(tokens)
    return NameForm.of(tokens, script)


def acronym(form: NameForm) -> str | None:
    """Initials of a multi-word name (`Popular Mobilization Forces` -> pmf), light words skipped."""
    words = [t for t in form.tokens if t not in LIGHT_WORDS]
    if form.script or len(words) < 2 or not all(w[0].isascii() and w[0].isalpha() for w in words):
        return None
    return "".join(w[0] for w in words)


def looks_like_acronym(text: str) -> bool:
    """`KH`, `AAH`, `I.R.G.C.`: short, upper case, no lower-case letters."""
    letters = re.sub(r"[^\w]", "", text)
    return 2 <= len(letters) <= 6 and letters.isupper()
