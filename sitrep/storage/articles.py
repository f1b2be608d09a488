"""Data access for articles: store once, link to every feed that carries it.

An article is the same as a stored one when it has the same canonical link, the same guid
(within the same feed unless the guid is a URI, since many feeds number their items 1, 2,
3...), or the same content hash (sha256 of the normalised title and text).

A feed's articles are stored in a handful of statements whatever their number: one lookup
of everything already known, one multi-row insert, one multi-row link insert.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, select

from sitrep.storage.models import Article, FeedArticle

_URI_GUID = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)

Key = tuple[str, str]  # ("link" | "guid" | "hash", value)
_COLUMNS = ("guid", "link", "title", "text", "source", "language", "published_at",
            "fetched_at", "extraction_status", "content_hash")
# The model's plain defaults (extraction_attempts=0, ...), for rows inserted without the ORM.
_ROW_DEFAULTS = {name: info.default for name, info in Article.model_fields.items()
                 if name != "id" and not info.is_required() and info.default_factory is None}


def content_hash(title: str, text: str) -> str:
    """sha256 of title and text, case- and whitespace-insensitive."""
    normal = unicodedata.normalize("NFKC", f"{title}\n{text}").casefold()
    return hashlib.sha256(" ".join(normal.split()).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ArticleIn:
    """An article as a feed delivered it, before it is stored."""

    guid: str | None
    link: str | None
    title: str
    text: str
    source: str | None
    language: str | None
    published_at: datetime
    fetched_at: datetime
    extraction_status: str = "pending"
    content_hash: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "content_hash", content_hash(self.title, self.text))

    def keys(self) -> list[Key]:
        keys = [("link", self.link)] if self.link else []
        keys += [("guid", self.guid)] if self.guid else []
        return [*keys, ("hash", self.content_hash)]


def find_known(
    session: Session, *, feed_id: int, guids: Collection[str] = (),
    links: Collection[str] = (), hashes: Collection[str] = (),
) -> dict[Key, int]:
    """Stored article ids by identity key, for the given guids, links and hashes; a guid
    that is not a URI only counts among the articles of `feed_id`. The oldest wins."""
    uri_guids = {g for g in guids if _URI_GUID.match(g)}
    feed_guids = set(guids) - uri_guids
    known: dict[Key, int] = {}
    if links or hashes or uri_guids:
        rows = session.exec(
            select(Article.id, Article.guid, Article.link, Article.content_hash)
            .where(or_(Article.link.in_(list(links)), Article.content_hash.in_(list(hashes)),
                       Article.guid.in_(list(uri_guids))))
            .order_by(Article.id)
        ).all()
        for article_id, guid, link, digest in rows:
            if link in links:
                known.setdefault(("link", link), article_id)
            if digest in hashes:
                known.setdefault(("hash", digest), article_id)
            if guid in uri_guids:
                known.setdefault(("guid", guid), article_id)
    if feed_guids:
        rows = session.exec(
            select(Article.id, Article.guid)
            .join(FeedArticle, FeedArticle.article_id == Article.id)
            .where(FeedArticle.feed_id == feed_id, Article.guid.in_(list(feed_guids)))
            .order_by(Article.id)
        ).all()
        for article_id, guid in rows:
            known.setdefault(("guid", guid), article_id)
    return known


def store_articles(
    session: Session, *, feed_id: int, articles: Sequence[ArticleIn],
) -> list[tuple[int, bool]]:
    """Store the articles not known yet and link all of them to `feed_id`; return
    (article id, True if stored just now) for each, in order. Duplicates within the batch
    resolve to the first. Inserts are ON CONFLICT DO NOTHING on the content hash, so two
    workers storing the same article at once end with one row and no error."""
    known: dict[Key, int | str] = dict(find_known(
        session, feed_id=feed_id, guids={a.guid for a in articles if a.guid},
        links={a.link for a in articles if a.link}, hashes={a.content_hash for a in articles}))
    new: dict[str, ArticleIn] = {}
    refs: list[int | str] = []  # an existing id, or the content hash of a new article
    for article in articles:
        ref = next((known[k] for k in article.keys() if k in known), article.content_hash)
        if isinstance(ref, str):
            new.setdefault(ref, article)
        for key in article.keys():
            known.setdefault(key, ref)
        refs.append(ref)
    inserted = _insert_new(session, list(new.values()))
    results: list[tuple[int, bool]] = []
    seen: set[int] = set()
    for ref in refs:
        article_id, created = (ref, False) if isinstance(ref, int) else inserted[ref]
        results.append((article_id, created and article_id not in seen))
        seen.add(article_id)
    _insert_ignoring_conflict(session, FeedArticle,
                              [{"feed_id": feed_id, "article_id": i} for i in sorted(seen)],
                              ["feed_id", "article_id"])
    return results


def store_article(session: Session, *, feed_id: int, **fields: Any) -> tuple[Article, bool]:
    """One article (the fields of `ArticleIn`): stored unless known, linked to the feed."""
    ((article_id, created),) = store_articles(session, feed_id=feed_id,
                                              articles=[ArticleIn(**fields)])
    article = session.get(Article, article_id)
    assert article is not None
    return article, created


def _insert_new(session: Session, articles: list[ArticleIn]) -> dict[str, tuple[int, bool]]:
    """Insert; content hash -> (id, created). A row another worker inserted meanwhile is
    looked up instead of created."""
    rows = [_ROW_DEFAULTS | {name: getattr(a, name) for name in _COLUMNS} for a in articles]
    ids = {digest: (article_id, True) for article_id, digest in _insert_ignoring_conflict(
        session, Article, rows, ["content_hash"], returning=(Article.id, Article.content_hash))}
    lost = [a.content_hash for a in articles if a.content_hash not in ids]
    if lost:
        found = session.exec(select(Article.id, Article.content_hash)
                             .where(Article.content_hash.in_(lost))).all()
        ids.update({digest: (article_id, False) for article_id, digest in found})
    return ids


def _insert_ignoring_conflict(
    session: Session, model: type[SQLModel], rows: list[dict[str, Any]], conflict: list[str],
    returning: tuple[Any, ...] = (),
) -> list[tuple[Any, ...]]:
    """INSERT ... ON CONFLICT DO NOTHING of many rows on both engines; the `returning`
    columns of the rows actually inserted. One cached statement executed with many
    parameter sets: SQLAlchemy batches them into multi-row VALUES ("insertmanyvalues")."""
    if not rows:
        return []
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(model.__table__).on_conflict_do_nothing(index_elements=conflict)
    if not returning:
        session.connection().execute(stmt, rows)
        return []
    return [tuple(row) for row in session.connection().execute(stmt.returning(*returning), rows)]
