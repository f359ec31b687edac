"""The legal-relation cache and the representation audit stop declaring foreign keys to
``parties``, and the cache keeps one unique index instead of two indexes.

Why: ``parties`` is append-only (no code path deletes or renumbers a party), so the
references cannot dangle, while each declared foreign key made PostgreSQL look up *and lock*
the referenced party row (a tuple lock, written to WAL) for every relation imported and every
resolution audited: most of the database's cost per imported line and a share of each
decision's audit INSERT. Mandates keep theirs: they are few and their changes are the legal
facts. A future erasure job for parties must check these two tables itself.

The cache was indexed twice on ``representative_id`` (unique on (source, source_ref,
representative_id) for the importer's upsert, and (representative_id, represented_id) for
reads); one unique index on (representative_id, source, source_ref) serves the upsert (its
conflict target is the same column set), the read by representative and the per-source
replacement of one representative's rows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_UNIQUE = "uq_legal_relations_representative"
_UNIQUE_COLUMNS = ["representative_id", "source", "source_ref"]
_OLD_UNIQUE = "uq_legal_relations_source_ref"
_OLD_UNIQUE_COLUMNS = ["source", "source_ref", "representative_id"]
_PAIR = "ix_legal_relations_pair"
# SQLite's foreign keys are unnamed; batch mode names them by this convention to drop them.
_NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s"}
_REFERENCES = {
    "legal_relations": ("representative_id", "represented_id"),
    "representation_audit": ("actor_id", "subject_id"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in _REFERENCES.items():
            for column in columns:
                op.drop_constraint(f"{table}_{column}_fkey", table, type_="foreignkey")
        op.create_unique_constraint(_UNIQUE, "legal_relations", _UNIQUE_COLUMNS)
        op.drop_constraint(_OLD_UNIQUE, "legal_relations", type_="unique")
        op.drop_index(_PAIR, table_name="legal_relations")
        return
    with op.batch_alter_table(
        "legal_relations", recreate="always", naming_convention=_NAMING
    ) as batch:
        for column in _REFERENCES["legal_relations"]:
            batch.drop_constraint(f"fk_legal_relations_{column}", type_="foreignkey")
        batch.drop_constraint(_OLD_UNIQUE, type_="unique")
        batch.drop_index(_PAIR)
        batch.create_unique_constraint(_UNIQUE, _UNIQUE_COLUMNS)
    with op.batch_alter_table(
        "representation_audit", recreate="always", naming_convention=_NAMING
    ) as batch:
        for column in _REFERENCES["representation_audit"]:
            batch.drop_constraint(f"fk_representation_audit_{column}", type_="foreignkey")
    _sqlite_audit_triggers()  # dropped with the table batch mode copied from


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(_PAIR, "legal_relations", ["representative_id", "represented_id"])
        op.create_unique_constraint(_OLD_UNIQUE, "legal_relations", _OLD_UNIQUE_COLUMNS)
        op.drop_constraint(_UNIQUE, "legal_relations", type_="unique")
        for table, columns in _REFERENCES.items():
            for column in columns:
                op.create_foreign_key(f"{table}_{column}_fkey", table, "parties", [column], ["id"])
        return
    with op.batch_alter_table("legal_relations", recreate="always") as batch:
        batch.drop_constraint(_UNIQUE, type_="unique")
        batch.create_unique_constraint(_OLD_UNIQUE, _OLD_UNIQUE_COLUMNS)
        batch.create_index(_PAIR, ["representative_id", "represented_id"])
        for column in _REFERENCES["legal_relations"]:
            batch.create_foreign_key(f"fk_legal_relations_{column}", "parties", [column], ["id"])
    with op.batch_alter_table("representation_audit", recreate="always") as batch:
        for column in _REFERENCES["representation_audit"]:
            batch.create_foreign_key(
                f"fk_representation_audit_{column}", "parties", [column], ["id"]
            )
    _sqlite_audit_triggers()


def _sqlite_audit_triggers() -> None:
    """Revision 0002's append-only triggers, as SQLite needs them on the recreated table."""
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER representation_audit_no_{event.lower()} "
            f"BEFORE {event} ON representation_audit "
            "BEGIN SELECT RAISE(ABORT, 'representation_audit is append-only'); END"
        )
