"""Operator commands (user ids in SITREP_ADMIN_IDS): /addfeed, /removefeed, /feeds.

The feed work lives in `jobs.ingest.feeds_admin`; this module only asks and answers.
"""

from __future__ import annotations

import html
import importlib
import inspect
import logging
from datetime import datetime
from types import ModuleType
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.chat import argument, esc, is_operator, send
from bot.resources import blocking, resources
from jobs.digest.render import clip, plural, safe_url, split_messages
from sitrep.errors import UserError

log = logging.getLogger(__name__)

MAX_URL = 2000
MAX_ERROR = 160


async def _operator_module(update: Update, context: ContextTypes.DEFAULT_TYPE) -> ModuleType | None:
    """jobs.ingest.feeds_admin for operators; a polite refusal (and None) for anyone else."""
    command = ((update.effective_message.text or "").split() or ["/"])[0].split("@")[0]
    if not is_operator(update, context):
        log.info("refused %s for user_id=%s", command, update.effective_user.id if update.effective_user else None)
        await send(update, f"Sorry, {esc(command)} is only for the bot's operators.")
        return None
    try:
        return importlib.import_module("jobs.ingest.feeds_admin")
    except ImportError:
        log.error("jobs.ingest.feeds_admin is missing: feed commands are unavailable")
        await send(update, "Feed management is not available in this installation.")
        return None


async def _call(context: ContextTypes.DEFAULT_TYPE, fn: Any, **kwargs: Any) -> Any:
    """Await an async feeds_admin function, or run a synchronous one in the worker pool."""
    settings = resources(context).settings
    if inspect.iscoroutinefunction(fn):
        return await fn(settings, **kwargs)
    return await blocking(context, fn, settings, **kwargs)


async def add_feed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    feeds_admin = await _operator_module(update, context)
    if feeds_admin is None:
        return
    text = argument(update, limit=MAX_URL + 200, what="feed address and name")
    url, _, name = text.partition(" ")
    if not url:
        raise UserError("Usage: /addfeed <url> [name]")
    await send(update, f"Fetching {esc(clip(url, 200))} …")
    result = await _call(context, feeds_admin.add_and_fetch_feed, url=url, name=name.strip() or None)
    await send(update, (
        f"Added feed #{esc(result.feed_id)}: <b>{esc(clip(result.title or url, 200))}</b>\n"
        f"{esc(result.entries)} entries, {esc(result.new_articles)} new articles, "
        f"{esc(result.new_incidents)} incidents found."
    ))


async def remove_feed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    feeds_admin = await _operator_module(update, context)
    if feeds_admin is None:
        return
    ref = argument(update, limit=MAX_URL, what="feed address or id")
    if not ref:
        raise UserError("Usage: /removefeed <url|id> (see /feeds for ids)")
    feed = await _call(context, feeds_admin.remove_feed, ref=ref)
    name = clip(feed.title or feed.url, 200)
    await send(update, f"Removed feed #{esc(feed.id)}: {esc(name)}. Its articles stay.")


def _when(value: object) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return f"{value:%d %b %H:%M} UTC" if isinstance(value, datetime) else "never"


def feed_line(feed: dict[str, Any]) -> str:
    """One feed's health in one line of HTML."""
    name = esc(clip(feed.get("title") or feed.get("url") or "?", 80))
    url = safe_url(feed.get("url"))
    if url:
        name = f'<a href="{html.escape(url, quote=True)}">{name}</a>'
    status = feed.get("status") or "?"
    if status == "failing":
        reason = esc(clip(feed.get("last_error") or "unknown error", MAX_ERROR))
        health = f"failing since {_when(feed.get('failing_since') or feed.get('last_fetched_at'))}: {reason}"
    else:
        health = esc(status)
    return (f"#{esc(feed.get('id'))} {name} — {health} · {esc(feed.get('articles') or 0)} articles · "
            f"fetched {_when(feed.get('last_fetched_at'))}, next {_when(feed.get('next_fetch_at'))}")


async def list_feeds(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    feeds_admin = await _operator_module(update, context)
    if feeds_admin is None:
        return
    feeds = await _call(context, feeds_admin.list_feed_health)
    if not feeds:
        await send(update, "No feeds yet. /addfeed &lt;url&gt; adds one.")
        return
    for text in split_messages([f"<b>{plural(len(feeds), 'feed')}</b>", *map(feed_line, feeds)]):
        await send(update, text)
