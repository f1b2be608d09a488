"""Flood limits: the Bot API server enforces Telegram's limits and counts the 429s it answers."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram.ext import ExtBot

from jobs.delivery.sender import OVERALL_WINDOW, FloodWindow, Sender
from tests.support.botapi import BotApiServer


async def test_per_chat_and_group_limits_are_kept(botapi: BotApiServer, bot: ExtBot) -> None:
    botapi.set_limits((30, 1, 20))
    sender = Sender(bot)
    await asyncio.gather(
        *(sender.send(5, f"private {i}") for i in range(3)),
        *(sender.send(-5, f"group {i}") for i in range(2)),
    )
    assert botapi.count_429 == 0 and sender.retries == 0
    assert [m.text for m in botapi.messages_for(5)] == ["private 0", "private 1", "private 2"]
    assert len(botapi.messages_for(-5)) == 2


async def test_overall_rate_stays_under_thirty_a_second(botapi: BotApiServer, bot: ExtBot) -> None:
    botapi.set_limits((30, 1, 20))
    sender = Sender(bot)
    started = time.monotonic()
    await asyncio.gather(*(sender.send(1000 + i, "hello") for i in range(75)))
    elapsed = time.monotonic() - started
    assert botapi.count_429 == 0
    assert len(botapi.messages) == 75
    assert 2.45 <= elapsed <= 3.5  # at most 30 in any 1.03 s: the 61st at 2.06 s, 14 more after


async def test_a_429_pauses_every_send(botapi: BotApiServer, bot: ExtBot) -> None:
    botapi.fail_next("sendMessage", 429, retry_after=1)
    sender = Sender(bot)
    first = asyncio.create_task(sender.send(1, "first"))
    await botapi.wait_until(lambda: botapi.count_429 == 1)
    await asyncio.sleep(0.05)
    await sender.send(2, "second")  # waits for the pause even though chat 2 is fresh
    await first
    second = botapi.messages_for(2)[0]
    assert second.time - botapi.calls("sendMessage")[0].time >= 0.9
    assert sender.retries == 1


def test_a_worker_can_be_given_a_share_of_the_overall_rate() -> None:
    window = FloodWindow(limit=10)  # SITREP_DELIVERY_RATE_PER_SECOND=10: three workers share 30/s
    started = [100.0 + k * window.min_gap for k in range(10)]
    window._started.extend(started)
    assert window.min_gap == pytest.approx(0.9 * OVERALL_WINDOW / 10)
    # the eleventh send waits until the first leaves the sliding window
    assert window._delay(started[-1]) == pytest.approx(started[0] + OVERALL_WINDOW - started[-1])
