"""The representation benchmark runs end to end on a small generated register and prints its
table (figures are not asserted: only that every measurement ran and is plausible)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import psycopg
import pytest

from mandates.bench import main

POSTGRES_URL = os.environ.get(
    "TOEGANG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _rows(output: str) -> dict[str, tuple[float, float]]:
    found = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 7 and re.fullmatch(r"[\d,.]+", cells[5].replace(",", "")):
            found[cells[4]] = (float(cells[5].replace(",", "")), float(cells[6].replace(",", "")))
    return found


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_bench_measures_resolution_and_import(
    backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'bench.db'}" if backend == "sqlite" else POSTGRES_URL
    schemas_before = _bench_schemas()
    main(["--mandates", "300", "--relations", "100", "--db", db, "--samples", "40",
          "--import-lines", "300"])
    captured = capsys.readouterr()
    rows = _rows(captured.out)
    assert set(rows) == {
        "decide (mandate)",
        "options",
        "decide (curatele)",
        "import 300 lines: new / reload (lines/s)",
    }, captured.out
    for name, (first, second) in rows.items():
        assert first > 0 and second > 0, name
        if not name.startswith("import"):
            assert first <= second  # p50 ≤ p99
    if backend == "postgresql":
        assert "pg_prewarm:" in captured.err
    assert _bench_schemas() == schemas_before  # without --keep nothing is left behind
    assert not (tmp_path / "bench.db").exists()


def _bench_schemas() -> set[str]:
    with psycopg.connect(POSTGRES_URL, connect_timeout=5) as conn:
        rows = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'mandates_bench_%'"
        ).fetchall()
    return {row[0] for row in rows}
