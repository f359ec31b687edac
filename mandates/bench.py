"""Load generator and latency benchmark for resolution and the operator import.

``python -m mandates.bench --mandates N --relations M --db URL`` migrates a fresh database
(PostgreSQL: a dedicated schema, dropped afterwards unless ``--keep``; SQLite: a new file,
removed afterwards unless ``--keep``), fills it with N active mandates (agent ``2i+2`` for
principal ``2i+1``, one service each) and M imported curatele relations, then times, over
random actors:

- ``decide`` for a mandate (the hot path: one path query, one audit INSERT);
- ``options`` for the same kind of actor (paths, the legal cache read, one audit INSERT);
- ``decide`` for a curator (no mandate: path query, legal cache read, audit);

and the operator import (``import_file``) of a generated CSV, first load and an idempotent
reload. PostgreSQL data is generated inside the server (``INSERT … SELECT generate_series``,
foreign-key triggers off for the load only: this is a benchmark database); SQLite gets
``executemany`` from a generator. ``--keep`` leaves the data behind and ``--reuse`` measures
it again without generating it (10M mandates take tens of minutes to generate); each run
imports fresh BSNs. Before timing, PostgreSQL's tables and indexes that resolution reads are
read into the operating system's page cache (``pg_prewarm``), as a broker serving traffic has
them: random samples over 10M agents would otherwise time disk reads of pages a freshly
generated or restarted database has not read yet (``--cold`` skips this). Nothing here asserts
timings; it prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from broker.assurance import Level
from broker.identifiers import PartyId
from broker.register.database import create_engine_for, database_url, migrate
from mandates.audit import AuditSettings
from mandates.catalogue import LegalDomain, RepresentationKind, ServiceTerms
from mandates.legal_cache import LegalRelationCache
from mandates.resolution import Resolver
from mandates.sources.ccbr_import import import_file

SERVICE = ServiceTerms(
    "00000000-0000-0000-0000-00000000be11",
    Level.LOW,
    frozenset({RepresentationKind.VOLUNTARY, RepresentationKind.CURATELE}),
    LegalDomain.BOTH,
)
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
START, END = NOW - dt.timedelta(days=30), NOW + dt.timedelta(days=300)
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3)


@dataclass
class Latency:
    p50_ms: float
    p99_ms: float


@dataclass
class BenchResult:
    backend: str
    mandates: int
    relations: int
    load_seconds: float
    latencies: dict[str, Latency] = field(default_factory=dict)
    import_lines: int = 0
    import_rate: float = 0.0
    reimport_rate: float = 0.0

    @property
    def load_rows_per_second(self) -> float:
        rows = 2 * self.mandates + 2 * self.relations + 2 * self.mandates + self.relations
        return rows / self.load_seconds if self.load_seconds else 0.0


def bsn_for(index: int) -> str:
    """The index-th generated BSN (0 ≤ index < 81,000,000), distinct for distinct indexes.

    Seven digits from ``index // 9``, then the ``index % 9``-th eighth digit for which a check
    digit exists (the one eighth digit without one is replaced by 9), then the check digit.
    ``_SQL_BSN`` is the same function for the server-side generator.
    """
    head = 1_000_000 + index // 9
    digits = f"{head:07d}"
    total = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True))
    eighth = index % 9
    if (total + 2 * eighth) % 11 == 10:
        eighth = 9
    return f"{digits}{eighth}{(total + 2 * eighth) % 11}"


# ``bsn_for(g - 1)`` as a SQL expression over ``generate_series`` (inlined: a SQL function
# called per row costs more than the INSERT).
_SQL_BSN = """
lpad(h::text, 7, '0') || d8::text || ((s + 2 * d8) % 11)::text
FROM generate_series(1, :parties) g,
LATERAL (SELECT 1000000 + (g - 1) / 9 AS h) a,
LATERAL (SELECT 9 * (h / 1000000 % 10) + 8 * (h / 100000 % 10) + 7 * (h / 10000 % 10)
               + 6 * (h / 1000 % 10) + 5 * (h / 100 % 10) + 4 * (h / 10 % 10)
               + 3 * (h % 10) AS s) b,
LATERAL (SELECT CASE WHEN (s + 2 * ((g - 1) % 9)) % 11 = 10 THEN 9 ELSE (g - 1) % 9 END
                AS d8) c
"""


def _postgres_load(engine: Engine, mandates: int, relations: int) -> None:
    """Generate every row inside PostgreSQL (no client round trips per row)."""
    base = 2 * mandates
    statements = [
        "SET session_replication_role = replica",  # no FK triggers while loading
        "SET synchronous_commit = off",
        "SET maintenance_work_mem = '1GB'",
        f"INSERT INTO parties (id, kind, value) SELECT g, 'bsn', {_SQL_BSN}",
        "INSERT INTO mandates (id, principal_id, agent_id, onward, valid_from, valid_until, "
        "granted_level, state, created_by, created_at) "
        "SELECT uuid(lpad(to_hex(g), 32, '0'))::text, 2 * g - 1, 2 * g, false, "
        ":start, :end, 2, 'active', 2 * g - 1, :start "
        "FROM generate_series(1, :mandates) g",
        "INSERT INTO mandate_services (mandate_id, service_id) "
        "SELECT uuid(lpad(to_hex(g), 32, '0'))::text, :service "
        "FROM generate_series(1, :mandates) g",
        "INSERT INTO legal_relations (kind, representative_id, represented_id, source, "
        "source_ref, source_type, retrieved_at, valid_from, in_onderzoek) "
        "SELECT 'curatele', :base + 2 * g + 1, :base + 2 * g + 2, 'ccbr_import', "
        "'B-' || g, 'curatele', :now, :start, false "
        "FROM generate_series(0, :relations - 1) g",
        "SELECT setval('parties_id_seq', (SELECT max(id) FROM parties))",
        "SET session_replication_role = origin",
    ]
    params = {
        "start": START,
        "end": END,
        "now": NOW,
        "service": SERVICE.service_id,
        "base": base,
        "parties": base + 2 * relations,
        "mandates": mandates,
        "relations": relations,
    }
    with engine.begin() as conn:
        for statement in statements:
            started = time.perf_counter()
            conn.execute(text(statement), params)
            _progress(f"{statement[:40]}… {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # The generated tables only: a bare VACUUM would walk every schema of the database.
        conn.exec_driver_sql("VACUUM ANALYZE parties, mandates, mandate_services, legal_relations")
    _progress(f"VACUUM ANALYZE {time.perf_counter() - started:.1f} s")


# What a resolution reads: the actor by identifier, their mandates, the services listed, the
# principal, and the legal-relation cache by representative.
_RESOLUTION_RELATIONS = (
    "parties",
    "parties_pkey",
    "uq_parties_kind_value",
    "mandates",
    "ix_mandates_agent_state_until",
    "mandate_services_pkey",
    "legal_relations",
    "uq_legal_relations_representative",
)


def warm(engine: Engine) -> None:
    """Read the relations resolution uses into the OS page cache (pg_prewarm's ``read`` mode:
    no shared buffers are taken, so the server's own caching still decides what it keeps)."""
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        schema = conn.execute(
            text(
                "SELECT n.nspname FROM pg_extension e "
                "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_prewarm'"
            )
        ).scalar_one()
        blocks = sum(
            conn.execute(
                text(f'SELECT "{schema}".pg_prewarm(CAST(:name AS regclass), \'read\')'),
                {"name": name},
            ).scalar_one()
            for name in _RESOLUTION_RELATIONS
        )
    seconds = time.perf_counter() - started
    _progress(f"pg_prewarm: {blocks * 8 // 1024:,} MB read in {seconds:.1f} s")


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _sqlite_time(value: dt.datetime) -> str:
    # The format SQLAlchemy's SQLite DateTime writes and compares against.
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_load(engine: Engine, mandates: int, relations: int) -> None:
    base = 2 * mandates
    start, end, now = _sqlite_time(START), _sqlite_time(END), _sqlite_time(NOW)

    def parties() -> Iterator[tuple[object, ...]]:
        for i in range(base + 2 * relations):
            yield i + 1, "bsn", bsn_for(i)

    def mandate_rows() -> Iterator[tuple[object, ...]]:
        for i in range(mandates):
            yield (str(uuid.UUID(int=i + 1)), 2 * i + 1, 2 * i + 2, 0, start, end, 2, "active",
                   2 * i + 1, start)  # fmt: skip

    def services() -> Iterator[tuple[object, ...]]:
        for i in range(mandates):
            yield str(uuid.UUID(int=i + 1)), SERVICE.service_id

    def relation_rows() -> Iterator[tuple[object, ...]]:
        for j in range(relations):
            yield ("curatele", base + 2 * j + 1, base + 2 * j + 2, "ccbr_import", f"B-{j}",
                   "curatele", now, start, 0)  # fmt: skip

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA synchronous = OFF")
        for sql, rows in (
            ("INSERT INTO parties (id, kind, value) VALUES (?, ?, ?)", parties()),
            (
                "INSERT INTO mandates (id, principal_id, agent_id, onward, valid_from, "
                "valid_until, granted_level, state, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                mandate_rows(),
            ),
            ("INSERT INTO mandate_services (mandate_id, service_id) VALUES (?, ?)", services()),
            (
                "INSERT INTO legal_relations (kind, representative_id, represented_id, source, "
                "source_ref, source_type, retrieved_at, valid_from, in_onderzoek) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                relation_rows(),
            ),
        ):
            cursor.executemany(sql, rows)  # type: ignore[arg-type] # any iterable will do
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def load(engine: Engine, mandates: int, relations: int) -> float:
    """Fill the (migrated, empty) database; returns seconds."""
    started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        _postgres_load(engine, mandates, relations)
    else:
        _sqlite_load(engine, mandates, relations)
    return time.perf_counter() - started


async def _timed(
    samples: int, call: Callable[[random.Random], Awaitable[None]], warmup: int = 100
) -> Latency:
    rng = random.Random(samples)  # noqa: S311 - benchmark sampling, not security
    timings = []
    for n in range(warmup + samples):
        started = time.perf_counter()
        await call(rng)
        if n >= warmup:
            timings.append((time.perf_counter() - started) * 1000)
    return Latency(statistics.median(timings), statistics.quantiles(timings, n=100)[98])


async def measure(
    engine: Engine, mandates: int, relations: int, samples: int
) -> dict[str, Latency]:
    resolver = Resolver(
        engine, LegalRelationCache(engine, []), AuditSettings(pseudonym_key=b"b" * 32)
    )

    def pair(rng: random.Random) -> tuple[PartyId, PartyId]:
        i = rng.randrange(mandates)
        return PartyId("bsn", bsn_for(2 * i + 1)), PartyId("bsn", bsn_for(2 * i))

    async def decide(rng: random.Random) -> None:
        agent, principal = pair(rng)
        decision = await resolver.decide(agent, Level.SUBSTANTIAL, SERVICE, principal, NOW)
        assert decision.allowed, decision.code

    async def options(rng: random.Random) -> None:
        agent, principal = pair(rng)
        listed = await resolver.options(agent, Level.SUBSTANTIAL, SERVICE, NOW)
        assert [o.party for o in listed] == [agent, principal], listed

    async def decide_legal(rng: random.Random) -> None:
        j = rng.randrange(relations)
        curator = PartyId("bsn", bsn_for(2 * mandates + 2 * j))
        ward = PartyId("bsn", bsn_for(2 * mandates + 2 * j + 1))
        decision = await resolver.decide(curator, Level.SUBSTANTIAL, SERVICE, ward, NOW)
        assert decision.allowed, decision.code

    result = {
        "decide (mandate)": await _timed(samples, decide),
        "options": await _timed(samples, options),
    }
    if relations:
        result["decide (curatele)"] = await _timed(samples, decide_legal)
    return result


def _fresh_index(engine: Engine, mandates: int, relations: int) -> int:
    """The first BSN index no earlier run used: generated parties, then earlier imports."""
    with engine.connect() as conn:
        imported: int = conn.execute(
            text(
                "SELECT count(*) FROM legal_relations WHERE source = 'ccbr_import' "
                "AND source_ref >= 'I-' AND source_ref < 'I.'"
            )
        ).scalar_one()
    return 2 * mandates + 2 * relations + 10 + 2 * imported


def _check_reused(engine: Engine, mandates: int) -> None:
    """The kept data must be what ``--mandates`` says (sampling picks among them)."""
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT id FROM mandates WHERE id IN (:last, :beyond)"),
            {"last": str(uuid.UUID(int=mandates)), "beyond": str(uuid.UUID(int=mandates + 1))},
        ).all()
    if [row.id for row in found] != [str(uuid.UUID(int=mandates))]:
        raise SystemExit(f"the kept data does not hold exactly {mandates:,} generated mandates")


def import_rates(engine: Engine, lines: int, first: int) -> tuple[float, float]:
    """Lines/s of a first import of ``lines`` new measures and of reloading the same file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        with path.open("w", encoding="utf-8") as handle:
            handle.write(
                "id,soort,betrokkene_bsn,vertegenwoordiger_soort,vertegenwoordiger,"
                "ingangsdatum,einddatum\n"
            )
            for k in range(lines):
                handle.write(
                    f"I-{k},mentorschap,{bsn_for(first + 2 * k)},bsn,"
                    f"{bsn_for(first + 2 * k + 1)},2020-01-01,\n"
                )
        report = import_file(engine, path, now=NOW)
        assert not report.rejected and report.inserted == lines, report
        again = import_file(engine, path, now=NOW)
        assert again.unchanged == lines, again
        return report.rate, again.rate


def run(
    url: str,
    mandates: int,
    relations: int,
    samples: int = 2000,
    import_lines: int = 100_000,
    schema: str | None = None,
    keep: bool = False,
    reuse: bool = False,
    cold: bool = False,
) -> BenchResult:
    """Load and measure in a fresh schema (PostgreSQL) or a new file (SQLite); with ``reuse``
    measure what an earlier ``keep`` run left (and keep it)."""
    keep = keep or reuse
    parsed = database_url(url)
    postgres = parsed.get_backend_name() == "postgresql"
    admin: Engine | None = None
    if postgres:
        schema = schema or f"mandates_bench_{os.getpid()}"
        admin = create_engine(parsed)
        if not reuse:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        parsed = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
    elif parsed.database and Path(parsed.database).exists() != reuse:
        raise SystemExit(f"{parsed.database}: the bench wants a new SQLite file (or --reuse)")
    try:
        migrate(parsed)
        engine = create_engine_for(parsed)
        try:
            if reuse:
                _check_reused(engine, mandates)
                seconds = 0.0
            else:
                seconds = load(engine, mandates, relations)
            result = BenchResult(parsed.get_backend_name(), mandates, relations, seconds)
            if postgres and not cold:
                warm(engine)
            result.latencies = asyncio.run(measure(engine, mandates, relations, samples))
            if import_lines:
                result.import_lines = import_lines
                first = _fresh_index(engine, mandates, relations)
                result.import_rate, result.reimport_rate = import_rates(engine, import_lines, first)
            return result
        finally:
            engine.dispose()
    finally:
        if admin is not None:
            if not keep:
                with admin.begin() as conn:
                    conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()
        elif not keep and parsed.database and Path(parsed.database).exists():
            Path(parsed.database).unlink()


def table(results: list[BenchResult]) -> str:
    lines = [
        "| backend | mandates | relations | load s (rows/s) | what | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for r in results:
        load_cell = (
            f"{r.load_seconds:.0f} ({r.load_rows_per_second:,.0f})" if r.load_seconds else "reused"
        )
        for name, latency in r.latencies.items():
            lines.append(
                f"| {r.backend} | {r.mandates:,} | {r.relations:,} | {load_cell} | {name} "
                f"| {latency.p50_ms:.2f} | {latency.p99_ms:.2f} |"
            )
        if r.import_lines:
            lines.append(
                f"| {r.backend} | {r.mandates:,} | {r.relations:,} | {load_cell} "
                f"| import {r.import_lines:,} lines: new / reload (lines/s) "
                f"| {r.import_rate:,.0f} | {r.reimport_rate:,.0f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mandates.bench", description=__doc__)
    parser.add_argument("--mandates", type=int, required=True)
    parser.add_argument("--relations", type=int, default=0)
    parser.add_argument("--db", required=True, help="postgresql://… or sqlite:///new-file.db")
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--import-lines", type=int, default=100_000)
    parser.add_argument("--schema", help="PostgreSQL schema to create (default: per process)")
    parser.add_argument("--keep", action="store_true", help="keep the schema or file")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the data a --keep run left (same sizes)"
    )
    parser.add_argument(
        "--cold", action="store_true", help="PostgreSQL: time without reading the data in first"
    )
    args = parser.parse_args(argv)
    make_url(args.db)  # fail early on a malformed URL
    result = run(
        args.db,
        args.mandates,
        args.relations,
        samples=args.samples,
        import_lines=args.import_lines,
        schema=args.schema,
        keep=args.keep,
        reuse=args.reuse,
        cold=args.cold,
    )
    print(table([result]), flush=True)


if __name__ == "__main__":
    main()
