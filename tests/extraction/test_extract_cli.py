"""`sitrep extract`: the output contract that checks outside the suite rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CONTRACT_KEYS = {"summary", "event_type", "sub_event_type", "date", "location", "actors",
                 "killed", "injured", "evidence"}
LOCATION_KEYS = {"name", "admin2", "admin1", "country", "country_code", "latitude", "longitude"}
CATEGORY_KEYS = {"security_forces", "militants", "civilians", "unspecified"}


def _sitrep(*args: str, stdin: str | None = None, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {"SITREP_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "sitrep.cli", *args], input=stdin, text=True,
                          capture_output=True, timeout=300, env=env, check=False)


def test_file_gives_incidents_in_the_contract_shape(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("Gunmen killed three policemen and wounded two civilians in Quetta on Monday.")
    result = _sitrep("extract", str(path), "--published", "2026-11-25", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    (incident,) = json.loads(result.stdout)["incidents"]
    assert set(incident) == CONTRACT_KEYS
    assert set(incident["location"]) == LOCATION_KEYS
    assert set(incident["killed"]) == set(incident["injured"]) == CATEGORY_KEYS
    assert incident["date"] == "2026-11-23"  # the Monday before Wednesday 25 November
    assert incident["killed"]["security_forces"] == 3 and incident["injured"]["civilians"] == 2
    assert incident["location"]["admin1"] == "Balochistan"


def test_jsonl_answers_every_line_in_order(tmp_path: Path) -> None:
    lines = [
        {"id": "a", "text": "Floods closed schools in Dhaka.", "published": "2026-11-20"},
        {"id": 7, "title": "Blast in Kabul", "text": "A bomb killed four people in Kabul.", "published": "2026-11-20"},
        {"id": "c", "text": ""},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\n"
    result = _sitrep("extract", "--jsonl", stdin=stdin, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 7, "c"]
    assert out[0]["incidents"] == [] and out[2]["incidents"] == []
    assert out[1]["incidents"][0]["killed"]["unspecified"] == 4


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("extract", "--jsonl"), "not json\n", "line 1"),
    (("extract", "--jsonl"), '{"id": 1, "text": "x", "published": "yesterday"}\n', "published"),
    (("extract", "/nonexistent/file.txt"), None, "cannot read"),
    (("extract", "-", "--published", "27/11/2026"), "text", "--published"),
])
def test_bad_input_is_one_clear_line(tmp_path: Path, args: tuple[str, ...], stdin: str | None, message: str) -> None:
    result = _sitrep(*args, stdin=stdin, tmp_path=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_bad_line_is_answered_and_the_rest_extracted(tmp_path: Path) -> None:
    stdin = ('{"id": 1, "text": "A bomb killed four people in Kabul."}\n'
             'not json at all\n'
             '{"id": 3, "text": 42}\n'
             '{"id": 4, "text": "Gunmen killed two policemen in Quetta."}\n')
    result = _sitrep("extract", "--jsonl", stdin=stdin, tmp_path=tmp_path)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, None, 3, 4]
    assert out[0]["incidents"] and out[3]["incidents"]
    assert "error" in out[1] and "error" in out[2] and out[1]["incidents"] == []
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "2 bad line(s)" in result.stderr and "Traceback" not in result.stderr
