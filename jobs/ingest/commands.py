"""`sitrep feeds add|list|remove|seed` and `sitrep ingest --once`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from jobs.ingest.cycle import run_cycle
from jobs.ingest.feeds_admin import (
    add_and_fetch_feed,
    default_feeds,
    list_feed_health,
    remove_feed,
    seed_default_feeds,
    seed_default_feeds_if_empty,
)
from sitrep.settings import Settings
from sitrep.storage.db import get_engine, upgrade

NO_FEEDS = "no feeds yet: add one with `sitrep feeds add URL` or load the defaults with `sitrep feeds seed`"


def cmd_feeds_add(settings: Settings, args: argparse.Namespace) -> int:
    upgrade(settings.database_url)
    result = asyncio.run(add_and_fetch_feed(settings, url=args.url, name=args.name))
    print(f"added feed {result.feed_id}: {result.title or result.url} ({result.entries} entries, "
          f"{result.new_articles} new articles, {result.new_incidents} new incidents)")
    return 0


def cmd_feeds_list(settings: Settings, args: argparse.Namespace) -> int:
    upgrade(settings.database_url)
    rows = list_feed_health(settings)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print(format_feed_table(rows) if rows else NO_FEEDS)
    return 0


def cmd_feeds_remove(settings: Settings, args: argparse.Namespace) -> int:
    upgrade(settings.database_url)
    feed = remove_feed(settings, ref=args.feed)
    print(f"removed feed {feed.id}: {feed.url} (its articles are kept)")
    return 0


def cmd_feeds_seed(settings: Settings, args: argparse.Namespace) -> int:
    upgrade(settings.database_url)
    added = seed_default_feeds(get_engine(settings.database_url))
    print(f"added {added} of the {len(default_feeds())} default feeds "
          "(the others were already there)")
    return 0


def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    upgrade(settings.database_url)
    seeded = seed_default_feeds_if_empty(get_engine(settings.database_url))
    if seeded:
        print(f"no feeds yet: loaded {seeded} default feeds", file=sys.stderr)
    summary = asyncio.run(run_cycle(settings, all_feeds=True))
    for feed_id, url, error in summary.disabled_feeds:
        print(f"disabled feed {feed_id} ({url}) after too many failures: {error}", file=sys.stderr)
    print(summary.line())
    return 0


_COLUMNS = (("ID", "id"), ("STATUS", "status"), ("ARTICLES", "articles"),
            ("LAST FETCH", "last_fetched_at"), ("NEXT FETCH", "next_fetch_at"), ("FEED", "feed"),
            ("LAST ERROR", "last_error"))


def format_feed_table(rows: list[dict[str, Any]]) -> str:
    """An aligned table of `list_feed_health` rows (times shortened to UTC minutes)."""
    cells = [[_cell(key, row) for _, key in _COLUMNS] for row in rows]
    header = [title for title, _ in _COLUMNS]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    return "\n".join(
        "  ".join(value.ljust(width) for value, width in zip(line, widths, strict=True)).rstrip()
        for line in [header, *cells]
    )


def _cell(key: str, row: dict[str, Any]) -> str:
    if key == "feed":
        return row["name"] or row["title"] or row["url"]
    value = row[key]
    if value is None:
        return "-"
    if key.endswith("_at"):
        return value[:16].replace("T", " ")
    return str(value)
