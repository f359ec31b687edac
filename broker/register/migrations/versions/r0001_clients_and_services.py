"""Clients and services.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("client_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("post_logout_redirect_uris", sa.JSON(), nullable=False),
        sa.Column("token_endpoint_auth_method", sa.String(32), nullable=False),
        sa.Column("client_secret_hash", sa.String(255), nullable=True),
        sa.Column("jwks", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("jwks_uri", sa.String(2000), nullable=True),
        sa.Column("bsn_entitled", sa.Boolean(), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("id_token_signed_response_alg", sa.String(16), nullable=False),
        sa.Column("userinfo_signed_response_alg", sa.String(16), nullable=True),
        sa.Column("request_uris", sa.JSON(), nullable=False),
        sa.Column("backchannel_logout_uri", sa.String(2000), nullable=True),
        sa.Column("sector_identifier", sa.String(255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "services",
        sa.Column("service_id", sa.String(36), primary_key=True),
        sa.Column(
            "client_id",
            sa.String(64),
            sa.ForeignKey("clients.client_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name_nl", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("min_level", sa.Integer(), nullable=False),
        sa.Column("allows_representation", sa.Boolean(), nullable=False),
        sa.Column("legal_domain", sa.String(16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_services_client_id", "services", ["client_id"])


def downgrade() -> None:
    op.drop_index("ix_services_client_id", table_name="services")
    op.drop_table("services")
    op.drop_table("clients")
