"""Realistic incidents and articles inserted straight into the database for tests."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine

from sitrep.storage.db import session_scope
from sitrep.storage.incidents import count_in_days
from sitrep.storage.models import Article, Incident, IncidentArticle

_counter = itertools.count(1)

BANNU_IED: dict[str, Any] = {
    "event_type": "Explosions/Remote violence",
    "sub_event_type": "Remote explosive/landmine/IED",
    "summary": "A roadside bomb struck a police van near the Bannu cantonment, killing three "
               "policemen and wounding two passers-by.",
    "location_name": "Bannu", "admin2": "Bannu", "admin1": "Khyber Pakhtunkhwa",
    "country": "Pakistan", "country_code": "PK", "latitude": 32.986, "longitude": 70.604,
    "actors": ["Police Forces of Pakistan"], "evidence": ["killing three policemen"],
    "killed_security_forces": 3, "injured_civilians": 2,
}
LAHORE_PROTEST: dict[str, Any] = {
    "event_type": "Protests", "sub_event_type": "Peaceful protest",
    "summary": "Traders protested against new taxes outside the Lahore Press Club.",
    "location_name": "Lahore", "admin2": "Lahore", "admin1": "Punjab", "country": "Pakistan",
    "country_code": "PK", "latitude": 31.558, "longitude": 74.351, "actors": ["Traders"],
    "evidence": ["Traders protested"],
}
AMRITSAR_CLASH: dict[str, Any] = {
    "event_type": "Battles", "sub_event_type": "Armed clash",
    "summary": "Police exchanged fire with smugglers near Amritsar; one smuggler was killed.",
    "location_name": "Amritsar", "admin2": "Amritsar", "admin1": "Punjab", "country": "India",
    "country_code": "IN", "latitude": 31.634, "longitude": 74.872,
    "actors": ["Police Forces of India"], "evidence": ["one smuggler was killed"],
    "killed_militants": 1,
}


def add_incident(
    engine: Engine, template: dict[str, Any], *, event_date: date | None = None,
    sources: list[tuple[str, str | None]] = (("Dawn", "https://www.dawn.com/news/1"),),
    created_at: datetime | None = None, **overrides: Any,
) -> int:
    """Insert an incident from a template and one article per (source, link); return its id."""
    now = datetime.now(UTC)
    values = {**template, **overrides}
    with session_scope(engine) as session:
        incident = Incident(event_date=event_date or now.date(), created_at=created_at or now,
                            reported_at=created_at or now, **values)
        session.add(incident)
        session.flush()
        count_in_days(session, incident=incident)
        for source, link in sources:
            n = next(_counter)
            article = Article(
                content_hash=hashlib.sha256(f"{n}-{source}".encode()).hexdigest(),
                title=f"{source}: {values['summary'][:60]}", text=values["summary"], link=link,
                source=source, language="en", published_at=created_at or now,
                extraction_status="done",
            )
            session.add(article)
            session.flush()
            session.add(IncidentArticle(incident_id=incident.id, article_id=article.id))
        return incident.id
