"""Extraction of stored articles: incidents stored once, merged across outlets, failures retried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from jobs.extract import runner
from sitrep.settings import load_settings
from sitrep.storage.articles import ArticleIn, store_articles
from sitrep.storage.db import get_engine, session_scope
from sitrep.storage.feeds import add_feed
from sitrep.storage.incidents import MAX_EXTRACTION_ATTEMPTS, claim_articles_for_extraction
from sitrep.storage.models import Article, Incident, IncidentArticle

PUBLISHED = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
DAWN = ("Dawn", "Militants killed four soldiers in an attack on a check post in Zhob district "
        "on Monday, officials said.")
TRIBUNE = ("Express Tribune", "Six soldiers were killed when militants attacked a check post in "
           "Zhob district on Monday night, the military said.")


def _add_articles(url: str, *reports: tuple[str, str]) -> None:
    with session_scope(get_engine(url)) as session:
        feed = add_feed(session, url="https://example.org/feed.xml", name="wire")
        articles = [
            ArticleIn(guid=None, link=f"https://example.org/{n}", title=f"Report {n}", text=text,
                      source=source, language="en", published_at=PUBLISHED + timedelta(hours=n),
                      fetched_at=PUBLISHED + timedelta(hours=n))
            for n, (source, text) in enumerate(reports)
        ]
        store_articles(session, feed_id=feed.id, articles=articles)


def test_reports_from_two_outlets_are_one_incident(any_db_url: str) -> None:
    settings = load_settings(database_url=any_db_url, _env_file=None)
    _add_articles(any_db_url, DAWN, TRIBUNE)
    assert runner.extract_pending(settings) == 1
    with session_scope(get_engine(any_db_url)) as session:
        (incident,) = session.exec(select(Incident)).all()
        links = session.exec(select(IncidentArticle)).all()
        statuses = {a.extraction_status for a in session.exec(select(Article)).all()}
    assert (incident.admin2, incident.admin1) == ("Zhob", "Balochistan")
    assert incident.killed_security_forces == 6  # the later, higher toll
    assert len(links) == 2 and statuses == {"done"}
    assert runner.extract_pending(settings) == 0  # nothing left, nothing stored twice


def test_a_failing_article_is_marked_and_retried(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(database_url=db_url, _env_file=None)
    _add_articles(db_url, DAWN)
    extractor = runner.get_extractor(settings.spacy_model)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("model crashed")

    monkeypatch.setattr(extractor, "extract_many", broken)
    monkeypatch.setattr(extractor, "extract", broken)
    assert runner.extract_pending(settings) == 0
    with session_scope(get_engine(db_url)) as session:
        (article,) = session.exec(select(Article)).all()
    assert (article.extraction_status, article.extraction_attempts) == ("failed", 1)
    assert "model crashed" in article.extraction_error
    monkeypatch.undo()
    assert runner.extract_pending(settings) == 0  # not again in the same breath
    with session_scope(get_engine(db_url)) as session:
        session.get(Article, article.id).extraction_claimed_until = datetime.now(UTC) - timedelta(seconds=1)
    assert runner.extract_pending(settings) == 1  # a later run retries it


def test_claims_skip_leased_and_exhausted_articles(any_db_url: str) -> None:
    _add_articles(any_db_url, DAWN, TRIBUNE)
    now = datetime.now(UTC)
    engine = get_engine(any_db_url)
    with session_scope(engine) as session:
        first = claim_articles_for_extraction(session, now=now, lease=timedelta(minutes=5), limit=1)
    with session_scope(engine) as session:
        second = claim_articles_for_extraction(session, now=now, lease=timedelta(minutes=5), limit=5)
        assert [a.id for a in second] != [a.id for a in first] and len(second) == 1
        exhausted = session.get(Article, second[0].id)
        exhausted.extraction_attempts = MAX_EXTRACTION_ATTEMPTS
        exhausted.extraction_claimed_until = None
    with session_scope(engine) as session:
        assert claim_articles_for_extraction(session, now=now, lease=timedelta(minutes=5), limit=5) == []
    with session_scope(engine) as session:  # the first lease expires: claimable again
        later = claim_articles_for_extraction(session, now=now + timedelta(minutes=6),
                                              lease=timedelta(minutes=5), limit=5)
        assert [a.id for a in later] == [a.id for a in first]
