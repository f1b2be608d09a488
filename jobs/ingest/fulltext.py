"""Article pages: when a feed entry carries only a short summary, fetch the page (under the
same limits and address checks as feeds) and keep its main text, extracted by trafilatura."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor

from jobs.ingest.fetcher import Fetcher, FetchError

log = logging.getLogger(__name__)

SHORT_SUMMARY_CHARS = 600


def is_short(text: str) -> bool:
    return len(text) < SHORT_SUMMARY_CHARS


async def fetch_full_text(fetcher: Fetcher, url: str, *, executor: Executor) -> str | None:
    """The page's main text, or None when it cannot be had (the caller keeps the summary);
    the extraction runs on `executor`."""
    try:
        page = await fetcher.fetch(url, kind="page")
    except FetchError as exc:
        log.info("full text unavailable, keeping the summary url=%s reason=%s", url, exc)
        return None
    content_type = page.content_type.lower()
    if not page.body or (content_type and "html" not in content_type):
        return None
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, extract_main_text, page.body, page.url)


def extract_main_text(html: bytes, url: str) -> str | None:
    """trafilatura's main-text extraction (imported here: it takes a while to load)."""
    import trafilatura

    text = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=False, favor_precision=True
    )
    return (text or "").strip() or None
