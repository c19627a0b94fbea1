"""Direct quotes and who said them. Pure: article text (and its actor mentions) in, Quotes out.

Reading order, one paragraph at a time:
1. Quoted stretches: curly or straight double quotes, single quotes where the text
   uses them. Straight marks are paired by which side the space is on, so a mark that
   lost its partner (`MEE."She played`) still opens or closes the right quote.
2. Not quotes: titles (`"The Iranian Nuclear Crisis: A Memoir"`), nicknames and scare
   quotes of one or two words, related-article headlines.
3. The attribution before, after or around the quote (bot.nlp.speakers); a quote inside
   a sentence of reported speech is kept as `partial`.
4. Newspaper conventions: a paragraph that opens a quote and never closes it runs on
   into the next; an unattributed quoted paragraph continues the story's last speaker;
   a pull quote (`'…'` line, `- Shia politician` line) is merged with the body quote.
5. Texts that lost their quotation marks (scraped pages: `dont`, `Irans`): quotes are
   recovered from the attribution pattern (`content, X told MEE.` / `X said: content`)
   and first-person continuation paragraphs, never from reported speech
   (`Iraqi officials said the US …`).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from bot.nlp.models import Mention, Quote
from bot.nlp.names import fold
from bot.nlp.speakers import (
    ABBREVIATIONS, CUE_RE, CUE_WORDS, Attribution, Source, Speaker, SpeakerResolver, attribution_after,
    attribution_before, classify, leading_subject, subject_of,
)

OPENERS = "“„«‘"
CLOSERS = "”»’"
DOUBLE = "“”„«»\""
FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|[Mm]e|[Mm]y|[Mm]ine|[Ww]e|us|[Oo]ur|[Oo]urs|[Yy]ou|[Yy]our|[Mm]yself|[Oo]urselves)\b")
THIRD_PERSON = re.compile(r"\b(?:he|she|his|him|her|hers|himself|herself)\b", re.I)
PRESENT = re.compile(r"\b(?:is|are|am|must|will|can|cannot|should|need|needs|won't|wont|do|does|don't|dont|has to|have to|"
                     r"'s|’s|isn't|isnt|aren't|arent)\b")
NARRATIVE_OPENING = re.compile(r"^(?:However|But|Although|Though|Meanwhile|Yet|While|Still|Instead|According)\b")
TITLE_CUES = re.compile(r"\b(?:book|books|film|movie|report|titled|entitled|novel|memoir|documentary|album|song|show|"
                        r"series|op-ed|article|column|headline|programme|program|slogan|hashtag|dubbed|nicknamed|"
                        r"known as|called)[\s,:]*$", re.I)
# (no \b before the words: a pattern opening with them scans for their first letters only; lost_contractions
# checks the word boundary before each match.) dont doesnt didnt cant couldnt wouldnt shouldnt wont isnt wasnt
# arent werent hasnt havent hadnt youre theyre weve theyve youve ive im, spelled as a tree of their letters:
# none is the start of another, so the match at a place is the same, found with less backtracking.
LOST_CONTRACTIONS = re.compile(r"(?:d(?:o(?:nt|esnt)|idnt)|c(?:ant|ouldnt)|w(?:ouldnt|ont|asnt|e(?:rent|ve))|"
                               r"shouldnt|i(?:snt|ve|m)|arent|ha(?:snt|vent|dnt)|you(?:re|ve)|they(?:re|ve))\b")
WORD_CHAR = re.compile(r"\w")
DOUBLE_MARKS = re.compile(r"[\"“”„«»]")
SINGLE_MARKS = re.compile(r"['‘’]")
REPORTING_VERBS = ("said", "says", "told", "stressed", "added", "warned")
REPORTED_SPEECH = re.compile(rf"(?:^|(?<=[.?!]\s))([A-Z][^.?!,;:]{{0,80}}?)\s+({'|'.join(REPORTING_VERBS)})\b")
# `\b[A-Z]…` spelled with the capital first: the regex engine then skips to capitals in C
LOST_POSSESSIVE = re.compile(r"([A-Z](?<!\w[A-Z])[a-z]{2,})s\s+(?=[a-z])")
CAPITALISED_RUN = re.compile(r"[A-Z][a-z]*")
DIRECT_COUNTS = 8  # possessives that lost their mark checked by searching the text, before counting all in one pass
OPENING_SINGLE = re.compile(r"(?:^|[\s(\[—–-])'\w")
OPENING_STRAIGHT_SINGLE = re.compile(r"(?:^|\s)'\w")
DASH_LINE = re.compile(r"^[-–—―]\s*\S")
WORDS = re.compile(r"[\w'’\-]+")
SMALL_WORDS = frozenset("a an the of in on at to for with from by and or but nor into over about under as is are be it "
                        "its this that vs via per".split())
SHORT_ATTRIBUTED = re.compile(
    rf"\s*(?:(?:[A-Z][\w.’'\-]*\s+){{0,3}}|(?:he|she|they|I|we)\s+){CUE_RE}\b|\s*{CUE_RE}\s+[A-Z]")
REPORTED_FRAME = re.compile(rf"^\s*(?:The|A|An)?\s*[\w\-’' ]{{1,60}}?\s+{CUE_RE}\s+(?:that\b|\w+\s+that\b)")
SPEECH_CUE = re.compile(
    rf"\b(?:{CUE_RE}|according to|call|calls|called|calling|describe[sd]?|describing|dismiss(?:ed|es)?|urg(?:ed|es|ing)|"
    r"accus(?:ed|es|ing)|prais(?:ed|es|ing)|blast(?:ed|s)?|compar(?:ed|es|ing)|label+(?:ed|s)?|brand(?:ed|s)?|"
    r"referr(?:ed|ing)|refers?|put it|mock(?:ed|s|ing)|slamm?(?:ed|s)?|hail(?:ed|s)?|term(?:ed|s)|"
    r"tweet(?:ed|s|ing)?|promis(?:ed|es|ing)|vow(?:ed|s)|pledg(?:ed|es)|cit(?:ed|es|ing)|quot(?:ed|es|ing)|"
    r"echo(?:ed|es)|decr(?:ied|ies)|condemn(?:ed|s)?|criticiz(?:ed|es)|criticis(?:ed|es)|denounc(?:ed|es)|"
    r"chant(?:ed|s|ing)?|sang|sing(?:s|ing)?|shout(?:ed|s|ing)?|read|reads|wrote|writes|found|find|finds|"
    r"per|sa(?:y|ying)|liken(?:ed|s)?|attack(?:ed|s)?|lament(?:ed|s)?|insist(?:ed|s)?)\b", re.I)
BOILERPLATE = re.compile(r"\s*(?:Follow|Subscribe|Sign up|Click|Read more|Watch|Like us)\b.*(?:@\w|https?:|\.com)", re.I)
DASH_ATTRIBUTION = re.compile(r"[”\"'’]\s*[―—–]\s*\S")
# Patterns compiled once, here: the re module's cache lookup on every call costs more.
SPEECH_OPENS = re.compile(r"(?:^|[.?!:,;—–]\s*)$")
CLAUSE_END = re.compile(r"[.?!,]\W*$")
ENDS_SENTENCE = re.compile(r"[.?!]\W*$")
RUNS_ON = re.compile(r"\s*(?:[a-z]|[―—–-])")
PUNCTUATION_ONLY = re.compile(r"^[,.;:?!—–-]*$")
LINE = re.compile(r"[^\n]+")
LAST_TOKEN = re.compile(r"([\w.]+)$")
INITIALS = re.compile(r"(?:\w\.)+\w")


@dataclass
class Paragraph:
    index: int
    start: int
    end: int
    text: str


@dataclass
class Span:
    """The inside of a pair of quotation marks (article offsets), or of an opening mark never closed."""

    start: int
    end: int
    closed: bool


@dataclass
class Found:
    """A quote on its way out, before its speaker is resolved."""

    start: int
    end: int
    paragraph: int
    marked: bool
    partial: bool = False
    attribution: Attribution | None = None
    source: Source | None = None
    pull: bool = False
    continues: bool = False  # takes the speaker of the quote before it
    introduced: bool = False  # `X said: …` (a quote that may run on over the next paragraphs)


def extract_quotes(text: str, mentions: list[Mention] | None = None, gazetteer=None) -> list[Quote]:
    """Every direct (and partial) quote of an article, with its speaker resolved."""
    return QuoteFinder(text, mentions).run()


class QuoteFinder:
    def __init__(self, text: str, mentions: list[Mention] | None):
        self.text = text
        self.paragraphs = split_paragraphs(text)
        self.resolver = SpeakerResolver(text, mentions, [p.start for p in self.paragraphs])
        self.asides: set[int] = set()  # pull quotes, their speaker lines and headlines: outside the story's flow
        self.lost_marks = has_lost_marks(text)
        self.has_pull_quotes = any(DASH_LINE.match(p.text) for p in self.paragraphs)
        self.found: list[Found] = []
        self.rejected: list[Found] = []  # unmarked candidates a pull quote may still confirm
        self.last_quote: tuple[int, Source | None] | None = None  # (paragraph index, speaker)
        self.noted = 0  # paragraphs whose reported speech (`The commander said …`) the resolver has seen

    def run(self) -> list[Quote]:
        if not self.lost_marks and not has_quotation_marks(self.text):
            return []  # no quotation mark, and none lost: nothing to find
        skip: set[int] = set()
        for para in self.paragraphs:
            if para.index in skip:
                continue
            if self._is_pull_quote(para):
                skip.add(para.index + 1)
                self.asides.update((para.index, para.index + 1))
                continue
            if looks_like_headline(para.text) or para.index == 0 and len(self.paragraphs) > 1 and \
                    is_title_line(para.text):
                self.asides.add(para.index)
                continue
            spans = [s for s in marked_spans(self.text, para) if self._is_quote(s, para)]
            if spans:
                self._marked(para, spans)
            elif self.lost_marks:
                self._unmarked(para)
            elif self.has_pull_quotes:
                self._unmarked_candidate(para)  # only a pull quote repeating it makes it a quote
        self._merge_pull_quotes()
        return self._quotes()

    # -- marked quotes -------------------------------------------------------

    def _is_quote(self, span: Span, para: Paragraph) -> bool:
        inner = self.text[span.start:span.end]
        words = [w for w in inner.split() if w.isalpha() or any(ch.isalpha() for ch in w)]  # (most words: isalpha)
        if len(words) <= 2 and not (span.closed and inner.rstrip()[-1:] in ",?!." and
                                    SHORT_ATTRIBUTED.match(self.text, span.end + 1, para.end)):
            return False  # scare quotes and nicknames; `"That," he added, "…"` is kept
        if "<" in inner and ">" in inner or BOILERPLATE.match(inner):
            return False  # markup (tweet stubs), `Follow X on Twitter`
        before = self.text[max(para.start, span.start - 40):span.start - 1]
        if TITLE_CUES.search(before) and (len(words) <= 8 or is_title_case(inner)):
            return False
        if SPEECH_OPENS.search(before) or before.endswith(("\u2015", "-")):
            return True  # where speech opens: a paragraph, a sentence, after `said:` (`“Here comes Big Daddy,”`)
        return not (is_title_case(inner) and (len(words) <= 8 or not CLAUSE_END.search(inner.strip())))

    def _marked(self, para: Paragraph, spans: list[Span]) -> None:
        previous: Found | None = None
        for span in spans:
            found = self._read_span(para, span, previous)
            if found is None:
                continue
            self._place(found)
            previous = found

    def _read_span(self, para: Paragraph, span: Span, previous: Found | None) -> Found | None:
        text = self.text
        start, end = span.start, span.end
        attribution = None
        if not span.closed:
            # An opening mark never closed: the attribution may sit inside (`"…, a commander told MEE.`).
            inner = tail_attribution(text, start, end)
            if inner is not None:
                comma, attribution = inner
                end = comma
        start, end = trim(text, start, end)
        if end - start < 3:
            return None
        sentence_start = sentence_start_before(text, para.start, span.start - 1, previous)
        close_at = span.end + 1 if span.closed else span.end
        sentence_end = sentence_end_after(text, close_at, para.end)
        head = text[sentence_start:span.start - 1]
        found = Found(start, end, para.index, marked=True)
        if span.closed and ENDS_SENTENCE.search(text[span.start:span.end]) and \
                not RUNS_ON.match(text[close_at:para.end]):
            # The quote ends its sentence: only a bare `Graham asked.` may follow as its attribution.
            if attribution is None:
                attribution = attribution_after(text, close_at, sentence_end, strict_end=True)
            if attribution is None:
                sentence_end = close_at
        elif attribution is None and span.closed:
            attribution = attribution_after(text, close_at, sentence_end)
        if attribution is None:
            attribution = attribution_before(text, sentence_start, span.start - 1)
        if attribution is None:
            attribution = transcript_label(text, start, end)
        if attribution is None and sentence_start == para.start == span.start - 1 and para.index:
            attribution = self._introduced(self.paragraphs[para.index - 1])
        between_previous = previous is not None and previous.attribution is not None and \
            not text[previous.attribution.end:span.start - 1].strip(" ,;:—-")
        if attribution is None and between_previous:
            attribution = previous.attribution
            found.continues = True
        head_words = WORDS.findall(head)
        if attribution is None and not head_words and previous is None and sentence_start > para.start:
            # `Sen. Bernie Sanders … identified young voters' exhaustion … "The younger people are …"`
            subject = leading_subject(text[para.start:sentence_start], para.start)
            if subject is not None:
                attribution = Attribution(subject, None, sentence_start)
        is_direct = not head_words or head.rstrip().endswith(":") or head.rstrip().endswith(",") and \
            attribution is not None or between_previous
        tail_rest = text[close_at:sentence_end].strip()
        if span.closed and tail_rest and attribution is None and not PUNCTUATION_ONLY.match(tail_rest):
            is_direct = False
        if text[start:start + 1].islower() and head_words:
            is_direct = False
        if not is_direct:
            found.partial = True
            if not SPEECH_CUE.search(text[sentence_start:span.start] + " " + text[close_at:sentence_end]):
                return None  # a term or scare quote inside the reporter's own sentence
            if attribution is None:
                attribution = tail_attribution(text, close_at, sentence_end)
                attribution = attribution[1] if attribution else None
            if attribution is None:
                attribution = attribution_before_cue(text, sentence_start, span.start - 1)
        found.attribution = attribution
        if attribution is None and not found.partial:
            found.continues = True
        return found

    def _introduced(self, para: Paragraph) -> Attribution | None:
        """`The New York Times reports:` on the paragraph before a quoted one."""
        if not para.text.rstrip().endswith(":"):
            return None
        end = para.start + len(para.text.rstrip())
        return attribution_before(self.text, sentence_start_before(self.text, para.start, end - 1, None), end)

    # -- unmarked quotes (texts that lost their marks) --------------------------

    def _unmarked(self, para: Paragraph) -> None:
        text = self.text
        continuation = self._continuation_speaker(para)
        if continuation is not False and (FIRST_PERSON.search(para.text) or self._runs_on(para)):
            start, end = trim(text, para.start, para.end)
            self._place(Found(start, end, para.index, marked=False, continues=True, source=continuation))
            return
        colon = re.search(r":\s+(?=\S)", para.text)
        if colon:
            head_end = para.start + colon.start() + 1
            sentence_start = sentence_start_before(text, para.start, head_end - 1, None)
            attribution = attribution_before(text, sentence_start, head_end)
            if attribution is not None and attribution.speaker.kind != "pronoun" or \
                    attribution is not None and sentence_start == para.start:
                start, end = trim(text, para.start + colon.end(), para.end)
                if len(WORDS.findall(text[start:end])) >= 3:
                    self._place(Found(start, end, para.index, marked=False, attribution=attribution,
                                      introduced=True))
                    return
        candidate = self._unmarked_candidate(para)
        if candidate is not None and sounds_direct(text[candidate.start:candidate.end], candidate.attribution.speaker):
            self.rejected.remove(candidate)
            self._place(candidate)

    def _unmarked_candidate(self, para: Paragraph) -> Found | None:
        """`content, SPEAKER VERB [OBJECT].` at the paragraph's end, kept aside until it is judged."""
        text = self.text
        found = tail_attribution(text, para.start, para.end)
        if found is None:
            return None
        comma, attribution = found
        start = content_start(text, para.start, comma)
        start, end = trim(text, start, comma)
        if len(WORDS.findall(text[start:end])) < 3:
            return None
        candidate = Found(start, end, para.index, marked=False, attribution=attribution)
        self.rejected.append(candidate)
        return candidate

    def _runs_on(self, para: Paragraph) -> bool:
        """The paragraph right after `X said: …` that neither reports nor speaks of anyone in the third person."""
        last = self.found[-1] if self.found else None
        return bool(last and last.introduced and self._gap(last.paragraph, para.index) == 1
                    and not _has_cue(para.text) and not THIRD_PERSON.search(para.text))

    def _continuation_speaker(self, para: Paragraph):
        """The speaker a first-person paragraph without attribution continues, or False.

        The story must still be with them: the last quote is at most two paragraphs back
        and the paragraphs between speak of that speaker in the third person."""
        if self.last_quote is None:
            return False
        index, source = self.last_quote
        if self._gap(index, para.index) > 3 or source is None or REPORTED_FRAME.match(para.text):
            return False
        between = [p for p in self.paragraphs[index + 1:para.index] if p.index not in self.asides]
        surname = (source.name or source.display).split()[-1] if (source.name or source.display) else ""
        for other in between:
            if not (THIRD_PERSON.search(other.text) or surname and surname in other.text):
                return False
        return source

    # -- pull quotes -------------------------------------------------------------

    def _is_pull_quote(self, para: Paragraph) -> bool:
        stripped = para.text.strip()
        if len(stripped) < 3 or stripped[0] not in OPENERS + "'\"" or stripped.rstrip(".")[-1] not in CLOSERS + "'\"":
            return False
        nxt = self.paragraphs[para.index + 1] if para.index + 1 < len(self.paragraphs) else None
        if nxt is None or not DASH_LINE.match(nxt.text) or len(nxt.text.split()) > 10:
            return False
        offset = para.text.index(stripped[0])
        start, end = trim(self.text, para.start + offset + 1, para.start + len(para.text.rstrip()) - 1)
        line = nxt.text.lstrip("-–—― \t")
        speaker = classify(line, nxt.start + nxt.text.index(line))
        self.found.append(Found(start, end, para.index, marked=True, pull=True,
                                attribution=Attribution(speaker, None, nxt.end) if speaker else None))
        return True

    def _merge_pull_quotes(self) -> None:
        """A pull quote repeats a body quote: keep the body one (confirming it when it was unmarked)."""
        for pull in [f for f in self.found if f.pull]:
            key = fold(self.text[pull.start:pull.end])
            body = next((f for f in self.found if not f.pull and key and key in fold(self.text[f.start:f.end])), None)
            if body is None:
                body = next((f for f in self.rejected if key and key in fold(self.text[f.start:f.end])), None)
                if body is not None:
                    self.found.append(body)
                    body.source = self.resolver.resolve(body.attribution.speaker, body.start)
            if body is not None:
                self.found.remove(pull)
                if body.source is None and pull.attribution:
                    body.source = self.resolver.resolve(pull.attribution.speaker, body.start)
            elif pull.attribution:
                pull.source = self.resolver.resolve(pull.attribution.speaker, pull.start)

    # -- speakers ----------------------------------------------------------------

    def _gap(self, earlier: int, later: int) -> int:
        """Paragraphs from `earlier` to `later`, not counting pull quotes and headlines."""
        return sum(1 for i in range(earlier + 1, later + 1) if i not in self.asides)

    def _place(self, found: Found) -> None:
        """Resolve the speaker in reading order and remember the quote."""
        self._catch_up(found.paragraph)
        if found.source is not None:
            pass
        elif found.attribution is not None and not found.continues:
            found.source = self.resolver.resolve(found.attribution.speaker, found.start)
        elif found.attribution is not None:
            found.source = self.resolver.last(found.start, paragraphs=10**6)
            if found.source is None:
                found.source = self.resolver.resolve(found.attribution.speaker, found.start)
        elif self.last_quote is not None and self._gap(self.last_quote[0], found.paragraph) <= 2:
            found.source = self.last_quote[1]
        if found.source is not None and found.attribution is None:
            self.resolver.note(found.source, found.start)
        self.found.append(found)
        if not found.partial or found.source is not None:
            self.last_quote = (found.paragraph, found.source)

    def _catch_up(self, before: int) -> None:
        """Read the reported speech of the paragraphs before `before` not read yet (only articles with quotes pay)."""
        while self.noted < before:
            self._note_reported_speech(self.paragraphs[self.noted])
            self.noted += 1

    def _note_reported_speech(self, para: Paragraph) -> None:
        """`The commander said the US …`: not a quote, but a later `he said` means this speaker."""
        if not any(verb in para.text for verb in REPORTING_VERBS):
            return  # (no verb, not even within a word: looked for as strings, in C)
        for match in REPORTED_SPEECH.finditer(para.text):
            speaker = classify(match.group(1), para.start + match.start(1))
            if speaker is not None and speaker.kind != "pronoun":
                source = self.resolver.resolve(speaker, para.start + match.start(1))
                if source is not None and self.last_quote is not None and self.last_quote[0] == para.index:
                    continue

    def _quotes(self) -> list[Quote]:
        quotes = []
        seen = set()
        for found in sorted(self.found, key=lambda f: f.start):
            if (found.start, found.end) in seen:
                continue
            seen.add((found.start, found.end))
            source = found.source
            cue = found.attribution.cue if found.attribution else None
            quotes.append(Quote(
                text=self.text[found.start:found.end], start=found.start, end=found.end,
                speaker=source.display if source else None, speaker_name=source.name if source else None,
                anonymous=bool(source and source.anonymous), cue=cue, marked=found.marked, partial=found.partial))
        return quotes


# -- text helpers ----------------------------------------------------------------

def split_paragraphs(text: str) -> list[Paragraph]:
    paragraphs = []
    for match in LINE.finditer(text):
        if match.group().strip():
            paragraphs.append(Paragraph(len(paragraphs), match.start(), match.end(), match.group()))
    return paragraphs


def marked_spans(text: str, para: Paragraph) -> list[Span]:
    """Quoted stretches of one paragraph: double marks first, single marks outside them."""
    spans = _pair(text, para, single=False)
    if "‘" in para.text or "'" in para.text and OPENING_SINGLE.search(para.text):
        for span in _pair(text, para, single=True):
            if not any(s.start - 1 <= span.start <= s.end + 1 for s in spans):
                spans.append(span)
    return sorted(spans, key=lambda s: s.start)


def _pair(text: str, para: Paragraph, *, single: bool) -> list[Span]:
    """Pair one kind of marks (double, or single) in a paragraph.

    Curly marks pair as open/close, with nesting when enough closing marks follow;
    straight marks by the side their space is on. Marks of the other style inside an
    open quote are nested quotes and left alone."""
    spans: list[Span] = []
    open_at: int | None = None
    open_kind = ""
    depth = 0
    straight = "'" if single else '"'
    opener = "‘" if single else "“„«"
    closer = "’" if single else "”»"
    marks = SINGLE_MARKS if single else DOUBLE_MARKS
    for found in marks.finditer(text, para.start, para.end):
        i = found.start()
        ch = text[i]
        prev = text[i - 1] if i > para.start else " "
        nxt = text[i + 1] if i + 1 < para.end else " "
        if single and prev.isalnum() and (nxt.isalpha() or ch in closer and nxt.isalnum()):
            continue  # an apostrophe: don't, Khamenei's
        if ch in opener:
            if open_at is None:
                open_at, open_kind, depth = i, "curly", 0
            elif open_kind == "straight":
                depth += 1
            elif open_kind == "curly":
                rest = text[i + 1:para.end]
                if sum(rest.count(c) for c in closer) >= sum(rest.count(c) for c in opener) + 2 + depth:
                    depth += 1
                elif not single:
                    spans.append(Span(open_at + 1, i, False))
                    open_at, depth = i, 0
        elif ch in closer:
            if open_at is not None and open_kind == "straight" and depth:
                depth -= 1  # the end of a curly quote nested in a straight one
            elif open_at is not None and open_kind == "straight" and straight not in text[i + 1:para.end]:
                spans.append(Span(open_at + 1, i, True))  # `"…”`: mixed marks, the straight one never closes
                open_at = None
            elif open_at is not None and open_kind == "curly":
                if depth:
                    depth -= 1
                else:
                    spans.append(Span(open_at + 1, i, True))
                    open_at = None
        else:
            run_on = not single and prev in ".,?!" and nxt.isalpha()  # `MEE."She`: a lost space, an opening
            opens = (prev.isspace() or prev in "([—–-") and not nxt.isspace() or run_on
            closes = not prev.isspace() and (nxt.isspace() or nxt in ".,;:?!)]—–-") and not run_on
            if open_at is None:
                if opens or (not single and not closes):
                    open_at, open_kind, depth = i, "straight", 0
            elif open_kind != "straight":
                if closes and not depth and not any(c in closer for c in text[i + 1:para.end]):
                    spans.append(Span(open_at + 1, i, True))  # `“…"`: mixed marks
                    open_at = None
                continue
            elif closes:
                spans.append(Span(open_at + 1, i, True))
                open_at = None
            elif opens:
                spans.append(Span(open_at + 1, i, False))
                open_at = i
    if open_at is not None and not single:
        spans.append(Span(open_at + 1, para.end, False))
    return spans


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets without surrounding spaces, marks and a trailing comma."""
    while start < end and (text[start].isspace() or text[start] in DOUBLE + "‘’'"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in DOUBLE + "‘’',;:"):
        end -= 1
    return start, end


def _is_abbreviation(text: str, dot: int) -> bool:
    match = LAST_TOKEN.search(text[max(0, dot - 12):dot])
    if not match:
        return False
    word = match.group(1).casefold().rstrip(".")
    return word in ABBREVIATIONS or len(word) == 1 or bool(INITIALS.fullmatch(word))


def sentence_start_before(text: str, floor: int, pos: int, previous: Found | None) -> int:
    """Where the sentence holding `pos` begins (not inside an earlier quote of the paragraph)."""
    if previous is not None:
        floor = max(floor, previous.end)
    i = pos - 1
    while i > floor:
        ch = text[i]
        if ch in ".?!" and text[i + 1:i + 2].isspace() and not (ch == "." and _is_abbreviation(text, i)):
            return i + 1
        i -= 1
    return floor


def sentence_end_after(text: str, pos: int, ceiling: int) -> int:
    i = pos
    while i < ceiling:
        ch = text[i]
        if ch in OPENERS or ch == '"':
            return i
        if ch in ".?!" and (i + 1 >= ceiling or text[i + 1].isspace()) and not (ch == "." and _is_abbreviation(text, i)):
            return i + 1
        i += 1
    return ceiling


def content_start(text: str, floor: int, comma: int) -> int:
    """Back from the attribution's comma, sentence by sentence, stopping at reported speech."""
    starts = [floor] + [i + 1 for i in range(floor, comma) if text[i] in ".?!" and text[i + 1:i + 2].isspace()
                        and not (text[i] == "." and _is_abbreviation(text, i))]
    k = len(starts) - 1
    while k > 0 and not _has_cue(text[starts[k - 1]:starts[k]]):
        k -= 1
    return starts[k]


def _has_cue(sentence: str) -> bool:
    return any(w in CUE_WORDS for w in re.findall(r"\b[a-z]+\b", sentence)) and bool(
        re.search(r"\b(?:said|says|told|tells|added|asked|wrote|stressed|warned|claimed|insisted|recalled|explained)\b",
                  sentence))


def tail_attribution(text: str, start: int, end: int) -> tuple[int, Attribution] | None:
    """`…, a senior commander told Middle East Eye.` at the end of text[start:end]: (comma, attribution)."""
    stretch_end = end
    while stretch_end > start and text[stretch_end - 1] in " \t\"”’'":
        stretch_end -= 1
    if stretch_end <= start or text[stretch_end - 1] not in ".!?":
        return None
    commas = [m.start() for m in re.finditer(r",", text[start:stretch_end])][-4:]
    for comma in reversed(commas):
        at = start + comma
        attribution = attribution_after(text, at + 1, stretch_end, strict_end=True)
        if attribution is not None and _content_before(text, start, at):
            return at, attribution
    return None


def _content_before(text: str, start: int, comma: int) -> bool:
    return len(WORDS.findall(text[start:comma])) >= 3


def attribution_before_cue(text: str, start: int, pos: int) -> Attribution | None:
    """The speaker of a partial quote: the subject the sentence opens with (`Schiff called on … to "…"`)."""
    head = text[start:pos]
    cues = list(SPEECH_CUE.finditer(head))
    cue = cues[-1] if cues else None
    if cue is not None:
        # `an explosion that Mayor Bill de Blasio described as "…"`: the name right before the verb.
        before = re.search(r"((?:[A-Z][\w'’.\-]*\s+){1,4})$", head[:cue.start()])
        if before and not re.match(r"\s*$", head[:before.start()]):
            speaker = classify(before.group(1), start + before.start(1))
            if speaker is not None and speaker.kind == "name":
                return Attribution(speaker, cue.group(), pos)
    speaker = leading_subject(head, start)
    if speaker is None and cue is not None:
        speaker = subject_of(head[:cue.start()], start)
    if speaker is None:
        return None
    return Attribution(speaker, cue.group() if cue else None, pos)


def transcript_label(text: str, start: int, end: int) -> Attribution | None:
    """`"PENCE: Well, look, …` in a transcript: the speaker is the label."""
    label = re.match(r"([A-Z][A-Z.'’\- ]{1,30}[A-Z]):\s", text[start:end])
    if not label:
        return None
    name = label.group(1)
    return Attribution(Speaker(name, "name", start, start + len(name), name.title()), ":", start + label.end())


def sounds_direct(content: str, speaker: Speaker) -> bool:
    """Direct speech rather than the reporter's paraphrase, for a recovered (unmarked) quote."""
    if FIRST_PERSON.search(content):
        return True
    if NARRATIVE_OPENING.match(content) or re.search(r"\b(?:is|was) that\b", content):
        return False
    if speaker.kind == "pronoun":
        return True
    return bool(PRESENT.search(content))


def looks_like_headline(line: str) -> bool:
    """A related-article link or heading: short, no closing punctuation, or in Title Case."""
    stripped = line.strip().strip("*#_ ").strip()
    if not stripped:
        return True
    words = stripped.split()
    if DASH_ATTRIBUTION.search(stripped):
        return False
    if len(words) <= 30 and stripped[-1] not in ".?!…\"”’'):;":
        return True
    if stripped[0] in OPENERS + "\"'":
        return len(words) <= 8 and is_title_case(stripped)  # a subheading in quotes: `'No Way Back.'`
    return len(words) <= 25 and is_title_case(stripped)


def is_title_line(line: str) -> bool:
    """An article's first line that is its headline (`A lesson from Loretta Lynch: 'Be the voice …'`)."""
    return len(line.split()) <= 15 and not any(w in CUE_WORDS or w == "according" for w in re.findall(r"[a-z]+", line))


def is_title_case(text: str) -> bool:
    """Three in four of the words (but small words and figures) capitalised, of two or more."""
    found = WORDS.findall(text)
    upper = lower = 0
    for word in found:
        word = word.strip("'’-")
        if word and word.casefold() not in SMALL_WORDS and not word[0].isdigit():
            if word[0].isupper():
                upper += 1
            else:
                lower += 1
                if 4 * lower > len(found):  # over a quarter of the most words there can be: not, whatever follows
                    return False
    return upper + lower >= 2 and upper / (upper + lower) >= 0.75


def _capitalised_prefix_counts(text: str, words: set[str]) -> dict[str, int]:
    """How often each of `words` (a capital, then lower-case letters) occurs in `text`, as
    `text.count(word)` says, in one pass: such a word occurs wherever a capital is followed by
    lower-case letters that start with the rest of it (it cannot overlap itself)."""
    counts = dict.fromkeys(words, 0)
    longest = max(map(len, words), default=0)
    for run, times in Counter(CAPITALISED_RUN.findall(text)).items():
        for end in range(3, min(len(run), longest) + 1):
            if run[:end] in counts:
                counts[run[:end]] += times
    return counts


def has_quotation_marks(text: str) -> bool:
    """A double mark, a curly opening single one, or a straight single one opening a word (the marks are
    looked for as strings, in C: a pattern of them all was tried at every place up to the first mark)."""
    return any(mark in text for mark in "\"“”„«»‘") or \
        "'" in text and OPENING_STRAIGHT_SINGLE.search(text) is not None


def lost_contractions(text: str) -> int:
    """How many words of `text` are contractions without their apostrophe (`dont`, `theyre`)."""
    lower = text.lower()
    return sum(1 for match in LOST_CONTRACTIONS.finditer(lower)
               if not match.start() or WORD_CHAR.match(lower, match.start() - 1) is None)


def has_lost_marks(text: str) -> bool:
    """Whether a scraped text lost its apostrophes and quotation marks (`dont`, `Irans`, `Khameneis`)."""
    lost = lost_contractions(text)
    kept = text.count("'") + text.count("’")
    if lost >= 2 and lost > kept:
        return True
    bases = LOST_POSSESSIVE.findall(text)
    if lost + len(bases) < 2 or lost + len(bases) <= kept:  # not even if every candidate counted
        return False
    # `Irans new policy` where `Iran` stands alone elsewhere (every `Irans` also counts as an `Iran`)
    candidates = [base for base in bases if not base.endswith(("an", "ese", "ist", "at", "er"))]
    count: Callable[[str], int] = text.count  # a few names are searched for, many counted in one pass
    for number, base in enumerate(candidates):
        if number == DIRECT_COUNTS:
            count = _capitalised_prefix_counts(text, {w for name in candidates for w in (name, name + "s")}).__getitem__
        if count(base) > count(base + "s"):
            lost += 1
            if lost >= 2 and lost > kept:
                return True
    return False
