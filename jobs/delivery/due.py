"""Who is due a digest now, in their own time zone.

Each subscriber has a wall-clock digest time ("07:00") in an IANA zone. For a local date, the
digest *fires* at that wall time, with two daylight-saving rules:

* a wall time that does not exist that day (skipped by a spring-forward jump) fires at the first
  minute that exists after it (02:30 on a 02:00 -> 03:00 day fires at 03:00);
* a wall time that occurs twice (fall-back) fires at its first occurrence; the outbox row for
  that local date keeps the second occurrence from sending again.

Catch-up rule: a digest is due from its firing instant for `CATCH_UP` (one hour). Within that
hour it is sent at once (a worker that was restarting, a subscriber who set 07:00 at 07:20);
after it, that day is skipped and the next digest goes out tomorrow (someone who subscribes at
10:00 with a 07:00 digest time gets the first one tomorrow at 07:00, not a stale one now).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine

from sitrep.settings import parse_hhmm
from sitrep.storage import deliveries
from sitrep.storage.db import session_scope

log = logging.getLogger(__name__)

CATCH_UP = timedelta(hours=1)
# Longest run of skipped wall-clock minutes to walk over (Samoa skipped a whole day in 2011).
_MAX_GAP_MINUTES = 2 * 24 * 60


def _exists(wall: datetime, zone: ZoneInfo) -> bool:
    """Whether the naive wall time `wall` occurs in `zone` (it round-trips through UTC)."""
    aware = wall.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


def fire_time(local_date: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant at which a digest set for `at` fires on `local_date` in `zone`."""
    wall = datetime.combine(local_date, at)
    for _ in range(_MAX_GAP_MINUTES):
        if _exists(wall, zone):
            return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
        wall += timedelta(minutes=1)
    raise ValueError(f"no valid local time after {local_date} {at} in {zone.key}")


@lru_cache(maxsize=1024)
def _schedule(zone_name: str, hhmm: str) -> tuple[ZoneInfo, time]:
    return ZoneInfo(zone_name), parse_hhmm(hhmm)


def due_date(
    zone_name: str, hhmm: str, now: datetime, catch_up: timedelta = CATCH_UP
) -> date | None:
    """The local date whose digest is due at `now` for this schedule, or None.

    Yesterday is checked too: a 23:30 digest is still due at 00:10 the next day.
    """
    zone, at = _schedule(zone_name, hhmm)
    today = now.astimezone(zone).date()
    for local_date in (today, today - timedelta(days=1)):
        fires = fire_time(local_date, at, zone)
        if fires <= now < fires + catch_up:
            return local_date
    return None


def enqueue_due(engine: Engine, *, now: datetime) -> int:
    """Write today's outbox rows for every subscriber whose digest is due at `now`.

    Works per distinct (time zone, digest time) pair, so the cost grows with the number of
    schedules in use, not with the number of subscribers. Returns rows written.
    """
    with session_scope(engine) as session:
        schedules = deliveries.active_schedules(session)
    written = 0
    for zone_name, hhmm in schedules:
        try:
            local_date = due_date(zone_name, hhmm, now)
        except (ValueError, ZoneInfoNotFoundError):
            log.warning("skipping bad schedule timezone=%r digest_time=%r", zone_name, hhmm)
            continue
        if local_date is None:
            continue
        with session_scope(engine) as session:
            written += deliveries.enqueue_due(
                session, timezone_name=zone_name, digest_time=hhmm, local_date=local_date, now=now
            )
    return written
