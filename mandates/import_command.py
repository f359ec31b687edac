"""``toegang relations import FILE``: the operator's bulk load of curatele, beschermingsbewind
and mentorschap measures (``mandates.sources.ccbr_import``) into the configured register.

Prints one JSON report on stdout: counts, every rejected line with its number and reason, and
the rate. Exit code 0 when every line was imported, 1 when some lines were rejected (the valid
ones are in; fix the others and load the file again, which changes nothing already loaded),
2 when the file cannot be read as an export at all.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from broker.config import Config
from broker.register.database import migrated_engine
from mandates.sources.ccbr import InvalidMeasure
from mandates.sources.ccbr_import import CSV_FIELDS, ImportReport, import_file

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[Any]


def add_relations_command(sub: SubParsers) -> None:
    """Registrar for ``broker.cli.COMMANDS``."""
    relations = sub.add_parser("relations", help="legal representation held in the register")
    relations_sub = relations.add_subparsers(
        dest="relations_command", required=True, metavar="COMMAND"
    )
    load = relations_sub.add_parser(
        "import",
        help="load a curatele/bewind/mentorschap export (.csv or .jsonl)",
        description=(
            "Load an export of the curatele and bewind register. CSV with the header "
            f"{','.join(CSV_FIELDS)} and one representative per line, or JSON lines with one "
            "Maatregel per line. Loading the same file again changes nothing; a corrected "
            "line updates its row."
        ),
    )
    load.add_argument("file", type=Path, metavar="FILE")
    load.set_defaults(handler=_import)


def report_json(path: Path, report: ImportReport) -> dict[str, Any]:
    return {
        "file": str(path),
        "lines": report.lines,
        "inserted": report.inserted,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": [{"line": line, "reason": reason} for line, reason in report.rejected],
        "seconds": round(report.seconds, 3),
        "lines_per_second": round(report.rate),
    }


def _import(args: argparse.Namespace, config: Config) -> int:
    path: Path = args.file
    if not path.is_file():
        print(f"toegang: error: {path}: no such file", file=sys.stderr)
        return 2
    engine = migrated_engine(config.database.url)
    try:
        report = import_file(engine, path)
    except (InvalidMeasure, UnicodeDecodeError) as exc:
        print(f"toegang: error: {path}: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(json.dumps(report_json(path, report), indent=2, ensure_ascii=False))
    return 1 if report.rejected else 0
