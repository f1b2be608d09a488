"""Build a digest: the incidents of some regions over a period, totalled and grouped.

An incident belongs to the period when it happened in it (event_date) or was reported in
it (created_at), so late reports of older events still reach readers once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, select

from jobs.digest.regions import region_label, regions_condition
from jobs.extract.taxonomy import CATEGORIES
from sitrep.places import load_gazetteer
from sitrep.storage.models import Article, Incident, IncidentArticle


@dataclass
class Casualties:
    """Killed and injured by category (security_forces, militants, civilians, unspecified)."""

    killed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    injured: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))

    @classmethod
    def of(cls, incident: Incident) -> Casualties:
        return cls(
            {c: getattr(incident, f"killed_{c}") or 0 for c in CATEGORIES},
            {c: getattr(incident, f"injured_{c}") or 0 for c in CATEGORIES},
        )

    def add(self, other: Casualties) -> None:
        for category in CATEGORIES:
            self.killed[category] += other.killed[category]
            self.injured[category] += other.injured[category]

    @property
    def total_killed(self) -> int:
        return sum(self.killed.values())

    @property
    def total_injured(self) -> int:
        return sum(self.injured.values())


@dataclass(frozen=True)
class Source:
    """One outlet that reported an incident, with one of its links."""

    name: str
    link: str | None


@dataclass
class DigestIncident:
    id: int
    event_type: str
    sub_event_type: str
    event_date: date
    summary: str
    place: str
    admin1: str | None
    country: str
    casualties: Casualties
    sources: list[Source]

    @property
    def severity(self) -> int:
        return self.casualties.total_killed + self.casualties.total_injured


@dataclass
class PlaceGroup:
    name: str
    incidents: list[DigestIncident]

    @property
    def severity(self) -> int:
        return sum(i.severity for i in self.incidents)


@dataclass
class AreaGroup:
    """The incidents of one province (admin1), or of a country when the province is unknown."""

    name: str
    country: str
    places: list[PlaceGroup]

    @property
    def severity(self) -> int:
        return sum(p.severity for p in self.places)

    @property
    def count(self) -> int:
        return sum(len(p.incidents) for p in self.places)


@dataclass
class Digest:
    region_keys: list[str]
    region_labels: list[str]
    start: datetime
    end: datetime
    totals: Casualties
    incident_count: int
    groups: list[AreaGroup]

    @property
    def empty(self) -> bool:
        return self.incident_count == 0


def period_condition(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Happened in [start, end) by date, or reported in [start, end)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    last_day = (end - timedelta(microseconds=1)).date()
    return or_(
        and_(Incident.event_date >= start.date(), Incident.event_date <= last_day),
        and_(Incident.created_at >= start, Incident.created_at < end),
    )


def _sources(session: Session, incident_ids: list[int]) -> dict[int, list[Source]]:
    """One link per outlet for each incident, earliest article first."""
    rows = session.exec(
        select(IncidentArticle.incident_id, Article.source, Article.link)
        .join(Article, Article.id == IncidentArticle.article_id)
        .where(IncidentArticle.incident_id.in_(incident_ids))
        .order_by(IncidentArticle.incident_id, Article.published_at, Article.id)
    ).all()
    sources: defaultdict[int, dict[str, Source]] = defaultdict(dict)
    for incident_id, outlet, link in rows:
        name = (outlet or "").strip() or "source"
        sources[incident_id].setdefault(name.casefold(), Source(name, link))
    return {incident_id: list(by_name.values()) for incident_id, by_name in sources.items()}


def _group(incidents: list[DigestIncident]) -> list[AreaGroup]:
    """Provinces and places, most severe (killed + injured) first, then busiest."""
    areas: dict[tuple[str, str], dict[str, list[DigestIncident]]] = {}
    for incident in incidents:
        area = areas.setdefault((incident.admin1 or incident.country, incident.country), {})
        area.setdefault(incident.place, []).append(incident)
    groups = [
        AreaGroup(name, country, [PlaceGroup(place, items) for place, items in places.items()])
        for (name, country), places in areas.items()
    ]
    for group in groups:
        for place in group.places:
            place.incidents.sort(key=lambda i: (-i.severity, -i.event_date.toordinal(), i.id))
        group.places.sort(key=lambda p: (-p.severity, -len(p.incidents), p.name))
    groups.sort(key=lambda g: (-g.severity, -g.count, g.name))
    return groups


def build_digest(
    session: Session, *, region_keys: list[str], start: datetime, end: datetime,
    labels: list[str] | None = None,
) -> Digest:
    """The digest of `region_keys` for [start, end); `labels` default to the keys' labels."""
    incidents = session.exec(
        select(Incident)
        .where(regions_condition(region_keys), period_condition(start, end))
        .order_by(Incident.id)
    ).all()
    sources = _sources(session, [i.id for i in incidents]) if incidents else {}
    items = [
        DigestIncident(
            i.id, i.event_type, i.sub_event_type, i.event_date, i.summary, i.location_name,
            i.admin1, i.country, Casualties.of(i), sources.get(i.id, []),
        )
        for i in incidents
    ]
    totals = Casualties()
    for item in items:
        totals.add(item.casualties)
    if labels is None:
        labels = [region_label(load_gazetteer(), key) for key in region_keys]
    return Digest(list(region_keys), labels, start, end, totals, len(items), _group(items))
