"""Statistics, the chart, and the `sitrep digest` / `sitrep stats` commands."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from jobs.digest.chart import render_chart_png
from jobs.digest.commands import cmd_digest, cmd_stats
from jobs.digest.stats import (
    Stats,
    change_text,
    compute_stats,
    render_stats_html,
    render_stats_text,
    to_json,
)
from sitrep.errors import UserError
from sitrep.settings import Settings
from sitrep.storage.db import session_scope
from tests.support.incidents import AMRITSAR_CLASH, BANNU_IED, LAHORE_PROTEST, add_incident
from tests.support.telegram_html import parse_html

NOW = datetime(2025, 3, 12, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


def _stats(engine: Engine, keys: list[str] | None, days: int = 7) -> Stats:
    with session_scope(engine) as session:
        return compute_stats(session, region_keys=keys, days=days, now=NOW)


@pytest.fixture
def week(engine: Engine) -> Engine:
    """This week: 3 Bannu bombings, 1 Lahore protest, 1 Amritsar clash; last week: 1 bombing."""
    for days_ago in (0, 0, 3):
        add_incident(engine, BANNU_IED, event_date=TODAY - timedelta(days=days_ago))
    add_incident(engine, LAHORE_PROTEST, event_date=TODAY - timedelta(days=1))
    add_incident(engine, AMRITSAR_CLASH, event_date=TODAY - timedelta(days=2))
    add_incident(engine, BANNU_IED, event_date=TODAY - timedelta(days=9))
    add_incident(engine, BANNU_IED, event_date=TODAY - timedelta(days=30))
    return engine


def test_stats_totals_change_and_series(week: Engine) -> None:
    stats = _stats(week, ["PK"])
    assert (stats.incidents, stats.killed, stats.injured) == (4, 9, 6)
    assert stats.casualties.killed["security_forces"] == 9
    assert (stats.previous_incidents, stats.previous_killed) == (1, 3)
    assert stats.top_places == [("Bannu", 3), ("Lahore", 1)]
    assert stats.top_event_types[0] == ("Explosions/Remote violence", 3)
    assert [d.incidents for d in stats.series] == [0, 0, 0, 1, 0, 1, 2]
    assert stats.series[-1].day == TODAY and stats.series[-1].killed == 6
    everywhere = _stats(week, None)
    assert everywhere.incidents == 5 and everywhere.region_labels == []


def test_stats_rendering_and_json(week: Engine) -> None:
    stats = _stats(week, ["PK|Khyber Pakhtunkhwa"])
    html = render_stats_html(stats)
    visible = parse_html(html)
    assert "Statistics — Khyber Pakhtunkhwa (Pakistan)" in visible
    assert "Incidents: 3 (+2 (+200%) vs previous 7 days)" in visible
    assert "• Bannu: 3" in render_stats_text(stats)
    body = json.loads(to_json(stats))
    assert body["incidents"] == 3 and body["killed"] == 9 and len(body["series"]) == 7
    assert body["series"][-1]["day"] == TODAY.isoformat()


def test_change_text() -> None:
    assert change_text(5, 5) == "no change"
    assert change_text(3, 0) == "+3"
    assert change_text(2, 4) == "−2 (−50%)"


def test_chart_is_a_png(week: Engine) -> None:
    stats = _stats(week, ["PK"], days=30)
    stats.region_labels = ["$x^2$ <b>"]  # mathtext and markup are shown as text
    png = render_chart_png(stats)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


def _args(**values: object) -> argparse.Namespace:
    return argparse.Namespace(**values)


def test_cmd_digest_and_stats(week: Engine, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    add_incident(week, BANNU_IED, summary="Militants & police clashed <today>.")
    assert cmd_digest(settings, _args(region="kpk", hours=24)) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sitrep — Khyber Pakhtunkhwa (Pakistan)")
    assert "Militants & police clashed <today>." in out
    assert cmd_stats(settings, _args(region=None, days=7, json=True)) == 0
    assert json.loads(capsys.readouterr().out)["days"] == 7
    assert cmd_stats(settings, _args(region="Punjab, India", days=3, json=False)) == 0
    assert "Statistics — Punjab (India)" in capsys.readouterr().out


@pytest.mark.parametrize(("region", "message"), [
    ("Punjab", "could mean several places: Punjab \\(Pakistan\\); Punjab \\(India\\)"),
    ("Pesahwar", "Closest names: Peshawar"),
    ("x" * 5000, "too long"),
])
def test_commands_explain_bad_regions(settings: Settings, region: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        cmd_digest(settings, _args(region=region, hours=24))
    with pytest.raises(UserError, match=message):
        cmd_stats(settings, _args(region=region, days=7, json=False))
