"""BRP API Gezag and CCBR clients against their simulators; the operator import."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from mandates_world import T0, Simulators
from sqlalchemy import Engine, select

from broker.identifiers import PartyId
from conformance.brp_gezag import families as f
from conformance.ccbr import measures as m
from mandates.bench import bsn_for
from mandates.catalogue import RepresentationKind as K
from mandates.legal_cache import LegalRelationCache
from mandates.sources import ccbr_import
from mandates.sources.base import LegalRelationRecord, SourceUnavailable
from mandates.sources.brp_gezag import BrpGezagClient
from mandates.sources.ccbr import CcbrClient
from mandates.sources.ccbr_import import _COPY, _STAGE, _copy_payload, _stage_rows, import_file


def bsn(value: str) -> PartyId:
    return PartyId("bsn", value)


async def test_brp_couple_two_children(sims: Simulators) -> None:
    records = await sims.brp.relations_of(bsn(f.JAN.bsn))
    by_child = {r.represented.value: r for r in records}
    assert set(by_child) == {f.SANNE.bsn, f.BRAM.bsn}
    assert by_child[f.BRAM.bsn].minor_birth_date == dt.date(2012, 2, 29)
    assert all(r.kind is K.PARENTAL_AUTHORITY and not r.blocked for r in records)


async def test_brp_request_shape() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"personen": []})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        await BrpGezagClient(http, "https://brp.example/").relations_of(bsn(f.JAN.bsn))
    assert seen[0].method == "POST"
    assert seen[0].url.path == "/api/v1/opvragenBevoegdheidTotGezag"
    assert seen[0].headers["Accept-Gezag-Version"] == "2"
    assert json.loads(seen[0].content) == {"burgerservicenummer": [f.JAN.bsn]}


@pytest.mark.parametrize(
    ("parent", "kind", "blocked", "source_type"),
    [
        (f.FATIMA, K.PARENTAL_AUTHORITY, False, "EenhoofdigOuderlijkGezag"),
        (f.PETER, K.GUARDIANSHIP, False, "Voogdij"),
        (f.MARK, K.PARENTAL_AUTHORITY, False, "GezamenlijkGezag"),
        (f.KEES, K.PARENTAL_AUTHORITY, True, "EenhoofdigOuderlijkGezag"),
        (f.ANNA, K.PARENTAL_AUTHORITY, True, "TijdelijkGeenGezag"),
        (f.TOM, K.PARENTAL_AUTHORITY, True, "GezagNietTeBepalen"),
    ],
)
async def test_brp_families(
    sims: Simulators, parent: f.Person, kind: K, blocked: bool, source_type: str
) -> None:
    (record,) = await sims.brp.relations_of(bsn(parent.bsn))
    assert (record.kind, record.blocked, record.source_type) == (kind, blocked, source_type)


async def test_brp_minor_asking_gets_nothing_to_represent(sims: Simulators) -> None:
    assert await sims.brp.relations_of(bsn(f.SANNE.bsn)) == []


async def test_brp_unavailable(sims: Simulators) -> None:
    sims.brp_app.state.unavailable = True
    with pytest.raises(SourceUnavailable):
        await sims.brp.relations_of(bsn(f.JAN.bsn))


@pytest.mark.parametrize("failure", ["timeout", "connect", "500", "garbage"])
async def test_brp_failures_are_unavailable(failure: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if failure == "timeout":
            raise httpx.ReadTimeout("slow", request=request)
        if failure == "connect":
            raise httpx.ConnectError("refused", request=request)
        if failure == "500":
            return httpx.Response(500)
        return httpx.Response(200, content=b"<html>")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(SourceUnavailable):
            await BrpGezagClient(http, "https://brp.example").relations_of(bsn(f.JAN.bsn))
        with pytest.raises(SourceUnavailable):
            await CcbrClient(http, "https://ccbr.example").relations_of(bsn(m.HENK))


async def test_ccbr_measures(sims: Simulators) -> None:
    henk = await sims.ccbr.relations_of(bsn(m.HENK))
    assert {(r.represented.value, r.kind) for r in henk} == {
        (m.GERRIT, K.CURATELE),
        (m.BERT, K.CURATELE),
    }
    company = await sims.ccbr.relations_of(PartyId("kvk", m.BEWIND_BV))
    assert [(r.represented.value, r.kind) for r in company] == [(m.WIM, K.BESCHERMINGSBEWIND)]
    (mentor,) = await sims.ccbr.relations_of(bsn(m.JOKE))
    assert mentor.kind is K.MENTORSCHAP
    assert await sims.ccbr.relations_of(bsn(m.GERRIT)) == []  # the subject represents nobody
    sims.ccbr_app.state.unavailable = True
    with pytest.raises(SourceUnavailable):
        await sims.ccbr.relations_of(bsn(m.HENK))


async def test_cache_max_age_and_no_stale_use(engine: Engine, sims: Simulators) -> None:
    cache = LegalRelationCache(engine, [sims.brp], max_age=dt.timedelta(minutes=15))
    kinds = frozenset({K.PARENTAL_AUTHORITY})
    first = await cache.relations_of(bsn(f.JAN.bsn), kinds, T0)
    assert len(first.relations) == 2
    sims.brp_app.state.unavailable = True
    cached = await cache.relations_of(bsn(f.JAN.bsn), kinds, T0 + dt.timedelta(minutes=10))
    assert len(cached.relations) == 2 and not cached.unavailable
    stale = await cache.relations_of(bsn(f.JAN.bsn), kinds, T0 + dt.timedelta(minutes=20))
    assert stale.relations == [] and stale.unavailable == {"brp_gezag"}


def test_import_good_and_bad_lines(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "ccbr.csv"
    path.write_text(
        "id,soort,betrokkene_bsn,vertegenwoordiger_soort,vertegenwoordiger,ingangsdatum,einddatum\n"
        f"M1,curatele,{m.GERRIT},bsn,{m.HENK},2020-01-01,\n"
        f"M2,beschermingsbewind,{m.WIM},kvk,{m.BEWIND_BV},2021-05-01,2030-01-01\n"
        f"M3,mentorschap,{m.RIA},bsn,{m.JOKE},2022-03-01,\n"
        f"M4,voogdij,{m.RIA},bsn,{m.JOKE},2022-03-01,\n"
        f"M5,curatele,123456789,bsn,{m.HENK},2022-03-01,\n"
        f"M6,curatele,{m.RIA},bsn,{m.HENK},2022-13-01,\n"
        f"M7,curatele,{m.RIA},bsn,{m.HENK},2022-03-01,2021-01-01\n"
        f"M8,curatele,{m.RIA},bsn,{m.RIA},2022-03-01,\n"
        f"M1,curatele,{m.GERRIT},bsn,{m.HENK},2020-01-01,\n"
        "too,few,columns\n",
        encoding="utf-8",
    )
    report = import_file(engine, path, now=T0)
    assert (report.lines, report.inserted, report.updated, report.unchanged) == (10, 3, 0, 0)
    reasons = dict(report.rejected)
    assert set(reasons) == {5, 6, 7, 8, 9, 10, 11}
    assert "soort" in reasons[5] and "invalid bsn" in reasons[6] and "date" in reasons[7]
    assert "after" in reasons[8] and "themself" in reasons[9] and "duplicate" in reasons[10]
    again = import_file(engine, path, now=T0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_import_json_lines_updates(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "ccbr.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in m.MEASURES) + "\n{broken\n", "utf-8")
    report = import_file(engine, path, now=T0)
    assert (report.inserted, len(report.rejected)) == (5, 1)
    changed = [dict(x) for x in m.MEASURES]
    changed[0]["einddatum"] = "2027-01-01"
    path.write_text("\n".join(json.dumps(x) for x in changed), "utf-8")
    report = import_file(engine, path, now=T0)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 4)


def test_import_copy_payload_round_trips(engine: Engine) -> None:
    """The hand-built COPY text reads back exactly: escapes, NULLs, booleans, dates, Unicode."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the COPY payload is PostgreSQL's")
    refs = ["tab\there", "new\nline", "cr\rreturn", "back\\slash", "\\N", "\\.", "trail\\", "Zoë €"]
    records = [
        LegalRelationRecord(
            kind=K.CURATELE,
            representative=bsn(m.HENK),
            represented=bsn(m.GERRIT),
            source="ccbr_import",
            source_ref=ref,
            source_type="curatele" if index % 2 else f"type\t{index}\\",
            valid_from=T0 if index % 2 else None,
            valid_until=T0 + dt.timedelta(days=index) if index % 3 else None,
            in_onderzoek=bool(index % 2),
            minor_birth_date=dt.date(2012, 2, 29) if index % 2 else None,
        )
        for index, ref in enumerate(refs)
    ]
    with engine.begin() as conn:
        _STAGE.create(conn)
        with conn.connection.dbapi_connection.cursor().copy(_COPY) as copy:  # type: ignore[union-attr]
            copy.write(_copy_payload(records))
        stored = [dict(row) for row in conn.execute(select(_STAGE)).mappings()]
        _STAGE.drop(conn)
    by_ref = sorted(stored, key=lambda row: str(row["source_ref"]))
    assert by_ref == sorted(_stage_rows(records), key=lambda row: str(row["source_ref"]))


def test_import_in_many_batches_sharing_parties(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches written side by side register the same representative without deadlock, and
    the counts add up over all batches."""
    monkeypatch.setattr(ccbr_import, "BATCH", 3)
    path = tmp_path / "ccbr.csv"
    lines = [",".join(ccbr_import.CSV_FIELDS)]
    lines += [
        f"B{k},beschermingsbewind,{bsn_for(k)},kvk,{m.BEWIND_BV},2021-05-01,"
        if k % 2
        else f"B{k},curatele,{bsn_for(k)},bsn,{m.HENK},2020-01-01,2030-01-01"
        for k in range(40)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_file(engine, path, now=T0)
    assert (report.lines, report.inserted, report.rejected) == (40, 40, [])
    lines[6] = lines[6].replace("2021-05-01", "2021-06-01")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    again = import_file(engine, path, now=T0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 1, 39)


def test_import_failing_batch_keeps_earlier_batches(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch that fails stops the import with its error; the batches before it stay (and
    perhaps the one written alongside), the connections go back clean, and loading the file
    again completes it."""
    monkeypatch.setattr(ccbr_import, "BATCH", 3)
    path = tmp_path / "ccbr.csv"
    lines = [",".join(ccbr_import.CSV_FIELDS)]
    lines += [f"F{k},curatele,{bsn_for(k)},bsn,{m.HENK},2020-01-01," for k in range(12)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    upsert = ccbr_import._upsert
    calls = itertools.count()

    def failing_third(*args: Any) -> ccbr_import.Counts:
        if next(calls) == 2:
            raise RuntimeError("database gone")
        return upsert(*args)

    monkeypatch.setattr(ccbr_import, "_upsert", failing_third)
    with pytest.raises(RuntimeError, match="database gone"):
        import_file(engine, path, now=T0)
    monkeypatch.setattr(ccbr_import, "_upsert", upsert)
    report = import_file(engine, path, now=T0)
    assert report.unchanged in (6, 9) and report.inserted == 12 - report.unchanged
