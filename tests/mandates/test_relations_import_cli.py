"""``toegang relations import``: an operator loads a curatele/bewind export into the register
(SQLite and PostgreSQL) and reads what happened from the JSON report and the exit code."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, text

from broker.cli import main

POSTGRES_URL = os.environ.get(
    "TOEGANG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
HEADER = "id,soort,betrokkene_bsn,vertegenwoordiger_soort,vertegenwoordiger,ingangsdatum,einddatum"
GOOD = [
    "C-1,curatele,999999990,bsn,111222333,2020-01-01,",
    "B-1,beschermingsbewind,999993653,bsn,111222333,2021-03-01,2030-01-01",
]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    monkeypatch.delenv("TOEGANG_CONFIG", raising=False)
    monkeypatch.setenv("TOEGANG__KEYS__DIRECTORY", str(tmp_path / "keys"))
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'toegang.db'}"
        monkeypatch.setenv("TOEGANG__DATABASE__URL", url)
        yield url
        return
    schema = "test_relations_cli_" + secrets.token_hex(6)
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        monkeypatch.setenv("TOEGANG__DATABASE__URL", url)
        try:
            yield url
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(["relations", "import", *argv])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None, err


def _relations(url: str) -> list[tuple[str, str]]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT source_ref, kind FROM legal_relations ORDER BY source_ref")
            ).all()
        return [(row.source_ref, row.kind) for row in rows]
    finally:
        engine.dispose()


def test_an_export_loads_once_and_reloads_as_unchanged(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export.csv"
    export.write_text("\n".join([HEADER, *GOOD]) + "\n", encoding="utf-8")
    code, report, err = _run(capsys, str(export))
    assert code == 0, err
    assert (report["lines"], report["inserted"], report["rejected"]) == (2, 2, [])
    assert _relations(database) == [("B-1", "beschermingsbewind"), ("C-1", "curatele")]
    code, again, _ = _run(capsys, str(export))
    assert code == 0
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_bad_lines_are_named_and_the_rest_is_loaded(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export.csv"
    lines = [HEADER, GOOD[0], "C-2,curatele,12345,bsn,111222333,2020-01-01,", "C-3,onbekend"]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, report, _ = _run(capsys, str(export))
    assert code == 1
    assert report["inserted"] == 1
    assert [item["line"] for item in report["rejected"]] == [3, 4]
    assert "bsn" in report["rejected"][0]["reason"]
    assert _relations(database) == [("C-1", "curatele")]


def test_json_lines_are_read_as_the_live_interface_sends_them(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    measure = {
        "id": "M-1",
        "soort": "mentorschap",
        "betrokkene": {"bsn": "999999990"},
        "vertegenwoordigers": [{"bsn": "111222333"}],
        "ingangsdatum": "2022-05-01",
        "einddatum": None,
    }
    export = tmp_path / "export.jsonl"
    export.write_text(json.dumps(measure) + "\n", encoding="utf-8")
    code, report, err = _run(capsys, str(export))
    assert code == 0, err
    assert report["inserted"] == 1
    assert _relations(database) == [("M-1", "mentorschap")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("export.csv", "id,soort\nC-1,curatele\n", "CSV header must be"),
        ("export.txt", HEADER + "\n", "must be .csv or .jsonl"),
        ("missing.csv", None, "no such file"),
    ],
)
def test_a_file_that_is_no_export_is_refused_with_one_line(
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | None,
    message: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, report, err = _run(capsys, str(path))
    assert code == 2 and report is None
    assert len(err.strip().splitlines()) == 1 and message in err, err
