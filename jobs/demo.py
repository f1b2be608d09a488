"""`sitrep demo`: the main job end to end, offline.

Ingests the bundled sample feed (`seeds/sample_feed.xml`) into a fresh SQLite database,
extracts incidents with the real pipeline, and prints the digest of every province that
has incidents, as the bot would send it (rendered as plain text).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from jobs.digest.build import build_digest
from jobs.digest.render import render_text
from jobs.extract.runner import extract_pending
from jobs.ingest.cycle import article_from_entry
from jobs.ingest.parsing import parse_feed
from sitrep.places import load_gazetteer
from sitrep.settings import Settings
from sitrep.storage.articles import store_articles
from sitrep.storage.db import get_engine, session_scope, upgrade
from sitrep.storage.feeds import add_feed
from sitrep.storage.models import Incident

SAMPLE_FEED = "sample_feed.xml"
SAMPLE_URL = "https://example.org/sitrep/feed.xml"
DEMO_DATABASE = Path("sitrep-demo.db")


def _ingest_sample(settings: Settings, now: datetime) -> int:
    body = (resources.files("seeds") / SAMPLE_FEED).read_bytes()
    parsed = parse_feed(body, url=SAMPLE_URL, content_type="application/rss+xml")
    articles = [a for e in parsed.entries if (a := article_from_entry(e, source=parsed.title, now=now))]
    with session_scope(get_engine(settings.database_url)) as session:
        feed = add_feed(session, url=SAMPLE_URL, name=parsed.title)
        stored = store_articles(session, feed_id=feed.id, articles=articles)
    return sum(created for _, created in stored)


def _provinces(settings: Settings) -> list[str]:
    """Region keys of every province with incidents, most incidents first."""
    with session_scope(get_engine(settings.database_url)) as session:
        rows = session.exec(Incident.__table__.select()).all()
    counts: dict[str, int] = {}
    for row in rows:
        key = f"{row.country_code}|{row.admin1}" if row.admin1 else row.country_code
        counts[key] = counts.get(key, 0) + 1
    return sorted(counts, key=lambda k: (-counts[k], k))


def cmd_demo(settings: Settings, _args: argparse.Namespace) -> int:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DEMO_DATABASE}{suffix}").unlink(missing_ok=True)
    settings = settings.model_copy(update={"database_url": f"sqlite:///{DEMO_DATABASE}"})
    upgrade(settings.database_url)
    now = datetime.now(UTC)
    articles = _ingest_sample(settings, now)
    incidents = extract_pending(settings)
    print(f"Sitrep demo: {articles} articles from the sample feed, {incidents} incidents "
          f"extracted, stored in {DEMO_DATABASE}\n")
    gazetteer = load_gazetteer()
    with session_scope(get_engine(settings.database_url)) as session:
        for key in _provinces(settings):
            place = gazetteer.by_region_key(key)
            label = place.label if place else key.replace("|", ", ")
            digest = build_digest(session, region_keys=[key], start=now - timedelta(days=1),
                                  end=now + timedelta(minutes=1), labels=[label])
            print(render_text(digest), end="\n\n")
    return 0
