"""`sitrep demo`: the main job, offline, prints the Khyber Pakhtunkhwa digest with its three clashes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_demo_prints_the_three_clashes(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "sitrep.cli", "demo"], cwd=tmp_path, text=True,
                            capture_output=True, timeout=600, check=False,
                            env={"PATH": "/usr/bin:/bin", "SITREP_LOG_LEVEL": "WARNING"})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in result.stderr
    section = out.split("Sitrep — Khyber Pakhtunkhwa (Pakistan)")[1].split("Sitrep — ")[0]
    assert "3 incidents · 30 killed (7 security forces, 23 militants)" in section
    for line in ("Khyber, Khyber Pakhtunkhwa (Pakistan): 5 soldiers and 7 militants killed",
                 "Tank, Khyber Pakhtunkhwa (Pakistan): 10 militants killed",
                 "Peshawar, Khyber Pakhtunkhwa (Pakistan): 2 security personnel and 6 militants killed"):
        assert line in section
    assert "Balochistan" in out and "Borno" in out  # other regions of the sample feed
    assert "cricket" not in out.lower()  # ordinary news yields no incident
    assert (tmp_path / "sitrep-demo.db").exists()
