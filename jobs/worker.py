"""`sitrep worker`: ingestion, extraction and delivery on a schedule, without the bot.

Runs until SIGINT or SIGTERM. Shutting down: the schedule is paused, a delivery in progress
finishes the digests it is sending and hands back the rows it had claimed, other jobs get
`SHUTDOWN_GRACE_SECONDS` to finish and are then cancelled.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import Bot

from jobs.delivery.sender import running_bot
from jobs.ingest.feeds_admin import seed_default_feeds_if_empty
from jobs.scheduler import build_scheduler
from sitrep.settings import Settings, SettingsError
from sitrep.storage.db import get_engine, upgrade

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 10.0


async def _wait_for_jobs(timeout: float) -> None:
    """Wait until every other task of this loop (the running jobs) is done, or `timeout`."""
    tasks = asyncio.all_tasks() - {asyncio.current_task()}
    if tasks:
        await asyncio.wait(tasks, timeout=timeout)


async def _shutdown(scheduler: AsyncIOScheduler) -> None:
    scheduler.pause()
    await _wait_for_jobs(SHUTDOWN_GRACE_SECONDS)
    scheduler.shutdown(wait=False)  # cancels jobs still running
    await _wait_for_jobs(SHUTDOWN_GRACE_SECONDS)


async def serve(settings: Settings, *, bot: Bot | None, stop: asyncio.Event | None = None) -> None:
    """Run the schedule until `stop` is set (by SIGINT/SIGTERM when not given)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    scheduler = build_scheduler(settings, bot=bot, stop=stop)
    scheduler.start()
    log.info("worker started jobs=%s", ",".join(job.id for job in scheduler.get_jobs()))
    await stop.wait()
    log.info("worker stopping")
    await _shutdown(scheduler)
    log.info("worker stopped")


async def _run(settings: Settings) -> None:
    try:
        settings.token_value()
    except SettingsError:
        log.warning("SITREP_TELEGRAM_TOKEN is not set: running ingestion and extraction "
                    "without delivery")
        await serve(settings, bot=None)
        return
    async with running_bot(settings) as bot:
        await serve(settings, bot=bot)


def cmd_worker(settings: Settings, _args: argparse.Namespace) -> int:
    upgrade(settings.database_url)
    seed_default_feeds_if_empty(get_engine(settings.database_url))
    asyncio.run(_run(settings))
    return 0
