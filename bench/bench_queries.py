"""Query latency of `/region` and `/stats` with a million stored incidents.

    python -m bench.bench_queries [--incidents 1000000] [--repeat 40] [--postgres URL | --no-postgres]

For each engine (SQLite in a temporary file; PostgreSQL in a temporary database created on the
server at --postgres, default $TEST_DATABASE_URL or the local test server, dropped afterwards)
it bulk-inserts synthetic incidents spread over the last year across 10 countries x 10
provinces x 5 districts (executemany on SQLite, COPY on PostgreSQL), then times:

* /region: `build_digest` + `render_html` for one province, last 24 hours and last 7 days;
* /stats: `compute_stats` for one province and for everything, 1 day (24 h) and 30 days.

Each case runs --repeat times on random provinces; p50 and p95 are printed (target p95 < 100 ms).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from jobs.digest.build import build_digest
from jobs.digest.render import render_html
from jobs.digest.stats import compute_stats
from sitrep.settings import load_settings
from sitrep.storage.db import get_engine, is_sqlite, session_scope, upgrade
from sitrep.storage.incidents import rebuild_incident_days

COUNTRIES = ["PK", "AF", "IN", "IR", "IQ", "SY", "YE", "SO", "NG", "ML"]
PROVINCES = [f"Province {n}" for n in range(10)]
DISTRICTS = [f"District {n}" for n in range(5)]
EVENT_TYPES = [("Battles", "Armed clash"), ("Explosions/Remote violence", "Suicide bomb"),
               ("Violence against civilians", "Attack"), ("Protests", "Peaceful protest"),
               ("Riots", "Violent demonstration"), ("Strategic developments", "Arrests")]
COLUMNS = [
    "event_type", "sub_event_type", "event_date", "summary", "location_name", "admin2",
    "admin1", "country", "country_code", "latitude", "longitude", "actors", "evidence",
    "killed_security_forces", "killed_militants", "killed_civilians", "killed_unspecified",
    "injured_security_forces", "injured_militants", "injured_civilians", "injured_unspecified",
    "reported_at", "created_at",
]
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def province_keys() -> list[str]:
    return [f"{country}|{province}" for country in COUNTRIES for province in PROVINCES]


def synthetic_incidents(count: int, *, now: datetime, days: int = 365,
                        seed: int = 7) -> Iterator[tuple]:
    """`count` incident rows (in COLUMNS order), in the order they were reported (as a live
    system stores them), each reported within a day of its event date."""
    rng = random.Random(seed)
    span = days * 86_400
    for n in range(count):
        country, province = rng.choice(COUNTRIES), rng.choice(PROVINCES)
        district = rng.choice(DISTRICTS)
        reported = now - timedelta(seconds=span * (count - n - rng.random()) / count)
        event_type, sub_event_type = rng.choice(EVENT_TYPES)
        killed = [rng.choice((0, 0, 0, 1, 2, 5)) for _ in range(4)]
        injured = [rng.choice((0, 0, 1, 3)) for _ in range(4)]
        yield (event_type, sub_event_type, (reported - timedelta(hours=rng.uniform(0, 24))).date(),
               f"Synthetic incident {n} in {district}, {province}.", f"Town {n % 400}", district,
               province, country, country, 30.0, 70.0, "[]", "[]", *killed, *injured, reported,
               reported)


def insert_incidents(engine: Engine, rows: Iterator[tuple], batch: int = 50_000) -> None:
    """Bulk insert (COPY on PostgreSQL, executemany in large transactions on SQLite), then
    the per-day counts that the application keeps as it stores incidents one by one."""
    if is_sqlite(str(engine.url)):
        _insert_sqlite(engine, rows, batch)
    else:
        _copy_postgres(engine, rows)
    with session_scope(engine) as session:
        rebuild_incident_days(session)


def _insert_sqlite(engine: Engine, rows: Iterator[tuple], batch: int) -> None:
    statement = (f"INSERT INTO incident ({', '.join(COLUMNS)}) "
                 f"VALUES ({', '.join('?' for _ in COLUMNS)})")
    while chunk := [_sqlite_row(row) for row in itertools.islice(rows, batch)]:
        with engine.begin() as conn:
            conn.exec_driver_sql(statement, chunk)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE incident")  # the planner's statistics, as on PostgreSQL


def _sqlite_row(row: tuple) -> tuple:
    """Dates and times as SQLAlchemy stores them on SQLite (ISO text, UTC, no offset)."""
    return tuple(
        value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime)
        else value.isoformat() if isinstance(value, date) else value
        for value in row
    )


def _copy_postgres(engine: Engine, rows: Iterator[tuple]) -> None:
    with engine.begin() as conn:
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f"COPY incident ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    # What autovacuum does to a loaded table: statistics, and the visibility map that lets
    # the covering indexes answer without visiting the table.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE incident")


@contextlib.contextmanager
def temporary_postgres(admin_url: str) -> Iterator[str]:
    """A new, migrated database on the server of `admin_url`; dropped on exit."""
    import psycopg

    admin = load_settings(database_url=admin_url, _env_file=None).database_url
    plain = admin.replace("postgresql+psycopg://", "postgresql://")
    name = f"sitrep_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        get_engine(url).dispose()
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def temporary_sqlite() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="sitrep-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        yield url
        get_engine(url).dispose()


@dataclass
class Case:
    name: str
    run: Callable[[Engine, str, datetime], object]


def _region(hours: int) -> Callable[[Engine, str, datetime], object]:
    def run(engine: Engine, key: str, now: datetime) -> object:
        with session_scope(engine) as session:
            digest = build_digest(session, region_keys=[key], start=now - timedelta(hours=hours),
                                  end=now, labels=[key])
        return render_html(digest)
    return run


def _stats(days: int, *, everywhere: bool) -> Callable[[Engine, str, datetime], object]:
    def run(engine: Engine, key: str, now: datetime) -> object:
        with session_scope(engine) as session:
            return compute_stats(session, region_keys=None if everywhere else [key], days=days,
                                 now=now, labels=[] if everywhere else [key])
    return run


CASES = [
    Case("/region <province> (24 h)", _region(24)),
    Case("/region <province> 7 (days)", _region(24 * 7)),
    Case("/stats <province> 1 (24 h)", _stats(1, everywhere=False)),
    Case("/stats <province> 30", _stats(30, everywhere=False)),
    Case("/stats 1 (everywhere, 24 h)", _stats(1, everywhere=True)),
    Case("/stats 30 (everywhere)", _stats(30, everywhere=True)),
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_cases(url: str, *, repeat: int, now: datetime) -> list[tuple[str, float, float]]:
    """(case, p50 ms, p95 ms) for every case, after one warm-up run each."""
    engine = get_engine(url)
    rng = random.Random(11)
    results = []
    for case in CASES:
        case.run(engine, rng.choice(province_keys()), now)
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            case.run(engine, rng.choice(province_keys()), now)
            timings.append((time.perf_counter() - started) * 1000)
        results.append((case.name, statistics.median(timings), percentile(timings, 0.95)))
    return results


def bench_engine(label: str, url: str, *, incidents: int, repeat: int) -> None:
    now = datetime.now(UTC)
    started = time.perf_counter()
    insert_incidents(get_engine(url), synthetic_incidents(incidents, now=now))
    with get_engine(url).connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM incident")).scalar_one()
    print(f"\n{label}: {stored:,} incidents inserted in {time.perf_counter() - started:.1f} s")
    print(f"  {'query':32} {'p50 ms':>8} {'p95 ms':>8}")
    for name, p50, p95 in time_cases(url, repeat=repeat, now=now):
        flag = "" if p95 < 100 else "  <-- over 100 ms"
        print(f"  {name:32} {p50:8.1f} {p95:8.1f}{flag}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES),
                        help="a PostgreSQL server URL (a temporary database is created there)")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    print(f"query latency: {args.incidents:,} incidents, {len(province_keys())} provinces, "
          f"{args.repeat} runs per query")
    with temporary_sqlite() as url:
        bench_engine("SQLite", url, incidents=args.incidents, repeat=args.repeat)
    if not args.no_postgres:
        with temporary_postgres(args.postgres) as url:
            bench_engine("PostgreSQL", url, incidents=args.incidents, repeat=args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
