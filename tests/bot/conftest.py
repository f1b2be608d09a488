"""Fixtures for end-to-end bot tests: the fake Bot API server and the real Application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from telegram.ext import Application

from bot.app import build_application
from sitrep.settings import Settings
from tests.support.botapi import BotApiServer


@pytest.fixture
def botapi() -> Iterator[BotApiServer]:
    """A fresh Bot API server on 127.0.0.1 (random port), stopped after the test."""
    with BotApiServer() as server:
        yield server


@pytest.fixture
def bot_settings(settings: Settings, botapi: BotApiServer) -> Settings:
    return settings.model_copy(update={"telegram_api_url": botapi.base_url})


@pytest.fixture
async def bot_app(bot_settings: Settings) -> AsyncIterator[Application]:
    """The real Application, polling the fake server (post_init/post_shutdown run as in
    run_polling, which the tests cannot use because it owns the event loop)."""
    app = build_application(bot_settings)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.post_shutdown(app)
        await app.shutdown()
