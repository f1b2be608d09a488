"""Statistics over the last N days by event date: totals, change, top places, per-day series."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, func, or_
from sqlmodel import Session, select

from jobs.digest.build import Casualties
from jobs.digest.regions import region_label, regions_condition
from jobs.digest.render import HTML, TEXT, Style, casualty_text, clip, plural
from jobs.extract.taxonomy import CATEGORIES
from sitrep.places import load_gazetteer
from sitrep.storage.incidents import FIGURES
from sitrep.storage.models import Incident, IncidentDay

TOP = 5


@dataclass
class Day:
    day: date
    incidents: int = 0
    killed: int = 0
    injured: int = 0


@dataclass
class Stats:
    region_keys: list[str] | None
    region_labels: list[str]
    days: int
    first_day: date
    last_day: date
    incidents: int
    casualties: Casualties
    previous_incidents: int
    previous_killed: int
    previous_injured: int
    top_places: list[tuple[str, int]] = field(default_factory=list)
    top_event_types: list[tuple[str, int]] = field(default_factory=list)
    series: list[Day] = field(default_factory=list)

    @property
    def killed(self) -> int:
        return self.casualties.total_killed

    @property
    def injured(self) -> int:
        return self.casualties.total_injured




def _where(region_keys: list[str] | None, first: date, last: date) -> list:
    conditions = [Incident.event_date >= first, Incident.event_date <= last]
    if region_keys is not None:
        conditions.append(regions_condition(region_keys))
    return conditions


def _daily(session: Session, region_keys: list[str] | None, first: date, last: date) -> dict[date, tuple[int, list[int]]]:
    """Incidents and the eight casualty sums per event date: from the per-day counts of
    `incident_day` for countries and provinces, from the incidents for smaller regions."""
    if region_keys is None or all(len(key.split("|")) <= 2 for key in region_keys):
        columns = [func.sum(IncidentDay.__table__.c[name]) for name in FIGURES]
        query = select(IncidentDay.day, func.sum(IncidentDay.incidents), *columns).where(
            IncidentDay.day >= first, IncidentDay.day <= last).group_by(IncidentDay.day)
        if region_keys is not None:
            query = query.where(or_(false(), *(_province(key) for key in region_keys)))
    else:
        columns = [func.sum(Incident.__table__.c[name]) for name in FIGURES]
        query = select(Incident.event_date, func.count(), *columns).where(
            *_where(region_keys, first, last)).group_by(Incident.event_date)
    return {day: (int(count), [int(x or 0) for x in sums]) for day, count, *sums in session.exec(query).all()}


def _province(key: str) -> ColumnElement[bool]:
    country, _, admin1 = key.partition("|")
    condition = IncidentDay.country_code == country.strip().upper()
    return and_(condition, IncidentDay.admin1 == admin1) if admin1 else condition


def _series(daily: dict[date, tuple[int, list[int]]], first: date, days: int) -> tuple[list[Day], Casualties]:
    series, totals = [], Casualties()
    for n in range(days):
        day = first + timedelta(days=n)
        count, sums = daily.get(day, (0, [0] * 2 * len(CATEGORIES)))
        killed, injured = sums[: len(CATEGORIES)], sums[len(CATEGORIES):]
        series.append(Day(day, count, sum(killed), sum(injured)))
        totals.add(Casualties(dict(zip(CATEGORIES, killed, strict=True)), dict(zip(CATEGORIES, injured, strict=True))))
    return series, totals


def _previous(daily: dict[date, tuple[int, list[int]]], first: date) -> tuple[int, int, int]:
    before = [v for day, v in daily.items() if day < first]
    half = len(CATEGORIES)
    return (sum(c for c, _ in before), sum(sum(s[:half]) for _, s in before),
            sum(sum(s[half:]) for _, s in before))


def _top(session: Session, where: list, column) -> list[tuple[str, int]]:  # noqa: ANN001 (a column)
    """The most frequent values of `column` (served by a covering index on the date and it)."""
    count = func.count()
    rows = session.exec(
        select(column, count).where(*where).group_by(column).order_by(count.desc(), column).limit(TOP)
    ).all()
    return [(str(name), int(n)) for name, n in rows]


def compute_stats(
    session: Session, *, region_keys: list[str] | None, days: int, now: datetime,
    labels: list[str] | None = None,
) -> Stats:
    """Statistics for the `days` days ending today (UTC date of `now`), and the days before.

    Three queries whatever the period: per-day sums over both periods (from `incident_day`
    for countries and provinces), top places and top event types (each served by a covering
    index). Figures on 1,000,000 incidents: docs/benchmarks.md."""
    last = now.date()
    first = last - timedelta(days=days - 1)
    daily = _daily(session, region_keys, first - timedelta(days=days), last)
    series, casualties = _series(daily, first, days)
    where = _where(region_keys, first, last)
    if labels is None:
        labels = [region_label(load_gazetteer(), k) for k in region_keys or []]
    return Stats(
        region_keys, labels, days, first, last, sum(d.incidents for d in series), casualties,
        *_previous(daily, first), top_places=_top(session, where, Incident.location_name),
        top_event_types=_top(session, where, Incident.event_type), series=series,
    )


def change_text(now: int, before: int) -> str:
    """'+3 (+50%)', '−2 (−40%)', 'no change' or 'new' against the previous period."""
    if now == before:
        return "no change"
    delta = now - before
    sign = "+" if delta > 0 else "−"
    if before == 0:
        return f"{sign}{abs(delta)}"
    return f"{sign}{abs(delta)} ({sign}{abs(delta) * 100 // before}%)"


def _render(stats: Stats, style: Style) -> str:
    where = clip(", ".join(stats.region_labels), 300) if stats.region_labels else "all regions"
    vs = f"vs previous {plural(stats.days, 'day')}"
    lines = [
        style.bold(style.esc(f"Statistics — {where}")),
        style.esc(f"{plural(stats.days, 'day')}: {stats.first_day:%d %b} – {stats.last_day:%d %b %Y}"),
        "",
        style.esc(f"Incidents: {stats.incidents} ({change_text(stats.incidents, stats.previous_incidents)} {vs})"),
        style.esc(f"Killed: {stats.killed} ({change_text(stats.killed, stats.previous_killed)})"),
        style.esc(f"Injured: {stats.injured} ({change_text(stats.injured, stats.previous_injured)})"),
    ]
    hurt = casualty_text(stats.casualties, breakdown=True)
    if hurt:
        lines.append(style.esc(f"By category: {hurt}"))
    for title, top in (("Top places", stats.top_places), ("Event types", stats.top_event_types)):
        if top:
            lines += ["", style.bold(title)]
            lines += [style.esc(f"• {clip(name, 60)}: {n}") for name, n in top]
    return "\n".join(lines)


def render_stats_html(stats: Stats) -> str:
    return _render(stats, HTML)


def render_stats_text(stats: Stats) -> str:
    return _render(stats, TEXT)


def to_json(stats: Stats) -> str:
    """The statistics as JSON (dates as ISO strings)."""
    body = asdict(stats)
    body["killed"], body["injured"] = stats.killed, stats.injured
    return json.dumps(body, default=str, indent=2, ensure_ascii=False)
