"""The `sitrep` command line.

Each subcommand parses its arguments here and hands them to one function in the module
that owns the work (imported lazily, so `sitrep --help` is instant and `sitrep extract`
does not import Telegram). A user's mistake is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence

from sitrep.errors import UserError
from sitrep.settings import Settings, SettingsError, load_settings

log = logging.getLogger("sitrep.cli")

Handler = Callable[[Settings, argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that exits with one line (and code 2) instead of the usage block on errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _target(spec: str) -> Handler:
    module_name, func_name = spec.split(":")
    return getattr(importlib.import_module(module_name), func_name)


def _add(sub: argparse._SubParsersAction, name: str, spec: str, help_text: str) -> _Parser:
    parser = sub.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(handler=spec)
    return parser


def _feeds_parser(sub: argparse._SubParsersAction) -> None:
    feeds = sub.add_parser("feeds", help="manage the news feeds", description="Manage the news feeds.")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True, metavar="COMMAND")
    add = _add(feeds_sub, "add", "jobs.ingest.commands:cmd_feeds_add", "add a feed (fetched at once)")
    add.add_argument("url")
    add.add_argument("--name", default=None, help="a short name for the feed")
    lst = _add(feeds_sub, "list", "jobs.ingest.commands:cmd_feeds_list", "list feeds and their health")
    lst.add_argument("--json", action="store_true", help="print JSON")
    rm = _add(feeds_sub, "remove", "jobs.ingest.commands:cmd_feeds_remove", "remove a feed")
    rm.add_argument("feed", metavar="URL|ID")
    _add(feeds_sub, "seed", "jobs.ingest.commands:cmd_feeds_seed", "load the default feeds from seeds/feeds.toml")


def build_parser() -> _Parser:
    parser = _Parser(prog="sitrep", description="Sitrep: daily security digests on Telegram.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    _add(sub, "demo", "jobs.demo:cmd_demo", "offline demo: ingest the sample feed and print digests")
    _add(sub, "run", "bot.runner:cmd_run", "bot, scheduler, ingestion and delivery in one process")
    _add(sub, "bot", "bot.runner:cmd_bot", "the Telegram bot only (updates and commands)")
    _add(sub, "worker", "jobs.worker:cmd_worker", "ingestion, extraction and delivery, no bot")

    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND", parser_class=_Parser)
    _add(db_sub, "upgrade", "sitrep.cli:cmd_db_upgrade", "apply migrations up to the latest")

    _feeds_parser(sub)

    ingest = _add(sub, "ingest", "jobs.ingest.commands:cmd_ingest", "fetch feeds and extract incidents")
    ingest.add_argument("--once", action="store_true", required=True,
                        help="one cycle over every enabled feed, whatever its schedule")

    extract = _add(sub, "extract", "jobs.extract.commands:cmd_extract", "extract incidents from text")
    extract.add_argument("file", nargs="?", default="-", metavar="FILE|-")
    extract.add_argument("--published", default=None, metavar="YYYY-MM-DD",
                         help="publication date, for 'yesterday' and 'on Monday'")
    extract.add_argument("--jsonl", action="store_true",
                         help='read {"id","text","title"?,"published"?} lines from stdin')

    digest = _add(sub, "digest", "jobs.digest.commands:cmd_digest", "print a region's digest")
    digest.add_argument("--region", required=True, metavar="NAME")
    digest.add_argument("--hours", type=_positive_int(24 * 30), default=24)

    stats = _add(sub, "stats", "jobs.digest.commands:cmd_stats", "print incident statistics")
    stats.add_argument("--region", default=None, metavar="NAME")
    stats.add_argument("--days", type=_positive_int(366), default=7)
    stats.add_argument("--json", action="store_true")

    _add(sub, "deliver", "jobs.delivery.commands:cmd_deliver", "send the digests that are due now, once")
    return parser


def _positive_int(maximum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.isdigit() or not 1 <= int(text) <= maximum:
            raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {maximum}")
        return int(text)

    return parse


def cmd_db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from sitrep.storage.db import upgrade

    upgrade(settings.database_url)
    print("database is up to date")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        from sitrep.logging_setup import configure_logging

        token = settings.telegram_token.get_secret_value() if settings.telegram_token else None
        configure_logging(settings.log_level, token)
        return _target(args.handler)(settings, args)
    except (SettingsError, UserError) as exc:
        print(f"sitrep: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
