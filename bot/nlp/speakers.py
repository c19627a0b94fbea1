"""Who said it: the attribution grammar around a quote and the speaker's resolution.

Two halves. `parse_*` read an attribution clause (`, the politician, who was involved
in talks, told MEE.` / `Sonya Varkett, CEO of Freedom from Torture, said:` / `said
Mr. Rove`) into a `Speaker` as written. `SpeakerResolver` then follows the story:
names go to the actor the mentions resolve them to, pronouns to the nearest fitting
speaker, definite descriptions (`the commander`) to the anonymous source they take up.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache

from bot.corpus.vocabulary import MONTH_ABBREVIATIONS, MONTHS, SPEAKER_OFFICES, SPEAKER_TITLES, WEEKDAYS
from bot.nlp.models import Mention
from bot.nlp.world import given_names, known_words

# Reporting verbs, every form a news story uses them in.
CUE_VERBS = (
    "said say says saying told tell tells telling added adds adding wrote writes writing asked asks asking "
    "explained explains stated states continued continues recalled recalls noted notes insisted insists "
    "argued argues warned warns declared declares claimed claims announced announces replied replies "
    "responded responds tweeted tweets posted shouted shouts stressed stresses emphasized emphasised "
    "acknowledged acknowledges admitted admits conceded concedes suggested suggests predicted predicts "
    "observed observes remarked remarks commented comments joked jokes quipped quips complained complains "
    "boasted boasts cautioned cautions urged urges concluded concludes reported reports recounted recounts "
    "countered counters retorted retorts testified testifies demanded demands vowed vows promised promises "
    "affirmed affirms contended contends maintained maintains mused muses lamented laments yelled yells "
    "whispered whispers scolded scolds sang sings chanted chants pleaded pleads added confirmed confirms "
    "disclosed revealed reveals alleged alleges charged charges mocked mocks wondered wonders read reads "
    "answered answers explained thundered fumed conceded agreed agrees acknowledged"
).split()
CUE_RE = r"(?:" + "|".join(sorted(set(CUE_VERBS), key=len, reverse=True)) + r")"
CUE_WORDS = frozenset(CUE_VERBS)

PRONOUNS = {"he": "m", "she": "f", "they": "p", "i": None, "we": "p", "it": None}
DETERMINERS = frozenset(
    "a an the one two three four five several some many other another few senior top local".split())
# Words that open a clause before its subject (`In a Bloomberg interview Trump said`).
LEADING = frozenset(
    "in at on during after before when while as since because if although though speaking asked later earlier "
    "then and but so to for from with by".split())
# Role nouns that a later `the <noun> said` takes up from an earlier anonymous description.
ROLE_NOUNS = frozenset(
    "politician official officials leader leaders commander commanders source sources spokesman spokeswoman "
    "spokesperson diplomat diplomats officer officers lawmaker lawmakers analyst analysts aide aides adviser "
    "advisers advisor advisors member members activist activists cleric fighter fighters resident residents "
    "witness witnesses person man woman envoy minister expert experts insider insiders figure strategist".split())
# Words a full stop follows without ending the sentence (`Sen. Graham`, `Sept. 5`).
ABBREVIATIONS = frozenset(
    "mr mrs ms dr sen sens rep reps gov gen lt col maj capt sgt st jr sr inc co corp no vs etc prof rev u.s u.n u.k "
    "e.g i.e del adm cmdr atty ald hon fr pres amb gens supt ft mt".split()) | MONTH_ABBREVIATIONS
# The words of the titles a speaker is introduced with, and the abbreviated ones with their full stop (`Gen.`).
_TITLE_WORDS = frozenset(word for title in SPEAKER_TITLES | SPEAKER_OFFICES for word in title)
TITLES = _TITLE_WORDS | {word + "." for word in _TITLE_WORDS & ABBREVIATIONS}
FINITE_VERBS = frozenset("is are was were has have had will would did does do been be can could should may might".split())
TIME_WORDS = frozenset(WEEKDAYS).union(
    "yesterday today tonight earlier later last this during after before while when adding referring as noting citing "
    "because since".split())
NOT_NAMES = MONTHS.union(WEEKDAYS)
PREPOSITIONS = frozenset("of to from in at for with on by about near close".split())
CONNECTIVES = re.compile(r"^(?:and|but|so|yet|then|still|however|instead|meanwhile|later|now|also)\b[,]?\s*", re.I)
RELATIVE = re.compile(r",\s*(?:who|which|whose|whom|where|while|as|when)\b.*$", re.S)
NAME_TOKEN = re.compile(r"^(?:[A-Z][\w'’.\-]*|al-\w+|el-\w+|bin|ibn|abu|de|van|von|der|la|le|du|da|di|del|[A-Z]\.)$")
NICKNAME = re.compile(r"[\"“]\w+(?:\s\w+)?[\"”]")  # Orlena "Lena" Price
WORD = re.compile(r"[\w'’.\-]+|\([^)]*\)")


@dataclass(frozen=True)
class Speaker:
    """A speaker as written in the attribution clause."""

    text: str  # the clause as written, trimmed of relative clauses
    kind: str  # name | pronoun | description
    start: int  # offsets of `text` in the article
    end: int
    name: str | None = None  # the personal or organisation name inside it, when there is one


def _words(text: str) -> list[str]:
    return WORD.findall(text)


def name_run(words: list[str]) -> list[str]:
    """The leading run of name-like words (`Rep. Jim Clyburn (D-S.C.)` → those words)."""
    run = []
    for word in words:
        if word.startswith("("):
            if run:
                run.append(word)
                continue
            break
        if NAME_TOKEN.match(word) and (word[0].isupper() or run):
            run.append(word)
        else:
            break
    while run and (run[-1].startswith("(") or not run[-1][0].isupper()):
        run.pop()
    return run


def strip_titles(words: list[str]) -> list[str]:
    """`Maj. Gen. Mohammad Ali Jafari` → `Mohammad Ali Jafari` (keeps a bare title: `President`)."""
    rest = list(words)
    while len(rest) > 1 and rest[0].casefold().rstrip(".") in _TITLE_WORDS:
        rest.pop(0)
    return [w for w in rest if not w.startswith("(")]


def classify(text: str, start: int) -> Speaker | None:
    """Read a speaker stretch (`the politician, who …,` / `Jane Doe, a former aide` / `he`) that starts
    at `start` in the article."""
    speaker = _classify(text)
    if speaker is None or not start:
        return speaker
    return replace(speaker, start=speaker.start + start, end=speaker.end + start)


@lru_cache(maxsize=1 << 14)
def _classify(text: str) -> Speaker | None:
    """classify at offset 0: a stretch read once (`he `, `the official `, `the company` recur in every story)."""
    raw = text
    if "\n" in text.strip() or re.search(r"[\"“”‘’«»]", NICKNAME.sub("", text)):
        return None  # a stretch that runs into another quote
    text = CONNECTIVES.sub("", text.strip().strip(",;").strip())
    text = RELATIVE.sub("", text).strip().strip(",").strip()
    if not text or len(text) > 220:
        return None
    offset = max(raw.find(text), 0)
    low = text.casefold()
    if low in PRONOUNS:
        return Speaker(text, "pronoun", offset, offset + len(text))
    bare = re.split(r"\s+(?:who|which|that|whose)\s", low, maxsplit=1)[0]
    if low.split()[0] in PRONOUNS or FINITE_VERBS.intersection(bare.split()) or \
            low.split()[-1] in ("and", "but", "or", "then", "so"):
        return None  # a clause, not a speaker (`He was regularly beaten up and`)
    head = text.split(",")[0].strip()
    words = _words(head)
    if not words or len(_words(text)) > 30:
        return None
    first = words[0]
    if all(w.casefold().rstrip(".,") in NOT_NAMES for w in words):
        return None
    named = Speaker(head if "," in text else text, "name", offset, offset + len(head if "," in text else text))
    if first.casefold() in LEADING and first.casefold() not in DETERMINERS or not (
            first[0].isupper() or first.casefold() in DETERMINERS or first[0].isdigit()):
        # `In a Bloomberg interview Trump`, `panel Chairman Rep. Jason Chaffetz (R-Utah)`
        run = _trailing_name(words, allow_single=first.casefold() in LEADING)
        if run is None:
            return None
        at = head.rfind(run.split()[0])
        return Speaker(head[at:], "name", offset + at, offset + len(head), run)
    run = name_run(words)
    if run and first.casefold() not in DETERMINERS and (
            len(run) == len(words) or words[len(run)].casefold() in PREPOSITIONS):
        # `Representative Charles B. Rangel of New York`, `Cameron Varsley for Morning Consult`
        return replace(named, name=" ".join(strip_titles(run)))
    if len(words) > 1 and first.casefold() == "the" and all(w[0].isupper() for w in words[1:]):
        return replace(named, name=" ".join(words[1:]))  # `The New York Times`: an organisation, named
    # `the mayor, Hana Tarvel,`: a description with the name in apposition is that name.
    for part in text.split(",")[1:]:
        apposed = _words(part)
        if len(apposed) >= 2 and name_run(apposed) == apposed and first.casefold() in DETERMINERS:
            at = text.index(part.strip())
            return Speaker(part.strip(), "name", offset + at, offset + at + len(part.strip()),
                           " ".join(strip_titles(apposed)))
    # `White House press secretary Josh Earnest`: a description that ends in a name is that name.
    name = _trailing_name(words)
    if name:
        return Speaker(head, "name", offset, offset + len(head), name)
    return Speaker(text, "description", offset, offset + len(text))


def _trailing_name(words: list[str], allow_single: bool = False) -> str | None:
    """The name at the end of a description, unless a preposition governs it (`close to Tehran`)."""
    run: list[str] = []
    for word in reversed(words):
        if word.startswith("(") or (NAME_TOKEN.match(word) and word[0].isupper()):
            run.insert(0, word)
        else:
            break
    run = strip_titles([w for w in run if not w.startswith("(")])
    if not run or len(run) == len(words) or all(w.casefold() in NOT_NAMES for w in run):
        return None
    before = words[len(words) - len(run) - 1].casefold() if len(words) > len(run) else ""
    if before in PREPOSITIONS or before.endswith("'s") or before.endswith("’s"):
        return None
    if len(run) == 1 and not allow_single and before not in TITLES and not before.endswith("."):
        # one capitalised word after lower-case words: `Iraqi officials` aside, a bare surname after a role
        if not any(w.casefold() in TITLES for w in words[:-1]):
            return None
    return " ".join(run)


# -- the attribution clauses --------------------------------------------------

_CUE_THEN_SPEAKER = re.compile(rf"^\s*,?\s*(?P<cue>{CUE_RE})\s+(?P<spk>[^;:]+?)\s*[.?!;]?\s*$", re.S)
_ACCORDING = re.compile(r"^\s*,?\s*according to\s+(?P<spk>[^.?!;:]+?)\s*(?:[.?!;,]|$)", re.S | re.I)
_DASH = re.compile(r"^\s*[―—–-]+\s*(?P<spk>[^\n]+?)\s*$")
CUE_IN = re.compile(rf"\b(?P<cue>{CUE_RE})\b")
_SENTENCE_END = re.compile(r"[.?!](?=\s|$)")


@dataclass(frozen=True)
class Attribution:
    speaker: Speaker
    cue: str | None
    end: int  # where the attribution clause ends (article offsets)


def attribution_after(text: str, pos: int, limit: int, *, strict_end: bool = False) -> Attribution | None:
    """An attribution that follows a quote: `, Trump said.` / `said Mr. Rove` / `, according to X`.

    `text[pos:limit]` is the rest of the sentence. With strict_end the clause must run
    to the end of that stretch (used when recovering unmarked quotes)."""
    tail = text[pos:limit]
    match = _ACCORDING.match(tail)
    if match:
        spk = classify(match.group("spk"), pos + match.start("spk"))
        if spk:
            return Attribution(spk, "according to", pos + match.end())
    match = _DASH.match(tail)
    if match and "\n" not in tail.strip():
        spk = classify(_before_bracket(match.group("spk")), pos + match.start("spk"))
        if spk and len(_words(spk.text)) <= 12:
            return Attribution(spk, None, pos + match.end())
    match = _CUE_THEN_SPEAKER.match(tail)
    if match and match.group("cue").casefold() in CUE_WORDS and match.group("cue")[0].islower():
        spk_text = _before_time_words(match.group("spk"))
        spk = classify(spk_text, pos + match.start("spk"))
        if spk and spk.kind != "description" or spk and spk.text.split()[0].casefold() in DETERMINERS:
            if not strict_end or not tail[match.end():].strip():
                return Attribution(spk, match.group("cue"), pos + match.end())
    # SPEAKER CUE [object and time]: the speaker stretch runs up to the first reporting verb.
    lead = re.match(r"^\s*,?\s*", tail).end()
    for cue in CUE_IN.finditer(tail, lead):
        stretch = tail[lead:cue.start()]
        if not stretch.strip() or has_sentence_break(stretch):
            break
        spk = classify(stretch, pos + lead)
        if spk is None:
            break
        rest = tail[cue.end():]
        end = _SENTENCE_END.search(rest)
        rest_text = rest[:end.start()] if end else rest
        if not strict_end:
            rest_text = re.split(r"[,;]", rest_text, maxsplit=1)[0]
        if not short_complement(rest_text, strict_end):
            return None
        if strict_end and end and rest[end.end():].strip():
            return None
        return Attribution(spk, cue.group("cue"), pos + cue.end() + (end.end() if end else len(rest)))
    return None


def short_complement(rest: str, strict: bool) -> bool:
    """What may follow `X said` in an attribution (`told MEE`, `told the paper`, `said in a statement on
    Monday`), not a clause of reported speech (`said the deal was dead`, `said that …`)."""
    words = _words(rest)
    if not words:
        return True
    low = [w.casefold() for w in words]
    if low[0] in ("that", "he", "she", "they", "it", "we", "i", "his", "her", "its") or FINITE_VERBS.intersection(low):
        return False
    if not strict:
        return len(words) <= 30
    if low[0] in PREPOSITIONS | TIME_WORDS or words[0][0].isupper():
        return len(words) <= 10
    return len(words) <= (4 if low[0] in DETERMINERS else 3)


def attribution_before(text: str, start: int, pos: int) -> Attribution | None:
    """An attribution that introduces a quote: `Sonya Varkett, CEO of …, said:` / `Trump told Limbaugh,`."""
    head = text[start:pos]
    stripped = head.rstrip()
    if not stripped or stripped[-1] not in ":,":
        return None
    cues = list(CUE_IN.finditer(head))
    for cue in reversed(cues):
        between = head[cue.end():].rstrip()[:-1]
        if len(_words(between)) > 12 or re.search(r"\bthat\b", between):
            continue
        stretch = head[:cue.start()]
        spk = subject_of(stretch, start)
        if spk:
            return Attribution(spk, cue.group("cue"), start + cue.start())
    # `PENCE:` transcript style.
    label = re.match(r"^\s*([A-Z][A-Z.\- ]{1,40}):\s*$", head)
    if label:
        spk = classify(label.group(1).title(), start + label.start(1))
        if spk:
            return Attribution(Speaker(label.group(1), "name", spk.start, spk.end, label.group(1).title()), ":",
                               start + label.end(1))
    return None


def subject_of(stretch: str, start: int) -> Speaker | None:
    """The subject at the end of a clause before its reporting verb (`In a statement, the campaign`)."""
    offset = last_sentence_start(stretch)
    stretch, start = stretch[offset:], start + offset
    chunks = list(re.finditer(r"[^,]+", stretch))
    # From the verb backwards: the first chunk that reads as a subject; an appositive takes its name.
    for index in range(len(chunks) - 1, -1, -1):
        chunk = chunks[index]
        spk = classify(chunk.group(), start + chunk.start())
        if spk is None:
            continue
        if index > 0 and (spk.kind == "description" or _appositive(chunk.group())):
            first = chunks[index - 1].group().split()
            prev = classify(chunks[index - 1].group(), start + chunks[index - 1].start())
            if prev and prev.kind == "name" and first and not _opens_clause(first):
                return prev  # `Sonya Varkett, CEO of Freedom from Torture,`
        if len(_words(spk.text)) > 18:
            return None
        return spk
    return None


def _opens_clause(words: list[str]) -> bool:
    """`In a statement`, `Commenting on the results`: words that open a clause before the subject, not a name
    the chunk after it stands in apposition to."""
    first = words[0].casefold()
    return first in LEADING or first.endswith("ing") and len(words) > 1 and words[1][:1].islower()


def _appositive(chunk: str) -> bool:
    """`CEO of Freedom from Torture`, `a senior adviser`: a role after a name, not a name."""
    words = _words(chunk)
    if not words:
        return False
    first = words[0]
    return first.casefold() in TITLES | DETERMINERS | ROLE_NOUNS or (first.isupper() and len(first) > 1) \
        or " of " in chunk


def last_sentence_start(text: str) -> int:
    """Where the last sentence of `text` begins (0 when it is all one sentence)."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if has_sentence_break(text[start:match.end()]):
            start = match.end()
    return start


def leading_subject(text: str, start: int) -> Speaker | None:
    """The subject a sentence opens with (`In July, Gingrich cynically dismissed …` → Gingrich)."""
    offset = last_sentence_start(text)
    text, start = text[offset:], start + offset
    clause = re.match(r"\s*(?:(?:In|At|On|During|After|Before|Though|Although|While|When|With|Since|As|But|And|Yet|"
                      r"Still|Later|Earlier|Meanwhile|However|Similarly|Instead|Now|Then|[A-Z]\w+ing)\b[^,]{0,80},\s*)?",
                      text)
    according = re.match(r"\s*According to ([^,]{3,120}),", text)
    if according:
        return classify(according.group(1), start + according.start(1))
    rest = text[clause.end():]
    words = _words(rest)
    if not words:
        return None
    if words[0].casefold() in PRONOUNS:
        return Speaker(words[0], "pronoun", start + clause.end(), start + clause.end() + len(words[0]))
    taken = []
    for word in words:
        low = word.casefold()
        if taken and (low in FINITE_VERBS or low in CUE_WORDS or low.endswith("ed") and not word[0].isupper()
                      or low in ("then", "also", "again", "once", "has", "had", "cynically")):
            break
        if word.endswith(",") or len(taken) > 12:
            break
        taken.append(word)
    if not taken:
        return None
    phrase = " ".join(taken)
    end = rest.find(taken[-1]) + len(taken[-1]) if taken[-1] in rest else len(phrase)
    return classify(rest[:end], start + clause.end())


def has_sentence_break(text: str) -> bool:
    """A full stop inside `text` that ends a sentence (not `Mr.`, `G.K.`, `D-N.C.`)."""
    for match in _SENTENCE_END.finditer(text):
        word = re.search(r"([\w.\-]+)$", text[:match.start()])
        token = word.group(1) if word else ""
        if match.group() == "." and (token.casefold().rstrip(".") in ABBREVIATIONS or len(token) <= 2
                                     or re.fullmatch(r"(?:[\w\-]+\.)+[\w\-]+", token)):
            continue
        return True
    return False


def _before_time_words(text: str) -> str:
    """`Mr. Rove on Monday` → `Mr. Rove`; `one Democratic source on the panel` is kept whole."""
    return re.split(r"\s+(?:(?:on|last|this|early|late)\s+(?:\w+day|week|month|year|morning|night)\b|yesterday\b|today\b|"
                    r"tonight\b|earlier\b|later\b|in an? (?:interview|statement|email|phone|tweet|post|speech|letter|"
                    r"call|video|radio|televised)\b|during\b|at an?\b|at the\b|while\b)", text, maxsplit=1)[0]


def _before_bracket(text: str) -> str:
    return re.split(r"\s*\(", text, maxsplit=1)[0]


# -- following the story -------------------------------------------------------

@dataclass
class Source:
    """One speaker in a story: a named actor or an anonymous description."""

    display: str
    name: str | None
    anonymous: bool
    head: str | None = None  # a description's head noun (`commander`)
    person: bool | None = None  # False for organisations and documents; None when unknown


class SpeakerResolver:
    """Resolves speakers in reading order, remembering who has spoken and where."""

    def __init__(self, text: str, mentions: list[Mention] | None, paragraph_starts: list[int] | None = None):
        self.text = text
        self.mentions = sorted(mentions or [], key=lambda m: m.start)
        self.paragraph_starts = paragraph_starts or [0]
        self.sources: list[tuple[int, Source]] = []  # (position, source), in reading order
        self._local: _LocalNames | None = None
        # Lookups by position and by description, so that a long article costs in proportion to its length.
        self._starts = [m.start for m in self.mentions]
        self._longest = max((m.end - m.start for m in self.mentions), default=0)
        self._people: _PersonMentions | None = None
        self._anonymous = _AnonymousSources()

    @property
    def _names(self) -> _LocalNames | None:
        """Names read off the text, only when no actor mentions were given (built on first use)."""
        if self.mentions:
            return None
        if self._local is None:
            self._local = _local_names(self.text)
        return self._local

    def resolve(self, speaker: Speaker | None, at: int) -> Source | None:
        if speaker is None:
            return None
        if speaker.kind == "pronoun":
            source = self._antecedent(speaker, at)
        elif speaker.kind == "name":
            source = self._named(speaker)
        else:
            source = self._description(speaker)
        if source is not None:
            self.note(source, at)
        return source

    def note(self, source: Source, at: int) -> None:
        self.sources.append((at, source))
        self._anonymous.add(source)

    def last(self, before: int, paragraphs: int = 2, fits=lambda source: True) -> Source | None:
        """The latest source at most `paragraphs` paragraphs before `before`."""
        here = self._paragraph(before)
        for position, source in reversed(self.sources):
            if position > before:
                continue
            if here - self._paragraph(position) > paragraphs:
                return None
            if fits(source):
                return source
        return None

    def _paragraph(self, position: int) -> int:
        return bisect_right(self.paragraph_starts, position) - 1

    def _named(self, speaker: Speaker) -> Source:
        # Only mentions starting less than the longest mention's length before the speaker can overlap it.
        first = bisect_left(self._starts, speaker.start - self._longest)
        for mention in self.mentions[first:bisect_left(self._starts, speaker.end)]:
            if mention.end > speaker.start and mention.kind != "place":
                return Source(speaker.text, mention.curated or mention.name, False,
                              person=mention.kind == "person" if mention.kind in ("person", "organization") else None)
        if self.mentions and speaker.name and self._not_a_name(speaker.name):
            return self._description(speaker)
        name = speaker.name
        if name and not self.mentions:
            name = self._names(name, speaker.start)
        return Source(speaker.text, name, False, person=False if _looks_organisation(speaker.text) else None)

    def _not_a_name(self, name: str) -> bool:
        """`Analysts said:`, `Thus, the researchers concluded,`, `Commenting on Japan, …`: one English word the
        article's mentions left out (a group, a connective, a clause's verb) names no one, unless it ends a name
        the article mentions (Baker after James Baker)."""
        key = name.casefold()
        if " " in key or key not in known_words() or key in given_names():
            return False
        return not any(_person_name(m).casefold().endswith(" " + key) for m in self.mentions)

    def _antecedent(self, speaker: Speaker, at: int) -> Source | None:
        pronoun = speaker.text.casefold()
        if pronoun in ("i", "it"):
            return None
        if pronoun == "they":
            return self.last(at, fits=lambda s: s.anonymous or s.person is False)
        recent = self.last(at, fits=lambda s: s.person is not False)
        if recent is not None:
            return recent
        person = self._nearest_person(at)
        return Source(person, person, False, person=True) if person else None

    def _nearest_person(self, at: int) -> str | None:
        """The most talked-about person of the last three paragraphs (the story's subject), else the latest."""
        if self._people is None:
            self._people = _PersonMentions(self.mentions)
        first_paragraph = self._paragraph(at) - 3
        since = self.paragraph_starts[first_paragraph] if first_paragraph >= 0 else -1
        recent = [_person_name(m) for m in self.mentions[bisect_left(self._starts, since):bisect_right(self._starts, at)]
                  if m.kind == "person" and m.end <= at]
        if recent:
            return max(reversed(recent), key=lambda n: self._people.counts[n])
        latest = self._people.latest_ending_by(at)
        if latest is not None:
            return _person_name(latest)
        if self._names is not None:
            return self._names.nearest(at)
        return None

    def _description(self, speaker: Speaker) -> Source:
        words = _description_words(speaker.text)
        head = next((w for w in _head_words(words)), None)
        if len(words) > 3:
            # The same description again (`a senior commander of an Iranian-backed armed faction`) is the same source.
            earlier = self._anonymous.same_description(" ".join(words))
            if earlier is not None:
                return earlier
        if words and words[0] in ("the", "this", "that") and head in ROLE_NOUNS:
            earlier = self._anonymous.by_head.get(head) or self._anonymous.with_role
            if earlier is not None:
                return earlier
        person = True if head in ROLE_NOUNS else (False if _looks_organisation(speaker.text) else None)
        return Source(speaker.text, None, True, head, person=person)


def _person_name(mention: Mention) -> str:
    return mention.curated or mention.name


class _PersonMentions:
    """An article's person mentions: how often each person is named, and the latest named by a position."""

    def __init__(self, mentions: list[Mention]):
        self.counts: dict[str, int] = {}
        for mention in mentions:
            if mention.kind == "person":
                self.counts[_person_name(mention)] = self.counts.get(_person_name(mention), 0) + 1
        # By end offset, each with the latest (in start order) of the mentions ending there or before.
        by_end = sorted((m.end, index) for index, m in enumerate(mentions) if m.kind == "person")
        self._ends = [end for end, _ in by_end]
        self._latest: list[Mention] = []
        latest = -1
        for _, index in by_end:
            latest = max(latest, index)
            self._latest.append(mentions[latest])

    def latest_ending_by(self, at: int) -> Mention | None:
        """The last person mention, in reading order, that ends at or before `at`."""
        count = bisect_right(self._ends, at)
        return self._latest[count - 1] if count else None


def _description_words(display: str) -> list[str]:
    """A description's words as compared with another's: folded, up to the first comma."""
    return [w.casefold() for w in _words(display.split(",")[0])]


class _AnonymousSources:
    """The story's anonymous sources so far, indexed for taking a description up again.

    Each index keeps the latest source, as a reader takes up the nearest earlier mention."""

    def __init__(self):
        self.by_head: dict[str, Source] = {}  # head noun -> latest anonymous source with it
        self.with_role: Source | None = None  # latest anonymous source whose head is a role noun
        self._whole: dict[str, tuple[int, Source]] = {}  # folded description -> (order, source)
        self._prefixes: dict[str, tuple[int, Source]] = {}  # every leading part of one -> (order, source)
        self._added = 0

    def add(self, source: Source) -> None:
        if not source.anonymous:
            return
        self._added += 1
        self.by_head[source.head] = source
        if source.head in ROLE_NOUNS:
            self.with_role = source
        known = " ".join(_description_words(source.display))
        if known.count(" ") < 3:  # three words or fewer (a bracket's words count apart)
            return
        entry = (self._added, source)
        self._whole[known] = entry
        for end in range(1, len(known) + 1):
            self._prefixes[known[:end]] = entry

    def same_description(self, folded: str) -> Source | None:
        """The latest source of more than three words whose description starts with `folded` or
        with which `folded` starts (`folded` has more than three words)."""
        found = [self._prefixes.get(folded)]
        found += [self._whole.get(folded[:end]) for end in range(1, len(folded) + 1)]
        latest = max((entry for entry in found if entry is not None), key=lambda entry: entry[0], default=None)
        return latest[1] if latest else None


ORGANISATION_WORDS = frozenset(
    "charity group organization organisation committee party ministry agency council times post news campaign "
    "company office department government administration embassy mission newspaper magazine website network "
    "report letter statement study survey poll ad association union institute center centre foundation court "
    "commission bank army police force forces corps".split())


def _looks_organisation(text: str) -> bool:
    return any(w.casefold() in ORGANISATION_WORDS for w in _words(text.split(",")[0]))


def _head_words(words: list[str]):
    """The head noun of a description: the last word before a preposition or relative clause."""
    cut = len(words)
    for index, word in enumerate(words):
        if index and word in PREPOSITIONS | {"who", "which", "involved", "familiar", "based"}:
            cut = index
            break
    for word in reversed(words[:cut]):
        yield word.rstrip(".,")
        break


class _LocalNames:
    """Without actor mentions: capitalised names in the story (two words or more, in reading
    order), short forms resolved to the first full one that ends with them."""

    def __init__(self, found: list[tuple[int, list[str]]]):
        self.positions = [position for position, _ in found]
        self.names = [" ".join(words) for _, words in found]
        self.by_surname: dict[str, str] = {}
        for _, words in found:
            self.by_surname.setdefault(words[-1].casefold(), " ".join(words))

    def __call__(self, name: str, at: int) -> str:
        tokens = name.split()
        if len(tokens) == 1:
            return self.by_surname.get(tokens[0].casefold(), name)
        return name

    def nearest(self, at: int) -> str | None:
        count = bisect_left(self.positions, at)
        return self.names[count - 1] if count else None


def _local_names(text: str) -> _LocalNames:
    found = []
    for match in re.finditer(r"(?:(?<=[a-z,;]\s)|(?<=\b(?:Mr|Ms|Dr)\.\s)|(?<=Mrs\.\s))[A-Z][a-z]+(?:\s+(?:[A-Z]\.|[A-Z][a-z]+|al-\w+))+", text):
        words = strip_titles(match.group().split())
        if len(words) >= 2 and not any(w.casefold() in TITLES for w in words):
            found.append((match.start(), words))
    return _LocalNames(found)
