"""`incident_day` stays equal to a fresh count of the incidents, and statistics read from
it agree with statistics read from the incidents."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from jobs.digest.stats import compute_stats
from sitrep.storage.db import get_engine, session_scope
from sitrep.storage.incidents import FIGURES, rebuild_incident_days, store_incidents
from sitrep.storage.models import Article, IncidentDay

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _record(place: str, admin1: str, killed: int, day: str = "2026-11-24") -> dict:
    zero = dict.fromkeys(("security_forces", "militants", "civilians", "unspecified"), 0)
    return {
        "summary": f"Armed clash in {place}", "event_type": "Battles", "sub_event_type": "Armed clash",
        "date": day, "location": {"name": place, "admin2": place, "admin1": admin1, "country": "Pakistan",
                                  "country_code": "PK", "latitude": None, "longitude": None},
        "actors": [], "killed": {**zero, "security_forces": killed}, "injured": zero, "evidence": [],
    }


def _article(session, n: int) -> Article:  # noqa: ANN001 - a Session
    article = Article(content_hash=f"{n:064d}", title=f"report {n}", text="...", published_at=NOW)
    session.add(article)
    session.flush()
    return article


def _days(session) -> set[tuple]:  # noqa: ANN001 - a Session
    return {(d.day, d.country_code, d.admin1, d.incidents, *(getattr(d, f) for f in FIGURES))
            for d in session.exec(select(IncidentDay)).all()}


def test_counts_follow_new_and_merged_incidents(any_db_url: str) -> None:
    engine = get_engine(any_db_url)
    with session_scope(engine) as session:
        store_incidents(session, article=_article(session, 1), now=NOW,
                        records=[_record("Zhob", "Balochistan", 4), _record("Bannu", "Khyber Pakhtunkhwa", 2)])
        store_incidents(session, article=_article(session, 2), now=NOW,
                        records=[_record("Zhob", "Balochistan", 6)])  # the same clash, a higher toll
        kept = _days(session)
        rebuild_incident_days(session)
        assert _days(session) == kept
        zhob = next(d for d in kept if d[2] == "Balochistan")
        assert zhob[3] == 1 and zhob[4] == 6


def test_statistics_agree_whichever_table_they_read(any_db_url: str) -> None:
    engine = get_engine(any_db_url)
    with session_scope(engine) as session:
        for n, (place, admin1, killed, day) in enumerate([
            ("Zhob", "Balochistan", 3, "2026-11-24"), ("Quetta", "Balochistan", 5, "2026-11-20"),
            ("Bannu", "Khyber Pakhtunkhwa", 1, "2026-11-23"), ("Tank", "Khyber Pakhtunkhwa", 7, "2026-11-10"),
        ]):
            store_incidents(session, article=_article(session, n), now=NOW, records=[_record(place, admin1, killed, day)])
    with session_scope(engine) as session:
        by_province = compute_stats(session, region_keys=["PK|Balochistan"], days=7, now=NOW, labels=[])
        by_district = compute_stats(session, region_keys=["PK|Balochistan|Zhob", "PK|Balochistan|Quetta"],
                                    days=7, now=NOW, labels=[])
        everywhere = compute_stats(session, region_keys=None, days=30, now=NOW, labels=[])
    assert [d.incidents for d in by_province.series] == [d.incidents for d in by_district.series]
    assert (by_province.incidents, by_province.killed) == (by_district.incidents, by_district.killed) == (2, 8)
    assert (everywhere.incidents, everywhere.killed) == (4, 16)
    assert everywhere.series[-2].day == date(2026, 11, 24) and everywhere.series[-2].killed == 3
