"""Subscribers (one per Telegram chat) and their region subscriptions.

Plain functions over a session: the caller owns the transaction (`session_scope`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, select

from sitrep.errors import UserError
from sitrep.storage.models import Delivery, Incident, Subscriber, Subscription

MAX_SUBSCRIPTIONS = 20


def get_subscriber(session: Session, *, chat_id: int) -> Subscriber | None:
    return session.exec(select(Subscriber).where(Subscriber.chat_id == chat_id)).first()


def get_or_create_subscriber(
    session: Session, *, chat_id: int, chat_type: str = "private",
    timezone_name: str = "UTC", digest_time: str = "07:00",
) -> Subscriber:
    """The chat's subscriber, created with the given defaults when new, and active."""
    subscriber = get_subscriber(session, chat_id=chat_id)
    if subscriber is None:
        subscriber = Subscriber(
            chat_id=chat_id, chat_type=chat_type, timezone=timezone_name, digest_time=digest_time
        )
    subscriber.active = True
    session.add(subscriber)
    session.flush()
    return subscriber


def subscribe(
    session: Session, *, chat_id: int, region_key: str, region_label: str,
    chat_type: str = "private", timezone_name: str = "UTC", digest_time: str = "07:00",
) -> bool:
    """Subscribe the chat to a region; False when it already was. At most MAX_SUBSCRIPTIONS."""
    subscriber = get_or_create_subscriber(
        session, chat_id=chat_id, chat_type=chat_type, timezone_name=timezone_name,
        digest_time=digest_time,
    )
    existing = list_subscriptions(session, chat_id=chat_id)
    if any(s.region_key == region_key for s in existing):
        return False
    if len(existing) >= MAX_SUBSCRIPTIONS:
        raise UserError(
            f"You already follow {MAX_SUBSCRIPTIONS} regions; unsubscribe from one first."
        )
    session.add(Subscription(
        subscriber_id=subscriber.id, region_key=region_key, region_label=region_label
    ))
    session.flush()
    return True


def unsubscribe(session: Session, *, chat_id: int, region_key: str) -> Subscription | None:
    """Remove one subscription; returns it, or None when the chat did not have it."""
    subscription = session.exec(
        select(Subscription).join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(Subscriber.chat_id == chat_id, Subscription.region_key == region_key)
    ).first()
    if subscription is not None:
        session.delete(subscription)
        session.flush()
    return subscription


def list_subscriptions(session: Session, *, chat_id: int) -> list[Subscription]:
    return list(session.exec(
        select(Subscription).join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(Subscriber.chat_id == chat_id).order_by(Subscription.created_at, Subscription.id)
    ).all())


def set_digest_time(
    session: Session, *, chat_id: int, digest_time: str, chat_type: str = "private",
    timezone_name: str = "UTC",
) -> Subscriber:
    """Set the local HH:MM the digest arrives at (validated by the caller)."""
    return _set(session, chat_id=chat_id, chat_type=chat_type, timezone_name=timezone_name,
                digest_time=digest_time, field="digest_time")


def set_timezone(
    session: Session, *, chat_id: int, timezone_name: str, chat_type: str = "private",
    digest_time: str = "07:00",
) -> Subscriber:
    """Set the chat's IANA time zone (validated by the caller)."""
    return _set(session, chat_id=chat_id, chat_type=chat_type, timezone_name=timezone_name,
                digest_time=digest_time, field="timezone")


def _set(session: Session, *, chat_id: int, chat_type: str, timezone_name: str, digest_time: str,
         field: str) -> Subscriber:
    """Create the subscriber with these values, or set `field` on the existing one."""
    subscriber = get_or_create_subscriber(
        session, chat_id=chat_id, chat_type=chat_type, timezone_name=timezone_name,
        digest_time=digest_time,
    )
    setattr(subscriber, field, timezone_name if field == "timezone" else digest_time)
    session.flush()
    return subscriber


def delete_subscriber(session: Session, *, chat_id: int) -> bool:
    """Forget the chat: its subscriptions, deliveries and settings. False when unknown."""
    subscriber = get_subscriber(session, chat_id=chat_id)
    if subscriber is None:
        return False
    for table in (Subscription, Delivery):
        session.exec(delete(table).where(table.subscriber_id == subscriber.id))
    session.delete(subscriber)
    session.flush()
    return True


@dataclass(frozen=True)
class ActiveRegion:
    region_key: str
    label: str
    incidents: int


def most_active_regions(
    session: Session, *, days: int, limit: int = 6, now: datetime | None = None
) -> list[ActiveRegion]:
    """Provinces with the most incidents in the last `days` days, busiest first."""
    since = ((now or datetime.now(UTC)) - timedelta(days=days)).date()
    count = func.count(Incident.id)
    rows = session.exec(
        select(Incident.country_code, Incident.admin1, Incident.country, count)
        .where(Incident.event_date >= since, Incident.admin1.is_not(None))
        .group_by(Incident.country_code, Incident.admin1, Incident.country)
        .order_by(count.desc(), Incident.admin1).limit(limit)
    ).all()
    return [ActiveRegion(f"{cc}|{admin1}", f"{admin1} ({country})", n) for cc, admin1, country, n in rows]
