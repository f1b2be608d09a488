"""`sitrep run` (bot + scheduler) and `sitrep bot` (updates only: polling or webhook)."""

from __future__ import annotations

import argparse
import logging
from urllib.parse import urlsplit

from telegram import Update

from bot.app import build_application
from sitrep.settings import Settings
from sitrep.storage.db import get_engine, upgrade

log = logging.getLogger(__name__)


def _seed_feeds(settings: Settings) -> None:
    """Load the default feeds into an empty database (skipped when ingestion is absent)."""
    try:
        from jobs.ingest.feeds_admin import seed_default_feeds_if_empty
    except ImportError:
        log.warning("jobs.ingest.feeds_admin is missing: default feeds not seeded")
        return
    seed_default_feeds_if_empty(get_engine(settings.database_url))


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Everything in one process: the bot, plus ingestion and delivery on a schedule."""
    settings.token_value()
    upgrade(settings.database_url)
    _seed_feeds(settings)
    app = build_application(settings, scheduler=True)
    log.info("sitrep running: bot and scheduler")
    app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def cmd_bot(settings: Settings, args: argparse.Namespace) -> int:
    """The bot only; webhook when SITREP_WEBHOOK_URL is set, long polling otherwise."""
    settings.token_value()
    upgrade(settings.database_url)
    app = build_application(settings)
    webhook_url = settings.webhook_url
    if not webhook_url:
        log.info("sitrep bot: long polling")
        app.run_polling(allowed_updates=Update.ALL_TYPES)
        return 0
    secret = settings.webhook_secret
    log.info("sitrep bot: webhook at %s", urlsplit(webhook_url).netloc)
    app.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=urlsplit(webhook_url).path.lstrip("/"),
        webhook_url=webhook_url,
        secret_token=(secret.get_secret_value() or None) if secret is not None else None,
        allowed_updates=Update.ALL_TYPES,
    )
    return 0
