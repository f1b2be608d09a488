"""covering indexes for the top places and event types of /stats

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_incident_day_place", "incident", ["event_date", "location_name"])
    op.create_index("ix_incident_day_type", "incident", ["event_date", "event_type"])


def downgrade() -> None:
    op.drop_index("ix_incident_day_type", table_name="incident")
    op.drop_index("ix_incident_day_place", table_name="incident")
