"""`sitrep digest` and `sitrep stats`: the same digest and statistics the bot sends, as text."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from jobs.digest.build import build_digest
from jobs.digest.regions import resolve_region
from jobs.digest.render import render_text
from jobs.digest.stats import compute_stats, render_stats_text, to_json
from sitrep.places import Place, load_gazetteer
from sitrep.settings import Settings
from sitrep.storage.db import get_engine, session_scope, upgrade


def _place(name: str) -> Place:
    """The one place `name` means, or a UserError with the choices or closest names."""
    return resolve_region(load_gazetteer(), name).require_place()


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    upgrade(settings.database_url)
    place = _place(args.region)
    end = datetime.now(UTC)
    with session_scope(get_engine(settings.database_url)) as session:
        digest = build_digest(
            session, region_keys=[place.region_key], start=end - timedelta(hours=args.hours),
            end=end, labels=[place.label],
        )
    print(render_text(digest))
    return 0


def cmd_stats(settings: Settings, args: argparse.Namespace) -> int:
    upgrade(settings.database_url)
    place = _place(args.region) if args.region else None
    with session_scope(get_engine(settings.database_url)) as session:
        stats = compute_stats(
            session, region_keys=[place.region_key] if place else None, days=args.days,
            now=datetime.now(UTC), labels=[place.label] if place else [],
        )
    print(to_json(stats) if args.json else render_stats_text(stats))
    return 0
