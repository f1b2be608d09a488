"""Regions: what a person types ("KP", "punjab", "Peshawar") to places, and places to SQL.

A region key is the gazetteer's `Place.region_key` ("PK", "PK|Khyber Pakhtunkhwa",
"PK|Khyber Pakhtunkhwa|Khyber", "PK|Khyber Pakhtunkhwa||Peshawar"). A region includes
everything inside it, so a province's filter matches every incident in its districts
and towns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, and_, false, or_

from sitrep.errors import UserError
from sitrep.places import Gazetteer, Place, normalise
from sitrep.storage.models import Incident

MAX_REGION_CHARS = 100
MAX_CHOICES = 6
# A candidate this many times more populous than the next one of its rank is the obvious
# reading ("Lahore" is the city in Pakistan, not a hamlet elsewhere).
DOMINANCE = 20
_SPACES = re.compile(r"\s+")
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_QUALIFIER = re.compile(r"\s*[,(]\s*")


def clean_text(text: str, *, limit: int = MAX_REGION_CHARS, what: str = "region name") -> str:
    """Drop control and invisible characters, collapse whitespace, refuse text over `limit`."""
    visible = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE
    )
    cleaned = _SPACES.sub(" ", visible).strip()
    if len(cleaned) > limit:
        raise UserError(f"That {what} is too long ({len(cleaned)} characters; at most {limit}).")
    return cleaned


@dataclass(frozen=True)
class Resolution:
    """The outcome of reading a region name: one place, several, or none (with suggestions)."""

    query: str
    candidates: tuple[Place, ...] = ()
    suggestions: tuple[Place, ...] = field(default=())

    @property
    def place(self) -> Place | None:
        return self.candidates[0] if len(self.candidates) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    def require_place(self) -> Place:
        """The place, or a UserError naming the choices or the closest names."""
        if self.place is not None:
            return self.place
        if self.ambiguous:
            names = "; ".join(p.label for p in self.candidates)
            raise UserError(f'"{self.query}" could mean several places: {names}. '
                            f'Add the country or province, e.g. "{self.query}, {self.candidates[0].country}".')
        raise UserError(unknown_message(self))


def unknown_message(resolution: Resolution) -> str:
    """Plain text for an unknown region, naming the closest known names."""
    text = f'I don\'t know a region called "{resolution.query}".'
    if resolution.suggestions:
        text += " Closest names: " + "; ".join(p.label for p in resolution.suggestions) + "."
    return text


def _tier(place: Place) -> int:
    """Countries, then provinces, then districts and towns together: a district named
    after its town is the same answer, but a town elsewhere is a real alternative."""
    return {"country": 0, "admin1": 1}.get(place.kind, 2)


def _distinct_choices(places: list[Place]) -> list[Place]:
    """The best-tier places, one per country/province, unless one clearly dominates."""
    best = _tier(places[0])
    choices: dict[tuple[str, str | None], Place] = {}
    for place in places:
        if _tier(place) == best:
            choices.setdefault((place.country_code, place.admin1), place)
    ranked = sorted(choices.values(), key=lambda p: -p.population)
    if len(ranked) > 1 and ranked[0].population >= DOMINANCE * max(ranked[1].population, 1):
        return ranked[:1]
    return ranked[:MAX_CHOICES]


def _suggestions(gazetteer: Gazetteer, query: str) -> tuple[Place, ...]:
    """Closest names, the most similar whole name first, without a town repeating the
    district of the same name it lies in.

    The gazetteer's scorer also rewards partial matches ("Sah" in "Pesahwar"); re-ranking
    by plain similarity puts the misspelt name itself first.
    """
    kept: list[Place] = []
    for place in gazetteer.suggest(query, limit=MAX_CHOICES):
        if not any(k.name == place.name and gazetteer.contains(k, place) for k in kept):
            kept.append(place)
    key = normalise(query)
    return tuple(sorted(kept, key=lambda p: -fuzz.ratio(key, normalise(p.name))))


def _within(gazetteer: Gazetteer, places: list[Place], qualifiers: list[str]) -> list[Place]:
    """Keep the places inside every qualifier ("Punjab, Pakistan", "Khyber (KP)")."""
    for qualifier in qualifiers:
        outers = gazetteer.lookup(qualifier)
        places = [p for p in places if any(gazetteer.contains(o, p) for o in outers)]
    return places


def resolve_region(gazetteer: Gazetteer, text: str) -> Resolution:
    """Read a region name: exact names and aliases, optionally qualified after a comma."""
    query = clean_text(text)
    if not query:
        raise UserError("Which region? For example: Pakistan, Khyber Pakhtunkhwa or Peshawar.")
    places = gazetteer.lookup(query)
    if not places:
        name, *qualifiers = [part for part in _QUALIFIER.split(query.rstrip(")")) if part]
        places = _within(gazetteer, gazetteer.lookup(name), qualifiers) if qualifiers else []
    if places:
        return Resolution(query, tuple(_distinct_choices(places)))
    return Resolution(query, suggestions=_suggestions(gazetteer, query))


def region_label(gazetteer: Gazetteer, key: str) -> str:
    """The human label of a region key, or a readable form of the key when unknown."""
    place = gazetteer.by_region_key(key)
    if place is not None:
        return place.label
    return ", ".join(reversed([part for part in key.split("|") if part]))


def region_condition(key: str) -> ColumnElement[bool]:
    """The SQL condition for incidents inside the region `key`."""
    parts = key.split("|")
    country = parts[0].strip().upper()
    if not country:
        return false()
    conditions = [Incident.country_code == country]
    columns = (Incident.admin1, Incident.admin2, Incident.location_name)
    for column, value in zip(columns, parts[1:], strict=False):
        if value:
            conditions.append(column == value)
    return and_(*conditions)


def regions_condition(keys: list[str]) -> ColumnElement[bool]:
    """Incidents inside any of the regions."""
    return or_(*(region_condition(key) for key in keys)) if keys else false()
