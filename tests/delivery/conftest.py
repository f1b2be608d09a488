"""Fixtures for delivery tests: the fake Bot API server, settings pointing at it, a sending bot
and a helper that stores subscribers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram.ext import ExtBot

from jobs.delivery.sender import build_bot
from sitrep.settings import Settings, load_settings
from sitrep.storage.db import get_engine, session_scope
from sitrep.storage.models import Subscriber, Subscription
from tests.support.botapi import BotApiServer

TOKEN = "123456:TEST-token-not-real-abcdefghijkl"


@pytest.fixture
def botapi() -> Iterator[BotApiServer]:
    """A fresh Bot API server on 127.0.0.1 (random port, no flood limits unless set)."""
    with BotApiServer() as server:
        yield server


def settings_for(db_url: str, server: BotApiServer) -> Settings:
    return load_settings(
        database_url=db_url, telegram_token=TOKEN, telegram_api_url=server.base_url,
        admin_ids="1001", _env_file=None,
    )


@pytest.fixture
def delivery_settings(db_url: str, botapi: BotApiServer) -> Settings:
    return settings_for(db_url, botapi)


@pytest.fixture
async def bot(delivery_settings: Settings) -> AsyncIterator[ExtBot]:
    async with build_bot(delivery_settings) as sending_bot:
        yield sending_bot


def add_subscriber(
    db_url: str, chat_id: int, *, tz: str = "UTC", at: str = "07:00",
    regions: Sequence[str] = ("PK",), chat_type: str = "private", active: bool = True,
) -> int:
    """Store a subscriber with its regions (labels are the keys); returns its id."""
    with session_scope(get_engine(db_url)) as session:
        subscriber = Subscriber(chat_id=chat_id, chat_type=chat_type, timezone=tz,
                                digest_time=at, active=active)
        session.add(subscriber)
        session.flush()
        for key in regions:
            session.add(Subscription(subscriber_id=subscriber.id, region_key=key, region_label=key))
        return subscriber.id


def add_subscribers(db_url: str, chat_ids: Iterable[int], *, at: str, region: str = "PK") -> None:
    """Many UTC subscribers with one region each, in one transaction."""
    with session_scope(get_engine(db_url)) as session:
        subscribers = [Subscriber(chat_id=chat_id, timezone="UTC", digest_time=at)
                       for chat_id in chat_ids]
        session.add_all(subscribers)
        session.flush()
        session.add_all(Subscription(subscriber_id=s.id, region_key=region, region_label=region)
                        for s in subscribers)


def this_minute() -> str:
    """The current UTC time as HH:MM: a digest time that is due right now."""
    return datetime.now(UTC).strftime("%H:%M")


def cli_env(db_url: str, server: BotApiServer, *, token: bool = True) -> dict[str, str]:
    """Environment for a `sitrep` subprocess using this database and Bot API server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    env.update(SITREP_DATABASE_URL=db_url, SITREP_TELEGRAM_API_URL=server.base_url,
               SITREP_LOG_LEVEL="INFO")
    if token:
        env["SITREP_TELEGRAM_TOKEN"] = TOKEN
    return env


def start_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """`sitrep ARGS` in a subprocess (cwd without a .env file), output captured as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "sitrep.cli", *args], env=env, cwd=cwd, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
