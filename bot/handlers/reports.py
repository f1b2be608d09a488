"""On-demand reports: /region (a digest now) and /stats (numbers and a chart)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from telegram import Update
from telegram.ext import ContextTypes

from bot.buttons import unpack
from bot.chat import argument, send
from bot.handlers.subscriber import STALE_BUTTON, offer_choices, resolve
from bot.resources import blocking, in_session, resources
from jobs.digest.build import build_digest
from jobs.digest.chart import render_chart_png
from jobs.digest.regions import MAX_REGION_CHARS, region_label
from jobs.digest.render import render_html
from jobs.digest.stats import compute_stats, render_stats_html
from sitrep.errors import UserError
from sitrep.places import Place
from sitrep.storage import subscribers
from sitrep.storage.db import session_scope

MAX_DAYS = 30
STATS_DAYS = 7
REGION_USAGE = "Which region? For example: <code>/region Peshawar 7</code> (the last 7 days)."


def split_days(text: str) -> tuple[str, int | None]:
    """'Peshawar 7' -> ('Peshawar', 7); a trailing number is the number of days."""
    words = text.split()
    if not words or not words[-1].isdigit():
        return text, None
    days = int(words[-1]) if len(words[-1]) <= 3 else 0
    if not 1 <= days <= MAX_DAYS:
        raise UserError(f"The number of days must be from 1 to {MAX_DAYS}.")
    return " ".join(words[:-1]), days


async def _zone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> ZoneInfo:
    """The chat's time zone (for the period shown in the digest header)."""
    subscriber = await in_session(context, subscribers.get_subscriber, chat_id=update.effective_chat.id)
    return ZoneInfo(subscriber.timezone if subscriber else resources(context).settings.default_timezone)


def _digest_messages(engine: Engine, key: str, label: str, days: int | None, zone: ZoneInfo) -> list[str]:
    end = datetime.now(UTC).astimezone(zone)
    start = end - (timedelta(days=days) if days else timedelta(hours=24))
    with session_scope(engine) as session:
        digest = build_digest(session, region_keys=[key], start=start, end=end, labels=[label])
    return render_html(digest)


async def send_digest(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str,
                      days: int | None) -> None:
    label = region_label(resources(context).gazetteer, key)
    zone = await _zone(update, context)
    for text in await blocking(context, _digest_messages, resources(context).engine, key, label, days, zone):
        await send(update, text)


async def region(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text, days = split_days(argument(update, limit=MAX_REGION_CHARS + 4, what="region name"))
    if not text:
        await send(update, REGION_USAGE)
        return
    resolution = await resolve(context, text)
    if resolution.place is None:
        await offer_choices(update, context, resolution, "region", str(days or ""))
        return
    await send_digest(update, context, resolution.place.region_key, days)


def _stats_outputs(engine: Engine, place: Place | None, days: int) -> tuple[str, bytes]:
    with session_scope(engine) as session:
        stats = compute_stats(
            session, region_keys=[place.region_key] if place else None, days=days,
            now=datetime.now(UTC), labels=[place.label] if place else [],
        )
    return render_stats_html(stats), render_chart_png(stats)


async def send_stats(update: Update, context: ContextTypes.DEFAULT_TYPE, place: Place | None,
                     days: int) -> None:
    text, png = await blocking(context, _stats_outputs, resources(context).engine, place, days)
    await send(update, text)
    await update.effective_chat.send_photo(png, caption="Incidents and people killed per day")


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text, days = split_days(argument(update, limit=MAX_REGION_CHARS + 4, what="region name"))
    if not text:
        await send_stats(update, context, None, days or STATS_DAYS)
        return
    resolution = await resolve(context, text)
    if resolution.place is None:
        await offer_choices(update, context, resolution, "stats", str(days or STATS_DAYS))
        return
    await send_stats(update, context, resolution.place, days or STATS_DAYS)


async def on_report_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Buttons "region" and "stats" offered for ambiguous or unknown names."""
    query = update.callback_query
    action, arg, key = unpack(query.data or "", resources(context).button_keys)
    await query.answer()
    place = resources(context).gazetteer.by_region_key(key) if key else None
    days = int(arg) if arg.isdigit() and 1 <= int(arg) <= MAX_DAYS else None
    if place is None:
        await send(update, STALE_BUTTON)
    elif action == "region":
        await send_digest(update, context, place.region_key, days)
    else:
        await send_stats(update, context, place, days or STATS_DAYS)
