"""/start, /help and the error handler."""

from __future__ import annotations

import contextlib
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.buttons import pack
from bot.chat import esc, is_operator, send
from bot.handlers.catalog import COMMANDS
from bot.resources import in_session, resources
from sitrep.errors import UserError
from sitrep.storage.subscribers import most_active_regions

log = logging.getLogger(__name__)

ACTIVE_DAYS = 7
WELCOME = (
    "<b>Sitrep</b> sends one short message a day with the security incidents (attacks, "
    "clashes, bombings, kidnappings) reported in the regions you follow, with links to the "
    "news sources.\n\n"
    "To begin, follow a country, province or district:\n"
    "<code>/subscribe Khyber Pakhtunkhwa</code>\n"
    "Then choose when it arrives with /time and /timezone. /help lists every command."
)
APOLOGY = "Sorry, something went wrong on my side. Please try again in a minute."


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    active = await in_session(context, most_active_regions, days=ACTIVE_DAYS)
    if not active:
        await send(update, WELCOME)
        return
    remembered = resources(context).button_keys
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(f"{region.label} · {region.incidents}"[:64],
                              callback_data=pack("start", "", region.region_key, remembered))]
        for region in active
    ])
    await send(update, WELCOME + f"\n\nMost active regions in the last {ACTIVE_DAYS} days — "
               "tap one to follow it:", reply_markup=keyboard)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    operator = is_operator(update, context)
    lines = ["<b>Commands</b>"]
    for command in COMMANDS:
        if command.operator and not operator:
            continue
        usage = f" {command.usage}" if command.usage else ""
        lines.append(esc(f"/{command.name}{usage} — {command.description}"))
    lines.append("\nIn groups, only administrators change subscriptions and the digest time.")
    await send(update, "\n".join(lines))


def _describe(update: object) -> str:
    """chat_id=… user_id=… command=… for the log line."""
    if not isinstance(update, Update):
        return "update=none"
    chat = update.effective_chat.id if update.effective_chat else None
    user = update.effective_user.id if update.effective_user else None
    if update.callback_query is not None:
        command = "button:" + (update.callback_query.data or "").split(":", 1)[0][:20]
    else:
        message = update.effective_message
        command = ((message.text or "").split() or ["-"])[0][:40] if message else "-"
    return f"chat_id={chat} user_id={user} command={command!r}"


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A UserError is the answer; anything else is logged with context and apologised for."""
    error = context.error
    if isinstance(error, UserError):
        text = esc(error)
    else:
        log.error("handler failed: %s", _describe(update), exc_info=error)
        text = APOLOGY
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        await send(update, text)
    except TelegramError as exc:
        log.warning("could not answer after an error: %s (%s)", _describe(update), exc)
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):  # it may have been answered already
            await update.callback_query.answer()
