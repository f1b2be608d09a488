"""Engines, sessions and migrations.

One engine per process (cached per URL); one session per unit of work via `session_scope`.
SQLite gets WAL and a busy timeout so the bot and the jobs can share one file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
SQLITE_CACHE_KIB = 64 * 1024


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _on_sqlite_connect(dbapi_connection, _record) -> None:  # noqa: ANN001 (DB-API objects)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reads of large ranges (statistics over a month of incidents) go through memory-mapped
    # I/O and a 64 MiB page cache instead of the 2 MiB default.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """The process-wide engine for `url`."""
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session for one unit of work: committed on success, rolled back on error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str):  # noqa: ANN201 (alembic Config, imported lazily)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("sitrep") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (idempotent)."""
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines (even on import) are noise
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def lease_rows(session: Session, query: Any, *, field: str, until: datetime) -> list[Any]:
    """Run `query` (rows to work on) and lease what it returns: set `field` to `until`.

    On PostgreSQL the rows are locked FOR UPDATE SKIP LOCKED first, so several workers
    running the same claim at once get disjoint rows; SQLite runs one writer at a time.
    """
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.exec(query).all())
    for row in rows:
        setattr(row, field, until)
    session.flush()
    return rows
