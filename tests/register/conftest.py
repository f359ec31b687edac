"""Register tests run twice: on a fresh SQLite file and on the real PostgreSQL.

Each PostgreSQL test gets its own schema (via the connection's ``search_path``), migrated from
scratch and dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine

from broker.register.database import create_engine_for, migrate

POSTGRES_URL = os.environ.get(
    "TOEGANG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _sqlite(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'register.db'}"
    migrate(url)
    engine = create_engine_for(url)
    yield engine
    engine.dispose()


def _postgres() -> Iterator[Engine]:
    schema = "test_register_" + secrets.token_hex(6)
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL at {POSTGRES_URL} is not reachable (set TOEGANG_TEST_POSTGRES_URL): {exc}"
        )
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        try:
            migrate(url)
            engine = create_engine_for(url)
            yield engine
            engine.dispose()
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        yield from _sqlite(tmp_path)
    else:
        yield from _postgres()
