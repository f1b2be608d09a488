"""Feed and article storage on SQLite and PostgreSQL: claiming, deduplication, health."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from sitrep.storage.articles import ArticleIn, content_hash, store_article, store_articles
from sitrep.storage.db import get_engine, session_scope
from sitrep.storage.feeds import (
    add_feed,
    backoff_delay,
    claim_due_feeds,
    feed_article_counts,
    record_fetch_result,
)
from sitrep.storage.models import Feed

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=30)
_numbers = itertools.count()


def _feeds(engine: Engine, count: int, **columns: object) -> list[int]:
    with session_scope(engine) as session:
        ids = [add_feed(session, url=f"https://feeds.example/{next(_numbers)}").id
               for _ in range(count)]
        for feed_id in ids:
            feed = session.get(Feed, feed_id)
            for name, value in columns.items():
                setattr(feed, name, value)
        return ids


def _claim(engine: Engine, *, now: datetime = NOW, limit: int = 100, **options: object) -> set[int]:
    with session_scope(engine) as session:
        return {f.id for f in claim_due_feeds(session, now=now, lease=LEASE, limit=limit, **options)}


def test_claim_takes_due_enabled_unclaimed_feeds_once(any_db_url: str) -> None:
    engine = get_engine(any_db_url)
    (due,) = _feeds(engine, 1)
    (later,) = _feeds(engine, 1, next_fetch_at=NOW + timedelta(days=1))
    _feeds(engine, 1, enabled=False)
    (busy,) = _feeds(engine, 1, claimed_until=NOW + timedelta(minutes=1))
    assert _claim(engine) == {due}
    assert _claim(engine) == set()  # claimed now
    assert _claim(engine, now=NOW + LEASE) == {due, busy}  # leases ran out
    assert _claim(engine, now=NOW + 2 * LEASE, all_feeds=True) == {due, busy, later}


def test_all_feeds_claims_each_feed_once_per_cycle(any_db_url: str) -> None:
    engine = get_engine(any_db_url)
    ids = _feeds(engine, 3)
    with session_scope(engine) as session:
        for feed_id in ids:
            record_fetch_result(session, feed_id=feed_id, now=NOW, status=200,
                                interval=timedelta(minutes=15), max_failures=5)
    later = NOW + timedelta(seconds=1)
    assert _claim(engine, now=later, all_feeds=True, cycle_start=NOW) == set()
    assert _claim(engine, now=later, all_feeds=True, cycle_start=later) == set(ids)


def test_two_concurrent_claimers_get_disjoint_feeds(pg_url: str) -> None:
    """The first claimer holds its row locks while the second claims: SKIP LOCKED."""
    engine = get_engine(pg_url)
    ids = set(_feeds(engine, 10))
    first_claimed, second_done = threading.Event(), threading.Event()
    claimed: dict[str, set[int]] = {}

    def first() -> None:
        with session_scope(engine) as session:
            claimed["first"] = {f.id for f in claim_due_feeds(session, now=NOW, lease=LEASE, limit=6)}
            first_claimed.set()
            second_done.wait(10)

    def second() -> None:
        first_claimed.wait(10)
        claimed["second"] = _claim(engine)
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert len(claimed["first"]) == 6 and len(claimed["second"]) == 4
    assert claimed["first"] | claimed["second"] == ids


def test_many_claimers_never_share_a_feed(pg_url: str) -> None:
    engine = get_engine(pg_url)
    ids = _feeds(engine, 40)
    taken: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        while batch := _claim(engine, limit=3):
            with lock:
                taken.extend(batch)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(taken) == sorted(ids)


def _store(engine: Engine, feed_id: int, **fields: object) -> tuple[int, bool]:
    values = {"guid": None, "link": None, "title": "Title", "text": "Body text.", "source": "S",
              "language": "en", "published_at": NOW, "fetched_at": NOW} | fields
    with session_scope(engine) as session:
        article, created = store_article(session, feed_id=feed_id, **values)
        return article.id, created


def test_articles_are_deduplicated_and_linked_to_every_feed(any_db_url: str) -> None:
    engine = get_engine(any_db_url)
    one, two = _feeds(engine, 2)
    first, created = _store(engine, one, guid="https://n.example/a", link="https://n.example/a")
    assert created
    assert _store(engine, two, guid="https://n.example/a", title="Other") == (first, False)
    assert _store(engine, two, link="https://n.example/a", title="Third") == (first, False)
    assert _store(engine, two, title="  TITLE ", text="body   text.") == (first, False)
    with session_scope(engine) as session:
        assert feed_article_counts(session) == {one: 1, two: 1}


def test_numeric_guids_only_match_within_their_feed(any_db_url: str) -> None:
    engine = get_engine(any_db_url)
    one, two = _feeds(engine, 2)
    a, _ = _store(engine, one, guid="17", title="A story")
    b, created = _store(engine, two, guid="17", title="Another story")
    assert created and a != b
    assert _store(engine, one, guid="17", title="A story, updated") == (a, False)


def test_content_hash_ignores_case_and_spacing() -> None:
    assert content_hash("Title", "Some  text\n") == content_hash("title ", "some text")
    assert content_hash("Title", "Some text") != content_hash("Title", "Other text")


def test_backoff_doubles_up_to_a_day() -> None:
    interval = timedelta(minutes=15)
    minutes = [backoff_delay(interval=interval, failures=n) / timedelta(minutes=1)
               for n in (1, 2, 3, 4, 7, 50)]
    assert minutes == [15, 30, 60, 120, 960, 1440]


def test_failures_disable_and_success_resets(any_db_url: str) -> None:
    engine = get_engine(any_db_url)
    (feed_id,) = _feeds(engine, 1)
    interval = timedelta(minutes=15)
    with session_scope(engine) as session:
        for n in range(2):
            feed = record_fetch_result(session, feed_id=feed_id, now=NOW + timedelta(hours=n),
                                       status=503, error="HTTP 503", interval=interval,
                                       max_failures=3)
        assert (feed.consecutive_failures, feed.enabled, feed.status) == (2, True, "failing")
        feed = record_fetch_result(session, feed_id=feed_id, now=NOW, status=200, etag='"e"',
                                   interval=interval, max_failures=3)
        assert (feed.consecutive_failures, feed.failing_since, feed.last_error) == (0, None, None)
        for _ in range(3):
            feed = record_fetch_result(session, feed_id=feed_id, now=NOW, status=None,
                                       error="timed out", interval=interval, max_failures=3)
        assert (feed.enabled, feed.status, feed.etag) == (False, "disabled", '"e"')


def test_a_move_onto_another_feeds_url_is_ignored(any_db_url: str) -> None:
    engine = get_engine(any_db_url)
    one, two = _feeds(engine, 2)
    with session_scope(engine) as session:
        taken, old = session.get(Feed, two).url, session.get(Feed, one).url
        feed = record_fetch_result(session, feed_id=one, now=NOW, status=200, moved_to=taken,
                                   interval=timedelta(minutes=15), max_failures=3)
        assert feed.url == old


@pytest.mark.parametrize("count", [0, 1])
def test_counts_without_links(any_db_url: str, count: int) -> None:
    engine = get_engine(any_db_url)
    ids = _feeds(engine, count)
    with session_scope(engine) as session:
        assert feed_article_counts(session) == {}
    assert len(ids) == count


def _article(n: int, **fields: object) -> ArticleIn:
    values = {"guid": f"https://n.example/{n}", "link": f"https://n.example/{n}",
              "title": f"Story {n}", "text": "Body.", "source": "S", "language": "en",
              "published_at": NOW, "fetched_at": NOW} | fields
    return ArticleIn(**values)


def test_a_batch_stores_each_article_once(any_db_url: str) -> None:
    engine = get_engine(any_db_url)
    (feed_id,) = _feeds(engine, 1)
    batch = [_article(1), _article(1, title="Story 1, again"), _article(2), _article(3, guid="7"),
             _article(4, guid="7")]
    with session_scope(engine) as session:
        results = store_articles(session, feed_id=feed_id, articles=batch)
    (a, _), (b, _), (c, _), (d, _), (e, _) = results
    assert [created for _, created in results] == [True, False, True, True, False]
    assert a == b and d == e and len({a, c, d}) == 3
    with session_scope(engine) as session:
        assert feed_article_counts(session) == {feed_id: 3}
        again = store_articles(session, feed_id=feed_id, articles=batch)
    assert [r[0] for r in again] == [a, b, c, d, e] and not any(r[1] for r in again)


def test_an_article_stored_meanwhile_by_another_worker_is_reused(
        any_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lookup misses, the insert conflicts on the content hash: no error, no duplicate."""
    engine = get_engine(any_db_url)
    one, two = _feeds(engine, 2)
    first, _ = _store(engine, one, title="Same", text="Same text.")
    monkeypatch.setattr("sitrep.storage.articles.find_known", lambda *a, **k: {})
    with session_scope(engine) as session:
        results = store_articles(session, feed_id=two, articles=[
            _article(9, guid=None, link=None, title="Same", text="Same text.")])
    assert results == [(first, False)]
    assert (two, 1) in _counts(engine).items()


def _counts(engine: Engine) -> dict[int, int]:
    with session_scope(engine) as session:
        return feed_article_counts(session)
