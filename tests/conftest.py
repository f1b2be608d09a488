"""Shared fixtures: real databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set).

Storage tests ask for `any_db_url`, which runs them once per engine. Everything else asks
for `db_url` (a fresh, migrated SQLite file) or `settings` built on it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from sitrep.settings import Settings, load_settings
from sitrep.storage import models  # noqa: F401  (the tables, for SQLModel.metadata)
from sitrep.storage.db import get_engine, upgrade

PG_ENV = "TEST_DATABASE_URL"


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        return None
    return load_settings(database_url=url).database_url


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    get_engine(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture
def db_url(_sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh SQLite database with every migration applied."""
    path = tmp_path / "sitrep.db"
    shutil.copy(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def _pg_database() -> Iterator[str | None]:
    """A throwaway PostgreSQL database for the whole session, migrated once."""
    admin = _pg_admin_url()
    if admin is None:
        yield None
        return
    import psycopg

    name = f"sitrep_test_{uuid.uuid4().hex[:10]}"
    plain = admin.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    get_engine(url).dispose()
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(table.name for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def pg_url(_pg_database: str | None) -> str:
    """The session's PostgreSQL database, emptied; skips when TEST_DATABASE_URL is unset."""
    if _pg_database is None:
        pytest.skip(f"{PG_ENV} is not set")
    _truncate_all(get_engine(_pg_database))
    return _pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest) -> str:
    """Runs a storage test on SQLite and, when configured, on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("db_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url: str) -> Engine:
    return get_engine(db_url)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(
        database_url=db_url,
        telegram_token="123456:TEST-token-not-real-abcdefghijkl",
        allow_private_feed_hosts=True,
        admin_ids="1001",
        fetch_full_text=False,
        _env_file=None,
    )
