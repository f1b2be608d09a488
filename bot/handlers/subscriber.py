"""A chat's subscriptions and delivery settings: /subscribe, /unsubscribe, /mysubs, /time,
/timezone, /stop, and the region buttons they offer."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from rapidfuzz import process
from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.buttons import pack, place_keyboard, unpack
from bot.chat import HTML, argument, esc, refuse_unless_manager, send, subscriber_defaults
from bot.resources import blocking, in_session, resources
from jobs.digest.regions import (
    MAX_REGION_CHARS,
    Resolution,
    region_label,
    resolve_region,
    unknown_message,
)
from sitrep.errors import UserError
from sitrep.settings import check_timezone, parse_hhmm
from sitrep.storage import deliveries, subscribers

SUBSCRIBE_USAGE = (
    "Which region? For example: <code>/subscribe Khyber Pakhtunkhwa</code>, "
    "<code>/subscribe Peshawar</code> or <code>/subscribe Pakistan</code>."
)
STALE_BUTTON = "This button has expired; please send the command again."


async def resolve(context: ContextTypes.DEFAULT_TYPE, text: str) -> Resolution:
    """Read a region name off the event loop (suggestions take a few milliseconds)."""
    return await blocking(context, resolve_region, resources(context).gazetteer, text)


async def offer_choices(
    update: Update, context: ContextTypes.DEFAULT_TYPE, resolution: Resolution, action: str,
    arg: str = "",
) -> None:
    """Buttons for an ambiguous name, or the closest names for an unknown one."""
    remembered = resources(context).button_keys
    if resolution.ambiguous:
        text = f'"{esc(resolution.query)}" could mean several places. Which one?'
        await send(update, text, reply_markup=place_keyboard(list(resolution.candidates), action, remembered, arg))
        return
    markup = place_keyboard(list(resolution.suggestions), action, remembered, arg) if resolution.suggestions else None
    await send(update, esc(unknown_message(resolution)), reply_markup=markup)


async def _subscribe_to(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, label: str) -> str:
    """Subscribe the chat; the confirmation text."""
    added = await in_session(
        context, subscribers.subscribe, chat_id=update.effective_chat.id, region_key=key,
        region_label=label, **subscriber_defaults(update, context),
    )
    subscriber = await in_session(context, subscribers.get_subscriber, chat_id=update.effective_chat.id)
    if not added:
        return f"You already follow {esc(label)}."
    return (f"Subscribed to <b>{esc(label)}</b>. The digest arrives every day at "
            f"{subscriber.digest_time} ({esc(subscriber.timezone)}); /time and /timezone change that.")


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await refuse_unless_manager(update, context):
        return
    text = argument(update, limit=MAX_REGION_CHARS, what="region name")
    if not text:
        await send(update, SUBSCRIBE_USAGE)
        return
    resolution = await resolve(context, text)
    if resolution.place is None:
        await offer_choices(update, context, resolution, "sub")
        return
    place = resolution.place
    await send(update, await _subscribe_to(update, context, place.region_key, place.label))


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await refuse_unless_manager(update, context):
        return
    text = argument(update, limit=MAX_REGION_CHARS, what="region name")
    current = await in_session(context, subscribers.list_subscriptions, chat_id=update.effective_chat.id)
    if not current:
        await send(update, "You don't follow any region. /subscribe adds one.")
        return
    if not text:
        remembered = resources(context).button_keys
        keyboard = InlineKeyboardMarkup([
            [InlineKeyboardButton(s.region_label[:64], callback_data=pack("unsub", "", s.region_key, remembered))]
            for s in current
        ])
        await send(update, "Which region should I stop sending?", reply_markup=keyboard)
        return
    resolution = await resolve(context, text)
    keys = {p.region_key for p in resolution.candidates}
    matching = [s for s in current if s.region_key in keys or s.region_label.casefold() == text.casefold()]
    if len(matching) != 1:
        names = ", ".join(esc(s.region_label) for s in current)
        await send(update, f'You don\'t follow "{esc(text)}". You follow: {names}.')
        return
    await send(update, await _unsubscribe_from(update, context, matching[0].region_key))


async def _unsubscribe_from(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> str:
    removed = await in_session(
        context, subscribers.unsubscribe, chat_id=update.effective_chat.id, region_key=key
    )
    if removed is None:
        return "You were not following that region."
    return f"Unsubscribed from <b>{esc(removed.region_label)}</b>."


async def on_region_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Buttons "sub" (ambiguous/unknown choices), "start" (/start) and "unsub"."""
    query = update.callback_query
    action, _arg, key = unpack(query.data or "", resources(context).button_keys)
    if await refuse_unless_manager(update, context):
        return
    await query.answer()
    if key is None:
        await send(update, STALE_BUTTON)
        return
    if action == "unsub":
        text = await _unsubscribe_from(update, context, key)
    else:
        text = await _subscribe_to(update, context, key, region_label(resources(context).gazetteer, key))
    if action == "start":
        await send(update, text)
    else:
        await query.edit_message_text(text, **HTML)


async def mysubs(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat_id = update.effective_chat.id
    subscriber = await in_session(context, subscribers.get_subscriber, chat_id=chat_id)
    current = await in_session(context, subscribers.list_subscriptions, chat_id=chat_id)
    settings = resources(context).settings
    at = subscriber.digest_time if subscriber else settings.default_digest_time
    zone = subscriber.timezone if subscriber else settings.default_timezone
    if current:
        lines = ["<b>Your regions</b>", *(f"• {esc(s.region_label)}" for s in current)]
    else:
        lines = ["You don't follow any region yet. Try <code>/subscribe Pakistan</code>."]
    lines.append(f"\nDigest every day at {at} ({esc(zone)}).")
    await send(update, "\n".join(lines))


async def set_time(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await refuse_unless_manager(update, context):
        return
    text = argument(update, limit=20, what="time")
    try:
        digest_time = parse_hhmm(text).strftime("%H:%M")
    except ValueError:
        raise UserError("Send a 24-hour time, for example: /time 07:30") from None
    subscriber = await in_session(
        context, subscribers.set_digest_time, chat_id=update.effective_chat.id,
        digest_time=digest_time, **_without(subscriber_defaults(update, context), "digest_time"),
    )
    await send(update, f"The digest will arrive at {subscriber.digest_time} ({esc(subscriber.timezone)}).")


@lru_cache(maxsize=1)
def _zones_by_folded_name() -> dict[str, str]:
    return {zone.casefold(): zone for zone in available_timezones()}


def find_timezone(text: str) -> str:
    """An IANA zone name, in any case; UserError with the closest names otherwise."""
    try:
        return check_timezone(text)
    except ValueError:
        pass
    zones = _zones_by_folded_name()
    if text.casefold() in zones:
        return zones[text.casefold()]
    close = [zones[name] for name, _score, _ in process.extract(text.casefold(), list(zones), limit=3)]
    hint = f" Closest: {', '.join(close)}." if close and text else ""
    raise UserError(f"I don't know the time zone \"{text}\". Use an IANA name such as "
                    f"Asia/Karachi, Europe/London or UTC.{hint}")


async def set_timezone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await refuse_unless_manager(update, context):
        return
    text = argument(update, limit=64, what="time zone")
    if not text:
        raise UserError("Which time zone? For example: /timezone Asia/Karachi")
    zone = await blocking(context, find_timezone, text)
    subscriber = await in_session(
        context, subscribers.set_timezone, chat_id=update.effective_chat.id, timezone_name=zone,
        **_without(subscriber_defaults(update, context), "timezone_name"),
    )
    await send(update, f"Time zone set to {esc(subscriber.timezone)}; "
                       f"the digest arrives at {subscriber.digest_time} local time.")


def _without(values: dict[str, str], key: str) -> dict[str, str]:
    return {k: v for k, v in values.items() if k != key}


def _move_chat(session: Session, *, old_chat_id: int, new_chat_id: int) -> bool:
    subscriber = subscribers.get_subscriber(session, chat_id=old_chat_id)
    if subscriber is None:
        return False
    return deliveries.migrate_chat(session, subscriber_id=subscriber.id, new_chat_id=new_chat_id)


async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup (new chat id): its subscriptions and settings follow it."""
    message = update.effective_message
    if message.migrate_to_chat_id:
        await in_session(context, _move_chat, old_chat_id=message.chat.id,
                         new_chat_id=message.migrate_to_chat_id)


async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await refuse_unless_manager(update, context):
        return
    await in_session(context, subscribers.delete_subscriber, chat_id=update.effective_chat.id)
    await send(update, "Done: no more digests, and everything stored about this chat is deleted. "
                       "Send /subscribe &lt;region&gt; to start again.")
