"""`sitrep deliver`: one delivery pass, then exit."""

from __future__ import annotations

import argparse
import asyncio

from jobs.delivery.outbox import DeliverySummary, deliver_due
from jobs.delivery.sender import running_bot
from sitrep.settings import Settings
from sitrep.storage.db import upgrade


async def deliver_once(settings: Settings) -> DeliverySummary:
    """Send what is due now with a bot of our own (started and shut down here)."""
    async with running_bot(settings) as bot:
        return await deliver_due(settings, bot=bot)


def cmd_deliver(settings: Settings, _args: argparse.Namespace) -> int:
    settings.token_value()  # a missing token is a one-line error before any work
    upgrade(settings.database_url)
    summary = asyncio.run(deliver_once(settings))
    print(summary.line())
    return 0
