"""The factory and the two entry points: `sitrep run` wiring and `sitrep bot` as a process."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys

import pytest
from sqlmodel import select
from telegram.ext import Application

import jobs.scheduler
from bot.app import build_application, file_url
from bot.runner import cmd_run
from sitrep.settings import Settings, SettingsError
from sitrep.storage.db import get_engine, session_scope
from sitrep.storage.models import Feed
from tests.support.botapi import BotApiServer

TOKEN = "123456:TEST-token-not-real-abcdefghijkl"


def test_file_url() -> None:
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("http://127.0.0.1:8081/bot/") == "http://127.0.0.1:8081/file/bot"


def test_missing_token_is_one_clear_line(settings: Settings) -> None:
    with pytest.raises(SettingsError, match="^SITREP_TELEGRAM_TOKEN is not set: create a bot with @BotFather"):
        build_application(settings.model_copy(update={"telegram_token": None}))


def test_run_seeds_feeds_and_starts_the_scheduler(
    bot_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []

    class Scheduler:
        def start(self) -> None:
            events.append("start")

        def shutdown(self, wait: bool = True) -> None:
            events.append("shutdown")

    def run_polling(app: Application, **kwargs: object) -> None:
        async def lifecycle() -> None:
            await app.initialize()
            await app.post_init(app)
            events.append("polling")
            await app.post_shutdown(app)
            await app.shutdown()

        asyncio.run(lifecycle())

    monkeypatch.setattr(jobs.scheduler, "build_scheduler", lambda settings, bot: Scheduler())
    monkeypatch.setattr(Application, "run_polling", run_polling)
    assert cmd_run(bot_settings, argparse.Namespace()) == 0
    assert events == ["start", "polling", "shutdown"]
    with session_scope(get_engine(bot_settings.database_url)) as session:
        assert session.exec(select(Feed)).first() is not None


def test_sitrep_bot_answers_over_long_polling(botapi: BotApiServer, db_url: str, tmp_path) -> None:  # noqa: ANN001
    env = {**os.environ, "SITREP_DATABASE_URL": db_url, "SITREP_TELEGRAM_TOKEN": TOKEN,
           "SITREP_TELEGRAM_API_URL": botapi.base_url, "SITREP_LOG_LEVEL": "DEBUG",
           "PYTHONPATH": os.getcwd()}
    process = subprocess.Popen([sys.executable, "-m", "sitrep.cli", "bot"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        botapi.send_text("/help", user_id=77)
        [reply] = botapi.wait_for_messages_sync(77, 1, timeout=30)
        assert reply.plain.startswith("Commands")
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "long polling" in err and TOKEN not in err and TOKEN.split(":")[1] not in err
