"""Bulk import of curatele/bewind/mentorschap measures by an operator.

For registers without a live interface the operator loads an export file. Formats:

- JSON lines (``.jsonl``/``.ndjson``): one ``Maatregel`` per line, exactly as the live
  interface (``mandates.sources.ccbr``);
- CSV (``.csv``) with header ``id,soort,betrokkene_bsn,vertegenwoordiger_soort,
  vertegenwoordiger,ingangsdatum,einddatum`` and one representative per line.

Every line is validated on its own; bad lines are reported with their number and reason and do
not stop the import. The import is idempotent: a measure is keyed by (source, id,
representative), so loading the same file twice changes nothing and a corrected line updates
its row. Rows are written with source ``ccbr_import`` so they never mix with live answers.

Writing is set-based and pipelined. The calling thread parses, validates and encodes: every
``BATCH`` records become one ready payload (COPY text-format bytes on PostgreSQL, rows for
``executemany`` on SQLite), so per-row Python work never runs in a writer. Writer threads
(``WRITERS`` on PostgreSQL, one on SQLite, whose writes serialize anyway) each hold a
connection with its own temporary stage table, created once per import. A writer loads a
payload into its stage and runs set-based statements that register unseen parties (in key
order, so concurrent batches cannot deadlock on a shared party), count new/changed/unchanged
rows and upsert (``INSERT … ON CONFLICT DO UPDATE`` that only touches rows whose content
changed; on PostgreSQL the counts come from its ``RETURNING``). Each batch is its own
transaction, which also empties the stage. Batches are small, so parsing and the database
overlap for nearly the whole file. A failing batch stops the import; batches written before
it (and one written alongside it) stay, and loading the file again completes it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from queue import SimpleQueue
from typing import Any, NamedTuple

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    delete,
    insert,
    text,
)

from mandates.sources.base import LegalRelationRecord
from mandates.sources.ccbr import InvalidMeasure, records_from_measure

SOURCE = "ccbr_import"
CSV_FIELDS = (
    "id",
    "soort",
    "betrokkene_bsn",
    "vertegenwoordiger_soort",
    "vertegenwoordiger",
    "ingangsdatum",
    "einddatum",
)
BATCH = 10_000
# Batches written at the same time on PostgreSQL, each on its own connection: the server is
# the slower side, and a second backend keeps working while the first waits on a round trip.
WRITERS = 2


class Counts(NamedTuple):
    inserted: int
    updated: int
    unchanged: int


@dataclass
class ImportReport:
    lines: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, counts: Counts) -> None:
        self.inserted += counts.inserted
        self.updated += counts.updated
        self.unchanged += counts.unchanged

    @property
    def rate(self) -> float:
        """Lines per second."""
        return self.lines / self.seconds if self.seconds else 0.0


def _measures(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, measure or InvalidMeasure) for every data line of the file."""
    suffix = path.suffix.lower()
    with path.open(encoding="utf-8", newline="") as handle:
        if suffix == ".csv":
            reader = csv.reader(handle)
            if tuple(next(reader, ())) != CSV_FIELDS:
                raise InvalidMeasure(f"CSV header must be: {','.join(CSV_FIELDS)}")
            for row in reader:
                if row:  # a blank line is no data line
                    yield reader.line_num, _measure_from_csv(row)
        elif suffix in (".jsonl", ".ndjson"):
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError:
                    yield number, InvalidMeasure("not valid JSON")
        else:
            raise InvalidMeasure("file must be .csv or .jsonl")


def _measure_from_csv(row: list[str]) -> Any:
    if len(row) != len(CSV_FIELDS):
        return InvalidMeasure("wrong number of columns")
    ident, soort, subject, representative_kind, representative, start, end = row
    return {
        "id": ident,
        "soort": soort,
        "betrokkene": {"bsn": subject},
        "vertegenwoordigers": [{representative_kind: representative}],
        "ingangsdatum": start,
        "einddatum": end or None,
    }


def import_file(engine: Engine, path: Path, now: dt.datetime | None = None) -> ImportReport:
    """Load ``path`` into the legal-relation table; returns counts and rejected lines."""
    now = now or dt.datetime.now(dt.UTC)
    report = ImportReport()
    started = time.perf_counter()
    postgres = engine.dialect.name == "postgresql"
    encode = _copy_payload if postgres else _stage_rows
    writers = WRITERS if postgres else 1
    with ExitStack() as stack:
        connections: SimpleQueue[Connection] = SimpleQueue()
        for _ in range(writers):
            conn = stack.enter_context(engine.connect())
            with conn.begin():
                _STAGE.create(conn)
            stack.callback(_drop_stage, conn)
            connections.put(conn)
        # Leaving the pool waits for every running batch, so the stages are free to drop.
        pool = stack.enter_context(
            ThreadPoolExecutor(max_workers=writers, thread_name_prefix="ccbr-import")
        )
        pending: deque[Future[Counts]] = deque()
        for records in _batches(path, report):
            payload = encode(records)
            if len(pending) == writers:
                report.add(pending.popleft().result())
            pending.append(pool.submit(_write, connections, payload, len(records), now, postgres))
        while pending:
            report.add(pending.popleft().result())
    report.seconds = time.perf_counter() - started
    return report


def _batches(path: Path, report: ImportReport) -> Iterator[list[LegalRelationRecord]]:
    """Valid, first-seen records of the file in batches; counts lines, reports rejects."""
    batch: list[LegalRelationRecord] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, measure in _measures(path):
        report.lines += 1
        try:
            if isinstance(measure, InvalidMeasure):
                raise measure
            records = records_from_measure(measure, source=SOURCE)
        except InvalidMeasure as exc:
            report.rejected.append((number, str(exc)))
            continue
        for record in records:
            key = (record.source_ref, record.representative.kind, record.representative.value)
            if key in seen:
                report.rejected.append((number, f"duplicate of line {seen[key]}"))
                continue
            seen[key] = number
            batch.append(record)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


_STAGE = Table(
    "ccbr_import_stage",
    MetaData(),
    Column("source_ref", String(120)),
    Column("rep_kind", String(8)),
    Column("rep_value", String(220)),
    Column("subj_kind", String(8)),
    Column("subj_value", String(220)),
    Column("kind", String(24)),
    Column("source_type", String(40)),
    Column("valid_from", DateTime(timezone=True)),
    Column("valid_until", DateTime(timezone=True)),
    Column("in_onderzoek", Boolean),
    Column("minor_birth_date", Date),
    prefixes=["TEMPORARY"],
    # PostgreSQL empties it at every commit (without dead rows); SQLite deletes explicitly.
    postgresql_on_commit="DELETE ROWS",
)
_STAGE_COLUMNS = tuple(column.name for column in _STAGE.columns)
_COPY = f"COPY ccbr_import_stage ({', '.join(_STAGE_COLUMNS)}) FROM STDIN"
# COPY text format: these four characters are the only ones that need a backslash escape.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_NULL = "\\N"


def _copy_texts(values: tuple[str, ...]) -> str:
    """The values as tab-separated COPY text fields. Escaping is rarely needed, and checking
    the joined text once is far cheaper than translating every value."""
    joined = "\t".join(values)
    if (
        joined.count("\t") == len(values) - 1
        and "\\" not in joined
        and "\n" not in joined
        and "\r" not in joined
    ):
        return joined
    return "\t".join(value.translate(_COPY_ESCAPES) for value in values)


def _copy_payload(records: list[LegalRelationRecord]) -> bytes:
    """The batch as COPY text-format data (``_STAGE_COLUMNS`` order), built here so the
    writer thread only sends bytes and hardly needs the interpreter."""
    null = _COPY_NULL
    lines = []
    for r in records:
        texts = _copy_texts(
            (
                r.source_ref,
                r.representative.kind,
                r.representative.value,
                r.represented.kind,
                r.represented.value,
                r.kind.value,
                r.source_type,
            )
        )
        lines.append(
            f"{texts}\t{null if r.valid_from is None else r.valid_from.isoformat()}\t"
            f"{null if r.valid_until is None else r.valid_until.isoformat()}\t"
            f"{'t' if r.in_onderzoek else 'f'}\t"
            f"{null if r.minor_birth_date is None else r.minor_birth_date.isoformat()}\n"
        )
    return "".join(lines).encode()


def _stage_rows(records: list[LegalRelationRecord]) -> list[dict[str, object]]:
    return [
        {
            "source_ref": r.source_ref,
            "rep_kind": r.representative.kind,
            "rep_value": r.representative.value,
            "subj_kind": r.represented.kind,
            "subj_value": r.represented.value,
            "kind": r.kind.value,
            "source_type": r.source_type,
            "valid_from": r.valid_from,
            "valid_until": r.valid_until,
            "in_onderzoek": r.in_onderzoek,
            "minor_birth_date": r.minor_birth_date,
        }
        for r in records
    ]


def _write(
    connections: SimpleQueue[Connection],
    payload: bytes | list[dict[str, object]],
    staged: int,
    now: dt.datetime,
    postgres: bool,
) -> Counts:
    """One batch in its own transaction, on a writer connection no other batch is using."""
    conn = connections.get()
    try:
        with conn.begin():
            if isinstance(payload, bytes):
                dbapi = conn.connection.dbapi_connection
                with dbapi.cursor() as cursor, cursor.copy(_COPY) as copy:  # type: ignore[union-attr]
                    copy.write(payload)
            else:
                conn.execute(insert(_STAGE), payload)
            counts = _upsert(conn, now, staged, postgres)
            if not postgres:
                conn.execute(delete(_STAGE))
        return counts
    finally:
        connections.put(conn)


def _drop_stage(conn: Connection) -> None:
    with conn.begin():
        _STAGE.drop(conn)


def _upsert(conn: Connection, now: dt.datetime, staged: int, postgres: bool) -> Counts:
    differs = "IS DISTINCT FROM" if postgres else "IS NOT"
    if postgres:
        # A batch is small next to the register: look every row up by index instead of
        # hashing the whole parties / legal_relations tables once per statement. With that
        # plan fixed the stage needs no statistics (no ANALYZE per batch).
        conn.exec_driver_sql("SET LOCAL enable_hashjoin = off")
        conn.exec_driver_sql("SET LOCAL enable_mergejoin = off")
    conn.execute(
        text(
            "INSERT INTO parties (kind, value) SELECT kind, value FROM ("
            "SELECT rep_kind AS kind, rep_value AS value FROM ccbr_import_stage "
            "UNION SELECT subj_kind, subj_value FROM ccbr_import_stage) AS seen "
            "ORDER BY kind, value ON CONFLICT (kind, value) DO NOTHING"
        )
    )
    joined = (
        "FROM ccbr_import_stage s "
        "JOIN parties r ON r.kind = s.rep_kind AND r.value = s.rep_value "
        "JOIN parties p ON p.kind = s.subj_kind AND p.value = s.subj_value"
    )
    stored_changed = (
        f"legal_relations.kind {differs} excluded.kind "
        f"OR legal_relations.represented_id {differs} excluded.represented_id "
        f"OR legal_relations.valid_from {differs} excluded.valid_from "
        f"OR legal_relations.valid_until {differs} excluded.valid_until"
    )
    upsert = (
        "INSERT INTO legal_relations (kind, representative_id, represented_id, source, "
        "source_ref, source_type, retrieved_at, valid_from, valid_until, in_onderzoek, "
        "minor_birth_date) "
        "SELECT s.kind, r.id, p.id, :source, s.source_ref, s.source_type, :now, "
        f"s.valid_from, s.valid_until, s.in_onderzoek, s.minor_birth_date {joined} "
        "WHERE true "
        "ON CONFLICT (source, source_ref, representative_id) DO UPDATE SET "
        "kind = excluded.kind, represented_id = excluded.represented_id, "
        "source_type = excluded.source_type, valid_from = excluded.valid_from, "
        "valid_until = excluded.valid_until, retrieved_at = excluded.retrieved_at "
        f"WHERE {stored_changed}"
    )
    params = {"source": SOURCE, "now": now}
    if postgres:
        # Unchanged rows are not touched (the WHERE), so RETURNING sees new and changed ones;
        # xmax = 0 marks a fresh insert.
        inserted, updated = conn.execute(
            text(
                f"WITH up AS ({upsert} RETURNING (xmax = 0) AS fresh) "  # noqa: S608
                "SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM up"
            ),
            params,
        ).one()
    else:
        changed = (
            f"l.kind {differs} s.kind OR l.represented_id {differs} p.id "
            f"OR l.valid_from {differs} s.valid_from OR l.valid_until {differs} s.valid_until"
        )
        inserted, updated = conn.execute(
            text(
                "SELECT count(*) FILTER (WHERE l.id IS NULL), "
                f"count(*) FILTER (WHERE l.id IS NOT NULL AND ({changed})) {joined} "
                "LEFT JOIN legal_relations l ON l.source = :source "
                "AND l.source_ref = s.source_ref AND l.representative_id = r.id"
            ),
            params,
        ).one()
        conn.execute(text(upsert), params)
    return Counts(inserted, updated, staged - inserted - updated)
