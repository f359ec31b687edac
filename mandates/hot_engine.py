"""The engine the resolution hot path reads and audits through.

On PostgreSQL the hot path gets its own small pool in autocommit mode, sharing the broker
engine's URL:

- each read and the audit INSERT is a single statement, so BEGIN/COMMIT/ROLLBACK round trips
  buy nothing (an autocommit INSERT is as durable as a committed transaction);
- psycopg prepares a statement after a few executions, but *forgets every prepared statement
  on ROLLBACK* (and SQLAlchemy rolls back each connection it gets back). In autocommit mode
  there is nothing to roll back, so the path query, the legal-cache read and the audit INSERT
  stay prepared (planning the five-way join costs more than running it).

The hot pool does not ping each connection before use (a round trip per request); instead a
statement that finds its pooled connection dead is retried once on a fresh one
(``retry_stale``), which SQLAlchemy opens after invalidating the pool.

Other dialects (SQLite) use the broker engine unchanged. The hot engine is disposed with the
broker engine.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

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
        _HOT[engine] = found
        event.listen(engine, "engine_disposed", lambda _: found.dispose())
    return found


def retry_stale(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``call(...)``, once more when it failed on a connection that turned out to be dead
    (database restart, idle timeout): SQLAlchemy has invalidated the pool by then."""
    try:
        return call(*args, **kwargs)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        return call(*args, **kwargs)
