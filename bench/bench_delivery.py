"""Delivery benchmark: every subscriber due at once, flood limits enforced, a crash part-way.

    python -m bench.bench_delivery [--subscribers 5000] [--regions 50] [--kill-at 0.4]

A Bot API server (tests.support.botapi, in its own process) enforces 30 messages a second
overall and 1 a second per chat, answering excess with 429. The subscribers (UTC, digest time
this minute, one of --regions provinces each, a few incidents per province) live in a
temporary SQLite database. `sitrep deliver` is started, killed with SIGKILL after --kill-at of
the ideal time (subscribers / 30 s), and started again at once; if rows the dead process had
claimed are still leased when that pass ends, `sitrep deliver` runs again once the lease has
run out, as the every-minute schedule would.

Reported: throughput against the 30/s ceiling while sending (the restart gap left out),
429 answers, digests sent twice (compared with the digests in flight at the kill: sent but
not yet recorded) and digests lost.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select

from bench.bench_queries import insert_incidents, province_keys, temporary_sqlite
from sitrep.storage.db import get_engine, session_scope
from sitrep.storage.models import Delivery, Subscriber, Subscription
from tests.support.botapi import BotApiServer, FloodLimits

CEILING = 30.0
LIMITS = "30,1,20"
TOKEN = "123456:BENCH-token-not-real-abcdefghijkl"
FIRST_CHAT = 1_000_000
INCIDENTS_PER_REGION = 4


def _serve_api(conn: Connection, limits: str) -> None:
    """Child process: the Bot API server; answers "report" with what it saw, until "stop"."""
    server = BotApiServer(limits=FloodLimits.parse(limits)).start()
    conn.send(server.base_url)
    while conn.recv() == "report":
        conn.send({
            "messages": [(m.chat_id, m.time) for m in server.messages],
            "429": [c.time for c in server.calls("sendMessage") if c.status == 429],
        })
    server.stop()


@contextlib.contextmanager
def bot_api_process(limits: str) -> Iterator[tuple[str, Connection]]:
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve_api, args=(theirs, limits), daemon=True)
    process.start()
    try:
        yield ours.recv(), ours
    finally:
        ours.send("stop")
        process.join(timeout=10)


def report(conn: Connection) -> dict[str, Any]:
    conn.send("report")
    return conn.recv()


def _incident_rows(keys: list[str], now: datetime) -> Iterator[tuple]:
    """Rows in `COLUMNS` order: a few recent clashes in each province."""
    for n, key in enumerate(keys * INCIDENTS_PER_REGION):
        country, province = key.split("|")
        reported = now - timedelta(hours=1 + n % 12)
        yield ("Battles", "Armed clash", reported.date(),
               f"Security forces clashed with gunmen in {province}; two were killed.",
               f"Town {n}", "District 1", province, country, country, 30.0, 70.0, "[]", "[]",
               0, 2, 0, 0, 0, 0, 1, 0, reported, reported)


def seed(engine: Engine, *, subscribers: int, regions: int, at: str) -> None:
    """Incidents for `regions` provinces and `subscribers` subscribers spread over them."""
    keys = province_keys()[:regions]
    now = datetime.now(UTC)
    insert_incidents(engine, _incident_rows(keys, now))
    with engine.begin() as conn:
        conn.execute(insert(Subscriber.__table__), [
            {"id": n + 1, "chat_id": FIRST_CHAT + n, "chat_type": "private", "timezone": "UTC",
             "digest_time": at, "active": True, "created_at": now} for n in range(subscribers)])
        conn.execute(insert(Subscription.__table__), [
            {"subscriber_id": n + 1, "region_key": keys[n % regions],
             "region_label": keys[n % regions], "created_at": now} for n in range(subscribers)])


def pending(engine: Engine) -> tuple[set[int], datetime | None]:
    """Chats whose row is still pending, and the latest lease among them."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(Subscriber.chat_id, Delivery.claimed_until)
            .join(Delivery, Delivery.subscriber_id == Subscriber.id)
            .where(Delivery.status == "pending")
        ).all()
    leases = [until.replace(tzinfo=UTC) for _, until in rows if until is not None]
    return {chat for chat, _ in rows}, max(leases, default=None)


@dataclass
class Run:
    started: float
    ended: float
    killed: bool
    summary: str


def deliver(env: dict[str, str], folder: Path, *, kill_after: float | None) -> Run:
    """`sitrep deliver` once; SIGKILLed after `kill_after` seconds when given."""
    started = time.time()
    with open(folder / f"deliver-{started:.0f}.log", "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "sitrep.cli", "deliver"], env=env,
                                   cwd=folder, stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            out, _ = process.communicate(timeout=kill_after)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return Run(started, time.time(), True, "killed (SIGKILL)")
    if process.returncode:
        raise SystemExit(f"sitrep deliver failed; see {log.name}")
    return Run(started, time.time(), False, out.strip())


def sending_rate(times: list[float], runs: list[Run]) -> tuple[float, float]:
    """Messages per second while sending: each run's first to last message, gaps left out."""
    active, counted = 0.0, 0
    for run in runs:
        inside = [t for t in times if run.started <= t <= run.ended]
        if len(inside) > 1:
            active += inside[-1] - inside[0]
            counted += len(inside) - 1
    return (counted / active if active else 0.0), active


def run_benchmark(url: str, base_url: str, conn: Connection, args: argparse.Namespace,
                  folder: Path) -> tuple[list[Run], set[int]]:
    """Deliver with a kill part-way; returns the runs and the chats in flight at the kill."""
    engine = get_engine(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    env.update(SITREP_DATABASE_URL=url, SITREP_TELEGRAM_TOKEN=TOKEN,
               SITREP_TELEGRAM_API_URL=base_url, SITREP_LOG_LEVEL="WARNING")
    runs = [deliver(env, folder, kill_after=args.kill_at * args.subscribers / CEILING)]
    received = {chat for chat, _ in report(conn)["messages"]}
    in_flight = received & pending(engine)[0]
    runs.append(deliver(env, folder, kill_after=None))
    for _ in range(3):
        chats, lease = pending(engine)
        if not chats:
            break
        time.sleep(max(0.0, (lease - datetime.now(UTC)).total_seconds()) + 1 if lease else 1)
        runs.append(deliver(env, folder, kill_after=None))
    return runs, in_flight


def print_report(args: argparse.Namespace, runs: list[Run], in_flight: set[int],
                 seen: dict[str, Any]) -> None:
    times = sorted(t for _, t in seen["messages"])
    counts = Counter(chat for chat, _ in seen["messages"])
    rate, active = sending_rate(times, runs)
    twice = {chat for chat, n in counts.items() if n > 1}
    lost = args.subscribers - len(counts)
    print(f"\n{len(times)} messages to {len(counts)} chats")
    for n, run in enumerate(runs, 1):
        inside = [t for t in times if run.started <= t <= run.ended]
        print(f"  run {n}: {run.ended - run.started:6.1f} s, {len(inside):5} messages  {run.summary}")
    if len(runs) > 1:
        before = [t for t in times if t <= runs[0].ended]
        after = [t for t in times if t >= runs[1].started]
        if before and after:
            print(f"restart gap (last message before the kill to first after): "
                  f"{after[0] - before[-1]:.1f} s")
    print(f"throughput while sending: {rate:.2f}/s over {active:.1f} s = "
          f"{100 * rate / CEILING:.1f}% of the {CEILING:.0f}/s ceiling (target >= 95%)")
    late_429 = seen["429"][1:]
    print(f"429 answers: {len(seen['429'])} ({len(late_429)} after the first; target 0)")
    for when in seen["429"]:
        n, run = next((n, r) for n, r in enumerate(runs, 1) if r.started <= when <= r.ended + 1)
        print(f"  429 in run {n}, {when - run.started:.2f} s after it started")
    print(f"digests sent twice: {len(twice)} (in flight at the kill: {len(in_flight)}; "
          f"all of them among those: {twice <= in_flight})")
    print(f"digests lost: {lost} (target 0)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--regions", type=int, default=50, choices=range(1, 101),
                        metavar="1..100")
    parser.add_argument("--kill-at", type=float, default=0.4,
                        help="kill the first process after this fraction of the ideal time")
    args = parser.parse_args(argv)
    print(f"delivery: {args.subscribers} subscribers, {args.regions} regions, SQLite, Bot API "
          f"limits {LIMITS} (overall/s, per chat/s, per group/min); ideal time "
          f"{args.subscribers / CEILING:.0f} s; SIGKILL after {args.kill_at:.0%} of it")
    at = datetime.now(UTC).strftime("%H:%M")
    with (tempfile.TemporaryDirectory(prefix="sitrep-bench-") as folder,
          temporary_sqlite() as url, bot_api_process(LIMITS) as (base_url, conn)):
        seed(get_engine(url), subscribers=args.subscribers, regions=args.regions, at=at)
        runs, in_flight = run_benchmark(url, base_url, conn, args, Path(folder))
        print_report(args, runs, in_flight, report(conn))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
