"""Configuration and the command line: clear one-line answers, no secrets in logs."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from sitrep.cli import build_parser
from sitrep.logging_setup import RedactTokenFilter
from sitrep.settings import SettingsError, load_settings

TOKEN = "123456789:AAH-very-secret-token-value_0123456789"


@pytest.mark.parametrize(("variable", "value"), [
    ("SITREP_DEFAULT_TIMEZONE", "Mars/Olympus"),
    ("SITREP_DEFAULT_DIGEST_TIME", "25:00"),
    ("SITREP_ADMIN_IDS", "12,abc"),
    ("SITREP_FETCH_TIMEOUT_SECONDS", "-1"),
    ("SITREP_DATABASE_URL", "mysql://localhost/x"),
    ("SITREP_LOG_LEVEL", "LOUD"),
    ("SITREP_WEBHOOK_URL", "http://insecure.example.org/hook"),
])
def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    message = str(caught.value)
    assert message.startswith(variable + ":") and "\n" not in message


def test_defaults_and_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITREP_ADMIN_IDS", " 12, 34 ")
    monkeypatch.setenv("SITREP_DATABASE_URL", "postgres://u@h/db")
    settings = load_settings(_env_file=None)
    assert settings.admin_ids == frozenset({12, 34})
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert (settings.fetch_interval_minutes, settings.max_feed_bytes) == (15, 10 * 1024 * 1024)
    assert (settings.default_digest_time, settings.default_timezone) == ("07:00", "UTC")


def test_missing_token_is_explained() -> None:
    with pytest.raises(SettingsError, match="SITREP_TELEGRAM_TOKEN is not set"):
        load_settings(_env_file=None).token_value()


def test_the_token_never_reaches_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("sitrep.test")
    logger.addFilter(RedactTokenFilter(TOKEN))
    try:
        with caplog.at_level(logging.INFO, logger="sitrep.test"):
            logger.info("POST https://api.telegram.org/bot%s/getMe failed", TOKEN)
            try:
                raise RuntimeError(f"bad url /bot{TOKEN}/x")
            except RuntimeError:
                logger.exception("request failed")
    finally:
        logger.filters.clear()
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert TOKEN not in text and "<token>" in text


def _subcommands() -> list[list[str]]:
    return [["demo"], ["run"], ["bot"], ["worker"], ["db", "upgrade"], ["feeds", "add"], ["feeds", "list"],
            ["feeds", "remove"], ["feeds", "seed"], ["ingest"], ["extract"], ["digest"], ["stats"], ["deliver"]]


@pytest.mark.parametrize("words", _subcommands(), ids=" ".join)
def test_every_subcommand_has_help(words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args([*words, "--help"])
    assert caught.value.code == 0 and "usage: sitrep" in capsys.readouterr().out


@pytest.mark.parametrize("args", [
    ["digest"], ["digest", "--region", "KP", "--hours", "0"], ["stats", "--days", "9999"],
    ["nonsense"], ["ingest"],
])
def test_a_typing_mistake_is_one_line_and_exit_2(args: list[str], tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "sitrep.cli", *args], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "SITREP_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"},
                            timeout=120, check=False)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_bad_setting_stops_the_cli_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "sitrep.cli", "db", "upgrade"], capture_output=True,
                            text=True, env={"PATH": "/usr/bin:/bin", "SITREP_DEFAULT_TIMEZONE": "Nowhere/City"},
                            timeout=120, check=False, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "sitrep: SITREP_DEFAULT_TIMEZONE: expected an IANA time zone such as Asia/Karachi")
