"""Representation terms: which kinds of representation a service accepts, and how a client
receives representation (NL GOV ``represents`` or RFC 8693 ``act``).

Existing services get every kind when they allow representation and none otherwise (the
default the representation rules name); existing clients get ``nlgov``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

# Written out (not imported): a migration must keep meaning what it meant when written.
ALL_KINDS = [
    "voluntary",
    "chain",
    "parental_authority",
    "guardianship",
    "curatele",
    "beschermingsbewind",
    "mentorschap",
]


def upgrade() -> None:
    op.add_column(
        "clients",
        sa.Column("representation_style", sa.String(16), nullable=False, server_default="nlgov"),
    )
    op.add_column("services", sa.Column("representation_kinds", sa.JSON(), nullable=True))
    services = sa.table(
        "services",
        sa.column("allows_representation", sa.Boolean()),
        sa.column("representation_kinds", sa.JSON()),
    )
    op.execute(
        services.update()
        .where(services.c.allows_representation.is_(True))
        .values(representation_kinds=ALL_KINDS)
    )
    op.execute(
        services.update()
        .where(services.c.allows_representation.is_(False))
        .values(representation_kinds=[])
    )


def downgrade() -> None:
    op.drop_column("services", "representation_kinds")
    op.drop_column("clients", "representation_style")
