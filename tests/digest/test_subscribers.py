"""Subscriber storage, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from sitrep.errors import UserError
from sitrep.storage import subscribers as subs
from sitrep.storage.db import get_engine, session_scope
from sitrep.storage.models import Delivery, Subscriber, Subscription
from tests.support.incidents import AMRITSAR_CLASH, BANNU_IED, LAHORE_PROTEST, add_incident


def test_subscribe_unsubscribe_and_settings(any_db_url: str) -> None:
    engine = get_engine(any_db_url)
    with session_scope(engine) as s:
        assert subs.subscribe(s, chat_id=-100, region_key="PK", region_label="Pakistan",
                              chat_type="group", timezone_name="Asia/Karachi", digest_time="06:30")
        assert not subs.subscribe(s, chat_id=-100, region_key="PK", region_label="Pakistan")
        subs.subscribe(s, chat_id=-100, region_key="IN|Punjab", region_label="Punjab (India)")
    with session_scope(engine) as s:
        subscriber = subs.get_subscriber(s, chat_id=-100)
        assert (subscriber.chat_type, subscriber.timezone, subscriber.digest_time) == ("group", "Asia/Karachi", "06:30")
        assert [x.region_key for x in subs.list_subscriptions(s, chat_id=-100)] == ["PK", "IN|Punjab"]
        assert subs.unsubscribe(s, chat_id=-100, region_key="PK").region_label == "Pakistan"
        assert subs.unsubscribe(s, chat_id=-100, region_key="PK") is None
        assert subs.set_digest_time(s, chat_id=-100, digest_time="18:05").digest_time == "18:05"
        assert subs.set_timezone(s, chat_id=7, timezone_name="Europe/London").timezone == "Europe/London"


def test_subscription_limit(db_url: str) -> None:
    with session_scope(get_engine(db_url)) as s:
        for n in range(subs.MAX_SUBSCRIPTIONS):
            subs.subscribe(s, chat_id=1, region_key=f"K{n}", region_label=f"K{n}")
        with pytest.raises(UserError, match="already follow 20 regions"):
            subs.subscribe(s, chat_id=1, region_key="more", region_label="More")


def test_delete_subscriber_forgets_everything(any_db_url: str) -> None:
    engine = get_engine(any_db_url)
    with session_scope(engine) as s:
        subs.subscribe(s, chat_id=5, region_key="PK", region_label="Pakistan")
        s.add(Delivery(subscriber_id=subs.get_subscriber(s, chat_id=5).id,
                       local_date=datetime.now(UTC).date()))
    with session_scope(engine) as s:
        assert subs.delete_subscriber(s, chat_id=5)
        assert not subs.delete_subscriber(s, chat_id=5)
    with session_scope(engine) as s:
        for table in (Subscriber, Subscription, Delivery):
            assert s.exec(select(table)).all() == []


def test_most_active_regions(db_url: str) -> None:
    engine = get_engine(db_url)
    today = datetime.now(UTC).date()
    for _ in range(3):
        add_incident(engine, BANNU_IED, event_date=today)
    add_incident(engine, LAHORE_PROTEST, event_date=today)
    add_incident(engine, AMRITSAR_CLASH, event_date=today - timedelta(days=20))
    with session_scope(engine) as s:
        active = subs.most_active_regions(s, days=7)
    assert [(a.region_key, a.label, a.incidents) for a in active] == [
        ("PK|Khyber Pakhtunkhwa", "Khyber Pakhtunkhwa (Pakistan)", 3), ("PK|Punjab", "Punjab (Pakistan)", 1)]
