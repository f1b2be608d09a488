"""Ingestion benchmark: N feeds on N local hosts, each answering after a fixed latency.

    python -m bench.bench_ingest [--feeds 500] [--latency 0.3] [--items 10]

The feeds live on loopback aliases (127.0.1.1, 127.0.1.2, ...; Linux routes all of
127.0.0.0/8 to the loopback device), so the per-host limit does not serialise them, and
are served by a separate process so the server's CPU does not compete with the fetcher's.
Cycle 1 fetches, parses and stores everything; cycle 2 gets a 304 from every feed.
The ideal bound is feeds x latency / concurrency; the serial sum is feeds x latency.
Extraction is left out (it has its own benchmark): the times are the fetch phase.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import multiprocessing
import resource
import tempfile
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from jobs.ingest import cycle
from sitrep.settings import Settings, load_settings
from sitrep.storage.db import get_engine, session_scope, upgrade
from sitrep.storage.feeds import add_feed

STORY = ("Gunmen attacked a police checkpoint on the highway on Sunday night, killing two "
         "officers and wounding three others, a provincial spokesman said, adding that the "
         "attackers fled before reinforcements arrived and that a search was under way.")


def feed_hosts(count: int) -> list[str]:
    """127.0.1.1 ... 127.0.1.250, 127.0.2.1 ...: loopback aliases, no .0 or .255."""
    return [str(ipaddress.IPv4Address("127.0.0.0") + 256 * (1 + n // 250) + 1 + n % 250)
            for n in range(count)]


def feed_document(index: int, items: int) -> bytes:
    entries = "".join(
        f"<item><title>Feed {index} story {i}</title>"
        f"<link>https://bench.example/{index}/{i}?utm_source=rss</link>"
        f"<guid>https://bench.example/{index}/{i}</guid>"
        f"<description>&lt;p&gt;{STORY} (report {index}-{i})&lt;/p&gt;</description>"
        f"<pubDate>Sun, 02 Nov 2025 08:00:00 GMT</pubDate></item>"
        for i in range(items)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Bench feed {index}</title><link>https://bench.example/</link>"
            f"<language>en</language>{entries}</channel></rss>").encode()


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                  documents: dict[str, bytes], latency: float) -> None:
    """A minimal HTTP/1.1 server: the feed for the address connected to, ETag "1"."""
    host = writer.get_extra_info("sockname")[0]
    try:
        while True:
            head = (await reader.readuntil(b"\r\n\r\n")).lower()
            await asyncio.sleep(latency)
            if b'if-none-match: "1"' in head:
                writer.write(b'HTTP/1.1 304 Not Modified\r\nETag: "1"\r\nContent-Length: 0\r\n\r\n')
            else:
                body = documents[host]
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                             b'ETag: "1"\r\nContent-Length: %d\r\n\r\n' % len(body) + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _serve(hosts: list[str], items: int, latency: float, pipe: Connection) -> None:
    """The server process: listen on every host, send back (host, port) pairs, run on."""
    documents = {host: feed_document(n, items) for n, host in enumerate(hosts)}

    async def main() -> None:
        server = await asyncio.start_server(
            lambda r, w: _answer(r, w, documents, latency), host=hosts, port=0, backlog=1024)
        pipe.send([sock.getsockname()[:2] for sock in server.sockets])
        await server.serve_forever()

    asyncio.run(main())


def _add_feeds(settings: Settings, addresses: list[tuple[str, int]]) -> None:
    with session_scope(get_engine(settings.database_url)) as session:
        for n, (host, port) in enumerate(sorted(addresses)):
            add_feed(session, url=f"http://{host}:{port}/feed.xml", name=f"Bench {n}")


async def _no_extraction(settings: Settings) -> int:
    return 0


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(feeds: int, latency: float, items: int, database_url: str | None) -> dict[str, Any]:
    parent, child = multiprocessing.get_context("spawn").Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(feed_hosts(feeds), items, latency, child), daemon=True)
    server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
            upgrade(url)
            settings = load_settings(database_url=url, allow_private_feed_hosts=True,
                                     fetch_full_text=False, _env_file=None)
            _add_feeds(settings, parent.recv())
            return _measure(settings, feeds=feeds, latency=latency, items=items)
    finally:
        server.terminate()
        server.join()


def _measure(settings: Settings, *, feeds: int, latency: float, items: int) -> dict[str, Any]:
    cycle.extract_new_articles = _no_extraction  # extraction is benchmarked on its own
    rss_before = _peak_rss_mib()
    first = asyncio.run(cycle.run_cycle(settings, all_feeds=True))
    second = asyncio.run(cycle.run_cycle(settings, all_feeds=True))
    ideal = feeds * latency / settings.fetch_concurrency
    return {
        "feeds": feeds, "items_per_feed": items, "latency_s": latency,
        "concurrency": settings.fetch_concurrency, "ideal_bound_s": round(ideal, 2),
        "serial_sum_s": round(feeds * latency, 1),
        "cycle1_s": round(first.fetch_seconds, 2),
        "cycle1_vs_ideal": round(first.fetch_seconds / ideal, 2),
        "cycle1_vs_serial": round(first.fetch_seconds / (feeds * latency), 3),
        "cycle1_ok": first.feeds_ok, "cycle1_failed": first.failed,
        "cycle1_new_articles": first.new_articles,
        "cycle2_s": round(second.fetch_seconds, 2),
        "cycle2_vs_ideal": round(second.fetch_seconds / ideal, 2),
        "cycle2_not_modified": second.not_modified, "cycle2_failed": second.failed,
        "rss_before_mib": round(rss_before, 1), "peak_rss_mib": round(_peak_rss_mib(), 1),
    }


def _table(results: dict[str, Any]) -> str:
    width = max(map(len, results))
    return "\n".join(f"{key.ljust(width)}  {value}" for key, value in results.items())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per answer")
    parser.add_argument("--items", type=int, default=10, help="entries per feed")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args(argv)
    results = run(args.feeds, args.latency, args.items, args.database_url)
    print(_table(results))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
