"""Which place each place name in an article means.

A name often has several candidates (Tank: a town in Khyber Pakhtunkhwa, places
elsewhere; Punjab: Pakistan or India). Each is scored by its kind, its population, the
countries the article talks about (named countries, demonyms such as "Pakistani",
unambiguous places) and cues beside the name ("the district of X", "X province").
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from sitrep.places import Gazetteer, Place

KIND_PRIOR = {"country": 3.0, "admin1": 2.5, "admin2": 2.2, "place": 1.5}
CUE_KIND = {
    "district": "admin2", "agency": "admin2", "tehsil": "admin2", "county": "admin2",
    "province": "admin1", "state": "admin1", "region": "admin1", "governorate": "admin1",
    "city": "place", "town": "place", "village": "place", "capital": "place",
}


@dataclass(frozen=True, slots=True)
class PlaceMention:
    start: int  # token index in the doc
    end: int
    text: str
    place: Place


def _cue_kind(span: Span) -> str | None:
    """'X district' / 'the district of X' / 'X province' ... -> the kind the cue asks for."""
    doc = span.doc
    after = doc[span.end].lower_ if span.end < len(doc) else ""
    if after in CUE_KIND:
        return CUE_KIND[after]
    if span.start >= 2 and doc[span.start - 1].lower_ == "of":
        return CUE_KIND.get(doc[span.start - 2].lower_)
    return None


def _country_votes(doc: Doc, candidates: dict[Span, list[Place]]) -> Counter[str]:
    votes: Counter[str] = Counter()
    for ent in doc.ents:
        if ent.label_ == "NORP":
            votes[ent.kb_id_] += 1.0
    for places in candidates.values():
        countries = {p.country_code for p in places}
        if len(countries) == 1:
            votes[next(iter(countries))] += 2.0 if places[0].kind == "country" else 1.0
    return votes


def _admin1_votes(candidates: dict[Span, list[Place]]) -> Counter[tuple[str, str]]:
    votes: Counter[tuple[str, str]] = Counter()
    for places in candidates.values():
        admin1s = {(p.country_code, p.admin1) for p in places if p.admin1}
        if len(admin1s) == 1:
            votes[next(iter(admin1s))] += 1
    return votes


def _score(place: Place, cue: str | None, countries: Counter[str],
           admin1s: Counter[tuple[str, str]]) -> float:
    total_votes = sum(countries.values()) or 1
    score = KIND_PRIOR[place.kind] + 0.35 * math.log10(place.population + 10)
    score += 4.0 * countries[place.country_code] / total_votes
    if place.admin1 and admin1s[(place.country_code, place.admin1)]:
        score += 1.5
    if cue is not None:
        score += 3.0 if place.kind == cue else 0.0
    return score


def resolve_places(doc: Doc, gazetteer: Gazetteer) -> list[PlaceMention]:
    """Every GPE entity of `doc`, resolved to its most likely place, in text order."""
    candidates = {ent: gazetteer.lookup(ent.text) for ent in doc.ents if ent.label_ == "GPE"}
    candidates = {span: places for span, places in candidates.items() if places}
    countries = _country_votes(doc, candidates)
    admin1s = _admin1_votes(candidates)
    mentions = []
    for span, places in candidates.items():
        cue = _cue_kind(span)
        best = max(places, key=lambda p: _score(p, cue, countries, admin1s))
        mentions.append(PlaceMention(span.start, span.end, span.text, best))
    return sorted(mentions, key=lambda m: m.start)


def specific_places(mentions: list[PlaceMention], gazetteer: Gazetteer) -> list[PlaceMention]:
    """Drop mentions that only give context: a country or province that contains another
    mention ("Peshawar, the capital of Khyber Pakhtunkhwa province"), repeated names."""
    kept: list[PlaceMention] = []
    for mention in mentions:
        inner = [m for m in mentions if m.place != mention.place
                 and gazetteer.contains(mention.place, m.place)]
        if inner:
            continue
        if any(k.place == mention.place for k in kept):
            continue
        kept.append(mention)
    if any(m.place.kind != "country" for m in kept):
        kept = [m for m in kept if m.place.kind != "country"]
    return kept
