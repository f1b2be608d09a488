"""Every handler, registered in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.handlers import admin, common, reports, subscriber
from bot.handlers.catalog import COMMANDS

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]

CALLBACKS: dict[str, Callback] = {
    "start": common.start,
    "help": common.help_command,
    "subscribe": subscriber.subscribe,
    "unsubscribe": subscriber.unsubscribe,
    "mysubs": subscriber.mysubs,
    "time": subscriber.set_time,
    "timezone": subscriber.set_timezone,
    "region": reports.region,
    "stats": reports.stats,
    "stop": subscriber.stop,
    "addfeed": admin.add_feed,
    "removefeed": admin.remove_feed,
    "feeds": admin.list_feeds,
}


def register(app: Application) -> None:
    """Commands from the catalog, the region buttons, group migrations, and the error handler."""
    for command in COMMANDS:
        # New messages only: editing an old command should not run it again.
        app.add_handler(CommandHandler(command.name, CALLBACKS[command.name],
                                       filters=filters.UpdateType.MESSAGE))
    app.add_handler(CallbackQueryHandler(subscriber.on_region_button, pattern=r"^(sub|unsub|start):"))
    app.add_handler(CallbackQueryHandler(reports.on_report_button, pattern=r"^(region|stats):"))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, subscriber.on_migrate))
    app.add_error_handler(common.on_error)
