"""Digest text: Telegram HTML (split into messages of at most 4096 characters) and plain text.

Everything that comes from feeds or users is escaped; links are kept only for http(s)
URLs. Each incident line is capped so that one incident, with its headings, always fits
in a message, and messages are split only between incidents.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from jobs.digest.build import AreaGroup, Casualties, Digest, DigestIncident, Source

MAX_MESSAGE = 4096
# With these caps one incident line and its headings stay under 4096 characters even when
# every character needs escaping (& -> &amp;), so a message can always be split between
# incidents.
MAX_SUMMARY = 280
MAX_NAME = 48
MAX_HREF = 400
MAX_HEADER_LABELS = 300
SHOWN_SOURCES = 2
CATEGORY_NAMES = {
    "security_forces": "security forces", "militants": "militants",
    "civilians": "civilians", "unspecified": "unspecified",
}


def clip(text: str, limit: int) -> str:
    """`text` cut at `limit` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_url(url: str | None) -> str | None:
    """The URL when it is a plain http(s) URL without whitespace, else None."""
    if not url or len(url) > MAX_HREF or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme.lower() in {"http", "https"} and parts.netloc else None


def telegram_length(text: str) -> int:
    """Telegram counts UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Style:
    """How text is marked up: Telegram HTML or plain text."""

    esc: Callable[[str], str]
    bold: Callable[[str], str]
    italic: Callable[[str], str]
    link: Callable[[Source], str]


def _html_link(source: Source) -> str:
    name = html.escape(clip(source.name, MAX_NAME), quote=False)
    url = safe_url(source.link)
    href = html.escape(url, quote=True) if url else ""
    return f'<a href="{href}">{name}</a>' if href and len(href) <= MAX_HREF else name


def _text_link(source: Source) -> str:
    url = safe_url(source.link)
    return f"{source.name} <{url}>" if url else source.name


HTML = Style(
    esc=lambda s: html.escape(s, quote=False), bold=lambda s: f"<b>{s}</b>",
    italic=lambda s: f"<i>{s}</i>", link=_html_link,
)
TEXT = Style(esc=lambda s: s, bold=lambda s: s, italic=lambda s: s, link=_text_link)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def format_period(start: datetime, end: datetime) -> str:
    zone = end.tzname() or "UTC"
    return f"{start:%d %b %Y %H:%M} – {end:%d %b %Y %H:%M} {zone}"


def casualty_text(casualties: Casualties, *, breakdown: bool) -> str:
    """'3 killed (2 civilians, 1 security forces), 1 injured'; empty when nobody was hurt."""
    parts = []
    for word, counts in (("killed", casualties.killed), ("injured", casualties.injured)):
        total = sum(counts.values())
        if not total:
            continue
        detail = ", ".join(f"{n} {CATEGORY_NAMES[c]}" for c, n in counts.items() if n)
        known = breakdown and detail and counts.get("unspecified", 0) != total
        parts.append(f"{total} {word}" + (f" ({detail})" if known else ""))
    return ", ".join(parts)


def _header(digest: Digest, style: Style) -> str:
    labels = clip(", ".join(digest.region_labels) or "all regions", MAX_HEADER_LABELS)
    lines = [style.bold(style.esc(f"Sitrep — {labels}")), style.esc(format_period(digest.start, digest.end))]
    if digest.empty:
        lines.append("No incidents reported in this period.")
        return "\n".join(lines)
    summary = plural(digest.incident_count, "incident")
    hurt = casualty_text(digest.totals, breakdown=True)
    lines.append(style.bold(summary) + (style.esc(f" · {hurt}") if hurt else ""))
    return "\n".join(lines)


def _area_heading(group: AreaGroup, style: Style, with_country: bool) -> str:
    name = clip(group.name, MAX_NAME)
    if with_country and group.country != group.name:
        name += f" ({clip(group.country, MAX_NAME)})"
    return style.bold(style.esc(name)) + style.esc(f" · {plural(group.count, 'incident')}")


def _sources(sources: list[Source], style: Style) -> str:
    shown = ", ".join(style.link(s) for s in sources[:SHOWN_SOURCES])
    more = len(sources) - SHOWN_SOURCES
    return shown + (f" +{more}" if more > 0 else "")


def _incident_line(incident: DigestIncident, style: Style) -> str:
    """Date, type, the one-line summary and the figures, each said once: an extracted
    summary ("Armed clash in Khyber, ...: 5 soldiers and 7 militants killed") already
    opens with the type and carries the figures."""
    what = clip(incident.sub_event_type or incident.event_type, MAX_NAME)
    summary = clip(incident.summary, MAX_SUMMARY)
    line = f"• {incident.event_date:%d %b} · " + (summary if summary.startswith(what) else f"{what}: {summary}")
    hurt = casualty_text(incident.casualties, breakdown=False)
    has_figures = " killed" in summary or " injured" in summary
    text = style.esc(line + (f" ({hurt})" if hurt and not has_figures else ""))
    sources = _sources(incident.sources, style)
    return text + (f" — {sources}" if sources else "")


@dataclass(frozen=True)
class _Entry:
    """One incident line with the headings it sits under."""

    area: str
    place: str
    line: str


def _entries(digest: Digest, style: Style) -> list[_Entry]:
    countries = {group.country for group in digest.groups}
    return [
        _Entry(
            _area_heading(group, style, len(countries) > 1),
            style.italic(style.esc(clip(place.name, MAX_NAME))),
            _incident_line(incident, style),
        )
        for group in digest.groups
        for place in group.places
        for incident in place.incidents
    ]


def _entry_lines(entry: _Entry, previous: _Entry | None) -> list[str]:
    if previous is None or entry.area != previous.area:
        return ["", entry.area, entry.place, entry.line]
    if entry.place != previous.place:
        return [entry.place, entry.line]
    return [entry.line]


def _pack(header: str, entries: list[_Entry], limit: int) -> list[str]:
    """Greedy packing; a message that starts mid-group repeats the group's headings."""
    messages: list[str] = []
    current = [header]
    previous: _Entry | None = None
    for entry in entries:
        lines = _entry_lines(entry, previous)
        if telegram_length("\n".join(current + lines)) > limit:
            messages.append("\n".join(current).strip())
            current = [f"{entry.area} (continued)", entry.place, entry.line]
        else:
            current += lines
        previous = entry
    messages.append("\n".join(current).strip())
    return messages


def split_messages(blocks: list[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Join blocks (each complete HTML, each under `limit`) into as few messages as fit."""
    messages: list[str] = []
    current: list[str] = []
    for block in blocks:
        if current and telegram_length("\n".join(current + [block])) > limit:
            messages.append("\n".join(current))
            current = []
        current.append(block)
    if current:
        messages.append("\n".join(current))
    return messages


def render_html(digest: Digest, *, limit: int = MAX_MESSAGE) -> list[str]:
    """Telegram HTML messages, each at most `limit` characters, split between incidents."""
    return _pack(_header(digest, HTML), _entries(digest, HTML), limit)


def render_text(digest: Digest) -> str:
    """The whole digest as plain text (for the command line)."""
    lines = [_header(digest, TEXT)]
    previous: _Entry | None = None
    for entry in _entries(digest, TEXT):
        lines += _entry_lines(entry, previous)
        previous = entry
    return "\n".join(lines)
