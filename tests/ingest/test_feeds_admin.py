"""Adding (with the first fetch), removing, listing and seeding feeds."""

from __future__ import annotations

import tomllib

import pytest

from jobs.ingest.feeds_admin import (
    add_and_fetch_feed,
    default_feeds,
    list_feed_health,
    remove_feed,
    seed_default_feeds,
    seed_default_feeds_if_empty,
    seed_file,
)
from sitrep.errors import UserError
from sitrep.settings import Settings
from sitrep.storage.db import get_engine
from tests.ingest.conftest import FeedServer
from tests.ingest.documents import HTML_PAGE, Item, rss20
from tests.ingest.helpers import add, articles

ITEMS = (Item("One", "https://news.example/1"), Item("Two", "https://news.example/2"))


async def test_add_fetches_at_once(server: FeedServer, fast: Settings) -> None:
    url = server.route("/feed.xml", rss20(*ITEMS, title="Daily Wire"))
    result = await add_and_fetch_feed(fast, url=url, name=" Wire ")
    assert (result.url, result.title, result.entries, result.new_articles, result.new_incidents) == (
        url, "Daily Wire", 2, 2, 0)
    (row,) = list_feed_health(fast)
    assert (row["id"], row["name"], row["status"], row["articles"]) == (result.feed_id, "Wire", "ok", 2)
    with pytest.raises(UserError, match=f"feed {result.feed_id} already has this URL"):
        await add_and_fetch_feed(fast, url=url)


@pytest.mark.parametrize(("route", "reason"), [
    ({"body": HTML_PAGE, "content_type": "text/html"}, "not a feed: the server sent an HTML page"),
    ({"status": 404}, "HTTP 404 Not Found"),
])
async def test_a_failed_first_fetch_is_not_kept(route: dict, reason: str, server: FeedServer,
                                                fast: Settings) -> None:
    url = server.route("/page", **route)
    with pytest.raises(UserError, match=f"^cannot add {url}: {reason}"):
        await add_and_fetch_feed(fast, url=url)
    assert list_feed_health(fast) == []


@pytest.mark.parametrize(("url", "reason"), [
    ("ftp://example.com/feed", "only http:// and https:// URLs are allowed"),
    ("http://metadata.google.internal/computeMetadata/v1/", "metadata.google.internal is an internal"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
    ("http://[fd00:ec2::254]/", "is a cloud metadata address"),
    ("https://no-such-host.invalid/feed", "host name not found: no-such-host.invalid"),
])
async def test_bad_urls_are_refused(url: str, reason: str, guarded: Settings) -> None:
    with pytest.raises(UserError, match=reason):
        await add_and_fetch_feed(guarded, url=url)


async def test_private_host_is_refused_when_added(server: FeedServer, guarded: Settings) -> None:
    url = server.route("/feed.xml", rss20(*ITEMS))
    with pytest.raises(UserError) as info:
        await add_and_fetch_feed(guarded, url=url)
    assert str(info.value) == (
        f"cannot add {url}: refused: 127.0.0.1 is a private or internal address; "
        "set SITREP_ALLOW_PRIVATE_FEED_HOSTS=true if the feed is on your own network")
    assert server.requests == [] and list_feed_health(guarded) == []


async def test_remove_by_id_or_url_keeps_articles(server: FeedServer, fast: Settings) -> None:
    one = await add_and_fetch_feed(fast, url=server.route("/one.xml", rss20(*ITEMS)))
    two = await add_and_fetch_feed(fast, url=server.route("/two.xml", rss20(*ITEMS)))
    assert remove_feed(fast, ref=str(one.feed_id)).url == one.url
    assert remove_feed(fast, ref=f" {two.url} ").id == two.feed_id
    assert list_feed_health(fast) == [] and len(articles(fast)) == 2
    with pytest.raises(UserError, match="no feed with id or URL '7'"):
        remove_feed(fast, ref="7")


async def test_health_is_json_ready(server: FeedServer, fast: Settings) -> None:
    add(fast, server.route("/gone.xml", status=404), name="Gone")
    from jobs.ingest.cycle import run_cycle

    await run_cycle(fast, all_feeds=True)
    (row,) = list_feed_health(fast)
    assert {"id", "url", "title", "status", "last_error", "articles", "last_fetched_at",
            "next_fetch_at"} <= row.keys()
    assert (row["status"], row["articles"], row["consecutive_failures"]) == ("failing", 0, 1)
    assert row["last_error"].startswith("HTTP 404")
    assert row["last_fetched_at"].endswith("+00:00") and row["next_fetch_at"].endswith("+00:00")


def test_seeding_is_idempotent_and_only_when_empty(fast: Settings) -> None:
    engine = get_engine(fast.database_url)
    total = len(default_feeds())
    assert seed_default_feeds_if_empty(engine) == total
    assert seed_default_feeds_if_empty(engine) == 0
    assert seed_default_feeds(engine) == 0
    remove_feed(fast, ref="1")
    assert seed_default_feeds(engine) == 1


def test_default_feeds_are_well_formed() -> None:
    with seed_file().open("rb") as handle:
        entries = tomllib.load(handle)["feed"]
    assert 15 <= len(entries) <= 30
    urls = [e["url"] for e in entries]
    assert len(set(urls)) == len(urls)
    assert all(e["name"].strip() and e["url"].startswith("https://") for e in entries)
