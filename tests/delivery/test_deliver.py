"""Delivery passes end to end: real SQLite, a real Bot, the suite's Bot API server."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select
from telegram.ext import ExtBot

from jobs.delivery import outbox
from jobs.delivery.outbox import LEASE, MAX_ATTEMPTS, deliver_due
from sitrep.settings import Settings
from sitrep.storage.db import get_engine, session_scope
from sitrep.storage.models import Delivery, Subscriber, Subscription
from tests.delivery.conftest import add_subscriber, add_subscribers
from tests.support.botapi import BotApiServer


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def received(server: BotApiServer) -> Counter[int]:
    return Counter(m.chat_id for m in server.messages)


def rows(db_url: str) -> list[Delivery]:
    with session_scope(get_engine(db_url)) as session:
        return list(session.exec(select(Delivery).order_by(Delivery.id)).all())


def subscriber(db_url: str, subscriber_id: int) -> Subscriber:
    with session_scope(get_engine(db_url)) as session:
        return session.get(Subscriber, subscriber_id)


async def test_fires_at_the_local_minute_in_each_zone_once(
    delivery_settings: Settings, bot: ExtBot, botapi: BotApiServer, db_url: str
) -> None:
    add_subscriber(db_url, 1, tz="Asia/Karachi", at="07:00")
    add_subscriber(db_url, 2, tz="UTC", at="07:00")
    add_subscriber(db_url, 3, tz="America/New_York", at="07:00")
    expected = [(utc(2026, 3, 1, 1, 59), {}), (utc(2026, 3, 1, 2, 0), {1: 1}),
                (utc(2026, 3, 1, 7, 0), {1: 1, 2: 1}), (utc(2026, 3, 1, 12, 0), {1: 1, 2: 1, 3: 1})]
    for now, chats in expected:
        for _ in range(2):  # a second pass at the same minute sends nothing
            await deliver_due(delivery_settings, bot=bot, now=now)
            assert received(botapi) == chats, now
    await deliver_due(delivery_settings, bot=bot, now=utc(2026, 3, 1, 12, 30))
    assert received(botapi) == {1: 1, 2: 1, 3: 1}
    assert {(r.subscriber_id, r.local_date, r.status) for r in rows(db_url)} == {
        (i, date(2026, 3, 1), "sent") for i in (1, 2, 3)
    }
    summary = await deliver_due(delivery_settings, bot=bot, now=utc(2026, 3, 2, 2, 0))
    assert summary.sent == 1 and received(botapi)[1] == 2  # the next day, once more


async def test_new_york_across_both_dst_changes(
    delivery_settings: Settings, bot: ExtBot, botapi: BotApiServer, db_url: str
) -> None:
    spring = add_subscriber(db_url, 10, tz="America/New_York", at="02:30")  # skipped on 8 March
    await deliver_due(delivery_settings, bot=bot, now=utc(2026, 3, 8, 6, 59))  # 01:59 EST
    assert received(botapi) == {}
    await deliver_due(delivery_settings, bot=bot, now=utc(2026, 3, 8, 7, 0))  # 03:00 EDT
    assert received(botapi) == {10: 1}

    autumn = add_subscriber(db_url, 11, tz="America/New_York", at="01:30")  # twice on 1 Nov
    for minutes in range(0, 120, 15):  # 01:00 EDT to 01:45 EST, both 01:30s included
        await deliver_due(delivery_settings, bot=bot,
                          now=utc(2026, 11, 1, 5, 0) + timedelta(minutes=minutes))
    assert received(botapi) == {10: 1, 11: 1}
    sent = {(r.subscriber_id, r.local_date, r.sent_at) for r in rows(db_url)}
    assert (spring, date(2026, 3, 8), datetime(2026, 3, 8, 7, 0)) in sent
    assert (autumn, date(2026, 11, 1), datetime(2026, 11, 1, 5, 30)) in sent


async def test_joining_after_the_catch_up_hour_waits_for_tomorrow(
    delivery_settings: Settings, bot: ExtBot, botapi: BotApiServer, db_url: str
) -> None:
    add_subscriber(db_url, 20, at="07:00")
    add_subscriber(db_url, 21, at="09:40")
    await deliver_due(delivery_settings, bot=bot, now=utc(2026, 3, 1, 10, 0))
    assert received(botapi) == {21: 1}  # 20 minutes late: sent now; 3 hours late: not today
    await deliver_due(delivery_settings, bot=bot, now=utc(2026, 3, 2, 7, 0))
    assert received(botapi) == {20: 1, 21: 1}


async def test_several_regions_make_one_digest(
    delivery_settings: Settings, bot: ExtBot, botapi: BotApiServer, db_url: str
) -> None:
    add_subscriber(db_url, 30, regions=["PK|Punjab", "AF"])
    add_subscriber(db_url, 31, regions=[])  # no region: nothing to send
    add_subscriber(db_url, 32, active=False)
    summary = await deliver_due(delivery_settings, bot=bot, now=utc(2026, 3, 1, 7, 0))
    assert (summary.queued, summary.sent, summary.messages) == (1, 1, 1)
    [message] = botapi.messages
    assert message.chat_id == 30 and "PK|Punjab" in message.text and "AF" in message.text
    assert message.parse_mode == "HTML"
    assert [r.message_ids for r in rows(db_url)] == [[message.message_id]]


def _leave_row(db_url: str, subscriber_id: int, **fields: object) -> None:
    """A row as a worker that died would have left it."""
    with session_scope(get_engine(db_url)) as session:
        session.add(Delivery(subscriber_id=subscriber_id, local_date=date(2026, 3, 1),
                             created_at=utc(2026, 3, 1, 7, 0), **fields))


async def test_after_a_crash_unfinished_rows_are_resumed_once_and_sent_rows_never(
    delivery_settings: Settings, bot: ExtBot, botapi: BotApiServer, db_url: str
) -> None:
    now = utc(2026, 3, 1, 7, 20)
    expired = add_subscriber(db_url, 40)
    _leave_row(db_url, expired, attempts=1, claimed_until=now - timedelta(seconds=1))
    live = add_subscriber(db_url, 41)
    _leave_row(db_url, live, attempts=1, claimed_until=now + LEASE)
    done = add_subscriber(db_url, 42)
    _leave_row(db_url, done, status="sent", attempts=1, message_ids=[7], sent_at=now)
    for _ in range(2):
        await deliver_due(delivery_settings, bot=bot, now=now)
    assert received(botapi) == {40: 1}  # 41 is being sent by a live worker; 42 was sent
    await deliver_due(delivery_settings, bot=bot, now=now + LEASE + timedelta(seconds=1))
    assert received(botapi) == {40: 1, 41: 1}
    assert [(r.subscriber_id, r.status, r.attempts) for r in rows(db_url)] == [
        (expired, "sent", 2), (live, "sent", 2), (done, "sent", 1)
    ]


async def test_rows_too_old_or_tried_too_often_are_given_up(
    delivery_settings: Settings, bot: ExtBot, botapi: BotApiServer, db_url: str
) -> None:
    old = add_subscriber(db_url, 50)
    _leave_row(db_url, old)
    crashing = add_subscriber(db_url, 51)
    _leave_row(db_url, crashing, attempts=MAX_ATTEMPTS, claimed_until=utc(2026, 3, 1, 7, 1))
    summary = await deliver_due(delivery_settings, bot=bot, now=utc(2026, 3, 1, 21, 0))
    assert summary.expired == 2 and received(botapi) == {}
    assert {r.status for r in rows(db_url)} == {"failed"}


async def test_429_is_waited_out_and_resent(
    delivery_settings: Settings, bot: ExtBot, botapi: BotApiServer, db_url: str
) -> None:
    add_subscriber(db_url, 60)
    botapi.fail_next("sendMessage", 429, retry_after=1)
    summary = await deliver_due(delivery_settings, bot=bot, now=utc(2026, 3, 1, 7, 0))
    assert (summary.sent, summary.flood_waits) == (1, 1)
    assert botapi.count_429 == 1 and received(botapi) == {60: 1}
    calls = botapi.calls("sendMessage")
    assert calls[1].time - calls[0].time >= 1.0


async def test_a_blocked_chat_deactivates_the_subscriber_at_once(
    delivery_settings: Settings, bot: ExtBot, botapi: BotApiServer, db_url: str
) -> None:
    blocked = add_subscriber(db_url, 70)
    add_subscriber(db_url, 71)
    botapi.block(70)
    summary = await deliver_due(delivery_settings, bot=bot, now=utc(2026, 3, 1, 7, 0))
    assert (summary.sent, summary.deactivated) == (1, 1)
    assert not subscriber(db_url, blocked).active
    assert [r.status for r in rows(db_url)] == ["failed", "sent"]
    attempts_to_70 = len([c for c in botapi.calls("sendMessage") if c.params["chat_id"] == "70"])
    await deliver_due(delivery_settings, bot=bot, now=utc(2026, 3, 2, 7, 0))
    assert received(botapi) == {71: 2}
    assert len([c for c in botapi.calls("sendMessage") if c.params["chat_id"] == "70"]) == attempts_to_70


async def test_a_migrated_group_moves_the_subscription_and_gets_the_digest_there(
    delivery_settings: Settings, bot: ExtBot, botapi: BotApiServer, db_url: str
) -> None:
    group = add_subscriber(db_url, -100, chat_type="group", regions=["PK|Sindh"])
    botapi.migrate(-100, -1001234)
    summary = await deliver_due(delivery_settings, bot=bot, now=utc(2026, 3, 1, 7, 0))
    assert (summary.sent, summary.migrated) == (1, 1)
    assert received(botapi) == {-1001234: 1}
    moved = subscriber(db_url, group)
    assert (moved.chat_id, moved.chat_type, moved.active) == (-1001234, "supergroup", True)
    with session_scope(get_engine(db_url)) as session:
        regions = session.exec(select(Subscription.region_key)
                               .where(Subscription.subscriber_id == group)).all()
    assert regions == ["PK|Sindh"]
    await deliver_due(delivery_settings, bot=bot, now=utc(2026, 3, 2, 7, 0))
    assert received(botapi) == {-1001234: 2}


async def test_a_migration_into_a_chat_that_is_already_subscribed_merges_the_regions(
    delivery_settings: Settings, bot: ExtBot, botapi: BotApiServer, db_url: str
) -> None:
    old = add_subscriber(db_url, -200, chat_type="group", regions=["PK|Sindh", "AF"])
    new = add_subscriber(db_url, -1002000, chat_type="supergroup", at="08:00", regions=["AF"])
    botapi.migrate(-200, -1002000)
    await deliver_due(delivery_settings, bot=bot, now=utc(2026, 3, 1, 7, 0))
    assert received(botapi) == {}
    assert not subscriber(db_url, old).active
    with session_scope(get_engine(db_url)) as session:
        regions = session.exec(select(Subscription.region_key)
                               .where(Subscription.subscriber_id == new)).all()
    assert sorted(regions) == ["AF", "PK|Sindh"]


async def test_a_server_error_is_retried_by_a_later_pass(
    delivery_settings: Settings, bot: ExtBot, botapi: BotApiServer, db_url: str
) -> None:
    add_subscriber(db_url, 80)
    botapi.fail_next("sendMessage", 500)
    now = utc(2026, 3, 1, 7, 0)
    summary = await deliver_due(delivery_settings, bot=bot, now=now)
    assert (summary.sent, summary.retrying) == (0, 1)
    [row] = rows(db_url)
    assert row.status == "pending" and row.error
    await deliver_due(delivery_settings, bot=bot, now=now + timedelta(minutes=1))
    assert received(botapi) == {}  # backing off
    await deliver_due(delivery_settings, bot=bot, now=now + timedelta(minutes=3))
    assert received(botapi) == {80: 1}
    [row] = rows(db_url)
    assert (row.status, row.attempts, row.error) == ("sent", 2, None)


async def test_a_stopped_pass_hands_back_what_it_had_not_started(
    delivery_settings: Settings, bot: ExtBot, botapi: BotApiServer, db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbox, "SEND_CONCURRENCY", 4)  # so that most rows are not started
    monkeypatch.setattr(outbox, "CLAIM_BATCH", 4)
    add_subscribers(db_url, range(1, 41), at="07:00")
    now = utc(2026, 3, 1, 7, 0)
    stop = asyncio.Event()
    first = asyncio.create_task(deliver_due(delivery_settings, bot=bot, now=now, stop=stop))
    await botapi.wait_until(lambda: len(botapi.messages) >= 5)
    stop.set()
    summary = await first
    assert 5 <= summary.sent <= 12
    assert {r.status for r in rows(db_url) if r.claimed_until is not None} <= {"sent"}
    await deliver_due(delivery_settings, bot=bot, now=now)  # no lease to wait for
    assert received(botapi) == dict.fromkeys(range(1, 41), 1)
