"""Mandate tests run on a fresh SQLite file and on the real PostgreSQL (own schema per test,
set through the connection's ``search_path``), like the register tests."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import Engine

from broker.assurance import Level
from broker.register.database import create_engine_for, migrate
from conformance.brp_gezag.app import create_app as create_brp
from conformance.ccbr.app import create_app as create_ccbr
from mandates.audit import AuditSettings
from mandates.catalogue import LegalDomain, ServiceTerms
from mandates.catalogue import RepresentationKind as K
from mandates.legal_cache import LegalRelationCache
from mandates.lifecycle import MandateLifecycle
from mandates.resolution import Resolver
from mandates.sources.brp_gezag import BrpGezagClient
from mandates.sources.ccbr import CcbrClient

POSTGRES_URL = os.environ.get(
    "TOEGANG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
T0 = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)
AUDIT = AuditSettings(pseudonym_key=b"k" * 32)
ALL_LEGAL = frozenset(
    {K.PARENTAL_AUTHORITY, K.GUARDIANSHIP, K.CURATELE, K.BESCHERMINGSBEWIND, K.MENTORSCHAP}
)
TAX = ServiceTerms(
    "11111111-0000-0000-0000-000000000001",
    Level.SUBSTANTIAL,
    frozenset({K.VOLUNTARY, K.CHAIN}) | ALL_LEGAL,
    LegalDomain.FINANCIAL,
)
CARE = ServiceTerms(
    "11111111-0000-0000-0000-000000000002",
    Level.LOW,
    frozenset({K.VOLUNTARY}) | ALL_LEGAL,
    LegalDomain.PERSONAL,
)
PERMIT = ServiceTerms(
    "11111111-0000-0000-0000-000000000003",
    Level.LOW,
    frozenset({K.VOLUNTARY, K.CHAIN}),
    LegalDomain.BOTH,
)
SELF_ONLY = ServiceTerms("11111111-0000-0000-0000-000000000004", Level.LOW)
HIGH = ServiceTerms(
    "11111111-0000-0000-0000-000000000005",
    Level.HIGH,
    frozenset({K.VOLUNTARY}) | ALL_LEGAL,
    LegalDomain.BOTH,
)


def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'mandates.db'}"
    migrate(url)
    engine = create_engine_for(url)
    yield engine
    engine.dispose()


def postgres_engine() -> Iterator[Engine]:
    schema = "test_mandates_" + secrets.token_hex(6)
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        try:
            migrate(url)
            engine = create_engine_for(url)
            yield engine
            engine.dispose()
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        yield from sqlite_engine(tmp_path)
    else:
        yield from postgres_engine()


@pytest.fixture
def lifecycle(engine: Engine) -> MandateLifecycle:
    return MandateLifecycle(engine, AUDIT)


class Simulators:
    def __init__(self) -> None:
        self.brp_app = create_brp()
        self.ccbr_app = create_ccbr()
        self.brp_http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.brp_app))
        self.ccbr_http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.ccbr_app))
        self.brp = BrpGezagClient(self.brp_http, "http://brp.test")
        self.ccbr = CcbrClient(self.ccbr_http, "http://ccbr.test")

    async def close(self) -> None:
        await self.brp_http.aclose()
        await self.ccbr_http.aclose()


@pytest.fixture
async def sims() -> AsyncIterator[Simulators]:
    simulators = Simulators()
    yield simulators
    await simulators.close()


@pytest.fixture
def resolver(engine: Engine, sims: Simulators) -> Resolver:
    cache = LegalRelationCache(engine, [sims.brp, sims.ccbr], max_age=dt.timedelta(minutes=15))
    return Resolver(engine, cache, AUDIT)
