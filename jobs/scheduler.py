"""The in-process schedule shared by `sitrep worker` and `sitrep run`.

* ingest, every minute (first run at start): fetch the feeds that are due; extraction of the
  new articles runs inside the cycle. Feeds the cycle disabled are reported to the admins.
* extract, every few minutes: pending and failed extractions (retries), in a worker thread.
* deliver, at second 0 of every minute (and at start), only when a bot is given.

Every job runs at most one instance at a time, and missed runs are coalesced into one, so a
slow ingestion cycle or a long 07:00 delivery simply delays the next run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from telegram import Bot
from telegram.error import TelegramError

from jobs.delivery.outbox import deliver_due
from jobs.ingest.cycle import run_cycle
from sitrep.settings import Settings

log = logging.getLogger(__name__)

EXTRACT_EVERY_MINUTES = 5
MISFIRE_GRACE_SECONDS = 30
MAX_ERROR_CHARS = 500


def disabled_feed_notice(feed_id: int, url: str, last_error: str | None) -> str:
    """Plain text telling an admin that a feed was switched off."""
    error = (last_error or "unknown error")[:MAX_ERROR_CHARS]
    return f"Feed {feed_id} was disabled after repeated failures.\n{url}\nLast error: {error}"


async def notify_admins(
    bot: Bot, admin_ids: Iterable[int], disabled_feeds: Iterable[tuple[int, str, str | None]]
) -> int:
    """Send each admin one notice per disabled feed; returns notices delivered."""
    delivered = 0
    for feed_id, url, last_error in disabled_feeds:
        text = disabled_feed_notice(feed_id, url, last_error)
        for admin_id in admin_ids:
            try:
                await bot.send_message(admin_id, text)
                delivered += 1
            except TelegramError as exc:
                log.warning("admin notice failed chat_id=%s feed_id=%s error=%r",
                            admin_id, feed_id, exc.message)
    return delivered


async def ingest_job(settings: Settings, bot: Bot | None) -> None:
    summary = await run_cycle(settings)
    log.info("%s", summary.line())
    if bot is not None and summary.disabled_feeds:
        await notify_admins(bot, settings.admin_ids, summary.disabled_feeds)


def _extractor() -> Callable[[Settings], int] | None:
    """`extract_pending`, or None while the extractor is not installed."""
    try:
        from jobs.extract.runner import extract_pending
    except ModuleNotFoundError as exc:
        if exc.name not in ("jobs.extract", "jobs.extract.runner"):
            raise
        log.info("no extractor installed (jobs.extract.runner): no extraction retry job")
        return None
    return extract_pending


async def extract_job(settings: Settings, extract: Callable[[Settings], int]) -> None:
    """Pending and failed-before articles (the extractor leases them, so this can overlap
    with the extraction an ingestion cycle runs)."""
    new = await asyncio.to_thread(extract, settings)
    if new:
        log.info("extraction retries: %d new incidents", new)


async def deliver_job(settings: Settings, bot: Bot, stop: asyncio.Event | None) -> None:
    summary = await deliver_due(settings, bot=bot, stop=stop)
    quiet = not (summary.queued or summary.sent or summary.retrying or summary.failed
                 or summary.deactivated or summary.expired)
    log.log(logging.DEBUG if quiet else logging.INFO, "%s", summary.line())


def build_scheduler(
    settings: Settings, *, bot: Bot | None, stop: asyncio.Event | None = None
) -> AsyncIOScheduler:
    """The scheduler with its jobs (not started). `stop` winds a running delivery down."""
    scheduler = AsyncIOScheduler(
        timezone=UTC,
        job_defaults={"max_instances": 1, "coalesce": True,
                      "misfire_grace_time": MISFIRE_GRACE_SECONDS},
    )
    now = datetime.now(UTC)
    scheduler.add_job(ingest_job, IntervalTrigger(minutes=1), args=[settings, bot],
                      id="ingest", name="ingest feeds", next_run_time=now)
    extract = _extractor()
    if extract is not None:
        scheduler.add_job(extract_job, IntervalTrigger(minutes=EXTRACT_EVERY_MINUTES),
                          args=[settings, extract], id="extract",
                          name="retry extractions")
    if bot is not None:
        scheduler.add_job(deliver_job, CronTrigger(second=0), args=[settings, bot, stop],
                          id="deliver", name="deliver digests", next_run_time=now)
    return scheduler
