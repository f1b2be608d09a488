"""Alembic environment: migrations run against the URL set by `sitrep.storage.db.alembic_config`."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from sitrep.storage import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from sitrep.storage.db import get_engine

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    engine = get_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
