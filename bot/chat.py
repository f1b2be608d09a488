"""Small helpers for handlers: arguments, replies, who may change a chat's settings."""

from __future__ import annotations

import html
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.ext import ContextTypes

from bot.resources import resources
from jobs.digest.regions import clean_text

ADMIN_STATUSES = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})
GROUP_REFUSAL = "Only this group's administrators can change its subscriptions and digest time."


def esc(value: object) -> str:
    """Text for Telegram HTML: anything a user or a feed wrote is echoed through this."""
    return html.escape(str(value), quote=False)


def argument(update: Update, *, limit: int, what: str) -> str:
    """The text after the command, cleaned of control characters; UserError when too long."""
    message = update.effective_message
    parts = (message.text or "").split(maxsplit=1) if message is not None else []
    return clean_text(parts[1] if len(parts) > 1 else "", limit=limit, what=what)


HTML = {"parse_mode": ParseMode.HTML, "link_preview_options": LinkPreviewOptions(is_disabled=True)}


async def send(update: Update, text: str, **kwargs: Any) -> None:
    """Send HTML text (already escaped where it echoes anything) to the update's chat."""
    await update.effective_chat.send_message(text, **HTML, **kwargs)


async def may_manage(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Private chats always; in groups only administrators (or the group posting anonymously)."""
    chat = update.effective_chat
    if chat.type == ChatType.PRIVATE:
        return True
    message = update.message
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    user = update.effective_user
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in ADMIN_STATUSES


async def refuse_unless_manager(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True (after a polite refusal) when the sender may not change this chat's settings."""
    if await may_manage(update, context):
        return False
    if update.callback_query is not None:
        await update.callback_query.answer(GROUP_REFUSAL, show_alert=True)
    else:
        await send(update, GROUP_REFUSAL)
    return True


def subscriber_defaults(update: Update, context: ContextTypes.DEFAULT_TYPE) -> dict[str, str]:
    """Values a new subscriber starts with: the chat's type and the configured time and zone."""
    settings = resources(context).settings
    return {
        "chat_type": update.effective_chat.type,
        "timezone_name": settings.default_timezone,
        "digest_time": settings.default_digest_time,
    }


def is_operator(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return user is not None and user.id in resources(context).settings.admin_ids
