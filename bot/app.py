"""The Application factory, in the shape of python-telegram-bot's examples.

Resources (database engine, gazetteer, worker pool, optionally the scheduler) are created
in post_init and closed in post_shutdown, and live in `app.bot_data["resources"]`.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot import handlers
from bot.handlers.catalog import COMMANDS
from bot.resources import KEY, Resources
from sitrep.places import load_gazetteer
from sitrep.settings import Settings
from sitrep.storage.db import get_engine

log = logging.getLogger(__name__)

WORKER_THREADS = 4


def file_url(api_url: str) -> str:
    """https://api.telegram.org/bot -> https://api.telegram.org/file/bot"""
    base, _, last = api_url.rstrip("/").rpartition("/")
    return f"{base}/file/{last}"


def _start_scheduler(app: Application, settings: Settings) -> object | None:
    try:
        from jobs.scheduler import build_scheduler
    except ImportError:
        log.error("jobs.scheduler is missing: running without ingestion and delivery jobs")
        return None
    scheduler = build_scheduler(settings, bot=app.bot)
    scheduler.start()
    log.info("scheduler started")
    return scheduler


async def _post_init(app: Application, *, settings: Settings, scheduler: bool) -> None:
    """Open the resources, publish the command menu, and start the jobs when asked."""
    pool = ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="sitrep-bot")
    gazetteer = await asyncio.get_running_loop().run_in_executor(pool, load_gazetteer)
    resources = Resources(settings, get_engine(settings.database_url), gazetteer, pool)
    app.bot_data[KEY] = resources
    await app.bot.set_my_commands([BotCommand(c.name, c.description) for c in COMMANDS if not c.operator])
    if scheduler:
        resources.scheduler = _start_scheduler(app, settings)


async def _post_shutdown(app: Application) -> None:
    resources: Resources | None = app.bot_data.pop(KEY, None)
    if resources is None:
        return
    if resources.scheduler is not None:
        resources.scheduler.shutdown(wait=False)
    resources.pool.shutdown(wait=True, cancel_futures=True)
    resources.engine.dispose()


def build_application(settings: Settings, *, scheduler: bool = False) -> Application:
    """The bot's Application; with `scheduler=True` post_init also starts the jobs.

    No `Defaults`: the scheduler sends with `app.bot` too, and its plain-text messages must
    not be parsed as HTML. Handlers pass parse_mode themselves (see `bot.chat`).
    """
    # Bot API URLs contain the token; httpx logs every URL at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = (
        ApplicationBuilder()
        .token(settings.token_value())
        .base_url(settings.telegram_api_url)
        .base_file_url(file_url(settings.telegram_api_url))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(partial(_post_init, settings=settings, scheduler=scheduler))
        .post_shutdown(_post_shutdown)
        .build()
    )
    handlers.register(app)
    return app
