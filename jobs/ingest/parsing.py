"""Bytes to entries: a safety check of the XML prolog, feedparser, and HTML to plain text.

feedparser reads RSS 0.9x, 1.0 and 2.0 and Atom. Before it sees a byte, the prolog is
scanned: an internal DTD subset or an ENTITY declaration is refused, because entity
expansion (the "billion laughs") is the one way a small document can exhaust memory, and
feeds never need it. A plain DOCTYPE with only an external id (old RSS 0.91 feeds carry
one) is harmless: feedparser never fetches external DTDs.
"""

from __future__ import annotations

import io
import re
import xml.sax
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from time import struct_time
from typing import Any

import feedparser


class ParseError(Exception):
    """The document is not a usable feed; `str(exc)` says why in words."""


@dataclass(frozen=True)
class ParsedEntry:
    guid: str | None
    link: str | None
    title: str
    text: str
    published_at: datetime | None
    language: str | None  # as declared by the entry or the feed, e.g. "en-us"


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    entries: list[ParsedEntry]
    warning: str | None  # feedparser's complaint about a broken feed that still had entries


HTML_PAGE = "not a feed: the server sent an HTML page (look on the site for its RSS link)"

_LEADING = re.compile(rb"[\xef\xbb\xbf\xfe\xff]*")  # byte order marks
_SKIPPABLE = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.S)
_DOCTYPE = re.compile(rb"""<!DOCTYPE(?:[^\[>"']|"[^"]*"|'[^']*')*([\[>])""", re.I)
_ENTITY = re.compile(rb"<!ENTITY", re.I)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")


def check_prolog(body: bytes) -> str | None:
    """The root element's local name, lowercased (None if none is found); raise ParseError
    if the prolog declares entities or an internal DTD subset."""
    data = body.replace(b"\x00", b"") if b"\x00" in body[:4] else body  # UTF-16/32 markup
    pos = _LEADING.match(data).end()
    while True:
        if match := _SKIPPABLE.match(data, pos):
            pos = match.end()
        elif match := _DOCTYPE.match(data, pos):
            if match.group(1) == b"[":
                raise ParseError("refused: the document declares XML entities (DOCTYPE with "
                                 "an internal subset); feeds never need them")
            pos = match.end()
        elif _ENTITY.match(data, pos):
            raise ParseError("refused: the document declares XML entities; feeds never need them")
        else:
            root = _ROOT.match(data, pos)
            return root.group(1).decode("ascii", "replace").rsplit(":", 1)[-1].lower() if root else None


def parse_feed(body: bytes, *, url: str, content_type: str) -> ParsedFeed:
    """Parse a feed document; raise ParseError when it yields nothing usable."""
    root = check_prolog(body)
    if root == "html":
        raise ParseError(HTML_PAGE)
    # A BytesIO, never bare bytes: feedparser treats a bytes argument as a possible file name.
    result = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-type": content_type or "application/xml", "content-location": url},
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    problem: Exception | None = result.get("bozo_exception") if result.bozo else None
    if not result.entries:
        if problem is not None:
            raise ParseError(_why_not_a_feed(problem, content_type))
        if not result.version:
            raise ParseError(f"not a feed: the document is <{root or '?'}>, not RSS or Atom")
    feed_language = result.feed.get("language")
    entries = [_entry(e, feed_language) for e in result.entries]
    return ParsedFeed(title=_clean_title(result.feed.get("title_detail")), entries=entries,
                      warning=_describe(problem) if problem is not None else None)


def _describe(problem: Exception) -> str:
    if isinstance(problem, xml.sax.SAXParseException):
        return f"XML error at line {problem.getLineNumber()}: {problem.getMessage()}"
    return str(problem) or type(problem).__name__


def _why_not_a_feed(problem: Exception, content_type: str) -> str:
    if isinstance(problem, xml.sax.SAXParseException):
        return _describe(problem)
    if "html" in content_type.lower():
        return HTML_PAGE
    return f"not a feed: {_describe(problem)}"


def _entry(entry: Any, feed_language: str | None) -> ParsedEntry:
    summary = _text_of(entry.get("summary_detail"))
    contents = [_text_of(c) for c in entry.get("content", [])]
    text = max([summary, *contents], key=len)
    details = [*entry.get("content", []), entry.get("summary_detail"), entry.get("title_detail")]
    language = next((d.get("language") for d in details if d and d.get("language")), feed_language)
    return ParsedEntry(
        guid=(entry.get("id") or "").strip() or None,
        link=(entry.get("link") or "").strip() or None,
        title=_clean_title(entry.get("title_detail")) or "",
        text=text,
        published_at=_timestamp(entry.get("published_parsed") or entry.get("updated_parsed")),
        language=language,
    )


def _text_of(detail: Any) -> str:
    """A feedparser text construct as plain text."""
    if not detail or not detail.get("value"):
        return ""
    if "html" in (detail.get("type") or ""):
        return html_to_text(detail["value"])
    return _tidy(detail["value"])


def _clean_title(detail: Any) -> str | None:
    return " ".join(_text_of(detail).split()) or None


def _timestamp(parsed: struct_time | None) -> datetime | None:
    """feedparser gives UTC struct_times; some feeds carry dates no datetime can hold."""
    if parsed is None:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


_BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "table", "tr", "section", "article", "header", "footer", "figure", "figcaption", "hr",
    "dl", "dt", "dd", "aside",
})
_HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(" ".join(data.split()) if data.strip() else " ")


def html_to_text(html: str) -> str:
    """Plain text from an HTML fragment, one blank line between paragraphs."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return _tidy("".join(collector.parts))


def _tidy(text: str) -> str:
    """Collapse spaces within lines and runs of blank lines; keep paragraph breaks."""
    lines = (" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
