"""Feed administration for the CLI and the Telegram bot: add (and fetch at once), remove,
list with health, and load the default feeds from `seeds/feeds.toml`."""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from jobs.ingest import cycle
from jobs.ingest.urls import HostNotFound, UnsafeURL, check_url, resolve_checked
from sitrep.errors import UserError
from sitrep.settings import Settings
from sitrep.storage.db import get_engine, session_scope
from sitrep.storage.feeds import (
    add_feed,
    add_missing_feeds,
    count_feeds,
    delete_feed,
    feed_article_counts,
    get_feed,
    get_feed_by_url,
    list_feeds,
)
from sitrep.storage.models import Feed, utcnow

log = logging.getLogger(__name__)

SEED_FILE = "feeds.toml"


@dataclass(frozen=True)
class AddFeedResult:
    feed_id: int
    url: str
    title: str | None
    entries: int
    new_articles: int
    new_incidents: int


async def check_new_feed_url(settings: Settings, url: str) -> str:
    """The URL, stripped, if it may be added: http(s), resolvable, not a private address
    (unless allowed). Raise UserError saying why not."""
    try:
        url = check_url(url)
        parsed = httpx.URL(url)
        await resolve_checked(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80),
                              allow_private=settings.allow_private_feed_hosts)
    except (UnsafeURL, HostNotFound, httpx.InvalidURL) as exc:
        raise UserError(f"cannot add {url}: {exc}") from None
    return url


async def add_and_fetch_feed(settings: Settings, *, url: str, name: str | None = None) -> AddFeedResult:
    """Add a feed and fetch it at once, storing its articles and extracting incidents.

    The feed is created already claimed, so a running cycle leaves it alone, and it is
    deleted again when the first fetch fails: a feed that is not a feed is never kept."""
    url = await check_new_feed_url(settings, url)
    engine = get_engine(settings.database_url)
    feed = _insert_new_feed(engine, url=url, name=(name or "").strip() or None)
    try:
        async with cycle.feed_worker(settings) as worker:
            report = await worker.process(feed, log_outcome=False)
    except BaseException:
        _delete(engine, feed.id)
        raise
    if report.outcome == "failed":
        _delete(engine, feed.id)
        raise UserError(f"cannot add {url}: {report.error}")
    log.info("feed added feed_id=%s url=%s entries=%s new_articles=%s",
             report.feed_id, report.url, report.entries, report.new_articles)
    incidents = await cycle.extract_new_articles(settings) if report.new_articles else 0
    return AddFeedResult(feed_id=report.feed_id, url=report.url, title=report.title,
                         entries=report.entries, new_articles=report.new_articles,
                         new_incidents=incidents)


def _insert_new_feed(engine: Engine, *, url: str, name: str | None) -> Feed:
    try:
        with session_scope(engine) as session:
            existing = get_feed_by_url(session, url=url)
            if existing is not None:
                raise UserError(f"feed {existing.id} already has this URL: {url}")
            return add_feed(session, url=url, name=name,
                            claimed_until=utcnow() + cycle.CLAIM_LEASE)
    except IntegrityError:
        raise UserError(f"this feed was just added by someone else: {url}") from None


def _delete(engine: Engine, feed_id: int) -> None:
    with session_scope(engine) as session:
        delete_feed(session, feed_id=feed_id)


def remove_feed(settings: Settings, *, ref: str) -> Feed:
    """Remove the feed with this id or URL; its articles stay. Raise UserError if unknown."""
    ref = ref.strip()
    with session_scope(get_engine(settings.database_url)) as session:
        feed = (get_feed(session, feed_id=int(ref)) if ref.isdigit()
                else get_feed_by_url(session, url=ref))
        if feed is None:
            raise UserError(f"no feed with id or URL {ref!r} (see `sitrep feeds list`)")
        delete_feed(session, feed_id=feed.id)
        return feed


def list_feed_health(settings: Settings) -> list[dict[str, Any]]:
    """Every feed with its health, as JSON-ready dicts (times in ISO 8601, UTC)."""
    with session_scope(get_engine(settings.database_url)) as session:
        counts = feed_article_counts(session)
        return [feed_health(feed, articles=counts.get(feed.id, 0)) for feed in list_feeds(session)]


def feed_health(feed: Feed, *, articles: int) -> dict[str, Any]:
    return {
        "id": feed.id,
        "url": feed.url,
        "name": feed.name,
        "title": feed.title,
        "status": feed.status,
        "enabled": feed.enabled,
        "last_status": feed.last_status,
        "last_error": feed.last_error,
        "consecutive_failures": feed.consecutive_failures,
        "articles": articles,
        "last_fetched_at": _iso(feed.last_fetched_at),
        "next_fetch_at": _iso(feed.next_fetch_at),
        "failing_since": _iso(feed.failing_since),
    }


def _iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC; SQLite hands timestamps back without their zone, and they are UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def seed_file() -> Path:
    """`seeds/feeds.toml`, found through the `seeds` package's path (a namespace package,
    which `importlib.resources` cannot read in an editable install)."""
    import seeds

    for base in seeds.__path__:
        candidate = Path(base) / SEED_FILE
        if candidate.is_file():
            return candidate
    raise UserError(f"the default feed list seeds/{SEED_FILE} is missing from the installation")


def default_feeds() -> list[tuple[str, str]]:
    """(name, url) of every default feed."""
    with seed_file().open("rb") as handle:
        data = tomllib.load(handle)
    return [(entry["name"], entry["url"]) for entry in data.get("feed", [])]


def seed_default_feeds(engine: Engine) -> int:
    """Add the default feeds that are missing (idempotent); return how many were added."""
    with session_scope(engine) as session:
        return add_missing_feeds(session, feeds=default_feeds())


def seed_default_feeds_if_empty(engine: Engine) -> int:
    """On a first run (no feeds at all) load the defaults; return how many were added."""
    with session_scope(engine) as session:
        if count_feeds(session):
            return 0
        return add_missing_feeds(session, feeds=default_feeds())
