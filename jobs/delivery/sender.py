"""Sending messages within Telegram's flood limits.

Telegram allows a bot about 30 messages a second overall, 1 a second to one chat and 20 a
minute to a group, and answers excess with 429 and `retry_after`.

`Sender` paces its messages itself:

* per chat (`Spacer`): send times reserved at least 1.1 s apart (3.1 s for groups: 20 a minute);
* overall (`FloodWindow`): at most 30 sends in any 1.03 s, counted by the moments they actually
  started, and at least 31 ms apart. The window is what Telegram (and the test server) counts,
  so a send that started late cannot let 31 fall into one second; the short minimum gap lets
  the pacer catch up after a late wake-up instead of losing the time, without bursts.

PTB's `AIORateLimiter` cannot do this: a leaky bucket of one message loses every wake-up's
lateness (about 94% of the ceiling was measured), and a bigger bucket lets a burst plus the
steady rate exceed 30 in a sliding second. It stays on the bot that `build_bot` makes, with
Telegram's figures, as the backstop for anything sent without a `Sender` (admin notices).

A 429 is waited out (`retry_after`) and the message resent; meanwhile every other send of the
`Sender` waits too, because a 429 usually means the whole bot is over its budget.

Forbidden, ChatMigrated and other errors are not handled here: they are outcomes for the
outbox to record (see `jobs.delivery.outbox`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections import deque
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlsplit

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from sitrep.errors import UserError
from sitrep.settings import Settings

log = logging.getLogger(__name__)

# Telegram's 30/s, 1/s and 20/min with a margin for the jitter between our clock and theirs.
OVERALL_LIMIT = 30
OVERALL_WINDOW = 1.03
PRIVATE_SPACING = 1.1
GROUP_SPACING = 3.1
MAX_RETRY_AFTER_RETRIES = 5
# Enough requests in flight to reach the overall rate even when each chat is slowed to 1/s.
SEND_CONCURRENCY = 64


class _SenderRetriesFilter(logging.Filter):
    """Drop AIORateLimiter's error for a 429 it was told not to retry: `Sender` retries it
    and logs a warning of its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (str(record.msg).startswith("Rate limit hit after maximum") and record.args == (0,))


def _quiet_limiter_log() -> None:
    limiter_log = logging.getLogger("telegram.ext.AIORateLimiter")
    if not any(isinstance(f, _SenderRetriesFilter) for f in limiter_log.filters):
        limiter_log.addFilter(_SenderRetriesFilter())


def build_bot(settings: Settings) -> ExtBot:
    """A Bot for sending: settings' API URL and token, Telegram's limits as a backstop, and a
    connection pool for `SEND_CONCURRENCY` requests in flight."""
    _quiet_limiter_log()
    request = HTTPXRequest(connection_pool_size=SEND_CONCURRENCY + 8, pool_timeout=30.0)
    return ExtBot(
        settings.token_value(), base_url=settings.telegram_api_url, request=request,
        rate_limiter=AIORateLimiter(),
    )


@contextlib.asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[ExtBot]:
    """`build_bot`, started (which checks the token with getMe) and shut down on exit.

    A rejected token or an unreachable API is a one-line UserError, not a traceback.
    """
    bot = build_bot(settings)
    try:
        await bot.initialize()
    except InvalidToken:
        raise UserError("Telegram rejected SITREP_TELEGRAM_TOKEN: copy it again from "
                        "@BotFather") from None
    except NetworkError as exc:
        host = urlsplit(settings.telegram_api_url).netloc
        raise UserError(f"cannot reach the Telegram Bot API at {host} ({exc.message}): "
                        "check the network or SITREP_TELEGRAM_API_URL") from None
    try:
        yield bot
    finally:
        await bot.shutdown()


def retry_after_seconds(exc: RetryAfter) -> float:
    """`exc.retry_after` in seconds, whether PTB gives an int or a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Spacer:
    """Reserves send times at least `interval` apart per key, in the order asked for."""

    def __init__(self) -> None:
        self._next_slot: dict[int, float] = {}

    def _forget_idle(self, now: float) -> None:
        if len(self._next_slot) > 10_000:
            self._next_slot = {key: slot for key, slot in self._next_slot.items() if slot > now}

    async def wait(self, key: int, interval: float) -> None:
        """Reserve the key's next slot and sleep until it comes."""
        now = time.monotonic()
        self._forget_idle(now)
        slot = max(now, self._next_slot.get(key, now))
        self._next_slot[key] = slot + interval
        if slot > now:
            await asyncio.sleep(slot - now)

    def push(self, key: int, not_before: float) -> None:
        """Move the key's next slot to `not_before` if it is earlier (a send went out late)."""
        self._next_slot[key] = max(self._next_slot.get(key, not_before), not_before)


class FloodWindow:
    """At most `limit` sends in any `OVERALL_WINDOW` seconds, evenly spaced. Several workers
    sharing one bot each get a share of Telegram's 30/s (SITREP_DELIVERY_RATE)."""

    def __init__(self, limit: int = OVERALL_LIMIT) -> None:
        self.limit = limit
        self.min_gap = 0.9 * OVERALL_WINDOW / limit
        self._started: deque[float] = deque(maxlen=limit)
        self._turn = asyncio.Lock()  # first come, first served

    def _delay(self, now: float) -> float:
        if not self._started:
            return 0.0
        delay = self._started[-1] + self.min_gap - now
        if len(self._started) == self.limit:
            delay = max(delay, self._started[0] + OVERALL_WINDOW - now)
        return delay

    async def acquire(self) -> None:
        """Wait for a free place in the window and take it (the send must start at once)."""
        async with self._turn:
            while (delay := self._delay(time.monotonic())) > 0:
                await asyncio.sleep(delay)
            self._started.append(time.monotonic())


class Sender:
    """Sends HTML messages paced per chat and overall, honouring 429 with a shared pause."""

    def __init__(self, bot: Bot, *, max_retries: int = MAX_RETRY_AFTER_RETRIES,
                 rate: int = OVERALL_LIMIT) -> None:
        self.bot = bot
        self.max_retries = max_retries
        self.per_chat = Spacer()
        self.overall = FloodWindow(rate)
        self.retries = 0
        self._resume_at = 0.0

    async def _overall_slot(self) -> None:
        """Wait for the bot's next send time; after a 429 pause, take a fresh one."""
        await self.overall.acquire()
        while (delay := self._resume_at - time.monotonic()) > 0:
            await asyncio.sleep(delay)
            await self.overall.acquire()

    async def send(self, chat_id: int, text: str) -> int:
        """Send one message and return its id; RetryAfter only escapes after max_retries."""
        spacing = GROUP_SPACING if chat_id < 0 else PRIVATE_SPACING
        attempt = 0
        while True:
            await self.per_chat.wait(chat_id, spacing)
            await self._overall_slot()
            self.per_chat.push(chat_id, time.monotonic() + spacing)
            try:
                message = await self.bot.send_message(
                    chat_id, text, parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
                return message.message_id
            except RetryAfter as exc:
                attempt += 1
                if attempt > self.max_retries:
                    raise
                delay = retry_after_seconds(exc)
                self.retries += 1
                self._resume_at = max(self._resume_at, time.monotonic() + delay)
                log.warning("flood limit: waiting chat_id=%s retry_after=%s", chat_id, delay)
