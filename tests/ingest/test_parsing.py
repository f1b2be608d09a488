"""Parsing: the three feed formats, the entity guard, readable errors, HTML to text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jobs.ingest.parsing import HTML_PAGE, ParseError, check_prolog, html_to_text, parse_feed
from tests.ingest.documents import BILLION_LAUGHS, MALFORMED, Item, atom, rss10, rss20
from tests.ingest.documents import HTML_PAGE as HTML_DOC

ITEM = Item("Attack on checkpoint", "https://news.example/a?utm_source=rss", guid="g-1")


def _parse(doc: str | bytes, content_type: str = "application/xml"):
    body = doc.encode() if isinstance(doc, str) else doc
    return parse_feed(body, url="https://news.example/feed", content_type=content_type)


@pytest.mark.parametrize("build", [rss20, rss10, atom])
def test_every_format_gives_entries(build) -> None:
    feed = _parse(build(ITEM))
    (entry,) = feed.entries
    assert entry.title == "Attack on checkpoint"
    assert entry.link == "https://news.example/a?utm_source=rss"
    assert entry.text.startswith("Gunmen attacked a police checkpoint")
    assert entry.published_at == datetime(2025, 11, 2, 8, 0, tzinfo=UTC)
    assert entry.language.startswith("en")
    assert feed.title and feed.warning is None


def test_billion_laughs_is_refused_before_parsing() -> None:
    with pytest.raises(ParseError, match="declares XML entities"):
        _parse(BILLION_LAUGHS)


def test_entities_are_refused_in_utf16_too() -> None:
    with pytest.raises(ParseError, match="declares XML entities"):
        _parse(BILLION_LAUGHS.replace('version="1.0"', 'version="1.0" encoding="utf-16"')
               .encode("utf-16"))


def test_entity_hidden_after_a_comment_is_refused() -> None:
    doc = '<?xml version="1.0"?><!-- <rss> --><!DOCTYPE x [<!ENTITY a "b">]><rss/>'
    with pytest.raises(ParseError):
        check_prolog(doc.encode())


def test_plain_doctype_of_old_rss_is_allowed() -> None:
    doc = rss20(ITEM).replace(
        '<rss version="2.0">',
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        '"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="2.0">')
    assert len(_parse(doc).entries) == 1


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(ParseError) as info:
        _parse(HTML_DOC, "text/html")
    assert str(info.value) == HTML_PAGE


def test_malformed_xml_names_the_line() -> None:
    with pytest.raises(ParseError, match=r"^XML error at line \d+: mismatched tag"):
        _parse(MALFORMED)


def test_broken_feed_with_entries_is_kept_with_a_warning() -> None:
    doc = rss20(ITEM).replace("</channel>", "<broken></channel>")
    feed = _parse(doc)
    assert len(feed.entries) == 1
    assert feed.warning and "XML error" in feed.warning


def test_xml_that_is_not_a_feed() -> None:
    with pytest.raises(ParseError, match="not a feed: the document is <catalog>"):
        _parse('<?xml version="1.0"?><catalog><book/></catalog>')


def test_empty_feed_is_fine() -> None:
    assert _parse(rss20()).entries == []


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    html = ("<div><p>First  para\n graph &amp; more.</p><script>alert(1)</script>"
            "<p>Second<br>line</p><ul><li>one</li><li>two</li></ul></div>")
    assert html_to_text(html) == "First para graph & more.\n\nSecond\nline\n\none\n\ntwo"


def test_a_feed_served_as_html_is_kept_with_an_honest_warning() -> None:
    feed = _parse(rss20(ITEM), "text/html; charset=utf-8")
    assert len(feed.entries) == 1
    assert feed.warning and "not a feed" not in feed.warning
