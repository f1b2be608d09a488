"""A cycle against a local server: formats, conditional GET, errors in words, redirects,
limits, deduplication, languages, backoff and disabling."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from jobs.ingest.cycle import run_cycle
from sitrep import USER_AGENT
from sitrep.settings import Settings
from tests.ingest.conftest import FeedServer
from tests.ingest.documents import (
    BILLION_LAUGHS,
    FRENCH_TEXT,
    HTML_PAGE,
    MALFORMED,
    Item,
    atom,
    rss10,
    rss20,
)
from tests.ingest.helpers import add, articles, feed, links

ITEMS = (Item("First", "https://news.example/1", guid="https://news.example/1"),
         Item("Second", "https://news.example/2", guid="https://news.example/2",
              text="Troops clashed with insurgents near the border, officials said on Monday."))


@pytest.mark.parametrize("build", [rss20, rss10, atom])
async def test_a_feed_in_each_format_is_stored(build, server: FeedServer, fast: Settings) -> None:
    feed_id = add(fast, server.route("/feed.xml", build(*ITEMS)), name="Wire")
    summary = await run_cycle(fast, all_feeds=True)
    assert (summary.feeds_ok, summary.failed, summary.new_articles) == (1, 0, 2)
    stored = articles(fast)
    assert [a.title for a in stored] == ["First", "Second"]
    assert all(a.source == "Wire" and a.extraction_status == "pending" for a in stored)
    assert all(a.published_at is not None for a in stored)
    row = feed(fast, feed_id)
    assert (row.status, row.last_status, row.last_error) == ("ok", 200, None)
    assert row.title and row.next_fetch_at is not None and row.claimed_until is None


async def test_request_is_polite(server: FeedServer, fast: Settings) -> None:
    add(fast, server.route("/feed.xml", rss20(*ITEMS)))
    await run_cycle(fast, all_feeds=True)
    (request,) = server.seen("/feed.xml")
    assert request.headers["user-agent"] == USER_AGENT
    assert "gzip" in request.headers["accept-encoding"]


@pytest.mark.parametrize("validator", ["etag", "last_modified"])
async def test_second_fetch_is_conditional_and_costs_nothing(
        validator: str, server: FeedServer, fast: Settings) -> None:
    value = '"v1"' if validator == "etag" else "Sun, 02 Nov 2025 08:00:00 GMT"
    feed_id = add(fast, server.route("/feed.xml", rss20(*ITEMS), **{validator: value}))
    first = await run_cycle(fast, all_feeds=True)
    second = await run_cycle(fast, all_feeds=True)
    assert (first.feeds_ok, first.new_articles) == (1, 2)
    assert (second.not_modified, second.new_articles, second.failed) == (1, 0, 0)
    header = "if-none-match" if validator == "etag" else "if-modified-since"
    assert [r.headers.get(header) for r in server.seen("/feed.xml")] == [None, value]
    row = feed(fast, feed_id)
    assert (row.last_status, row.consecutive_failures) == (304, 0)
    assert (row.etag if validator == "etag" else row.last_modified) == value


async def test_gzip_body_is_decoded(server: FeedServer, fast: Settings) -> None:
    add(fast, server.route("/feed.xml", rss20(*ITEMS), gzip=True))
    assert (await run_cycle(fast, all_feeds=True)).new_articles == 2


@pytest.mark.parametrize(("route", "expected"), [
    ({"status": 404, "body": "nope"}, "HTTP 404 Not Found: the feed is not at this address"),
    ({"status": 500, "body": "oops"}, "HTTP 500 Internal Server Error: the site has a problem"),
    ({"body": HTML_PAGE, "content_type": "text/html"}, "not a feed: the server sent an HTML page"),
    ({"body": MALFORMED}, "XML error at line 4: mismatched tag"),
    ({"body": BILLION_LAUGHS}, "refused: the document declares XML entities"),
    ({"body": rss20(*ITEMS) + " " * 3000}, "feed larger than 2 KiB"),
])
async def test_failures_end_in_words(route: dict, expected: str, server: FeedServer,
                                     fast: Settings) -> None:
    settings = fast.model_copy(update={"max_feed_bytes": 2048})
    feed_id = add(settings, server.route("/feed.xml", **route))
    summary = await run_cycle(settings, all_feeds=True)
    assert (summary.failed, summary.new_articles) == (1, 0)
    row = feed(settings, feed_id)
    assert row.last_error.startswith(expected)
    assert (row.status, row.consecutive_failures) == ("failing", 1)
    assert articles(settings) == []


async def test_slow_server_times_out_on_the_whole_request(server: FeedServer, fast: Settings) -> None:
    feed_id = add(fast, server.route("/slow.xml", rss20(*ITEMS), delay=2.5))
    started = time.monotonic()
    summary = await run_cycle(fast, all_feeds=True)
    assert time.monotonic() - started < 2.0
    assert summary.failed == 1
    assert feed(fast, feed_id).last_error.startswith("timed out after 1 s")


async def test_redirect_loop_is_cut(server: FeedServer, fast: Settings) -> None:
    server.redirect("/a", "/b")
    feed_id = add(fast, server.redirect("/b", "/a"))
    await run_cycle(fast, all_feeds=True)
    assert feed(fast, feed_id).last_error.startswith("too many redirects (more than 5)")
    assert len(server.requests) == 6


@pytest.mark.parametrize(("status", "moves"), [(301, True), (308, True), (302, False), (307, False)])
async def test_permanent_redirect_moves_the_feed(status: int, moves: bool, server: FeedServer,
                                                 fast: Settings) -> None:
    new_url = server.route("/new.xml", rss20(*ITEMS))
    old_url = server.redirect("/old.xml", "/new.xml", status=status)
    feed_id = add(fast, old_url)
    assert (await run_cycle(fast, all_feeds=True)).new_articles == 2
    assert feed(fast, feed_id).url == (new_url if moves else old_url)


async def test_redirect_to_another_scheme_is_refused(server: FeedServer, fast: Settings) -> None:
    feed_id = add(fast, server.redirect("/feed.xml", "file:///etc/passwd"))
    await run_cycle(fast, all_feeds=True)
    assert "only http:// and https:// URLs are allowed" in feed(fast, feed_id).last_error


async def test_private_host_is_refused_at_fetch_time(server: FeedServer, guarded: Settings) -> None:
    feed_id = add(guarded, server.route("/feed.xml", rss20(*ITEMS)))
    summary = await run_cycle(guarded, all_feeds=True)
    assert summary.failed == 1
    error = feed(guarded, feed_id).last_error
    assert error.startswith("refused: 127.0.0.1 is a private or internal address")
    assert "SITREP_ALLOW_PRIVATE_FEED_HOSTS=true" in error
    assert server.requests == []


async def test_each_redirect_hop_is_checked(server: FeedServer, guarded: Settings,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.1 plays a public host, 127.0.0.2 a private one the feed redirects to."""
    from jobs.ingest import urls

    monkeypatch.setattr(urls, "forbidden_address", lambda ip: str(ip) == "127.0.0.2")
    port = server.base_url.rsplit(":", 1)[1]
    feed_id = add(guarded, server.redirect("/feed.xml", f"http://127.0.0.2:{port}/inside"))
    await run_cycle(guarded, all_feeds=True)
    assert feed(guarded, feed_id).last_error.startswith("refused: 127.0.0.2 is a private")
    assert [r.path for r in server.requests] == ["/feed.xml"]


async def test_same_item_in_two_feeds_is_stored_once(server: FeedServer, fast: Settings) -> None:
    shared = Item("Shared story", "https://news.example/shared?utm_source=a", guid="42")
    one = add(fast, server.route("/one.xml", rss20(shared, ITEMS[0])))
    two = add(fast, server.route("/two.xml", atom(
        Item("Shared story", "https://NEWS.example/shared?fbclid=xyz#top", guid="urn:other:9"))))
    summary = await run_cycle(fast, all_feeds=True)
    assert summary.new_articles == 2
    stored = articles(fast)
    (story,) = [a for a in stored if a.title == "Shared story"]
    assert story.link == "https://news.example/shared"
    assert {(one, story.id), (two, story.id)} <= links(fast)


async def test_non_english_entries_are_kept_but_skipped(server: FeedServer, fast: Settings) -> None:
    add(fast, server.route("/fr.xml", rss20(Item("Attaque", "https://x.example/fr", text=FRENCH_TEXT),
                                             language=None)))
    add(fast, server.route("/de.xml", atom(Item("Angriff", "https://x.example/de"), lang="de")))
    await run_cycle(fast, all_feeds=True)
    stored = {a.title: a for a in articles(fast)}
    assert (stored["Attaque"].language, stored["Attaque"].extraction_status) == ("und", "skipped")
    assert (stored["Angriff"].language, stored["Angriff"].extraction_status) == ("de", "skipped")


async def test_future_or_missing_dates_become_the_fetch_time(server: FeedServer, fast: Settings) -> None:
    add(fast, server.route("/feed.xml", rss20(
        Item("Future", "https://x.example/f", published="Sun, 02 Nov 2098 08:00:00 GMT"),
        Item("Undated", "https://x.example/u", published=""))))
    await run_cycle(fast, all_feeds=True)
    assert all(a.published_at == a.fetched_at for a in articles(fast))


async def test_failing_feed_backs_off_then_is_disabled(server: FeedServer, fast: Settings) -> None:
    settings = fast.model_copy(update={"max_feed_failures": 3, "fetch_interval_minutes": 10})
    feed_id = add(settings, server.route("/gone.xml", status=410))
    gaps = []
    for _ in range(3):
        summary = await run_cycle(settings, all_feeds=True)
        row = feed(settings, feed_id)
        gaps.append(round((row.next_fetch_at - row.last_fetched_at) / timedelta(minutes=1)))
    assert gaps == [10, 20, 40]
    assert summary.disabled_feeds == [(feed_id, row.url, row.last_error)]
    assert (row.enabled, row.status, row.consecutive_failures) == (False, "disabled", 3)
    assert (await run_cycle(settings, all_feeds=True)).failed == 0  # disabled feeds are left alone


async def test_due_feeds_only_unless_all(server: FeedServer, fast: Settings) -> None:
    add(fast, server.route("/feed.xml", rss20(*ITEMS)))
    assert (await run_cycle(fast)).feeds_ok == 1
    assert (await run_cycle(fast)).feeds_ok == 0  # next fetch is an interval away
    assert (await run_cycle(fast, all_feeds=True)).feeds_ok == 1


async def test_at_most_two_requests_per_host(server: FeedServer, fast: Settings) -> None:
    for n in range(6):
        add(fast, server.route(f"/f{n}.xml", rss20(Item(f"Story {n}", f"https://x.example/{n}")),
                               delay=0.2))
    summary = await run_cycle(fast, all_feeds=True)
    assert summary.feeds_ok == 6
    assert server.max_in_flight == 2


async def test_extractor_runs_after_storing_new_articles(server: FeedServer, fast: Settings,
                                                         extractor: list[object]) -> None:
    add(fast, server.route("/feed.xml", rss20(*ITEMS), etag='"1"'))
    summary = await run_cycle(fast, all_feeds=True)
    assert extractor == [fast] and summary.new_incidents == 0
    assert summary.line().startswith("feeds: 1 ok, 0 not modified, 0 failed; 2 new articles; "
                                     "0 new incidents; ")
    await run_cycle(fast, all_feeds=True)  # 304: nothing new, the extractor is not woken
    assert extractor == [fast]
