"""From a merged candidate to the incident Sitrep stores and prints (the output contract)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from spacy.tokens import Doc, Span

from jobs.extract import events
from jobs.extract import lexicon as lx
from jobs.extract.casualties import Figures, earlier_event_tokens
from jobs.extract.dates import resolve_date
from jobs.extract.numbers import parse_number
from sitrep.places import Place

if TYPE_CHECKING:
    from jobs.extract.extractor import ArticleInput

MAX_EVIDENCE_CHARS = 400
POLICE_WORDS = frozenset("police policeman policemen policewoman cop constable".split())
SOLDIER_WORDS = frozenset("soldier troop trooper army jawan commando serviceman servicemen".split())


@dataclass
class ExtractedIncident:
    summary: str
    event_type: str
    sub_event_type: str
    date: date | None
    place: Place
    actors: list[str]
    killed: dict[str, int]
    injured: dict[str, int]
    evidence: list[str]

    def to_dict(self) -> dict[str, Any]:
        p = self.place
        return {
            "summary": self.summary,
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "date": self.date.isoformat() if self.date else None,
            "location": {
                "name": p.name, "admin2": p.admin2 if p.kind != "admin2" else p.name,
                "admin1": p.admin1 if p.kind != "admin1" else p.name, "country": p.country,
                "country_code": p.country_code, "latitude": p.latitude, "longitude": p.longitude,
            },
            "actors": self.actors,
            "killed": dict(self.killed),
            "injured": dict(self.injured),
            "evidence": self.evidence,
        }


def _victim_label(category: str, count: int, nouns: list[str]) -> str:
    if category == "security_forces":
        if nouns and all(n in POLICE_WORDS for n in nouns):
            word = "police"
        elif nouns and all(n in SOLDIER_WORDS for n in nouns):
            word = "soldiers" if count != 1 else "soldier"
        else:
            word = "security personnel"
    else:
        plural = {"militants": "militants", "civilians": "civilians", "unspecified": "people"}[category]
        single = {"militants": "militant", "civilians": "civilian", "unspecified": "person"}[category]
        word = plural if count != 1 else single
    return f"{count} {word}"


def _figures_phrase(counts: dict[str, int], nouns: list[str], verb: str) -> str:
    sf_nouns = [n for n in nouns if n in lx.SECURITY_NOUNS]
    parts = [_victim_label(c, n, sf_nouns) for c, n in counts.items() if n]
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{listed} {verb}"


def summary_line(sub_event: str, place: Place, figures: Figures, nouns: list[str]) -> str:
    phrases = [p for p in (_figures_phrase(figures.killed, nouns, "killed"),
                           _figures_phrase(figures.injured, nouns, "injured")) if p]
    head = f"{sub_event} in {place.label}"
    return f"{head}: {'; '.join(phrases)}" if phrases else head


def _actors(sentences: list[Span], doc: Doc) -> list[str]:
    local = [e.kb_id_ for s in sentences for e in s.ents if e.label_ == "ACTOR"]
    if local:
        return list(dict.fromkeys(local))
    counts = Counter(e.kb_id_ for e in doc.ents if e.label_ == "ACTOR")
    return [name for name, _ in counts.most_common(2)]


def _classify(text: str, figures: Figures, context: str) -> tuple[str, str] | None:
    armed = sum(figures.killed[c] + figures.injured[c] for c in ("security_forces", "militants"))
    unarmed = sum(figures.killed[c] + figures.injured[c] for c in ("civilians", "unspecified"))
    both_sides = figures.killed["security_forces"] + figures.injured["security_forces"] > 0 and (
        figures.killed["militants"] + figures.injured["militants"] > 0)
    victims_are_armed = armed > 0 and unarmed == 0 or both_sides
    deaths = sum(figures.killed.values()) > 0
    kind = events.classify(text, victims_are_armed=victims_are_armed, deaths=deaths) or (
        events.classify(context, victims_are_armed=victims_are_armed, deaths=deaths))
    if kind and kind[0] == "Protests" and unarmed:
        return events.EVENT_TYPE_OF_EXCESSIVE  # protesters killed or hurt by the forces facing them
    return kind


def _bombers_who_died(text: str) -> int:
    """Suicide bombers the text says died ("two women suicide bombers blew themselves up")."""
    match = events.SUICIDE_BOMBERS_DIED.search(text)
    if match:
        return parse_number([match.group(1)]) or 1
    return 1 if events.SUICIDE_DEATH.search(text) else 0


def _hostile(text: str, article: str) -> bool:
    """Violence by people, not an accident or a disaster. An explosion needs a hostile word
    somewhere in the article ("... claimed responsibility"); other violence needs only the
    absence of accident words in its own passage."""
    if events.is_hostile(text):
        return True
    if lx.ACCIDENT_CUES.search(text):
        return False
    return not events.EXPLOSION_ONLY.search(text) or events.is_hostile(article)


def _own_words(sentences: list[Span]) -> str:
    """The passage without clauses about earlier events ("a week after a suicide bombing ...")."""
    parts = []
    for span in sentences:
        other = earlier_event_tokens(span)
        parts.append("".join(t.text_with_ws for t in span if t.i not in other))
    return " ".join(parts)


def _and_next_sentence(sentences: list[Span]) -> str:
    """The passage and the sentence after it ("... killing 13 soldiers. The bomber also dies.")."""
    last = sentences[-1]
    following = last.doc[last.end:last.doc[last.end].sent.end] if last.end < len(last.doc) else None
    return " ".join(s.text for s in sentences) + (f" {following.text}" if following is not None else "")


def build_incident(place: Place, figures: Figures, sentences: list[Span], nouns: list[str],
                   doc: Doc, item: ArticleInput, context: str) -> ExtractedIncident | None:
    text = _own_words(sentences)
    title_context = f"{item.title or ''}. {context}"
    if not _hostile(text, f"{item.title or ''}. {doc.text}"):
        return None
    kind = _classify(text, figures, title_context)
    if kind is None:
        return None
    if kind[1] == "Suicide bomb" and not figures.killed["militants"]:
        figures.killed["militants"] = _bombers_who_died(_and_next_sentence(sentences))
    when = resolve_date(text, item.published) or resolve_date(context, item.published) or item.published
    evidence = [s.sent.text.strip()[:MAX_EVIDENCE_CHARS] for s in sentences]
    return ExtractedIncident(
        summary=summary_line(kind[1], place, figures, nouns), event_type=kind[0],
        sub_event_type=kind[1], date=when, place=place, actors=_actors(sentences, doc),
        killed=figures.killed, injured=figures.injured, evidence=evidence,
    )
