"""covering indexes for /stats over many incidents

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FIGURES = [f"{kind}_{c}" for kind in ("killed", "injured")
           for c in ("security_forces", "militants", "civilians", "unspecified")]


def upgrade() -> None:
    op.create_index("ix_incident_day_figures", "incident", ["event_date", *FIGURES])
    op.create_index("ix_incident_day_place", "incident", ["event_date", "location_name"])
    op.create_index("ix_incident_day_type", "incident", ["event_date", "event_type"])


def downgrade() -> None:
    op.drop_index("ix_incident_day_type", table_name="incident")
    op.drop_index("ix_incident_day_place", table_name="incident")
    op.drop_index("ix_incident_day_figures", table_name="incident")
