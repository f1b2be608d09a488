"""When a digest fires, in several zones and across daylight-saving changes (pure functions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from jobs.delivery.due import CATCH_UP, due_date, fire_time

NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("zone", "local_date", "fires"), [
    ("Asia/Karachi", date(2026, 3, 1), utc(2026, 3, 1, 2, 0)),       # UTC+5, no DST
    ("UTC", date(2026, 3, 1), utc(2026, 3, 1, 7, 0)),
    ("America/New_York", date(2026, 3, 7), utc(2026, 3, 7, 12, 0)),  # EST, day before the change
    ("America/New_York", date(2026, 3, 8), utc(2026, 3, 8, 11, 0)),  # EDT from 02:00 that day
    ("America/New_York", date(2026, 11, 1), utc(2026, 11, 1, 12, 0)),  # back to EST
])
def test_seven_oclock_local(zone: str, local_date: date, fires: datetime) -> None:
    assert fire_time(local_date, time(7, 0), ZoneInfo(zone)) == fires


def test_a_skipped_time_fires_at_the_first_minute_after_the_gap() -> None:
    # 2026-03-08: New York jumps from 02:00 EST to 03:00 EDT; 02:30 does not exist.
    assert fire_time(date(2026, 3, 8), time(2, 30), NEW_YORK) == utc(2026, 3, 8, 7, 0)
    assert fire_time(date(2026, 3, 8), time(2, 0), NEW_YORK) == utc(2026, 3, 8, 7, 0)
    assert fire_time(date(2026, 3, 8), time(3, 0), NEW_YORK) == utc(2026, 3, 8, 7, 0)


def test_a_repeated_time_fires_at_its_first_occurrence() -> None:
    # 2026-11-01: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST).
    assert fire_time(date(2026, 11, 1), time(1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)
    assert due_date("America/New_York", "01:30", utc(2026, 11, 1, 5, 30)) == date(2026, 11, 1)


def test_due_from_the_minute_for_the_catch_up_hour() -> None:
    assert due_date("Asia/Karachi", "07:00", utc(2026, 3, 1, 1, 59)) is None
    assert due_date("Asia/Karachi", "07:00", utc(2026, 3, 1, 2, 0)) == date(2026, 3, 1)
    last = utc(2026, 3, 1, 2, 0) + CATCH_UP - timedelta(seconds=1)
    assert due_date("Asia/Karachi", "07:00", last) == date(2026, 3, 1)
    assert due_date("Asia/Karachi", "07:00", utc(2026, 3, 1, 2, 0) + CATCH_UP) is None


def test_a_late_evening_digest_is_still_due_after_midnight() -> None:
    assert due_date("UTC", "23:30", utc(2026, 3, 2, 0, 10)) == date(2026, 3, 1)


def test_joining_hours_after_the_digest_time_waits_for_tomorrow() -> None:
    assert due_date("UTC", "07:00", utc(2026, 3, 1, 10, 0)) is None
    assert due_date("UTC", "07:00", utc(2026, 3, 2, 7, 0)) == date(2026, 3, 2)
