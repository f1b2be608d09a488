"""The delivery outbox: who is due, claiming rows with a lease, and recording what happened.

A `delivery` row is written *before* a digest is sent and is unique per subscriber and local
date, so a digest goes out at most once a day. Sending happens under a lease
(`claimed_until`): a row that is pending with an expired (or no) lease is free to be claimed,
which is how a crashed worker's unfinished rows are resumed. On PostgreSQL the claim uses
`FOR UPDATE SKIP LOCKED`, so several workers can claim side by side without overlap; on SQLite
the claim is one UPDATE statement, atomic under SQLite's single writer.

Every function takes an open session (the caller's unit of work) and keyword-only arguments.
Datetimes are passed as timezone-aware UTC (SQLite stores them without an offset).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Insert,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from sitrep.storage.models import Delivery, Subscriber, Subscription

PENDING, SENT, FAILED = "pending", "sent", "failed"


@dataclass(frozen=True)
class ClaimedDelivery:
    """A claimed outbox row with what is needed to build and send its digest."""

    delivery_id: int
    subscriber_id: int
    local_date: date
    attempts: int
    chat_id: int
    chat_type: str
    region_keys: tuple[str, ...]
    region_labels: tuple[str, ...]


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def active_schedules(session: Session) -> list[tuple[str, str]]:
    """The distinct (timezone, digest_time) pairs of active subscribers."""
    query = select(Subscriber.timezone, Subscriber.digest_time).where(Subscriber.active).distinct()
    return [(tz, hhmm) for tz, hhmm in session.execute(query).all()]


def _insert_ignoring_duplicates(session: Session) -> Insert:
    """INSERT ... ON CONFLICT (subscriber_id, local_date) DO NOTHING for the session's dialect."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(Delivery)


def enqueue_due(
    session: Session, *, timezone_name: str, digest_time: str, local_date: date, now: datetime
) -> int:
    """Write pending rows for `local_date` for the active subscribers on this schedule.

    Only subscribers with at least one region get a row; those that already have a row for
    that date are left alone (also under a race with another worker). Returns rows written.
    """
    has_region = exists().where(Subscription.subscriber_id == Subscriber.id)
    has_row = exists().where(
        Delivery.subscriber_id == Subscriber.id, Delivery.local_date == local_date
    )
    rows = select(
        Subscriber.id, literal(local_date), literal(PENDING), literal(0), literal([], JSON),
        literal(_utc(now)),
    ).where(
        Subscriber.active, Subscriber.timezone == timezone_name,
        Subscriber.digest_time == digest_time, has_region, ~has_row,
    )
    columns = ["subscriber_id", "local_date", "status", "attempts", "message_ids", "created_at"]
    statement = _insert_ignoring_duplicates(session).from_select(columns, rows)
    statement = statement.on_conflict_do_nothing(index_elements=["subscriber_id", "local_date"])
    result = session.execute(statement.execution_options(preserve_rowcount=True))
    return max(result.rowcount, 0)


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Pending, and no live lease (never claimed, lease run out, or retry time reached)."""
    return and_(
        Delivery.status == PENDING,
        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < _utc(now)),
    )


def expire_stale(
    session: Session, *, now: datetime, created_before: datetime, max_attempts: int
) -> int:
    """Give up on unclaimed pending rows that are too old or were tried too often."""
    statement = (
        update(Delivery)
        .where(
            _claimable(now),
            or_(Delivery.created_at < _utc(created_before), Delivery.attempts >= max_attempts),
        )
        .values(status=FAILED, error="given up: too old, or tried too often", claimed_until=None)
    )
    return session.execute(statement).rowcount or 0


def claim(
    session: Session, *, now: datetime, lease: timedelta, limit: int, max_attempts: int
) -> list[ClaimedDelivery]:
    """Lease up to `limit` pending rows of active subscribers (oldest first) and return them.

    Claiming counts as an attempt, so a row that keeps crashing its worker is eventually
    expired by `expire_stale` instead of being retried forever.
    """
    picked = (
        select(Delivery.id)
        .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(_claimable(now), Subscriber.active, Delivery.attempts < max_attempts)
        .order_by(Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Delivery)
        .cte("picked")
    )
    statement = (
        update(Delivery)
        .where(Delivery.id.in_(select(picked.c.id)))
        .values(claimed_until=_utc(now + lease), attempts=Delivery.attempts + 1)
        .returning(Delivery.id, Delivery.subscriber_id, Delivery.local_date, Delivery.attempts)
    )
    rows = sorted(session.execute(statement).all())
    return _with_recipients(session, rows)


def _with_recipients(
    session: Session, rows: list[tuple[int, int, date, int]]
) -> list[ClaimedDelivery]:
    subscriber_ids = {row[1] for row in rows}
    if not subscriber_ids:
        return []
    chats = {
        sid: (chat_id, chat_type)
        for sid, chat_id, chat_type in session.execute(
            select(Subscriber.id, Subscriber.chat_id, Subscriber.chat_type)
            .where(Subscriber.id.in_(subscriber_ids))
        ).all()
    }
    regions: defaultdict[int, list[tuple[str, str]]] = defaultdict(list)
    for sid, key, label in session.execute(
        select(Subscription.subscriber_id, Subscription.region_key, Subscription.region_label)
        .where(Subscription.subscriber_id.in_(subscriber_ids))
        .order_by(Subscription.region_key)
    ).all():
        regions[sid].append((key, label))
    return [
        ClaimedDelivery(
            delivery_id, sid, local_date, attempts, *chats[sid],
            region_keys=tuple(key for key, _ in regions[sid]),
            region_labels=tuple(label for _, label in regions[sid]),
        )
        for delivery_id, sid, local_date, attempts in rows
    ]


def _update_pending(session: Session, delivery_ids: Iterable[int], **values: Any) -> int:
    """Set `values` on those of the rows that are still pending; how many were."""
    ids = list(delivery_ids)
    if not ids:
        return 0
    statement = update(Delivery).where(Delivery.id.in_(ids), Delivery.status == PENDING).values(**values)
    return session.execute(statement).rowcount or 0


def renew_claims(session: Session, *, delivery_ids: Iterable[int], until: datetime) -> int:
    """Extend the lease of rows this worker still holds (a heartbeat while it sends)."""
    return _update_pending(session, delivery_ids, claimed_until=_utc(until))


def release_claims(session: Session, *, delivery_ids: Iterable[int]) -> int:
    """Hand back rows that were claimed but never started, without counting the attempt."""
    return _update_pending(session, delivery_ids, claimed_until=None,
                           attempts=case((Delivery.attempts > 0, Delivery.attempts - 1), else_=0))


def mark_sent(
    session: Session, *, delivery_id: int, message_ids: list[int], sent_at: datetime
) -> bool:
    """Record a delivered digest; False if the row was no longer pending."""
    statement = (
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == PENDING)
        .values(status=SENT, message_ids=list(message_ids), sent_at=_utc(sent_at),
                claimed_until=None, error=None)
    )
    return bool(session.execute(statement).rowcount)


def mark_failed(
    session: Session, *, delivery_id: int, error: str, retry_at: datetime | None = None
) -> None:
    """Record a failed send: retried after `retry_at` when given, otherwise given up on."""
    values: dict[str, object] = {"error": error[:1000]}
    if retry_at is None:
        values.update(status=FAILED, claimed_until=None)
    else:
        values.update(claimed_until=_utc(retry_at))
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == PENDING)
        .values(**values)
    )


def deactivate_subscriber(session: Session, *, subscriber_id: int) -> None:
    """Stop sending to a subscriber (Telegram said the bot is blocked or removed)."""
    session.execute(update(Subscriber).where(Subscriber.id == subscriber_id).values(active=False))


def migrate_chat(session: Session, *, subscriber_id: int, new_chat_id: int) -> bool:
    """Move a subscriber to the supergroup its group became.

    Returns True when the subscriber now has `new_chat_id`. If another subscriber already owns
    that chat, the regions are merged into it, this one is deactivated and False is returned
    (the other subscriber gets its own digest, so nothing is resent).
    """
    owner = session.execute(
        select(Subscriber.id).where(Subscriber.chat_id == new_chat_id)
    ).scalar_one_or_none()
    if owner is None or owner == subscriber_id:
        session.execute(
            update(Subscriber).where(Subscriber.id == subscriber_id)
            .values(chat_id=new_chat_id, chat_type="supergroup")
        )
        return True
    taken = select(Subscription.region_key).where(Subscription.subscriber_id == owner)
    session.execute(
        update(Subscription)
        .where(Subscription.subscriber_id == subscriber_id, Subscription.region_key.not_in(taken))
        .values(subscriber_id=owner)
    )
    deactivate_subscriber(session, subscriber_id=subscriber_id)
    return False


def delivery_counts(session: Session, *, local_date: date | None = None) -> dict[str, int]:
    """Rows per status (optionally for one local date): for reports and tests."""
    query = select(Delivery.status, func.count()).group_by(Delivery.status)
    if local_date is not None:
        query = query.where(Delivery.local_date == local_date)
    return {status: count for status, count in session.execute(query).all()}
