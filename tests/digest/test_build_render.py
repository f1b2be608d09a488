"""Building digests from stored incidents and rendering them for Telegram and the terminal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from jobs.digest.build import Digest, build_digest
from jobs.digest.render import render_html, render_text
from sitrep.storage.db import session_scope
from tests.support.incidents import AMRITSAR_CLASH, BANNU_IED, LAHORE_PROTEST, add_incident
from tests.support.telegram_html import parse_html, utf16_length

END = datetime(2025, 3, 12, 7, 0, tzinfo=UTC)
START = END - timedelta(hours=24)
KP = "PK|Khyber Pakhtunkhwa"


def _digest(engine: Engine, keys: list[str], start: datetime = START, end: datetime = END) -> Digest:
    with session_scope(engine) as session:
        return build_digest(session, region_keys=keys, start=start, end=end)


def test_period_is_event_date_or_report_time(engine: Engine) -> None:
    long_ago = datetime(2025, 1, 1, tzinfo=UTC)
    in_period = add_incident(engine, BANNU_IED, event_date=date(2025, 3, 11), created_at=long_ago)
    reported_late = add_incident(engine, BANNU_IED, event_date=date(2025, 2, 1),
                                 created_at=datetime(2025, 3, 11, 20, 0, tzinfo=UTC))
    add_incident(engine, BANNU_IED, event_date=date(2025, 2, 1), created_at=long_ago)
    add_incident(engine, BANNU_IED, event_date=date(2025, 3, 12), created_at=END + timedelta(hours=2),
                 summary="After the period.")
    ids = {i.id for g in _digest(engine, [KP], end=END - timedelta(hours=7)).groups
           for p in g.places for i in p.incidents}
    assert ids == {in_period, reported_late}


def test_totals_groups_and_sources(engine: Engine) -> None:
    day = date(2025, 3, 11)
    add_incident(engine, LAHORE_PROTEST, event_date=day)
    add_incident(engine, BANNU_IED, event_date=day, sources=[
        ("Dawn", "https://www.dawn.com/a"), ("Reuters", "https://reuters.com/b"),
        ("Dawn", "https://www.dawn.com/c"), ("AP", "https://apnews.com/d"), ("Geo", None)])
    add_incident(engine, AMRITSAR_CLASH, event_date=day)
    add_incident(engine, BANNU_IED, event_date=day, location_name="Peshawar", admin2="Peshawar",
                 killed_security_forces=0, killed_civilians=7, injured_civilians=20)
    digest = _digest(engine, ["PK", "IN|Punjab"])
    assert digest.incident_count == 4
    assert digest.totals.killed == {"security_forces": 3, "militants": 1, "civilians": 7, "unspecified": 0}
    assert digest.totals.total_injured == 22
    assert [g.name for g in digest.groups] == ["Khyber Pakhtunkhwa", "Punjab", "Punjab"]
    assert [p.name for p in digest.groups[0].places] == ["Peshawar", "Bannu"]
    bannu = digest.groups[0].places[1].incidents[0]
    assert [s.name for s in bannu.sources] == ["Dawn", "Reuters", "AP", "Geo"]
    assert bannu.sources[0].link == "https://www.dawn.com/a"


def test_html_rendering(engine: Engine) -> None:
    add_incident(engine, BANNU_IED, event_date=date(2025, 3, 11), sources=[
        ("Dawn", "https://www.dawn.com/a"), ("Reuters", "https://reuters.com/b"), ("AP", None)])
    add_incident(engine, LAHORE_PROTEST, event_date=date(2025, 3, 11))
    [message] = render_html(_digest(engine, ["PK"]))
    visible = parse_html(message)
    assert visible.startswith("Sitrep — Pakistan\n11 Mar 2025 07:00 – 12 Mar 2025 07:00 UTC\n2 incidents")
    assert "3 killed (3 security forces), 2 injured (2 civilians)" in visible
    assert '<a href="https://www.dawn.com/a">Dawn</a>, <a href="https://reuters.com/b">Reuters</a> +1' in message
    assert message.index("Khyber Pakhtunkhwa") < message.index("Punjab")  # most severe first
    assert "Remote explosive/landmine/IED" in visible


def test_hostile_text_is_escaped_and_links_are_http_only(engine: Engine) -> None:
    add_incident(engine, BANNU_IED, event_date=date(2025, 3, 11),
                 summary='<script>alert("x")</script> & <b>unclosed <a href=x>',
                 location_name="<i>Bannu", sources=[
                     ("<b>Evil & Co", "javascript:alert(1)"), ('Q"uote', 'https://x.test/?a=1&b="2"'),
                 ])
    [message] = render_html(_digest(engine, [KP]))
    visible = parse_html(message)  # raises on anything Telegram would reject
    assert '<script>alert("x")</script> & <b>unclosed <a href=x>' in visible
    assert "javascript:" not in message
    assert 'href="https://x.test/?a=1&amp;b=&quot;2&quot;"' in message
    assert "<b>Evil & Co" in visible


def test_many_incidents_split_between_incidents(engine: Engine) -> None:
    long = "Gunmen attacked a checkpoint & fled; " * 20
    for n in range(60):
        add_incident(engine, BANNU_IED, event_date=date(2025, 3, 11), summary=f"#{n:02d} {long}",
                     location_name=f"Town {n % 7}", killed_security_forces=n % 5,
                     sources=[("Dawn", f"https://www.dawn.com/{'x' * 300}/{n}")])
    messages = render_html(_digest(engine, [KP]))
    assert len(messages) > 3
    seen = []
    for message in messages:
        assert utf16_length(message) <= 4096
        visible = parse_html(message)
        seen += [int(line[line.index("#") + 1:][:2]) for line in visible.splitlines() if line.startswith("•")]
    assert sorted(seen) == list(range(60))
    assert messages[1].startswith("<b>Khyber Pakhtunkhwa</b> · 60 incidents (continued)")


def test_worst_case_incident_still_fits() -> None:
    from jobs.digest.build import AreaGroup, Casualties, DigestIncident, PlaceGroup, Source

    hostile = "&" * 2000
    incident = DigestIncident(1, hostile, hostile, date(2025, 3, 11), hostile, hostile, hostile, hostile,
                              Casualties(), [Source(hostile, "https://x.test/" + "&" * 480)] * 5)
    group = AreaGroup(hostile, hostile, [PlaceGroup(hostile, [incident] * 3)])
    digest = Digest(["ZZ"], [hostile], START, END, Casualties(), 3, [group, group])
    for message in render_html(digest):
        assert utf16_length(message) <= 4096
        parse_html(message)


def test_empty_period_says_so(engine: Engine) -> None:
    [message] = render_html(_digest(engine, [KP]))
    assert parse_html(message).splitlines()[-1] == "No incidents reported in this period."
    assert render_text(_digest(engine, [KP])).endswith("No incidents reported in this period.")


def test_plain_text(engine: Engine) -> None:
    add_incident(engine, BANNU_IED, event_date=date(2025, 3, 11), summary="Blast & <fire>")
    text = render_text(_digest(engine, [KP]))
    assert "Blast & <fire>" in text and "<b>" not in text
    assert "Dawn <https://www.dawn.com/news/1>" in text


def test_an_extracted_summary_is_not_repeated(engine: Engine) -> None:
    add_incident(engine, BANNU_IED, event_date=date(2025, 3, 11),
                 summary="Remote explosive/landmine/IED in Bannu, Khyber Pakhtunkhwa (Pakistan): 3 police killed")
    text = render_text(_digest(engine, [KP]))
    line = next(x for x in text.splitlines() if x.startswith("• "))
    assert line.startswith("• 11 Mar · Remote explosive/landmine/IED in Bannu")
    assert line.count("Remote explosive") == 1 and line.count("killed") == 1
