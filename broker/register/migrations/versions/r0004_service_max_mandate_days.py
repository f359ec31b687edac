"""The longest a voluntary mandate for a service may count, in calendar days, per service.

Existing services get none (NULL): only the register's global maximum applies to them, as it
did before this revision.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("services", sa.Column("max_mandate_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("services", "max_mandate_days")
