"""Mandates, legal-relation cache and the append-only representation audit.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _timestamp(name: str, nullable: bool = False) -> sa.Column[dt.datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "parties",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("value", sa.String(220), nullable=False),
        sa.UniqueConstraint("kind", "value", name="uq_parties_kind_value"),
    )
    op.create_table(
        "mandates",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("principal_id", sa.Integer(), sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("onward", sa.Boolean(), nullable=False),
        _timestamp("valid_from"),
        _timestamp("valid_until"),
        sa.Column("granted_level", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("parties.id"), nullable=False),
        _timestamp("created_at"),
        sa.Column("changed_by", sa.Integer(), sa.ForeignKey("parties.id"), nullable=True),
        _timestamp("changed_at", nullable=True),
        sa.CheckConstraint("valid_until > valid_from", name="ck_mandates_period"),
        sa.CheckConstraint("principal_id <> agent_id", name="ck_mandates_not_self"),
        sa.CheckConstraint(
            "state IN ('requested', 'active', 'rejected', 'revoked', 'expired')",
            name="ck_mandates_state",
        ),
    )
    op.create_index(
        "ix_mandates_agent_state_until", "mandates", ["agent_id", "state", "valid_until"]
    )
    op.create_index("ix_mandates_principal_state", "mandates", ["principal_id", "state"])
    op.create_table(
        "mandate_services",
        sa.Column(
            "mandate_id",
            sa.String(36),
            sa.ForeignKey("mandates.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("service_id", sa.String(36), primary_key=True),
    )
    op.create_table(
        "legal_relations",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("representative_id", sa.Integer(), sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("represented_id", sa.Integer(), sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("source", sa.String(24), nullable=False),
        sa.Column("source_ref", sa.String(120), nullable=False),
        sa.Column("source_type", sa.String(40), nullable=False),
        _timestamp("retrieved_at"),
        _timestamp("valid_from", nullable=True),
        _timestamp("valid_until", nullable=True),
        sa.Column("in_onderzoek", sa.Boolean(), nullable=False),
        sa.Column("minor_birth_date", sa.Date(), nullable=True),
        sa.UniqueConstraint(
            "source", "source_ref", "representative_id", name="uq_legal_relations_source_ref"
        ),
    )
    op.create_index(
        "ix_legal_relations_pair", "legal_relations", ["representative_id", "represented_id"]
    )
    op.create_table(
        "legal_source_fetches",
        sa.Column("source", sa.String(24), primary_key=True),
        sa.Column("party_id", sa.Integer(), sa.ForeignKey("parties.id"), primary_key=True),
        _timestamp("retrieved_at"),
    )
    op.create_table(
        "representation_audit",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        _timestamp("at"),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("parties.id"), nullable=True),
        sa.Column("subject_id", sa.Integer(), sa.ForeignKey("parties.id"), nullable=True),
        sa.Column("data_subject_ref", sa.String(64), nullable=True),
        sa.Column("data_subject_id_type", sa.String(16), nullable=True),
        sa.Column("service_id", sa.String(36), nullable=True),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("basis_kind", sa.String(24), nullable=True),
        sa.Column("basis_id", sa.String(80), nullable=True),
        sa.Column("effective_level", sa.Integer(), nullable=True),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.Column("span_id", sa.String(16), nullable=False),
        sa.Column("parent_span_id", sa.String(16), nullable=True),
        sa.Column("processing_activity_id", sa.String(300), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
    )
    op.create_index(
        "ix_representation_audit_subject_at", "representation_audit", ["subject_id", "at"]
    )
    op.create_index(
        "ix_representation_audit_data_subject_ref", "representation_audit", ["data_subject_ref"]
    )
    _make_audit_append_only()


def _make_audit_append_only() -> None:
    """The audit trail has no update or delete path (Logboek ADR "no delete interface")."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION representation_audit_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'representation_audit is append-only';
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER representation_audit_append_only "
            "BEFORE UPDATE OR DELETE ON representation_audit "
            "FOR EACH ROW EXECUTE FUNCTION representation_audit_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER representation_audit_no_{event.lower()} "
                f"BEFORE {event} ON representation_audit "
                "BEGIN SELECT RAISE(ABORT, 'representation_audit is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER representation_audit_append_only ON representation_audit")
        op.execute("DROP FUNCTION representation_audit_append_only()")
    op.drop_table("representation_audit")
    op.drop_table("legal_source_fetches")
    op.drop_index("ix_legal_relations_pair", table_name="legal_relations")
    op.drop_table("legal_relations")
    op.drop_table("mandate_services")
    op.drop_index("ix_mandates_principal_state", table_name="mandates")
    op.drop_index("ix_mandates_agent_state_until", table_name="mandates")
    op.drop_table("mandates")
    op.drop_table("parties")
