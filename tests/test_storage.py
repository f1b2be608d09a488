"""Migrations and the basic shape of the storage, on every configured engine."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from sitrep.storage.db import get_engine, session_scope, upgrade
from sitrep.storage.models import Delivery, Subscriber


def test_migrations_create_every_table(any_db_url: str) -> None:
    upgrade(any_db_url)  # a second upgrade is a no-op
    tables = set(inspect(get_engine(any_db_url)).get_table_names())
    assert {"feed", "article", "feed_article", "incident", "incident_article",
            "subscriber", "subscription", "delivery", "alembic_version"} <= tables


def test_delivery_is_unique_per_subscriber_and_day(any_db_url: str) -> None:
    engine = get_engine(any_db_url)
    with session_scope(engine) as session:
        sub = Subscriber(chat_id=42)
        session.add(sub)
        session.flush()
        session.add(Delivery(subscriber_id=sub.id, local_date=date(2026, 11, 29)))
        sub_id = sub.id
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(Delivery(subscriber_id=sub_id, local_date=date(2026, 11, 29)))
    with session_scope(engine) as session:
        assert len(session.exec(select(Delivery)).all()) == 1


def test_empty_sqlite_file_upgrades(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'new.db'}"
    upgrade(url)
    assert "incident" in inspect(get_engine(url)).get_table_names()
