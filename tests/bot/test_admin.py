"""Operator commands: refused politely to everyone else; end to end with the real feed code."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from jobs.ingest import feeds_admin
from sitrep.errors import UserError
from sitrep.settings import Settings
from tests.support.botapi import BotApiServer

pytestmark = pytest.mark.usefixtures("bot_app")
OPERATOR, USER = 1001, 42
RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Frontier &amp; Post</title>
<link>http://127.0.0.1/</link><description>News</description>
<item><title>Markets rally in Karachi</title><link>http://127.0.0.1/a</link>
<description>Stocks rose.</description><pubDate>Tue, 11 Mar 2025 08:00:00 GMT</pubDate></item>
<item><title>Rain expected in Lahore</title><link>http://127.0.0.1/b</link>
<description>Showers.</description><pubDate>Tue, 11 Mar 2025 09:00:00 GMT</pubDate></item>
</channel></rss>"""


class _Feed(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = RSS.encode() if self.path == "/feed.xml" else b"not found"
        self.send_response(200 if self.path == "/feed.xml" else 404)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@pytest.fixture
def feed_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("command", ["/addfeed https://example.com/rss", "/removefeed 1", "/feeds"])
async def test_everyone_else_is_refused(
    botapi: BotApiServer, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    calls: list[str] = []
    fake = SimpleNamespace(**{name: (lambda *a, name=name, **k: calls.append(name))
                              for name in ("add_and_fetch_feed", "remove_feed", "list_feed_health")})
    monkeypatch.setitem(sys.modules, "jobs.ingest.feeds_admin", fake)
    [reply] = await botapi.ask(command, user_id=USER)
    assert reply.plain == f"Sorry, {command.split()[0]} is only for the bot's operators."
    [in_group] = await botapi.ask(command, user_id=USER, chat_id=-300)
    assert "only for the bot's operators" in in_group.plain
    assert calls == []


async def test_add_list_and_remove_a_feed(botapi: BotApiServer, feed_url: str, bot_settings: Settings) -> None:
    fetching, added = await botapi.ask(f"/addfeed {feed_url} Frontier", user_id=OPERATOR, count=2, timeout=20)
    assert fetching.plain.startswith("Fetching http://127.0.0.1:")
    [feed] = feeds_admin.list_feed_health(bot_settings)
    assert added.plain == (f"Added feed #{feed['id']}: Frontier & Post\n"
                           "2 entries, 2 new articles, 0 incidents found.")
    [listing] = await botapi.ask("/feeds", user_id=OPERATOR)
    assert listing.plain.startswith(f"1 feed\n#{feed['id']} Frontier & Post — ok · 2 articles · fetched ")
    _, duplicate = await botapi.ask(f"/addfeed {feed_url}", user_id=OPERATOR, count=2)
    assert duplicate.plain == f"feed {feed['id']} already has this URL: {feed_url}"
    [removed] = await botapi.ask(f"/removefeed {feed['id']}", user_id=OPERATOR)
    assert removed.plain == f"Removed feed #{feed['id']}: Frontier & Post. Its articles stay."
    [empty] = await botapi.ask("/feeds", user_id=OPERATOR)
    assert empty.plain == "No feeds yet. /addfeed <url> adds one."
    [unknown] = await botapi.ask("/removefeed 99", user_id=OPERATOR)
    assert unknown.plain.startswith("no feed with id or URL '99'")
    assert [c for c in botapi.calls() if c.status != 200] == []


async def test_feed_health_shows_failures_safely(botapi: BotApiServer, monkeypatch: pytest.MonkeyPatch) -> None:
    def health(settings: Settings) -> list[dict]:
        return [
            {"id": 1, "url": "https://ok.example/rss", "title": "<b>Dawn & co", "status": "ok",
             "last_error": None, "articles": 12, "last_fetched_at": "2025-03-11T08:00:00+00:00",
             "next_fetch_at": "2025-03-11T08:15:00+00:00"},
            {"id": 2, "url": "javascript:alert(1)", "title": None, "status": "failing",
             "last_error": "HTTP 503 <html>", "articles": 0, "last_fetched_at": "2025-03-11T07:00:00+00:00",
             "failing_since": "2025-03-10T21:00:00+00:00", "next_fetch_at": None},
            {"id": 3, "url": "https://off.example/rss", "title": "Off", "status": "disabled",
             "last_error": "gone", "articles": 3, "last_fetched_at": None, "next_fetch_at": None},
        ]

    async def add(settings: Settings, *, url: str, name: str | None) -> None:
        raise UserError(f"cannot add {url}: not a feed: the server sent an HTML page")

    monkeypatch.setattr(feeds_admin, "list_feed_health", health)
    monkeypatch.setattr(feeds_admin, "add_and_fetch_feed", add)
    [listing] = await botapi.ask("/feeds", user_id=OPERATOR)
    lines = listing.plain.splitlines()
    assert lines[1] == "#1 <b>Dawn & co — ok · 12 articles · fetched 11 Mar 08:00 UTC, next 11 Mar 08:15 UTC"
    assert lines[2] == ("#2 javascript:alert(1) — failing since 10 Mar 21:00 UTC: HTTP 503 <html> · 0 articles"
                        " · fetched 11 Mar 07:00 UTC, next never")
    assert lines[3].startswith("#3 Off — disabled")
    assert 'href="javascript' not in listing.text
    _, refused = await botapi.ask("/addfeed https://example.com/page", user_id=OPERATOR, count=2)
    assert refused.plain == "cannot add https://example.com/page: not a feed: the server sent an HTML page"
