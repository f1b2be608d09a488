"""Data access for feeds: add, find, claim for fetching, record how a fetch went.

Plain keyword-only functions on a caller's session; the caller owns the transaction
(`session_scope`), so one fetch's result and its articles commit together.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, delete, select

from sitrep.storage.db import lease_rows
from sitrep.storage.models import Feed, FeedArticle

MAX_BACKOFF = timedelta(hours=24)


def get_feed(session: Session, *, feed_id: int) -> Feed | None:
    return session.get(Feed, feed_id)


def get_feed_by_url(session: Session, *, url: str) -> Feed | None:
    return session.exec(select(Feed).where(Feed.url == url)).first()


def add_feed(
    session: Session, *, url: str, name: str | None = None,
    claimed_until: datetime | None = None,
) -> Feed:
    """A new enabled feed, due at once (or claimed by the caller until `claimed_until`).
    The caller checks the URL is not taken."""
    feed = Feed(url=url, name=name, claimed_until=claimed_until)
    session.add(feed)
    session.flush()
    return feed


def add_missing_feeds(session: Session, *, feeds: Iterable[tuple[str, str]]) -> int:
    """Add each (name, url) whose URL is not stored yet; return how many were added."""
    known = set(session.exec(select(Feed.url)).all())
    added = 0
    for name, url in feeds:
        if url not in known:
            session.add(Feed(url=url, name=name))
            known.add(url)
            added += 1
    session.flush()
    return added


def delete_feed(session: Session, *, feed_id: int) -> None:
    """Remove a feed and its links to articles; the articles stay (other feeds, incidents)."""
    session.exec(delete(FeedArticle).where(FeedArticle.feed_id == feed_id))
    session.exec(delete(Feed).where(Feed.id == feed_id))


def list_feeds(session: Session) -> list[Feed]:
    return list(session.exec(select(Feed).order_by(Feed.id)).all())


def count_feeds(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Feed)).one()


def feed_article_counts(session: Session) -> dict[int, int]:
    """Articles stored per feed id (feeds with none are absent)."""
    rows = session.exec(
        select(FeedArticle.feed_id, func.count()).group_by(FeedArticle.feed_id)
    ).all()
    return {feed_id: count for feed_id, count in rows}


def claim_due_feeds(
    session: Session,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    all_feeds: bool = False,
    cycle_start: datetime | None = None,
) -> list[Feed]:
    """Claim up to `limit` enabled, unclaimed feeds that are due and mark them claimed until
    `now + lease`; the claim holds once the caller commits.

    Due means `next_fetch_at <= cycle_start` (default `now`); with `all_feeds`, every feed not
    fetched since `cycle_start`, so a cycle claiming in batches never takes a feed twice.
    On PostgreSQL the rows are locked with FOR UPDATE SKIP LOCKED, so concurrent claimers get
    disjoint feeds; on SQLite (one worker process) the plain select-then-update suffices.
    """
    start = cycle_start or now
    if all_feeds:
        due = or_(Feed.last_fetched_at.is_(None), Feed.last_fetched_at < start)
    else:
        due = or_(Feed.next_fetch_at.is_(None), Feed.next_fetch_at <= start)
    stmt = (
        select(Feed)
        .where(Feed.enabled, or_(Feed.claimed_until.is_(None), Feed.claimed_until <= now), due)
        .order_by(Feed.next_fetch_at.is_not(None), Feed.next_fetch_at, Feed.id)
        .limit(limit)
    )
    return lease_rows(session, stmt, field="claimed_until", until=now + lease)


def backoff_delay(*, interval: timedelta, failures: int) -> timedelta:
    """interval * 2^(failures-1), at most 24 hours."""
    if failures < 1:
        return interval
    return min(interval * 2 ** min(failures - 1, 32), MAX_BACKOFF)


def record_fetch_result(
    session: Session,
    *,
    feed_id: int,
    now: datetime,
    interval: timedelta,
    max_failures: int,
    status: int | None,
    error: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    title: str | None = None,
    moved_to: str | None = None,
) -> Feed:
    """Store how a fetch went and schedule the next one; release the claim.

    Success (`error` is None) resets the failure count and stores `etag` and `last_modified`
    as given (the caller passes the old ones on a 304). A failure backs off exponentially
    and, at `max_failures` in a row, disables the feed (the caller tells the admins).
    """
    feed = session.get(Feed, feed_id)
    if feed is None:
        raise LookupError(f"feed {feed_id} does not exist")
    feed.last_fetched_at = now
    feed.last_status = status
    feed.claimed_until = None
    if error is None:
        _record_success(session, feed, now=now, interval=interval, etag=etag,
                        last_modified=last_modified, title=title, moved_to=moved_to)
    else:
        _record_failure(feed, now=now, interval=interval, max_failures=max_failures, error=error)
    session.add(feed)
    session.flush()
    return feed


def _record_success(
    session: Session, feed: Feed, *, now: datetime, interval: timedelta, etag: str | None,
    last_modified: str | None, title: str | None, moved_to: str | None,
) -> None:
    feed.last_error = None
    feed.consecutive_failures = 0
    feed.failing_since = None
    feed.next_fetch_at = now + interval
    feed.etag = etag
    feed.last_modified = last_modified
    feed.title = title or feed.title
    if moved_to and moved_to != feed.url and get_feed_by_url(session, url=moved_to) is None:
        feed.url = moved_to


def _record_failure(
    feed: Feed, *, now: datetime, interval: timedelta, max_failures: int, error: str,
) -> None:
    feed.last_error = error
    feed.consecutive_failures += 1
    feed.failing_since = feed.failing_since or now
    feed.next_fetch_at = now + backoff_delay(interval=interval, failures=feed.consecutive_failures)
    if feed.consecutive_failures >= max_failures:
        feed.enabled = False
