"""Small helpers shared by the ingestion tests."""

from __future__ import annotations

from sqlmodel import select

from sitrep.settings import Settings
from sitrep.storage.db import get_engine, session_scope
from sitrep.storage.feeds import add_feed
from sitrep.storage.models import Article, Feed, FeedArticle


def add(settings: Settings, url: str, name: str | None = None) -> int:
    """Add a feed straight to the database (no fetch, no guard); return its id."""
    with session_scope(get_engine(settings.database_url)) as session:
        return add_feed(session, url=url, name=name).id


def feed(settings: Settings, feed_id: int) -> Feed:
    with session_scope(get_engine(settings.database_url)) as session:
        return session.get(Feed, feed_id)


def articles(settings: Settings) -> list[Article]:
    with session_scope(get_engine(settings.database_url)) as session:
        return list(session.exec(select(Article).order_by(Article.id)).all())


def links(settings: Settings) -> set[tuple[int, int]]:
    with session_scope(get_engine(settings.database_url)) as session:
        return {(fa.feed_id, fa.article_id) for fa in session.exec(select(FeedArticle)).all()}
