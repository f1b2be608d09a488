"""The schedule: which jobs run, how, and the admin notice for disabled feeds."""

from __future__ import annotations

import pytest
from telegram.ext import ExtBot

import jobs.scheduler as scheduler_module
from jobs.ingest.cycle import CycleSummary
from jobs.scheduler import build_scheduler, ingest_job
from sitrep.settings import Settings
from tests.support.botapi import BotApiServer


async def test_jobs_and_their_options(delivery_settings: Settings, bot: ExtBot) -> None:
    with_bot = build_scheduler(delivery_settings, bot=bot)
    without = build_scheduler(delivery_settings, bot=None)
    with_bot.start(paused=True)
    without.start(paused=True)
    try:
        jobs = {job.id: job for job in with_bot.get_jobs()}
        assert set(jobs) == {"ingest", "extract", "deliver"}
        assert "deliver" not in {job.id for job in without.get_jobs()}
        for job in jobs.values():
            assert (job.max_instances, job.coalesce) == (1, True)
            assert job.misfire_grace_time
    finally:
        with_bot.shutdown(wait=False)
        without.shutdown(wait=False)


async def test_disabled_feeds_are_reported_to_each_admin(
    delivery_settings: Settings, bot: ExtBot, botapi: BotApiServer,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    summary = CycleSummary(feeds_ok=2, failed=1)
    summary.disabled_feeds.append((7, "https://example.org/feed.xml", "HTTP 404 Not Found"))

    async def fake_cycle(settings: Settings) -> CycleSummary:
        return summary

    monkeypatch.setattr(scheduler_module, "run_cycle", fake_cycle)
    with caplog.at_level("INFO", logger="jobs.scheduler"):
        await ingest_job(delivery_settings, bot)
    [notice] = botapi.messages_for(1001)
    assert "https://example.org/feed.xml" in notice.text and "HTTP 404" in notice.text
    assert summary.line() in caplog.text

    botapi.block(1001)  # an admin who blocked the bot does not break the job
    await ingest_job(delivery_settings, bot)
    await ingest_job(delivery_settings, None)  # no bot: nothing to send with
    assert len(botapi.messages_for(1001)) == 1
