"""Extraction of stored articles: claim a batch, extract, store incidents, repeat.

Each article's incidents are stored in the same transaction that marks it done, so a
process killed mid-batch leaves the rest pending (and leased for a few minutes) and
stores nothing twice. An article whose extraction raises is marked failed with the reason
and retried by a later run, up to `MAX_EXTRACTION_ATTEMPTS` times.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from jobs.extract.extractor import ArticleInput, Extractor
from jobs.extract.render import ExtractedIncident
from sitrep.settings import Settings
from sitrep.storage.db import get_engine, session_scope
from sitrep.storage.incidents import claim_articles_for_extraction, mark_extraction, store_incidents
from sitrep.storage.models import Article

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    item: ArticleInput


@lru_cache(maxsize=2)
def get_extractor(model: str) -> Extractor:
    """One extractor per process: loading the pipeline and gazetteer takes seconds."""
    return Extractor(model)


def _claim(settings: Settings, limit: int) -> list[_Claimed]:
    now = datetime.now(UTC)
    with session_scope(get_engine(settings.database_url)) as session:
        articles = claim_articles_for_extraction(session, now=now, lease=LEASE, limit=limit)
        return [_Claimed(a.id, ArticleInput(a.text, a.title, a.published_at.date())) for a in articles]


def _extract(extractor: Extractor, batch: list[_Claimed], batch_size: int) -> list[list[ExtractedIncident] | Exception]:
    """Incidents per article; when the batch fails, each article alone, to find the culprit."""
    try:
        return list(extractor.extract_many([c.item for c in batch], batch_size=batch_size))
    except Exception:  # noqa: BLE001 - isolate the article that breaks the batch
        results: list[list[ExtractedIncident] | Exception] = []
        for claimed in batch:
            try:
                results.append(extractor.extract(claimed.item.text, title=claimed.item.title,
                                                 published=claimed.item.published))
            except Exception as exc:  # noqa: BLE001 - recorded on the article, retried later
                results.append(exc)
        return results


def _store(settings: Settings, claimed: _Claimed, result: list[ExtractedIncident] | Exception) -> int:
    now = datetime.now(UTC)
    with session_scope(get_engine(settings.database_url)) as session:
        if isinstance(result, Exception):
            log.warning("extraction failed article_id=%s error=%r: it will be retried", claimed.id, result)
            mark_extraction(session, article_id=claimed.id, ok=False, now=now, error=repr(result))
            return 0
        article = session.get(Article, claimed.id)
        if article is None:
            return 0  # deleted meanwhile
        new, merged = store_incidents(session, article=article, records=[i.to_dict() for i in result], now=now)
        mark_extraction(session, article_id=claimed.id, ok=True, now=now)
    if result:
        log.info("extracted article_id=%s incidents_new=%s incidents_merged=%s", claimed.id, new, merged)
    return new


def extract_pending(settings: Settings, *, limit: int | None = None) -> int:
    """Extract every pending article (at most `limit`); return how many incidents are new."""
    extractor = get_extractor(settings.spacy_model)
    batch_size = settings.extract_batch_size
    done = new = 0
    while limit is None or done < limit:
        batch = _claim(settings, batch_size if limit is None else min(batch_size, limit - done))
        if not batch:
            break
        for claimed, result in zip(batch, _extract(extractor, batch, batch_size), strict=False):
            new += _store(settings, claimed, result)
        done += len(batch)
    return new
