"""What handlers share: settings, the database engine, the gazetteer and a worker pool.

Created in the application's post_init and closed in post_shutdown; kept in
`application.bot_data["resources"]`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Engine
from telegram.ext import CallbackContext

from sitrep.places import Gazetteer
from sitrep.settings import Settings
from sitrep.storage.db import session_scope

T = TypeVar("T")
KEY = "resources"


@dataclass
class Resources:
    settings: Settings
    engine: Engine
    gazetteer: Gazetteer
    pool: ThreadPoolExecutor
    # Region keys too long for a button's 64-byte callback data, by short token.
    button_keys: dict[str, str] = field(default_factory=dict)
    scheduler: Any = None


def resources(context: CallbackContext) -> Resources:
    return context.bot_data[KEY]


async def blocking(context: CallbackContext, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run slow synchronous work (database, rendering, charts) in the worker pool."""
    pool = resources(context).pool
    return await asyncio.get_running_loop().run_in_executor(pool, partial(fn, *args, **kwargs))


async def in_session(context: CallbackContext, fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Call `fn(session, **kwargs)` in one transaction, in the worker pool."""
    engine = resources(context).engine

    def work() -> T:
        with session_scope(engine) as session:
            return fn(session, **kwargs)

    return await blocking(context, work)

