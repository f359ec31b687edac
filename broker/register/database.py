"""Engines and schema migrations for the register.

One place decides how a database URL becomes an engine (SQLite for the demo, PostgreSQL via
psycopg 3 in production) and how the schema reaches the current Alembic revision, so the CLI,
the app and the tests cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant will do: concurrent `migrate` calls (several hosts starting at once) serialise
# on this PostgreSQL advisory lock instead of racing to create the same tables.
MIGRATION_LOCK_ID = 0x70656774


def database_url(url: str | URL) -> URL:
    """Parse ``url``; plain ``postgresql://`` (or ``postgres://``) means psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def masked(url: str | URL) -> str:
    """The URL with its password replaced by ``***``, for logs and ``check-config``."""
    return database_url(url).render_as_string(hide_password=True)


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores FOREIGN KEY ... ON DELETE CASCADE unless asked per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine_for(url: str | URL) -> Engine:
    """An engine for ``url``: SQLite shared across threads, PostgreSQL with pre-ping."""
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite":
        # The hot path queries from worker threads (anyio.to_thread), hence check_same_thread.
        engine = create_engine(parsed, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _alembic_config(engine: Engine) -> AlembicConfig:
    # No alembic.ini: the script location is this package, the engine is passed in.
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(url_or_engine: str | URL | Engine) -> None:
    """Bring the schema to the newest revision (idempotent; safe to run at every start)."""
    if isinstance(url_or_engine, Engine):
        command.upgrade(_alembic_config(url_or_engine), "head")
        return
    engine = create_engine_for(url_or_engine)
    try:
        command.upgrade(_alembic_config(engine), "head")
    finally:
        engine.dispose()


def migrated_engine(url: str | URL) -> Engine:
    """An engine on a database brought to the newest revision: what operator commands work on
    (a fresh SQLite file included)."""
    engine = create_engine_for(url)
    migrate(engine)
    return engine


def head_revision() -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database); connects, so it also
    proves the database is reachable."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
