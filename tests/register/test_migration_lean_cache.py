"""Revision 0005 on SQLite and PostgreSQL: the cache and the audit lose their foreign keys to
parties and keep their rows; the audit stays append-only; the downgrade restores 0004."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from broker.register.database import _alembic_config, current_revision, head_revision

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _fill(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO parties (kind, value) VALUES ('bsn', '1'), ('bsn', '2')"))
        ids = {row.value: row.id for row in conn.execute(text("SELECT value, id FROM parties"))}
        conn.execute(
            text(
                "INSERT INTO legal_relations (kind, representative_id, represented_id, source, "
                "source_ref, source_type, retrieved_at, in_onderzoek) "
                "VALUES ('curatele', :a, :b, 'ccbr_import', 'C-1', 'curatele', :now, false)"
            ),
            {"a": ids["1"], "b": ids["2"], "now": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO representation_audit (at, action, actor_id, subject_id, decision, "
                "reason, trace_id, span_id, processing_activity_id, status) VALUES "
                "(:now, 'resolve', :a, :b, 'allow', 'legal_valid', 't', 's', 'p', 'Ok')"
            ),
            {"a": ids["1"], "b": ids["2"], "now": NOW},
        )


def _references(engine: Engine) -> dict[str, list[str]]:
    found = inspect(engine)
    return {
        table: sorted(c for fk in found.get_foreign_keys(table) for c in fk["constrained_columns"])
        for table in ("legal_relations", "representation_audit")
    }


def _unique_columns(engine: Engine) -> list[list[str]]:
    return [u["column_names"] for u in inspect(engine).get_unique_constraints("legal_relations")]


def _assert_rows_and_append_only(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM legal_relations")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM representation_audit")).scalar_one() == 1
    for statement in (
        "UPDATE representation_audit SET reason = 'x'",
        "DELETE FROM representation_audit",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_lean_cache_revision_round_trip(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    _fill(engine)
    assert _references(engine) == {"legal_relations": [], "representation_audit": []}
    assert _unique_columns(engine) == [["representative_id", "source", "source_ref"]]
    assert "ix_legal_relations_pair" not in {
        index["name"] for index in inspect(engine).get_indexes("legal_relations")
    }
    _assert_rows_and_append_only(engine)

    command.downgrade(_alembic_config(engine), "0004")
    assert _references(engine) == {
        "legal_relations": ["representative_id", "represented_id"],
        "representation_audit": ["actor_id", "subject_id"],
    }
    assert _unique_columns(engine) == [["source", "source_ref", "representative_id"]]
    _assert_rows_and_append_only(engine)

    command.upgrade(_alembic_config(engine), "head")
    assert _references(engine) == {"legal_relations": [], "representation_audit": []}
    _assert_rows_and_append_only(engine)


def test_a_relation_is_unique_per_representative_source_and_reference(engine: Engine) -> None:
    _fill(engine)
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO legal_relations (kind, representative_id, represented_id, source, "
                "source_ref, source_type, retrieved_at, in_onderzoek) SELECT kind, "
                "representative_id, represented_id, source, source_ref, source_type, "
                "retrieved_at, in_onderzoek FROM legal_relations"
            )
        )
