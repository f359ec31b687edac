"""Load generator and latency benchmark for resolution.

``run(url, mandates=N, relations=M)`` fills an empty, migrated database with N active mandates
(N agents, each for one principal and one service) and M imported legal relations, using
COPY on PostgreSQL (psycopg) and ``executemany`` on SQLite, then times ``Resolver.decide``
for random agents (p50/p99) and the operator import (lines/s). Run:
``python -m mandates.bench postgresql://... 100000 20000``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from broker.assurance import Level
from broker.identifiers import PartyId
from broker.register.database import create_engine_for, migrate
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


@dataclass
class BenchResult:
    mandates: int
    relations: int
    load_seconds: float
    p50_ms: float
    p99_ms: float
    import_lines_per_second: float

    @property
    def load_rows_per_second(self) -> float:
        return (self.mandates * 4 + self.relations * 3) / self.load_seconds


def bsn_for(index: int) -> str:
    """The index-th 9-digit number passing the elfproef, above 100000000."""
    base = 100_000_000 + index * 100
    for candidate in range(base, base + 100):
        digits = str(candidate)
        total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
        if total % 11 == 0:
            return digits
    raise AssertionError("every block of 100 numbers holds elfproef numbers")


def _rows(
    mandates: int, relations: int
) -> tuple[
    list[tuple[object, ...]],
    list[tuple[object, ...]],
    list[tuple[object, ...]],
    list[tuple[object, ...]],
]:
    parties: list[tuple[object, ...]] = [
        (i + 1, "bsn", bsn_for(i)) for i in range(2 * mandates + 2 * relations)
    ]
    start, end = NOW - dt.timedelta(days=30), NOW + dt.timedelta(days=300)
    mandate_rows: list[tuple[object, ...]] = []
    service_rows: list[tuple[object, ...]] = []
    for i in range(mandates):
        mid = str(uuid.UUID(int=i + 1))
        principal, agent = 2 * i + 1, 2 * i + 2
        mandate_rows.append(
            (mid, principal, agent, False, start, end, 2, "active", principal, start)
        )
        service_rows.append((mid, SERVICE.service_id))
    relation_rows: list[tuple[object, ...]] = []
    offset = 2 * mandates
    for j in range(relations):
        rep, subject = offset + 2 * j + 1, offset + 2 * j + 2
        relation_rows.append(
            ("curatele", rep, subject, "ccbr_import", f"B-{j}", "curatele", NOW, start, False)
        )
    return parties, mandate_rows, service_rows, relation_rows


_COLUMNS = {
    "parties": "id, kind, value",
    "mandates": "id, principal_id, agent_id, onward, valid_from, valid_until, granted_level, "
    "state, created_by, created_at",
    "mandate_services": "mandate_id, service_id",
    "legal_relations": "kind, representative_id, represented_id, source, source_ref, "
    "source_type, retrieved_at, valid_from, in_onderzoek",
}


def load(engine: Engine, mandates: int, relations: int) -> float:
    """Bulk-insert the generated rows; returns seconds."""
    tables = dict(zip(_COLUMNS, _rows(mandates, relations), strict=True))
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            for table, rows in tables.items():
                with cursor.copy(f"COPY {table} ({_COLUMNS[table]}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            cursor.execute("SELECT setval('parties_id_seq', (SELECT max(id) FROM parties))")
            cursor.execute("ANALYZE")
        else:
            for table, rows in tables.items():
                marks = ", ".join("?" for _ in _COLUMNS[table].split(","))
                cursor.executemany(
                    f"INSERT INTO {table} ({_COLUMNS[table]}) VALUES ({marks})",  # noqa: S608
                    [_sqlite_row(row) for row in rows],
                )
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - started


def _sqlite_row(row: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(
        v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        if isinstance(v, dt.datetime)
        else v
        for v in row
    )


async def measure(engine: Engine, mandates: int, samples: int) -> tuple[float, float]:
    resolver = Resolver(
        engine, LegalRelationCache(engine, []), AuditSettings(pseudonym_key=b"b" * 32)
    )
    rng = random.Random(1)  # noqa: S311 - benchmark sampling, not security
    timings = []
    for _ in range(samples):
        i = rng.randrange(mandates)
        agent, principal = PartyId("bsn", bsn_for(2 * i + 1)), PartyId("bsn", bsn_for(2 * i))
        started = time.perf_counter()
        decision = await resolver.decide(agent, Level.SUBSTANTIAL, SERVICE, principal, NOW)
        timings.append((time.perf_counter() - started) * 1000)
        assert decision.allowed, decision.code
    quantiles = statistics.quantiles(timings, n=100)
    return statistics.median(timings), quantiles[98]


def import_rate(engine: Engine, lines: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        with path.open("w", encoding="utf-8") as handle:
            handle.write(
                "id,soort,betrokkene_bsn,vertegenwoordiger_soort,vertegenwoordiger,"
                "ingangsdatum,einddatum\n"
            )
            for k in range(lines):
                handle.write(
                    f"I-{k},mentorschap,{bsn_for(5_000_000 + 2 * k)},bsn,"
                    f"{bsn_for(5_000_001 + 2 * k)},2020-01-01,\n"
                )
        report = import_file(engine, path, now=NOW)
        assert not report.rejected, report.rejected[:3]
        return report.rate


def run(
    url: str, mandates: int, relations: int, samples: int = 2000, import_lines: int = 10_000
) -> BenchResult:
    """Migrate ``url`` (must be empty), load, measure. Returns the figures."""
    migrate(url)
    engine = create_engine_for(url)
    try:
        seconds = load(engine, mandates, relations)
        p50, p99 = asyncio.run(measure(engine, mandates, samples))
        rate = import_rate(engine, import_lines)
        return BenchResult(mandates, relations, seconds, p50, p99, rate)
    finally:
        engine.dispose()


if __name__ == "__main__":
    result = run(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    print(result, f"load rows/s={result.load_rows_per_second:.0f}")
