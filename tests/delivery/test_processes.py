"""Real processes: a delivering process killed mid-way, two workers on PostgreSQL, and
`sitrep worker` stopping on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select
from telegram.ext import ExtBot

from jobs.delivery.outbox import LEASE, deliver_due
from jobs.delivery.sender import SEND_CONCURRENCY
from sitrep.settings import Settings
from sitrep.storage.db import get_engine, session_scope
from sitrep.storage.models import Delivery, Subscriber
from tests.delivery.conftest import add_subscribers, cli_env, start_cli, this_minute
from tests.support.botapi import BotApiServer


def received(server: BotApiServer) -> Counter[int]:
    return Counter(m.chat_id for m in server.messages)


def pending_chats(db_url: str) -> set[int]:
    with session_scope(get_engine(db_url)) as session:
        return set(session.exec(
            select(Subscriber.chat_id).join(Delivery, Delivery.subscriber_id == Subscriber.id)
            .where(Delivery.status == "pending")
        ).all())


async def test_killed_mid_delivery_loses_nothing_and_repeats_only_the_in_flight(
    db_url: str, botapi: BotApiServer, delivery_settings: Settings, bot: ExtBot, tmp_path: Path
) -> None:
    chats = range(1, 121)
    add_subscribers(db_url, chats, at=this_minute())
    process = start_cli("deliver", env=cli_env(db_url, botapi), cwd=tmp_path)
    try:
        await botapi.wait_until(lambda: len(botapi.messages) >= 30, timeout=30)
    finally:
        process.kill()
        process.communicate()
    # Sent but not yet recorded as sent when the process died:
    in_flight = set(received(botapi)) & pending_chats(db_url)
    assert len(in_flight) <= SEND_CONCURRENCY
    # The next pass, once the dead worker's leases have run out:
    later = datetime.now(UTC) + LEASE + timedelta(seconds=1)
    summary = await deliver_due(delivery_settings, bot=bot, now=later)
    counts = received(botapi)
    assert set(counts) == set(chats)  # none lost
    assert {chat for chat, n in counts.items() if n > 1} == in_flight
    assert max(counts.values()) <= 2
    assert summary.queued == 0 and not pending_chats(db_url)


def test_two_workers_on_postgresql_split_the_digests(
    pg_url: str, botapi: BotApiServer, tmp_path: Path
) -> None:
    chats = range(1, 201)
    add_subscribers(pg_url, chats, at=this_minute())
    env = cli_env(pg_url, botapi)
    processes = [start_cli("deliver", env=env, cwd=tmp_path) for _ in range(2)]
    outputs = [process.communicate(timeout=60) for process in processes]
    assert [p.returncode for p in processes] == [0, 0], [err for _, err in outputs]
    assert received(botapi) == dict.fromkeys(chats, 1)
    sent = [int(re.search(r"\bsent=(\d+)", out).group(1)) for out, _ in outputs]
    assert sum(sent) == len(chats) and min(sent) > 0, sent


class _Lines:
    """Collects a subprocess's stderr lines in the background."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        for line in process.stderr:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert time.monotonic() < deadline, f"no {text!r} in {''.join(self.lines)}"
            time.sleep(0.05)


def _stop(process: subprocess.Popen[str], lines: _Lines) -> str:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    lines.wait_for("worker stopped", timeout=5)
    return "".join(lines.lines)


def _started_jobs(log: str) -> list[str]:
    return re.search(r"worker started jobs=(\S*)", log).group(1).split(",")


def test_worker_delivers_then_stops_cleanly_on_sigterm(
    db_url: str, botapi: BotApiServer, tmp_path: Path
) -> None:
    add_subscribers(db_url, [77], at=this_minute())
    process = start_cli("worker", env=cli_env(db_url, botapi), cwd=tmp_path)
    lines = _Lines(process)
    botapi.wait_for_messages_sync(77, 1, timeout=30)
    lines.wait_for("digest sent")
    log = _stop(process, lines)
    assert process.returncode == 0, log
    assert {"ingest", "deliver"} <= set(_started_jobs(log))
    assert "Traceback" not in log


def test_worker_without_a_token_runs_without_delivery(
    db_url: str, botapi: BotApiServer, tmp_path: Path
) -> None:
    add_subscribers(db_url, [78], at=this_minute())
    process = start_cli("worker", env=cli_env(db_url, botapi, token=False), cwd=tmp_path)
    lines = _Lines(process)
    lines.wait_for("worker started")
    log = _stop(process, lines)
    assert process.returncode == 0, log
    assert log.count("without delivery") == 1
    assert "deliver" not in _started_jobs(log)
    assert botapi.messages == []
