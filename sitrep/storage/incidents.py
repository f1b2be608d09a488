"""Data access for incidents: claim articles for extraction, store what it finds, and
merge reports of one incident from several outlets.

Two reports are the same incident when they share country, province and district (or
place), their dates are at most a day apart, their event types agree and their death
tolls are not far apart. The stored figures then follow the latest credible report: a
later report replaces the figures unless it gives fewer deaths (an early, partial count
of a later report is not credible once a higher toll has been published).

Every change to an incident's figures also updates `incident_day`, the per-day counts by
province that statistics over many regions read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from sitrep.storage.db import lease_rows
from sitrep.storage.models import Article, Incident, IncidentArticle, IncidentDay

MAX_EXTRACTION_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=10)
CATEGORIES = ("security_forces", "militants", "civilians", "unspecified")
FIGURES = tuple(f"{kind}_{c}" for kind in ("killed", "injured") for c in CATEGORIES)


def claim_articles_for_extraction(session: Session, *, now: datetime, lease: timedelta,
                                  limit: int) -> list[Article]:
    """Pending (or failed, to retry) articles nobody else is extracting, oldest first,
    leased to this worker. PostgreSQL: FOR UPDATE SKIP LOCKED, so workers never overlap."""
    query = (
        select(Article)
        .where(col(Article.extraction_status).in_(("pending", "failed")),
               Article.extraction_attempts < MAX_EXTRACTION_ATTEMPTS,
               or_(col(Article.extraction_claimed_until).is_(None), Article.extraction_claimed_until < now))
        .order_by(Article.id)
        .limit(limit)
    )
    return lease_rows(session, query, field="extraction_claimed_until", until=now + lease)


def mark_extraction(session: Session, *, article_id: int, ok: bool, now: datetime,
                    error: str | None = None) -> None:
    """Record the outcome. A failure counts an attempt and keeps the article leased for
    RETRY_AFTER, so a later run, not this one, tries it again."""
    session.execute(
        update(Article).where(Article.id == article_id).values(
            extraction_status="done" if ok else "failed",
            extraction_attempts=Article.extraction_attempts + 1,
            extraction_error=None if ok else (error or "unknown error")[:500],
            extraction_claimed_until=None if ok else now + RETRY_AFTER,
        )
    )


def _killed(record: dict[str, Any] | Incident) -> int:
    if isinstance(record, Incident):
        return record.killed
    return sum(record["killed"].values())


def _compatible_figures(a: int, b: int) -> bool:
    return min(a, b) == 0 or abs(a - b) <= 5 or max(a, b) <= 3 * min(a, b)


def find_same_incident(session: Session, *, record: dict[str, Any], event_date: date,
                       exclude_article_id: int) -> Incident | None:
    """A stored incident that `record` (the extraction contract's dict) reports again."""
    loc = record["location"]
    query = select(Incident).where(
        Incident.country_code == loc["country_code"],
        Incident.admin1 == loc["admin1"],
        Incident.event_type == record["event_type"],
        Incident.event_date >= event_date - timedelta(days=1),
        Incident.event_date <= event_date + timedelta(days=1),
    )
    if loc.get("admin2"):
        query = query.where(Incident.admin2 == loc["admin2"])
    else:
        query = query.where(Incident.location_name == loc["name"])
    for incident in session.exec(query.order_by(Incident.id)).all():
        linked = session.get(IncidentArticle, (incident.id, exclude_article_id))
        if linked is None and _compatible_figures(incident.killed, _killed(record)):
            return incident
    return None


def _apply(incident: Incident, record: dict[str, Any]) -> None:
    for kind in ("killed", "injured"):
        for category in CATEGORIES:
            setattr(incident, f"{kind}_{category}", int(record[kind][category]))
    incident.summary = record["summary"]
    incident.sub_event_type = record["sub_event_type"]
    incident.evidence = list(record.get("evidence") or [])[:5]


def _new_incident(record: dict[str, Any], event_date: date, now: datetime) -> Incident:
    loc = record["location"]
    incident = Incident(
        event_type=record["event_type"], sub_event_type=record["sub_event_type"],
        event_date=event_date, summary=record["summary"], location_name=loc["name"],
        admin2=loc.get("admin2"), admin1=loc.get("admin1"), country=loc["country"],
        country_code=loc["country_code"], latitude=loc.get("latitude"),
        longitude=loc.get("longitude"), actors=list(record.get("actors") or []),
        reported_at=now, created_at=now,
    )
    _apply(incident, record)
    return incident


def count_in_days(session: Session, *, incident: Incident, sign: int = 1) -> None:
    """Add the incident to its day and province in `incident_day` (sign=-1 takes it away)."""
    values = {"day": incident.event_date, "country_code": incident.country_code,
              "admin1": incident.admin1 or "", "incidents": sign,
              **{name: sign * getattr(incident, name) for name in FIGURES}}
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(IncidentDay).values(**values)
    columns = IncidentDay.__table__.c
    statement = statement.on_conflict_do_update(
        index_elements=["day", "country_code", "admin1"],
        set_={name: columns[name] + statement.excluded[name] for name in ("incidents", *FIGURES)},
    )
    session.execute(statement)


def rebuild_incident_days(session: Session) -> None:
    """Recount `incident_day` from every incident (after a bulk load that bypassed it)."""
    session.execute(delete(IncidentDay))
    sums = ", ".join(f"SUM({name})" for name in FIGURES)
    session.connection().exec_driver_sql(
        f"INSERT INTO incident_day (day, country_code, admin1, incidents, {', '.join(FIGURES)}) "
        f"SELECT event_date, country_code, COALESCE(admin1, ''), COUNT(*), {sums} FROM incident "
        "GROUP BY event_date, country_code, COALESCE(admin1, '')"
    )


def store_incidents(session: Session, *, article: Article, records: Sequence[dict[str, Any]],
                    now: datetime) -> tuple[int, int]:
    """Store an article's incidents, merging reports of known ones; (new, merged)."""
    new = merged = 0
    for record in records:
        when = date.fromisoformat(record["date"]) if record.get("date") else article.published_at.date()
        incident = find_same_incident(session, record=record, event_date=when, exclude_article_id=article.id)
        if incident is None:
            incident = _new_incident(record, when, now)
            session.add(incident)
            session.flush()
            count_in_days(session, incident=incident)
            new += 1
        else:
            if _killed(record) >= incident.killed:
                count_in_days(session, incident=incident, sign=-1)
                _apply(incident, record)
                count_in_days(session, incident=incident)
            incident.actors = list(dict.fromkeys([*incident.actors, *(record.get("actors") or [])]))
            incident.reported_at = now
            session.add(incident)
            merged += 1
        if session.get(IncidentArticle, (incident.id, article.id)) is None:
            session.add(IncidentArticle(incident_id=incident.id, article_id=article.id))
    session.flush()
    return new, merged
