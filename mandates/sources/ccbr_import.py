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
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from mandates.legal_cache import record_row
from mandates.models import LegalRelation, as_utc
from mandates.party_store import party_id
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
BATCH = 1000


@dataclass
class ImportReport:
    lines: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Lines per second."""
        return self.lines / self.seconds if self.seconds else 0.0


def _measures(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, measure or InvalidMeasure) for every data line of the file."""
    suffix = path.suffix.lower()
    with path.open(encoding="utf-8", newline="") as handle:
        if suffix == ".csv":
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != CSV_FIELDS:
                raise InvalidMeasure(f"CSV header must be: {','.join(CSV_FIELDS)}")
            for row in reader:
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


def _measure_from_csv(row: dict[str | Any, str | Any]) -> Any:
    if None in row or any(value is None for value in row.values()):
        return InvalidMeasure("wrong number of columns")
    return {
        "id": row["id"],
        "soort": row["soort"],
        "betrokkene": {"bsn": row["betrokkene_bsn"]},
        "vertegenwoordigers": [{row["vertegenwoordiger_soort"]: row["vertegenwoordiger"]}],
        "ingangsdatum": row["ingangsdatum"],
        "einddatum": row["einddatum"] or None,
    }


def import_file(engine: Engine, path: Path, now: dt.datetime | None = None) -> ImportReport:
    """Load ``path`` into the legal-relation table; returns counts and rejected lines."""
    now = now or dt.datetime.now(dt.UTC)
    report = ImportReport()
    started = time.perf_counter()
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
            _write(engine, batch, now, report)
            batch = []
    if batch:
        _write(engine, batch, now, report)
    report.seconds = time.perf_counter() - started
    return report


def _same(row: LegalRelation, record: LegalRelationRecord, represented_id: int) -> bool:
    def at(value: dt.datetime | None) -> dt.datetime | None:
        return None if value is None else as_utc(value)

    return (
        row.kind == record.kind.value
        and row.represented_id == represented_id
        and at(row.valid_from) == record.valid_from
        and at(row.valid_until) == record.valid_until
    )


def _write(
    engine: Engine, records: list[LegalRelationRecord], now: dt.datetime, report: ImportReport
) -> None:
    with Session(engine) as session, session.begin():
        for record in records:
            rep_id = party_id(session, record.representative)
            subject_id = party_id(session, record.represented)
            row = session.exec(
                select(LegalRelation).where(
                    LegalRelation.source == SOURCE,
                    LegalRelation.source_ref == record.source_ref,
                    LegalRelation.representative_id == rep_id,
                )
            ).first()
            if row is None:
                session.add(record_row(record, (rep_id, subject_id), now))
                report.inserted += 1
            elif _same(row, record, subject_id):
                report.unchanged += 1
            else:
                row.kind = record.kind.value
                row.represented_id = subject_id
                row.source_type = record.source_type
                row.valid_from = record.valid_from
                row.valid_until = record.valid_until
                row.retrieved_at = now
                report.updated += 1
