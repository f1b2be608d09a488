"""Digest texts for the outbox: built once per set of regions and reused for a minute.

At 07:00 thousands of subscribers may share a handful of region sets; building each digest
once (in a worker thread, off the event loop) keeps the database out of the sending path.
The window is the 24 hours up to the moment the texts are built, so a reused text is at most
`REUSE_FOR` older than its send time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from jobs.digest.build import build_digest
from jobs.digest.render import render_html
from sitrep.storage.db import session_scope

DIGEST_WINDOW = timedelta(hours=24)
REUSE_FOR = timedelta(seconds=60)

_Key = tuple[tuple[str, ...], tuple[str, ...]]


class DigestTexts:
    """HTML messages of the digest for a set of regions, cached briefly and shared."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock
        self._cache: dict[_Key, tuple[datetime, asyncio.Future[list[str]]]] = {}

    def _build(self, key: _Key, now: datetime) -> list[str]:
        keys, labels = key
        with session_scope(self._engine) as session:
            digest = build_digest(
                session, region_keys=list(keys), start=now - DIGEST_WINDOW, end=now,
                labels=list(labels),
            )
        return render_html(digest)

    def _entry(self, key: _Key) -> asyncio.Future[list[str]]:
        now = self._clock()
        cached = self._cache.get(key)
        if cached is not None and now - cached[0] < REUSE_FOR:
            return cached[1]
        self._cache = {k: v for k, v in self._cache.items() if now - v[0] < REUSE_FOR}
        future = asyncio.ensure_future(asyncio.to_thread(self._build, key, now))
        self._cache[key] = (now, future)
        return future

    async def messages(self, region_keys: tuple[str, ...], region_labels: tuple[str, ...]) -> list[str]:
        """The digest's messages; a failed build is not cached."""
        key = (region_keys, region_labels)
        future = self._entry(key)
        try:
            return await asyncio.shield(future)
        except Exception:
            if self._cache.get(key, (None, None))[1] is future:
                del self._cache[key]
            raise
