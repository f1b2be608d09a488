"""incident_day: incidents and casualties per day and province, for statistics

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FIGURES = [f"{kind}_{c}" for kind in ("killed", "injured")
           for c in ("security_forces", "militants", "civilians", "unspecified")]


def upgrade() -> None:
    op.create_table(
        "incident_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("admin1", sa.String(length=255), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in FIGURES),
        sa.PrimaryKeyConstraint("day", "country_code", "admin1"),
    )
    sums = ", ".join(f"SUM({name})" for name in FIGURES)
    op.execute(
        f"INSERT INTO incident_day (day, country_code, admin1, incidents, {', '.join(FIGURES)}) "
        f"SELECT event_date, country_code, COALESCE(admin1, ''), COUNT(*), {sums} FROM incident "
        "GROUP BY event_date, country_code, COALESCE(admin1, '')"
    )


def downgrade() -> None:
    op.drop_table("incident_day")
