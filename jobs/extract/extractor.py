"""Article in, incidents out.

For each sentence that shows violence: its casualty figures (`casualties`), the specific
places it names (`geo`), and whether it reports an event in its main clause. Each
sentence yields candidates, one per place its figures belong to; candidates at the same
place merge into one incident, a sentence that sums several places ("a total of ...") is
dropped when the parts are reported, and a country- or province-level candidate folds
into the one incident inside it. Then each incident gets its type, date and actors.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc, Span

from jobs.extract import events
from jobs.extract import lexicon as lx
from jobs.extract.casualties import (
    Figures,
    Mention,
    figures_of,
    find_mentions,
    in_earlier_event,
    in_reference_clause,
)
from jobs.extract.dates import explicit_past_year
from jobs.extract.geo import PlaceMention, resolve_places, specific_places
from jobs.extract.merge import merge_figures
from jobs.extract.pipeline import load_pipeline
from jobs.extract.render import ExtractedIncident, build_incident
from sitrep.places import Gazetteer, Place, load_gazetteer

SUM_CUE = re.compile(r"\b(?:a total of|in total|in all|altogether|combined|overall|total of|"
                     r"taking the (?:total|toll)|bringing the (?:total|toll))\b", re.I)
PERIOD_CUE = re.compile(
    r"\b(?:since|so far|to date|last year|this year|last month|earlier this year|in recent "
    r"(?:months|weeks|years)|over the (?:past|last)|in the (?:past|last) (?:year|month|decade|few)|"
    r"during the (?:past|last)|first half|second half|total number|war has|conflict has|insurgency has|each year|every year|"
    r"per year|annually|a year earlier|previous year|between (?:january|february|march|april|may|"
    r"june|july|august|september|october|november|december)|in (?:january|february|march|april|may|june|"
    r"july|august|september|october|november|december) and|(?:first|past|last) (?:\w+ )?"
    r"(?:months|weeks|years|days)|months of the year|years ago|ha(?:s|ve) (?:so far )?"
    r"(?:killed|claimed|left) (?:more than |over |at least |nearly |about |some )?[\d,]{3,}|last week|"
    r"earlier this (?:week|month)|so far this year)\b", re.I)
PAST_TITLE = re.compile(r"\b(?:anniversary|remember|commemorat|memorial|years (?:on|after|since|ago))", re.I)
GENERIC_CUE = re.compile(r"\b(?:numerous|frequently|often|regularly|historically|routinely|"
                         r"continue to|continues to|have been|has been|would|could|might|may|"
                         r"will|threat(?:en)?s?|warned|vowed|plans?|if)\b", re.I)


@dataclass
class Candidate:
    place: Place | None
    figures: Figures
    sentences: list[Span]
    nouns: list[str] = field(default_factory=list)
    summary: bool = False


@dataclass(frozen=True, slots=True)
class ArticleInput:
    text: str
    title: str | None = None
    published: date | None = None


SPEECH_VERBS = frozenset("say tell report add confirm state claim announce".split())


def _main_clause_event(sent: Span) -> bool:
    """Does the sentence's main clause report an event ("Another shootout took place in Tank",
    "Militants abducted six labourers ..., police said")?"""
    root = sent.root
    if root.lemma_ in SPEECH_VERBS:
        reported = [c for c in root.children if c.dep_ in {"ccomp", "parataxis"}]
        root = reported[0] if reported else root
    heads = [root, *(c for c in root.children if c.dep_ in {"nsubj", "nsubjpass", "dobj", "attr", "advcl"})]
    return any(h.lemma_.lower() in lx.EVENT_WORDS and not in_reference_clause(h) for h in heads)


def _assign(mentions: list[Mention], places: list[PlaceMention]) -> list[tuple[PlaceMention | None, list[Mention]]]:
    """Group a sentence's mentions by the place each belongs to: the first place between it and
    the next mention, else the nearest place before it."""
    if len(places) <= 1:
        return [(places[0] if places else None, mentions)]
    groups: dict[int, list[Mention]] = {}
    for k, m in enumerate(mentions):
        stop = mentions[k + 1].start if k + 1 < len(mentions) else 10**9
        after = [p for p in places if m.end <= p.start < stop]
        before = [p for p in places if p.end <= m.start]
        chosen = after[0] if after else (before[-1] if before else places[0])
        groups.setdefault(places.index(chosen), []).append(m)
    return [(places[i], ms) for i, ms in sorted(groups.items())]


class Extractor:
    """Holds the loaded pipeline and gazetteer; thread-safe for reading."""

    def __init__(self, model: str) -> None:
        self.nlp = load_pipeline(model)
        self.gazetteer: Gazetteer = load_gazetteer()

    def extract(self, text: str, *, title: str | None = None, published: date | None = None) -> list[ExtractedIncident]:
        return next(self.extract_many([ArticleInput(text, title, published)]))

    def extract_many(self, items: Iterable[ArticleInput], batch_size: int = 32) -> Iterator[list[ExtractedIncident]]:
        """Incidents per item, in order; texts with no sign of violence skip the parser."""
        items = list(items)
        violent = [i for i, item in enumerate(items) if events.is_violent(f"{item.title or ''} {item.text}")]
        docs = dict(zip(violent, self.nlp.pipe((self._body(items[i]) for i in violent), batch_size=batch_size), strict=False))
        for i, item in enumerate(items):
            yield self._incidents(docs[i], item) if i in docs else []

    @staticmethod
    def _body(item: ArticleInput) -> str:
        text = item.text.strip()
        if item.title and len(text) < 200 and item.title.strip() not in text:
            return f"{item.title.strip()}.\n{text}"
        return text

    def _incidents(self, doc: Doc, item: ArticleInput) -> list[ExtractedIncident]:
        mentions = resolve_places(doc, self.gazetteer)
        candidates: list[Candidate] = []
        if item.title and PAST_TITLE.search(item.title):
            return []  # an article about an anniversary or a memorial reports no new event
        for sent in doc.sents:
            candidates.extend(self._sentence_candidates(sent, mentions, item.published))
        if not candidates:
            return []
        _attach_unplaced(candidates, mentions, self.gazetteer, doc)
        incidents = _merge(candidates, self.gazetteer)
        context = " ".join(s.text for s in list(doc.sents)[:2])
        built = (build_incident(c.place, c.figures, c.sentences, c.nouns, doc, item, context) for c in incidents)
        return [b for b in built if b is not None]

    def _sentence_candidates(self, sent: Span, mentions: list[PlaceMention], published: date | None) -> list[Candidate]:
        text = sent.text
        doc = sent.doc
        in_sent = [m for m in mentions if sent.start <= m.start < sent.end and not m.dateline
                   and not in_earlier_event(doc[m.start])]
        places = specific_places(in_sent, self.gazetteer, doc)
        found = [m for m in find_mentions(sent) if not _about_the_past(_context(sent, m.start), published)]
        if not found:
            if not (places and places[0].place.kind != "country" and events.is_violent(text) and _main_clause_event(sent)
                    and not GENERIC_CUE.search(text) and not _about_the_past(text, published)):
                return []
            return [Candidate(places[0].place, Figures(), [sent])]
        groups = _assign(found, places)
        summary = bool(SUM_CUE.search(text)) or (len(groups) == 1 and _listed(places, doc))
        return [Candidate(p.place if p else None, figures_of(ms), [segment], [m.noun for m in ms if m.noun], summary)
                for (p, ms), segment in zip(groups, _segments(sent, groups), strict=True)]


def _segments(sent: Span, groups: list[tuple[PlaceMention | None, list[Mention]]]) -> list[Span]:
    """The part of the sentence each group of figures stands in, so that "a car bomb kills 23
    in Baghdad, and in Kirkuk a suicide bomber kills 11" types each incident by its own words:
    cut at the first comma, semicolon or conjunction between two groups."""
    doc, cuts = sent.doc, [sent.start]
    for (p1, m1), (p2, m2) in zip(groups, groups[1:], strict=False):
        low = max([m.end for m in m1] + ([p1.end] if p1 and p1.start < m2[0].start else []))
        high = min([m.start for m in m2] + ([p2.start] if p2 and p2.start > low else []))
        cut = next((t.i for t in doc[low:high] if t.lower_ in {",", ";", "and", "while", "whereas"}), low)
        cuts.append(max(cut, cuts[-1]))
    cuts.append(sent.end)
    return [doc[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]


def _listed(places: list[PlaceMention], doc: Doc) -> bool:
    """Places named as a list ("in Peshawar, Tank, and Khyber"): one figure for all is a sum."""
    for a, b in zip(places, places[1:], strict=False):
        if all(t.lower_ in {",", "and", "or", "the"} for t in doc[a.end:b.start]):
            return True
    return False


def _about_the_past(text: str, published: date | None) -> bool:
    """A tally over a period, or an event dated well before publication."""
    return bool(PERIOD_CUE.search(text)) or explicit_past_year(text, published)


def _context(sent: Span, index: int) -> str:
    """The words that date a figure: its sentence (from the last ";") up to the end of the
    clause the figure stands in, so "In September 2024, ... killing 70" is dated and
    "... over a killing earlier this month; police said eight were injured" is not."""
    doc = sent.doc
    node = doc[index]
    for _ in range(6):
        if node.pos_ in {"VERB", "AUX"} or node.head.i == node.i:
            break
        node = node.head
    end = max(t.i for t in node.subtree) + 1
    stops = [t.i for t in doc[index:end] if t.text in {",", ";"} or t.dep_ == "mark"]
    end = min([end, *stops])
    start = max([t.i + 1 for t in doc[sent.start:index] if t.text == ";"], default=sent.start)
    return doc[start:end].text


def _attach_unplaced(candidates: list[Candidate], mentions: list[PlaceMention], gazetteer: Gazetteer, doc: Doc) -> None:
    """A sentence with figures but no place belongs to the place being reported on."""
    fallback = _article_place(mentions, gazetteer, doc)
    last: Place | None = None
    for c in candidates:
        if c.place is None:
            c.place = last or fallback
        else:
            last = c.place
    candidates[:] = [c for c in candidates if c.place is not None]


def _article_place(mentions: list[PlaceMention], gazetteer: Gazetteer, doc: Doc) -> Place | None:
    body = [m for m in mentions if not m.dateline]
    specific = specific_places(body, gazetteer) or specific_places(mentions, gazetteer)
    if specific:
        return specific[0].place
    countries = Counter(e.kb_id_ for e in doc.ents if e.label_ == "NORP")
    return gazetteer.country(countries.most_common(1)[0][0]) if countries else None


def _merge(candidates: list[Candidate], gazetteer: Gazetteer) -> list[Candidate]:
    """One incident per place; sums dropped when their parts are reported; a wider place
    folded into the single narrower one inside it."""
    parts = [c for c in candidates if not c.summary]
    if any(c.figures for c in parts):
        candidates = parts
    else:
        for c in candidates:
            c.summary = False
    merged: list[Candidate] = []
    for c in sorted(candidates, key=lambda c: _rank(c.place)):
        inside = [m for m in merged if m.place == c.place or gazetteer.contains(c.place, m.place)]
        if len(inside) == 1:
            _absorb(inside[0], c)
        elif not inside:
            merged.append(c)
        # inside several incidents: a sum of them, already counted
    order = {id(c.sentences[0]): k for k, c in enumerate(candidates)}
    return sorted(merged, key=lambda c: order.get(id(c.sentences[0]), 0))


def _rank(place: Place) -> int:
    return {"place": 0, "admin2": 1, "admin1": 2, "country": 3}[place.kind]


def _absorb(into: Candidate, other: Candidate) -> None:
    into.figures = merge_figures(into.figures, other.figures)
    into.sentences.extend(s for s in other.sentences if s not in into.sentences)
    into.nouns.extend(other.nouns)
