"""One ingestion cycle: claim the due feeds, fetch and parse them concurrently, store their
articles (one transaction per feed), then hand the new articles to the extractor.

Feeds are claimed in batches as workers free up, so several worker processes sharing one
PostgreSQL split the work between them. Database work runs on one dedicated thread (the
event loop keeps fetching meanwhile, and SQLite sees one writer per process); parsing runs
in a small process pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal, TypeVar

from sqlalchemy import Engine

from jobs.ingest.fetcher import Fetcher, FetchError, FetchResult
from jobs.ingest.fulltext import fetch_full_text, is_short
from jobs.ingest.language import ENGLISH, detect_language
from jobs.ingest.parsing import ParsedEntry, ParsedFeed, ParseError, parse_feed
from jobs.ingest.urls import canonical_url
from sitrep.settings import Settings
from sitrep.storage.articles import ArticleIn, find_known, store_articles
from sitrep.storage.db import get_engine, session_scope
from sitrep.storage.feeds import claim_due_feeds, get_feed, record_fetch_result
from sitrep.storage.models import Feed, utcnow

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=30)
FEEDS_IN_FLIGHT_PER_SLOT = 4  # feeds being worked on per concurrent request allowed
CPU_WORKERS = max(1, min(4, (os.cpu_count() or 2) - 1))  # processes for parsing and extraction

Outcome = Literal["ok", "not_modified", "failed"]
T = TypeVar("T")


@dataclass(frozen=True)
class FeedReport:
    feed_id: int
    url: str
    outcome: Outcome
    error: str | None = None
    status: int | None = None
    title: str | None = None
    entries: int = 0
    new_articles: int = 0
    disabled: bool = False


@dataclass
class CycleSummary:
    feeds_ok: int = 0
    not_modified: int = 0
    failed: int = 0
    new_articles: int = 0
    new_incidents: int = 0
    seconds: float = 0.0
    fetch_seconds: float = 0.0  # the fetch-and-store phase alone, without extraction
    disabled_feeds: list[tuple[int, str, str]] = field(default_factory=list)

    def add(self, report: FeedReport) -> None:
        if report.outcome == "ok":
            self.feeds_ok += 1
        elif report.outcome == "not_modified":
            self.not_modified += 1
        else:
            self.failed += 1
        self.new_articles += report.new_articles
        if report.disabled:
            self.disabled_feeds.append((report.feed_id, report.url, report.error or ""))

    def line(self) -> str:
        return (f"feeds: {self.feeds_ok} ok, {self.not_modified} not modified, "
                f"{self.failed} failed; {self.new_articles} new articles; "
                f"{self.new_incidents} new incidents; {self.seconds:.1f} s")


@dataclass(frozen=True)
class Download:
    """A feed fetched and parsed, or the reason it could not be."""

    status: int | None
    result: FetchResult | None = None
    parsed: ParsedFeed | None = None
    error: str | None = None


def article_from_entry(entry: ParsedEntry, *, source: str | None, now: datetime) -> ArticleIn | None:
    """What gets stored for one entry; None for an entry with nothing in it."""
    link = canonical_url(entry.link) if entry.link else None
    if link and not link.startswith(("http://", "https://")):
        link = None
    if not (entry.title or entry.text or link):
        return None
    published = entry.published_at if entry.published_at and entry.published_at <= now else now
    language = detect_language(entry.language, f"{entry.title}\n{entry.text}")
    return ArticleIn(
        guid=entry.guid, link=link, title=entry.title, text=entry.text, source=source,
        language=language, published_at=published, fetched_at=now,
        extraction_status="pending" if language == ENGLISH else "skipped",
    )


async def run_in(executor: Executor, func: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, functools.partial(func, *args, **kwargs))


class FeedWorker:
    """Processes feeds with one shared HTTP client, one database thread and a process pool
    for parsing and text extraction (see `cpu_pool`)."""

    def __init__(self, settings: Settings, fetcher: Fetcher, *, db_executor: Executor,
                 cpu_executor: Executor) -> None:
        self.settings = settings
        self.engine: Engine = get_engine(settings.database_url)
        self._fetcher = fetcher
        self._db_executor = db_executor
        self._cpu_executor = cpu_executor

    async def db(self, func: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        return await run_in(self._db_executor, func, *args, **kwargs)

    async def download(self, feed: Feed) -> Download:
        """Fetch and parse a feed; a failure is a Download with an error, not an exception."""
        try:
            result = await self._fetcher.fetch(
                feed.url, etag=feed.etag, last_modified=feed.last_modified)
        except FetchError as exc:
            return Download(status=exc.status, error=str(exc))
        if result.not_modified or result.body is None:
            return Download(status=result.status, result=result)
        try:
            parsed = await run_in(self._cpu_executor, parse_feed, result.body, url=result.url,
                                  content_type=result.content_type)
        except ParseError as exc:
            return Download(status=result.status, result=result, error=str(exc))
        return Download(status=result.status, result=result, parsed=parsed)

    async def process(self, feed: Feed, *, log_outcome: bool = True) -> FeedReport:
        """Fetch, parse and store one feed; never raises (a bug is logged with its traceback).
        `log_outcome=False` leaves reporting the outcome to the caller."""
        try:
            now = utcnow()
            download = await self.download(feed)
            articles = await self._articles(feed, download, now)
            report = await self.db(self._save, feed, download, articles, now)
        except Exception:
            log.exception("feed processing crashed feed_id=%s url=%s", feed.id, feed.url)
            return FeedReport(feed.id, feed.url, "failed", error="internal error (see the log)")
        if log_outcome:
            _log_report(report, download)
        return report

    async def _articles(self, feed: Feed, download: Download, now: datetime) -> list[ArticleIn]:
        if download.parsed is None or download.error:
            return []
        entries = download.parsed.entries
        if self.settings.fetch_full_text:
            entries = await self._with_full_text(feed.id, entries)
        source = feed.name or download.parsed.title or feed.title
        found = (article_from_entry(entry, source=source, now=now) for entry in entries)
        return [article for article in found if article is not None]

    async def _with_full_text(self, feed_id: int, entries: list[ParsedEntry]) -> list[ParsedEntry]:
        """Entries whose summary is short and that are not stored yet get their page's text."""
        short = [e for e in entries if e.link and is_short(e.text)]
        if not short:
            return entries
        new = set(await self.db(self._unknown_links, feed_id, short))
        wanted = [e for e in short if e.link in new]
        texts = await asyncio.gather(
            *(fetch_full_text(self._fetcher, e.link, executor=self._cpu_executor) for e in wanted))
        better = {e.link: text for e, text in zip(wanted, texts, strict=True)
                  if text and len(text) > len(e.text)}
        return [replace(e, text=better[e.link]) if e.link in better else e for e in entries]

    def _unknown_links(self, feed_id: int, entries: list[ParsedEntry]) -> list[str]:
        links = {e.link: canonical_url(e.link) for e in entries if e.link}
        with session_scope(self.engine) as session:
            known = find_known(session, feed_id=feed_id, links=set(links.values()),
                               guids={e.guid for e in entries if e.guid})
        return [link for e in entries if (link := e.link) and ("link", links[link]) not in known
                and ("guid", e.guid) not in known]

    def _save(self, feed: Feed, download: Download, articles: list[ArticleIn],
              now: datetime) -> FeedReport:
        """One transaction: the feed's new articles and how its fetch went."""
        with session_scope(self.engine) as session:
            if get_feed(session, feed_id=feed.id) is None:
                return FeedReport(feed.id, feed.url, "failed", error="removed while being fetched")
            stored = store_articles(session, feed_id=feed.id, articles=articles)
            new = sum(created for _, created in stored)
            row = record_fetch_result(
                session, feed_id=feed.id, now=now, status=download.status, error=download.error,
                interval=timedelta(minutes=self.settings.fetch_interval_minutes),
                max_failures=self.settings.max_feed_failures, **_validators(feed, download),
            )
            outcome: Outcome = ("failed" if download.error else
                                "not_modified" if download.parsed is None else "ok")
            entries = len(download.parsed.entries) if download.parsed else 0
            return FeedReport(row.id, row.url, outcome, error=download.error,
                              status=download.status, title=row.title, entries=entries,
                              new_articles=new, disabled=not row.enabled)


def _validators(feed: Feed, download: Download) -> dict[str, str | None]:
    """What to remember from the response: validators (a 304 may omit them), title, new URL."""
    result = download.result
    if result is None:
        return {}
    if result.not_modified:
        return {"etag": result.etag or feed.etag,
                "last_modified": result.last_modified or feed.last_modified}
    title = download.parsed.title if download.parsed else None
    return {"etag": result.etag, "last_modified": result.last_modified, "title": title,
            "moved_to": result.moved_to}


def _log_report(report: FeedReport, download: Download) -> None:
    where = f"feed_id={report.feed_id} url={report.url}"
    if report.disabled:
        log.error("feed disabled after too many failures in a row %s last_error=%s "
                  "(fix the URL, then remove and add the feed again)", where, report.error)
    elif report.error:
        log.warning("feed failed %s status=%s error=%s", where, report.status, report.error)
    elif report.outcome == "not_modified":
        log.debug("feed not modified %s", where)
    else:
        if download.parsed and download.parsed.warning:
            log.warning("feed is malformed but its entries were kept %s warning=%s",
                        where, download.parsed.warning)
        log.info("feed fetched %s entries=%s new_articles=%s",
                 where, report.entries, report.new_articles)


class _Claimer:
    """Hands claimed feeds to workers, claiming a new batch whenever the last one is used up."""

    def __init__(self, worker: FeedWorker, *, batch: int, all_feeds: bool) -> None:
        self._worker = worker
        self._batch = batch
        self._all_feeds = all_feeds
        self._cycle_start = utcnow()
        self._buffer: deque[Feed] = deque()
        self._exhausted = False
        self._lock = asyncio.Lock()

    async def next_feed(self) -> Feed | None:
        async with self._lock:
            if not self._buffer and not self._exhausted:
                feeds = await self._worker.db(self._claim)
                self._exhausted = len(feeds) < self._batch
                self._buffer.extend(feeds)
            return self._buffer.popleft() if self._buffer else None

    def _claim(self) -> list[Feed]:
        with session_scope(self._worker.engine) as session:
            return claim_due_feeds(session, now=utcnow(), lease=CLAIM_LEASE, limit=self._batch,
                                   all_feeds=self._all_feeds, cycle_start=self._cycle_start)


def cpu_pool() -> ProcessPoolExecutor:
    """feedparser and trafilatura are CPU-bound pure Python. On threads they hold the GIL
    and slow the event loop that paces every fetch (measured with 500 feeds: +40% cycle
    time), so they run in worker processes, started on first use. forkserver, not fork:
    this process has threads, and forking those is unsafe."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=CPU_WORKERS, mp_context=context)


@contextlib.asynccontextmanager
async def feed_worker(settings: Settings) -> AsyncIterator[FeedWorker]:
    with (ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitrep-db") as db_executor,
          cpu_pool() as cpu_executor):
        async with Fetcher(settings) as fetcher:
            yield FeedWorker(settings, fetcher, db_executor=db_executor, cpu_executor=cpu_executor)


async def run_cycle(settings: Settings, *, all_feeds: bool = False) -> CycleSummary:
    """Fetch every due feed (every enabled feed with `all_feeds`) and extract incidents."""
    started = time.monotonic()
    summary = CycleSummary()
    in_flight = settings.fetch_concurrency * FEEDS_IN_FLIGHT_PER_SLOT
    async with feed_worker(settings) as worker:
        claimer = _Claimer(worker, batch=in_flight, all_feeds=all_feeds)

        async def drain() -> None:
            while (feed := await claimer.next_feed()) is not None:
                summary.add(await worker.process(feed))

        async with asyncio.TaskGroup() as group:
            for _ in range(in_flight):
                group.create_task(drain())
    summary.fetch_seconds = time.monotonic() - started
    if summary.new_articles:  # retrying older pending articles is the extractor's own job
        summary.new_incidents = await extract_new_articles(settings)
    summary.seconds = time.monotonic() - started
    return summary


async def extract_new_articles(settings: Settings) -> int:
    """Run the extractor over pending articles; 0 if it is not installed or fails (the
    articles stay pending and the extractor retries them later)."""
    try:
        from jobs.extract.runner import extract_pending
    except ModuleNotFoundError as exc:
        if exc.name not in ("jobs.extract", "jobs.extract.runner"):
            raise
        log.info("no extractor installed (jobs.extract.runner); articles stay pending")
        return 0
    try:
        return await asyncio.to_thread(extract_pending, settings)
    except Exception:
        log.exception("extraction failed; the articles stay pending and are retried later")
        return 0
