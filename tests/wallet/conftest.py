"""Fixtures for the wallet verification core: a test PKI, PID issuer, holder, policies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import pytest
from wallet_support import NL_PID, NOW, RESPONSE_URI, FakeStatusEndpoint

from wallet_adapters.mdoc.session_transcript import openid4vp_session_transcript
from wallet_adapters.mdoc.verifier import MdocPolicy
from wallet_adapters.openid4vp.client_id import x509_hash_client_id
from wallet_adapters.sd_jwt_vc import SdJwtVcPolicy, x5c_resolver
from wallet_adapters.status_list import FetchedToken, StatusListClient
from wallet_adapters.testing import TEST_PERSONS, TestHolder, TestPerson, TestPidIssuer, TestPki


@pytest.fixture(scope="session")
def pki() -> TestPki:
    return TestPki.create(now=NOW)


@pytest.fixture(scope="session")
def rogue_pki() -> TestPki:
    return TestPki.create("Rogue", now=NOW)


@pytest.fixture(scope="session")
def issuer(pki: TestPki) -> TestPidIssuer:
    return TestPidIssuer(pki)


@pytest.fixture(scope="session")
def holder() -> TestHolder:
    return TestHolder()


@pytest.fixture(scope="session")
def person() -> TestPerson:
    return TEST_PERSONS["999999990"]


@pytest.fixture(scope="session")
def client_id(pki: TestPki) -> str:
    return x509_hash_client_id(pki.verifier_cert)


@pytest.fixture
def sd_policy(pki: TestPki) -> SdJwtVcPolicy:
    return SdJwtVcPolicy(
        key_resolver=x5c_resolver(pki.trust_list()),
        allowed_vcts=frozenset({NL_PID, "urn:eudi:pid:1"}),
    )


@pytest.fixture
def mdoc_policy(pki: TestPki) -> MdocPolicy:
    return MdocPolicy(
        trust=pki.trust_list(),
        allowed_doctypes=frozenset({NL_PID, "eu.europa.ec.eudi.pid.1"}),
    )


@pytest.fixture
def transcript(client_id: str) -> Callable[[str], bytes]:
    def make(nonce: str) -> bytes:
        return openid4vp_session_transcript(client_id, nonce, b"\x01" * 32, RESPONSE_URI)

    return make


@pytest.fixture
def status_endpoint() -> FakeStatusEndpoint:
    return FakeStatusEndpoint()


@pytest.fixture
def status_client_factory(
    pki: TestPki, status_endpoint: FakeStatusEndpoint
) -> Callable[..., StatusListClient]:
    def make(now: Callable[[], dt.datetime] = lambda: NOW, **kw: object) -> StatusListClient:
        fetcher: Callable[[str], Awaitable[FetchedToken]] = status_endpoint
        return StatusListClient(fetcher, pki.trust_list(), clock=now, **kw)  # type: ignore[arg-type]

    return make
