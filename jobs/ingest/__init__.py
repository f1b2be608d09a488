"""Feed ingestion: fetch RSS/Atom feeds politely and safely, store deduplicated articles.

Modules with one job each: `urls` (canonical links, URL checks, private-address guard),
`fetcher` (HTTP), `parsing` (feedparser behind a safety check, HTML to text), `fulltext`
(article pages), `language`, `cycle` (one ingestion cycle), `feeds_admin` (add, remove,
list, seed) and `commands` (the `sitrep feeds ...` and `sitrep ingest` handlers).
"""
