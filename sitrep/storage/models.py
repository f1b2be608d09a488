"""The tables. Timestamps are timezone-aware UTC in Python and stored as UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(nullable: bool = True, index: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class Feed(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    name: str | None = None
    title: str | None = None
    enabled: bool = True
    etag: str | None = None
    last_modified: str | None = None
    last_fetched_at: datetime | None = Field(default=None, sa_column=_ts())
    last_status: int | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    consecutive_failures: int = 0
    failing_since: datetime | None = Field(default=None, sa_column=_ts())
    next_fetch_at: datetime | None = Field(default=None, sa_column=_ts(index=True))
    claimed_until: datetime | None = Field(default=None, sa_column=_ts())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))

    @property
    def status(self) -> str:
        """ok, failing, disabled or new: what an operator wants to see first."""
        if not self.enabled:
            return "disabled"
        if self.consecutive_failures:
            return "failing"
        return "ok" if self.last_fetched_at else "new"


class FeedArticle(SQLModel, table=True):
    __tablename__ = "feed_article"
    feed_id: int = Field(foreign_key="feed.id", primary_key=True, ondelete="CASCADE")
    article_id: int = Field(foreign_key="article.id", primary_key=True, ondelete="CASCADE")


class Article(SQLModel, table=True):
    __table_args__ = (Index("ix_article_extraction", "extraction_status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    guid: str | None = Field(default=None, sa_column=Column(Text, index=True))
    link: str | None = Field(default=None, sa_column=Column(Text, index=True))
    content_hash: str = Field(index=True, unique=True, max_length=64)
    title: str = Field(default="", sa_column=Column(Text, nullable=False))
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    source: str | None = None
    language: str | None = Field(default=None, max_length=16)
    published_at: datetime = Field(sa_column=_ts(nullable=False, index=True))
    fetched_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    # pending -> done | failed (retried later) | skipped (not English, or no sign of violence)
    extraction_status: str = Field(default="pending", max_length=16)
    extraction_attempts: int = 0
    extraction_error: str | None = Field(default=None, sa_column=Column(Text))
    extraction_claimed_until: datetime | None = Field(default=None, sa_column=_ts())


class CasualtyFigures(SQLModel):
    """Killed and injured by category: the columns an incident and a day's count share."""

    killed_security_forces: int = 0
    killed_militants: int = 0
    killed_civilians: int = 0
    killed_unspecified: int = 0
    injured_security_forces: int = 0
    injured_militants: int = 0
    injured_civilians: int = 0
    injured_unspecified: int = 0

    @property
    def killed(self) -> int:
        return (self.killed_security_forces + self.killed_militants
                + self.killed_civilians + self.killed_unspecified)

    @property
    def injured(self) -> int:
        return (self.injured_security_forces + self.injured_militants
                + self.injured_civilians + self.injured_unspecified)


class IncidentArticle(SQLModel, table=True):
    __tablename__ = "incident_article"
    incident_id: int = Field(foreign_key="incident.id", primary_key=True, ondelete="CASCADE")
    article_id: int = Field(foreign_key="article.id", primary_key=True, ondelete="CASCADE")


class Incident(CasualtyFigures, table=True):
    __table_args__ = (
        Index("ix_incident_region_date", "country_code", "admin1", "event_date"),
        Index("ix_incident_admin2_date", "country_code", "admin2", "event_date"),
        # covering indexes for the top places and event types of /stats over many regions
        Index("ix_incident_day_place", "event_date", "location_name"),
        Index("ix_incident_day_type", "event_date", "event_type"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_type: str = Field(max_length=64)
    sub_event_type: str = Field(max_length=64)
    event_date: date = Field(index=True)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    location_name: str
    admin2: str | None = None
    admin1: str | None = None
    country: str
    country_code: str = Field(max_length=2)
    latitude: float | None = None
    longitude: float | None = None
    actors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    evidence: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reported_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False, index=True))

class IncidentDay(CasualtyFigures, table=True):
    """Incidents and casualties per event date and province, kept in step with `incident`
    by `sitrep.storage.incidents`, so statistics over many regions and weeks read a few
    thousand rows instead of every incident. `admin1` is "" for incidents with no province."""

    __tablename__ = "incident_day"

    day: date = Field(primary_key=True)
    country_code: str = Field(primary_key=True, max_length=2)
    admin1: str = Field(primary_key=True, max_length=255)
    incidents: int = 0


class Subscriber(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    chat_type: str = Field(default="private", max_length=16)
    timezone: str = Field(default="UTC", max_length=64)
    digest_time: str = Field(default="07:00", max_length=5)
    active: bool = Field(default=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class Subscription(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("subscriber_id", "region_key"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True, ondelete="CASCADE")
    region_key: str = Field(index=True, max_length=255)
    region_label: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class Delivery(SQLModel, table=True):
    """The outbox: one row per subscriber per local digest day, written before sending."""

    __table_args__ = (UniqueConstraint("subscriber_id", "local_date"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True, ondelete="CASCADE")
    local_date: date
    status: str = Field(default="pending", max_length=16, index=True)  # pending, sent, failed
    attempts: int = 0
    claimed_until: datetime | None = Field(default=None, sa_column=_ts())
    message_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=_ts())
