"""Which place each place name in an article means.

A name often has several candidates (Tank: a town in Khyber Pakhtunkhwa, places
elsewhere; Punjab: Pakistan or India). Each is scored by its kind, its population, the
countries the article talks about (named countries, demonyms such as "Pakistani",
unambiguous places) and cues beside the name ("the district of X", "X province").
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span

from sitrep.places import Gazetteer, Place

SPELLING_RATIO = 88  # "Radaa" ~ "Rada" (89) yes, "Tessit" ~ "Tessalit" (86) no
KIND_PRIOR = {"country": 3.0, "admin1": 2.5, "admin2": 2.2, "place": 1.5}
DIRECTION_WORDS = frozenset("north south east west northeast northwest southeast southwest "
                            "km kilometres kilometers miles outside".split())
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
    dateline: bool = False  # "PESHAWAR:" where the report was filed, not where it happened


def _is_dateline(span: Span) -> bool:
    """A place name opening the text or a line, in capitals or before ':', '-' or '('."""
    doc = span.doc
    at_line_start = span.start == 0 or "\n" in doc[span.start - 1].text_with_ws or doc[span.start - 1].is_space
    after = doc[span.end].text if span.end < len(doc) else ""
    return at_line_start and (span.text.isupper() or after in {":", "-", "(", "—", "–", ","})


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
        score += 3.0
    if cue is not None:
        score += 3.0 if place.kind == cue else 0.0
    return score


def _best(span: Span, places: list[Place], countries: Counter[str],
          admin1s: Counter[tuple[str, str]]) -> Place:
    cue = _cue_kind(span)
    return max(places, key=lambda p: _score(p, cue, countries, admin1s))


def resolve_places(doc: Doc, gazetteer: Gazetteer) -> list[PlaceMention]:
    """Every GPE entity of `doc`, resolved to its most likely place, in text order.

    Two passes: the first picks by country context; the provinces of those picks then
    vote in the second, so "Bijapur district" in a report datelined Raipur is the
    Bijapur of Chhattisgarh.
    """
    candidates = {ent: gazetteer.lookup(ent.text) or gazetteer.lookup(ent.kb_id_) for ent in doc.ents if ent.label_ == "GPE"}
    candidates = {span: places for span, places in candidates.items() if places}
    countries = _country_votes(doc, candidates)
    candidates.update(_spelling_variants(doc, gazetteer, countries))
    first = {span: _best(span, places, countries, _admin1_votes(candidates)) for span, places in candidates.items()}
    mentions = []
    top = countries.most_common(1)
    for span, places in candidates.items():
        others = Counter((p.country_code, p.admin1) for s, p in first.items() if s != span and p.admin1)
        best = _best(span, places, countries, others)
        own = 1.0 if len({p.country_code for p in places}) == 1 else 0.0
        if top and top[0][1] >= 2 and countries[best.country_code] <= own and best.kind in {"place", "admin2"}:
            continue  # an unknown village that shares a name with a place abroad
        best = _with_district(best, gazetteer)
        mentions.append(PlaceMention(span.start, span.end, span.text, best, _is_dateline(span)))
    return sorted(mentions, key=lambda m: m.start)


def _spelling_variants(doc: Doc, gazetteer: Gazetteer, countries: Counter[str]) -> dict[Span, list[Place]]:
    """Unknown names where a place is expected (LOC spans), matched to a place spelt almost
    alike in a country the article already names: "Radaa" is Rada' in Yemen."""
    found: dict[Span, list[Place]] = {}
    named = [code for code, votes in countries.most_common(2) if votes]
    for ent in doc.ents:
        if ent.label_ != "LOC":
            continue
        close = [p for code in named for p in gazetteer.closest_in_country(ent.text, code, cutoff=SPELLING_RATIO)]
        if close:
            found[ent] = close
    return found


def _with_district(place: Place, gazetteer: Gazetteer) -> Place:
    """A town the data files under no district gets the district of the same name in its
    province, when there is one (the town of Tank is in Tank district)."""
    if place.kind != "place" or place.admin2:
        return place
    for district in gazetteer.lookup(place.name):
        if district.kind == "admin2" and (district.country_code, district.admin1) == (place.country_code, place.admin1):
            return replace(place, admin2=district.name)
    return place


def _is_reference_point(doc: Doc, mention: PlaceMention) -> bool:
    """"north of Baquba", "labourers from Punjab": a place named to point elsewhere."""
    tokens = doc[max(0, mention.start - 3):mention.start]
    before = [t.lower_ for t in tokens]
    after = [t.lower_ for t in doc[mention.end:mention.end + 2]]
    if {"hospital", "hospitals", "border", "frontier"} & set(before) or "border" in after:
        return True  # "died in hospital in Quetta", "near the border with Niger", "Nigeria's border"
    if before and before[-1] == "to" and len(tokens) >= 2 and tokens[-2].pos_ == "VERB":
        return True  # "evacuated to Maiduguri", "taken to Quetta"
    return bool(before) and (before[-1] == "from" or len(before) >= 2 and before[-1] == "of"
                             and before[-2] in DIRECTION_WORDS)


def specific_places(mentions: list[PlaceMention], gazetteer: Gazetteer, doc: Doc | None = None) -> list[PlaceMention]:
    """Drop mentions that only give context: a country or province that contains another
    mention ("Peshawar, the capital of Khyber Pakhtunkhwa province"), repeated names,
    places named as reference points when there are others."""
    if doc is not None:
        mentions = [m for m in mentions if not _is_reference_point(doc, m)]
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
