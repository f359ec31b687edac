"""SQL tables of the mandate register, the legal-relation cache and the audit trail.

The schema is created by the hand-written Alembic revision ``0002`` (never ``create_all``), so
production and tests see the same DDL. Timestamps are stored in UTC; SQLite hands them back
naive, so readers go through ``as_utc``.

A *chain mandate* (ketenmachtiging) is a voluntary mandate whose agent is an organisation and
whose ``onward`` flag lets that organisation's own agents (employees) act for the principal:
one table and one lifecycle for both, the chain being a path of such rows (domain.md,
nl-login-means.md §3.5).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class MandateState(enum.StrEnum):
    REQUESTED = "requested"
    ACTIVE = "active"
    REJECTED = "rejected"
    REVOKED = "revoked"
    EXPIRED = "expired"


def as_utc(value: dt.datetime) -> dt.datetime:
    """Timestamps read back from SQLite are naive UTC; make every value aware."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


class Party(SQLModel, table=True):
    """A party known to the register, namespaced by kind (``bsn``, ``kvk``, ``rsin``, ``eidas``).

    The only table that holds raw identifiers; everything else refers to ``id``.
    """

    __tablename__ = "parties"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_parties_kind_value"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)
    value: str = Field(max_length=220)


class Mandate(SQLModel, table=True):
    """A voluntary mandate (vrijwillige machtiging), or one link of a chain when ``onward``."""

    __tablename__ = "mandates"
    __table_args__ = (
        # The hot path: "which active mandates does this agent hold at this instant?"
        Index("ix_mandates_agent_state_until", "agent_id", "state", "valid_until"),
        Index("ix_mandates_principal_state", "principal_id", "state"),
    )

    id: str = Field(primary_key=True, max_length=36)
    principal_id: int = Field(sa_column=Column(Integer, ForeignKey("parties.id"), nullable=False))
    agent_id: int = Field(sa_column=Column(Integer, ForeignKey("parties.id"), nullable=False))
    onward: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    valid_from: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    valid_until: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    granted_level: int  # broker.assurance.Level the principal was logged in at
    state: str = Field(max_length=16)
    created_by: int = Field(sa_column=Column(Integer, ForeignKey("parties.id"), nullable=False))
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    changed_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("parties.id"), nullable=True)
    )
    changed_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class MandateService(SQLModel, table=True):
    """The services a mandate covers: a join table, so the hot path is an index lookup."""

    __tablename__ = "mandate_services"

    mandate_id: str = Field(
        sa_column=Column(
            String(36), ForeignKey("mandates.id", ondelete="CASCADE"), primary_key=True
        )
    )
    service_id: str = Field(sa_column=Column(String(36), primary_key=True))


class LegalRelation(SQLModel, table=True):
    """A cached statement of an authoritative register about legal representation.

    ``source_type`` keeps the register's own word (e.g. BRP ``TijdelijkGeenGezag``) so that a
    relation that must not be used automatically is remembered *as such* and explained to the
    person, rather than silently dropped.
    """

    __tablename__ = "legal_relations"
    __table_args__ = (
        # One index for the importer's upsert, the read by representative and the per-source
        # replacement (revision 0005).
        UniqueConstraint(
            "representative_id", "source", "source_ref", name="uq_legal_relations_representative"
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BIG_ID, primary_key=True))
    kind: str = Field(max_length=24)  # mandates.catalogue.RepresentationKind (legal kinds)
    # parties.id, not declared as foreign keys: parties is append-only and a declared key
    # locks the party row on every imported relation (revision 0005).
    representative_id: int = Field(sa_column=Column(Integer, nullable=False))
    represented_id: int = Field(sa_column=Column(Integer, nullable=False))
    source: str = Field(max_length=24)
    source_ref: str = Field(max_length=120)
    source_type: str = Field(max_length=40)
    retrieved_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    valid_from: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    valid_until: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    in_onderzoek: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    minor_birth_date: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))


class LegalSourceFetch(SQLModel, table=True):
    """When a source was last asked about a party: an empty answer is cached too."""

    __tablename__ = "legal_source_fetches"

    source: str = Field(sa_column=Column(String(24), primary_key=True))
    party_id: int = Field(
        sa_column=Column(Integer, ForeignKey("parties.id"), primary_key=True)
    )
    retrieved_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class AuditRecord(SQLModel, table=True):
    """One row per change and per resolution; append-only (database triggers refuse UPDATE and
    DELETE, see revision 0002).

    Logboek Dataverwerkingen (nl-login-means.md §6.1) wants ``dpl.core.data_subject_id``
    *encrypted*; a raw BSN never lands here. ``data_subject_ref`` is a keyed HMAC-SHA256
    pseudonym of ``kind:value`` (``mandates.audit.pseudonym``), stable per key so the represented
    person's own view ("who acted for me") can be found, useless without the key. Actor and
    subject are also referenced by party id (the parties table is the one place holding raw
    identifiers) so the person's view can name the agent. In production the key comes from the
    key store and is rotated with the retention period; where the Logboek export needs the
    identifier itself it must be encrypted for the log store, not copied from ``parties``.
    """

    __tablename__ = "representation_audit"
    __table_args__ = (
        Index("ix_representation_audit_subject_at", "subject_id", "at"),
        Index("ix_representation_audit_data_subject_ref", "data_subject_ref"),
    )

    id: int | None = Field(default=None, sa_column=Column(BIG_ID, primary_key=True))
    at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    action: str = Field(max_length=40)
    # parties.id, not declared as foreign keys (revision 0005), as in legal_relations.
    actor_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    subject_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    data_subject_ref: str | None = Field(default=None, max_length=64)
    data_subject_id_type: str | None = Field(default=None, max_length=16)
    service_id: str | None = Field(default=None, max_length=36)
    decision: str = Field(max_length=16)
    reason: str = Field(max_length=64)
    basis_kind: str | None = Field(default=None, max_length=24)
    basis_id: str | None = Field(default=None, max_length=80)
    effective_level: int | None = None
    trace_id: str = Field(max_length=32)
    span_id: str = Field(max_length=16)
    parent_span_id: str | None = Field(default=None, max_length=16)
    processing_activity_id: str = Field(max_length=300)
    status: str = Field(max_length=8)  # Logboek: Unset | Ok | Error
