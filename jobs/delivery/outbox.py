"""One delivery pass: write the due outbox rows, then claim, send and record them.

Order of events for a digest, and why it is sent at most once a day:

1. `enqueue_due` writes a pending row (unique per subscriber and local date) before anything
   is sent; a second pass, or a second worker, finds the row and writes nothing.
2. A row is claimed under a lease (`claimed_until`, renewed by a heartbeat while held). Only a
   pending row whose lease has run out can be claimed again, so a crashed worker's rows are
   resumed by the next pass once their lease expires.
3. After Telegram accepted every message the row is marked sent; a sent row is never claimed.

The only digest that can go out twice is one in flight when a worker died: sent, but not yet
marked sent. A row is given up on after `MAX_ATTEMPTS` claims or when it is `GIVE_UP_AFTER`
old, so a digest that could not be sent that day is not sent the next one.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from jobs.delivery.content import DigestTexts
from jobs.delivery.due import enqueue_due
from jobs.delivery.sender import OVERALL_LIMIT, SEND_CONCURRENCY, Sender
from sitrep.settings import Settings
from sitrep.storage import deliveries
from sitrep.storage.db import get_engine, session_scope
from sitrep.storage.deliveries import ClaimedDelivery
from sitrep.storage.models import utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
HEARTBEAT_SECONDS = LEASE.total_seconds() / 3
MAX_ATTEMPTS = 5
CLAIM_BATCH = 16
RETRY_BACKOFF = timedelta(minutes=2)
GIVE_UP_AFTER = timedelta(hours=12)


@dataclass
class DeliverySummary:
    """What one pass did."""

    queued: int = 0
    sent: int = 0
    messages: int = 0
    retrying: int = 0
    failed: int = 0
    deactivated: int = 0
    migrated: int = 0
    expired: int = 0
    flood_waits: int = 0

    def line(self) -> str:
        return "delivery: " + ", ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


class _ChatMerged(Exception):
    """The group became a supergroup another subscriber already owns."""


def _context(job: ClaimedDelivery) -> str:
    return f"chat_id={job.chat_id} subscriber_id={job.subscriber_id} delivery_id={job.delivery_id}"


class DeliveryPass:
    """Claims due rows and sends them with `SEND_CONCURRENCY` concurrent deliveries."""

    def __init__(
        self, engine: Engine, bot: Bot, *, clock: Callable[[], datetime],
        stop: asyncio.Event | None = None, rate: int = OVERALL_LIMIT,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.stop = stop or asyncio.Event()
        self.sender = Sender(bot, rate=rate)
        self.texts = DigestTexts(engine, clock)
        self.summary = DeliverySummary()
        self.held: set[int] = set()  # claimed and not finished
        self.in_flight: set[int] = set()  # being sent right now
        self._claimed: deque[ClaimedDelivery] = deque()  # claimed, not yet started
        self._claiming = asyncio.Lock()
        self._exhausted = False

    async def _db(self, func: Callable[..., Any], **kwargs: Any) -> Any:
        """Run one storage function in its own session, off the event loop."""
        def unit() -> Any:
            with session_scope(self.engine) as session:
                return func(session, **kwargs)
        return await asyncio.to_thread(unit)

    async def run(self) -> DeliverySummary:
        now = self.clock()
        self.summary.expired = await self._db(
            deliveries.expire_stale, now=now, created_before=now - GIVE_UP_AFTER,
            max_attempts=MAX_ATTEMPTS,
        )
        self.summary.queued = await asyncio.to_thread(enqueue_due, self.engine, now=now)
        workers = [asyncio.create_task(self._work()) for _ in range(SEND_CONCURRENCY)]
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            await asyncio.gather(*workers)
        finally:
            heartbeat.cancel()
            for worker in workers:
                worker.cancel()
            await self._release_unstarted()
        self.summary.flood_waits = self.sender.retries
        return self.summary

    async def _next_job(self) -> ClaimedDelivery | None:
        """The next claimed row, claiming a small batch when none is left; None when done.

        Batches are small so that several workers share the day's rows instead of the
        first one to start holding them all.
        """
        async with self._claiming:
            if not self._claimed and not self._exhausted and not self.stop.is_set():
                batch = await self._db(
                    deliveries.claim, now=self.clock(), lease=LEASE, limit=CLAIM_BATCH,
                    max_attempts=MAX_ATTEMPTS,
                )
                self._exhausted = not batch
                self._claimed.extend(batch)
                self.held.update(job.delivery_id for job in batch)
            if self.stop.is_set() or not self._claimed:
                return None  # rows still claimed are released when the pass ends
            return self._claimed.popleft()

    async def _work(self) -> None:
        while (job := await self._next_job()) is not None:
            self.in_flight.add(job.delivery_id)
            try:
                await self._deliver(job)
            finally:
                self.in_flight.discard(job.delivery_id)
                self.held.discard(job.delivery_id)

    async def _heartbeat(self) -> None:
        """Keep the leases of held rows from running out while they wait or are sent."""
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            if not self.held:
                continue
            try:
                await self._db(deliveries.renew_claims, delivery_ids=set(self.held),
                               until=self.clock() + LEASE)
            except Exception:  # the next beat tries again; the lease still has 2/3 to run
                log.warning("could not renew delivery leases held=%d", len(self.held),
                            exc_info=True)

    async def _release_unstarted(self) -> None:
        """Give back rows claimed but never started (a stop or a cancel); in-flight ones keep
        their lease, since Telegram may already have them."""
        unstarted = self.held - self.in_flight
        if not unstarted:
            return
        try:
            await asyncio.shield(self._db(deliveries.release_claims, delivery_ids=unstarted))
            log.info("released %d unstarted deliveries", len(unstarted))
        except Exception:
            log.warning("could not release %d deliveries; their lease runs out within %s",
                        len(unstarted), LEASE, exc_info=True)

    async def _deliver(self, job: ClaimedDelivery) -> None:
        """Send one digest and record the outcome."""
        try:
            texts = await self.texts.messages(job.region_keys, job.region_labels)
            message_ids = await self._send_texts(job, texts)
        except Forbidden as exc:
            await self._gone(job, exc)
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                await self._gone(job, exc)
            else:
                await self._failed(job, f"rejected: {exc.message}")
        except _ChatMerged as exc:
            await self._failed(job, str(exc))
        except Exception as exc:  # network, 429 beyond retries, a digest that failed to build
            await self._retry_later(job, exc)
        else:
            await self._db(deliveries.mark_sent, delivery_id=job.delivery_id,
                           message_ids=message_ids, sent_at=self.clock())
            self.summary.sent += 1
            self.summary.messages += len(message_ids)
            log.info("digest sent %s messages=%d", _context(job), len(message_ids))

    async def _send_texts(self, job: ClaimedDelivery, texts: list[str]) -> list[int]:
        """Send the messages in order; on ChatMigrated move the subscriber and go on there."""
        chat_id = job.chat_id
        message_ids: list[int] = []
        for text in texts:
            try:
                message_ids.append(await self.sender.send(chat_id, text))
            except ChatMigrated as exc:
                chat_id = await self._migrate(job, exc.new_chat_id)
                message_ids.append(await self.sender.send(chat_id, text))
        return message_ids

    async def _migrate(self, job: ClaimedDelivery, new_chat_id: int) -> int:
        moved = await self._db(deliveries.migrate_chat, subscriber_id=job.subscriber_id,
                               new_chat_id=new_chat_id)
        self.summary.migrated += 1
        log.info("chat migrated %s new_chat_id=%s merged=%s", _context(job), new_chat_id, not moved)
        if not moved:
            raise _ChatMerged(f"chat migrated to {new_chat_id}, which already has a subscriber")
        return new_chat_id

    async def _gone(self, job: ClaimedDelivery, exc: TelegramError) -> None:
        def unit() -> None:
            with session_scope(self.engine) as session:
                deliveries.deactivate_subscriber(session, subscriber_id=job.subscriber_id)
                deliveries.mark_failed(session, delivery_id=job.delivery_id,
                                       error=f"chat unavailable: {exc.message}")
        await asyncio.to_thread(unit)
        self.summary.deactivated += 1
        log.info("subscriber deactivated %s reason=%r", _context(job), exc.message)

    async def _failed(self, job: ClaimedDelivery, error: str) -> None:
        await self._db(deliveries.mark_failed, delivery_id=job.delivery_id, error=error)
        self.summary.failed += 1
        log.warning("digest failed %s error=%r", _context(job), error)

    async def _retry_later(self, job: ClaimedDelivery, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"
        if job.attempts >= MAX_ATTEMPTS:
            await self._failed(job, f"gave up after {job.attempts} attempts: {error}")
            return
        retry_at = self.clock() + RETRY_BACKOFF * job.attempts
        await self._db(deliveries.mark_failed, delivery_id=job.delivery_id, error=error,
                       retry_at=retry_at)
        self.summary.retrying += 1
        log.warning("digest will be retried %s attempt=%d error=%r", _context(job),
                    job.attempts, error, exc_info=not isinstance(exc, TelegramError))


async def deliver_due(
    settings: Settings, *, bot: Bot, now: datetime | None = None,
    stop: asyncio.Event | None = None,
) -> DeliverySummary:
    """Send every digest due at `now` (default: the clock) and resume unfinished ones.

    `now` fixes the pass's clock (tests); `stop`, once set, makes the pass finish the
    digests it is sending, hand back the rest and return.
    """
    if now is not None and now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    clock = (lambda: now) if now is not None else utcnow
    engine = get_engine(settings.database_url)
    return await DeliveryPass(engine, bot, clock=clock, stop=stop, rate=settings.delivery_rate_per_second).run()
