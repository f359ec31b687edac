"""The engine the resolution hot path reads and audits through.

On PostgreSQL the hot path gets its own small pool in autocommit mode, sharing the broker
engine's URL:

- each read and the audit INSERT is a single statement, so BEGIN/COMMIT/ROLLBACK round trips
  buy nothing (an autocommit INSERT is as durable as a committed transaction);
- psycopg prepares a statement after a few executions, but *forgets every prepared statement
  on ROLLBACK* (and SQLAlchemy rolls back each connection it gets back). In autocommit mode
  there is nothing to roll back, so the path query, the legal-cache read and the audit INSERT
  stay prepared (planning the five-way join costs more than running it).

Its sessions run with ``synchronous_commit = off``: the resolution audit INSERT returns once
the row is in PostgreSQL's WAL buffers, without waiting for the WAL flush to disk (that flush
was most of a decision's latency: 1-8 ms per commit on a shared disk, against ~0.2 ms for the
rest). What this gives up, and why it is acceptable for these records:

- a row is acknowledged by the server (visible, ordered, consistent; it survives a crash of the
  broker), but a crash of the *database server or its host* within the WAL writer's window
  (at most 3 × ``wal_writer_delay``, 600 ms by default) can lose the last decisions' records.
  WAL is replayed in order, so what survives is always a prefix: never a gap, never a torn row;
- Logboek Dataverwerkingen asks for a record of every processing (no sampling) and an
  acknowledged write; its recommended transport (OTLP exporters) itself buffers records in
  memory for seconds. A sub-second window on a server crash is within that practice, and the
  crash that opens it is one the operator sees and logs;
- only resolution records take this path. Mandate changes (grant, accept, revoke) and their
  audit rows are written by ``mandates.lifecycle`` through the broker engine with the server's
  default, fully synchronous commit: they are the legal facts, and rare.

Its two statements per decision (the first-hop path query and the audit INSERT) also skip
SQLAlchemy's execution context on PostgreSQL (``HotStatement``): compiled once to driver SQL,
they run on the pooled connection's own psycopg connection as server-side prepared statements.
That context cost about 0.12 ms per statement here, more than PostgreSQL takes to run either.

The hot pool does not ping each connection before use (a round trip per request); instead a
statement that finds its pooled connection dead is retried once on a fresh one
(``retry_stale``), which SQLAlchemy opens after invalidating the pool.

Other dialects (SQLite) use the broker engine unchanged. The hot engine is disposed with the
broker engine.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

P = ParamSpec("P")
T = TypeVar("T")

_HOT: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def hot_engine(engine: Engine) -> Engine:
    """The autocommit engine for ``engine`` (itself unless PostgreSQL)."""
    if engine.dialect.name != "postgresql":
        return engine
    found = _HOT.get(engine)
    if found is None:
        found = create_engine(
            engine.url,
            isolation_level="AUTOCOMMIT",
            pool_pre_ping=False,  # see retry_stale
            pool_size=engine.pool.size() if hasattr(engine.pool, "size") else 5,
        )
        event.listen(found, "connect", _asynchronous_commit)
        _HOT[engine] = found
        event.listen(engine, "engine_disposed", lambda _: found.dispose())
    return found


def _asynchronous_commit(dbapi_connection: Any, _record: Any) -> None:
    """Per session, so the broker engine's own transactions keep the server default."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    if not dbapi_connection.autocommit:
        dbapi_connection.commit()


def retry_stale(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``call(...)``, once more when it failed on a connection that turned out to be dead
    (database restart, idle timeout): SQLAlchemy has invalidated the pool by then."""
    try:
        return call(*args, **kwargs)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        return call(*args, **kwargs)


class HotStatement:
    """One Core statement, run on PostgreSQL as a prepared psycopg statement.

    Rows have the attribute names SQLAlchemy's rows would have. Errors surface as SQLAlchemy's
    ``DBAPIError`` and a connection found dead is invalidated, as SQLAlchemy does itself, so
    ``retry_stale`` applies unchanged. Other dialects run the statement through SQLAlchemy.
    Statements with expanding (IN-list) parameters are not supported.
    """

    def __init__(self, statement: Executable, column_keys: Sequence[str] | None = None):
        self.statement = statement
        self._column_keys = list(column_keys) if column_keys is not None else None
        self._compiled: tuple[str, dict[str, Any]] | None = None

    def _driver_sql(self, conn: Connection) -> tuple[str, dict[str, Any]]:
        if self._compiled is None:
            compiled = self.statement.compile(  # type: ignore[attr-defined]
                dialect=conn.dialect, column_keys=self._column_keys
            )
            # Literal values bound in the statement itself (a state name, say) come along.
            defaults = {k: v for k, v in compiled.params.items() if v is not None}
            self._compiled = (str(compiled), defaults)
        return self._compiled

    def run(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """The statement's rows (an empty list for one that returns none)."""
        if conn.dialect.name != "postgresql":
            result = conn.execute(self.statement, dict(params))
            return list(result.all()) if result.returns_rows else []
        sql, defaults = self._driver_sql(conn)
        bound = {**defaults, **params}
        raw = conn.connection.dbapi_connection
        try:
            with raw.cursor(row_factory=namedtuple_row) as cursor:  # type: ignore[union-attr]
                cursor.execute(sql, bound, prepare=True)
                return cursor.fetchall() if cursor.description else []
        except psycopg.Error as exc:
            gone = conn.dialect.is_disconnect(exc, raw, None)  # type: ignore[arg-type]
            if gone:
                conn.invalidate(exc)
            raise DBAPIError.instance(
                sql, bound, exc, psycopg.Error, connection_invalidated=gone
            ) from exc
