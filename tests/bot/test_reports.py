"""/region and /stats end to end, including hostile feed text and long digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from tests.support.botapi import BotApiServer
from tests.support.incidents import AMRITSAR_CLASH, BANNU_IED, LAHORE_PROTEST, add_incident
from tests.support.telegram_html import parse_html

pytestmark = pytest.mark.usefixtures("bot_app")
USER = 42
PNG = b"\x89PNG\r\n\x1a\n"


def no_rejections(botapi: BotApiServer) -> None:
    """Telegram accepted everything the bot sent."""
    assert [(c.method, c.status) for c in botapi.calls() if c.status != 200] == []


async def test_region_digest_now_and_for_n_days(botapi: BotApiServer, engine: Engine) -> None:
    now = datetime.now(UTC)
    add_incident(engine, BANNU_IED, sources=[("Dawn", "https://www.dawn.com/1"), ("Reuters", "https://reuters.com/2"),
                                             ("AP", "https://apnews.com/3"), ("Geo", "https://geo.tv/4")])
    add_incident(engine, BANNU_IED, event_date=(now - timedelta(days=5)).date(), created_at=now - timedelta(days=5),
                 summary="An older attack on a checkpoint.")
    [today] = await botapi.ask("/region kp", user_id=USER)
    assert today.plain.startswith("Sitrep — Khyber Pakhtunkhwa (Pakistan)\n")
    assert "1 incident · 3 killed (3 security forces), 2 injured (2 civilians)" in today.plain
    assert '<a href="https://www.dawn.com/1">Dawn</a>, <a href="https://reuters.com/2">Reuters</a> +2' in today.text
    assert "older attack" not in today.plain
    [week] = await botapi.ask("/region Khyber Pakhtunkhwa 7", user_id=USER)
    assert "2 incidents" in week.plain and "older attack" in week.plain
    no_rejections(botapi)


async def test_region_in_the_chats_time_zone_and_empty(botapi: BotApiServer) -> None:
    await botapi.ask("/timezone Asia/Karachi", user_id=USER)
    [empty] = await botapi.ask("/region Sindh", user_id=USER)
    header, period, line = empty.plain.splitlines()
    assert header == "Sitrep — Sindh (Pakistan)" and period.endswith("PKT")
    assert line == "No incidents reported in this period."


@pytest.mark.parametrize(("command", "answer"), [
    ("/region", "Which region? For example: /region Peshawar 7 (the last 7 days)."),
    ("/region KP 31", "The number of days must be from 1 to 30."),
    ("/region KP 0", "The number of days must be from 1 to 30."),
    ("/region KP 99999999999999999999", "The number of days must be from 1 to 30."),
    ("/stats 45", "The number of days must be from 1 to 30."),
])
async def test_report_usage(botapi: BotApiServer, command: str, answer: str) -> None:
    [reply] = await botapi.ask(command, user_id=USER)
    assert reply.plain == answer


async def test_ambiguous_and_unknown_regions(botapi: BotApiServer, engine: Engine) -> None:
    add_incident(engine, AMRITSAR_CLASH, event_date=(datetime.now(UTC) - timedelta(days=2)).date())
    [question] = await botapi.ask("/region punjab 3", user_id=USER)
    [digest] = await botapi.press(question, "India", user_id=USER)
    assert digest.plain.startswith("Sitrep — Punjab (India)") and "Amritsar" in digest.plain
    [unknown] = await botapi.ask("/region Qeutta", user_id=USER)
    assert "Closest names: Quetta, Balochistan (Pakistan)" in unknown.plain


async def test_hostile_feed_text_is_rendered_safely(botapi: BotApiServer, engine: Engine) -> None:
    add_incident(
        engine, BANNU_IED, summary='<script>alert("pwned")</script> & <b>unclosed <a href="x">',
        sources=[("<i>Evil & Co", "javascript:alert(1)"), ("Dawn</a>", 'https://dawn.com/?a=1&b="2"')],
    )
    [digest] = await botapi.ask("/region Bannu", user_id=USER)
    no_rejections(botapi)
    assert '<script>alert("pwned")</script> & <b>unclosed <a href="x">' in digest.plain
    assert "<script>" not in digest.text and "javascript:" not in digest.text
    assert '<i>Evil & Co, Dawn</a>' in digest.plain


async def test_long_digest_is_split_into_valid_messages(botapi: BotApiServer, engine: Engine) -> None:
    words = "Gunmen on motorcycles opened fire on a police patrol & escaped into nearby fields; "
    for n in range(80):
        add_incident(engine, BANNU_IED, summary=f"[{n:02d}] {words * 4}", location_name=f"Town {n % 9}",
                     sources=[("Dawn", f"https://www.dawn.com/news/{n}"), ("Reuters", f"https://reuters.com/{n}")])
    await botapi.ask("/region KP", user_id=USER, count=4)
    await botapi.wait_for_quiet()
    messages = botapi.messages_for(USER)
    no_rejections(botapi)
    numbers = []
    for message in messages:
        assert len(message.text) <= 4096
        numbers += [int(part[:2]) for part in parse_html(message.text).split("[")[1:]]
    assert sorted(numbers) == list(range(80))


async def test_stats_with_chart(botapi: BotApiServer, engine: Engine) -> None:
    today = datetime.now(UTC).date()
    add_incident(engine, BANNU_IED, event_date=today)
    add_incident(engine, LAHORE_PROTEST, event_date=today - timedelta(days=1))
    text, photo = await botapi.ask("/stats Pakistan 14", user_id=USER, count=2)
    assert text.plain.startswith("Statistics — Pakistan\n14 days:")
    assert "Incidents: 2 (+2 vs previous 14 days)" in text.plain
    assert photo.method == "sendPhoto" and photo.photo.startswith(PNG)
    assert photo.caption == "Incidents and people killed per day"
    everywhere, chart = await botapi.ask("/stats", user_id=USER, count=2)
    assert everywhere.plain.startswith("Statistics — all regions\n7 days:") and chart.photo.startswith(PNG)
    [question] = await botapi.ask("/stats Punjab", user_id=USER)
    by_button = await botapi.press(question, "Pakistan", user_id=USER, count=2)
    assert by_button[0].plain.startswith("Statistics — Punjab (Pakistan)\n7 days:")
    no_rejections(botapi)
