"""Shared constants, fakes and fixtures for tests/wallet.

Deliberately not a ``conftest.py``: several test directories have one, all imported
under the module name ``conftest``, and some of them look themselves up through
``sys.modules["conftest"]`` at run time, which a later ``conftest.py`` would shadow.
Test modules import the fixtures they use from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from wallet_adapters.mdoc.session_transcript import openid4vp_session_transcript
from wallet_adapters.mdoc.verifier import MdocPolicy
from wallet_adapters.openid4vp.client_id import x509_hash_client_id
from wallet_adapters.sd_jwt_vc import SdJwtVcPolicy, x5c_resolver
from wallet_adapters.status_list import JWT_MEDIA_TYPE, FetchedToken, StatusListClient
from wallet_adapters.testing import TEST_PERSONS, TestHolder, TestPerson, TestPidIssuer, TestPki

DATA = Path(__file__).parent.parent / "data" / "wallet"
NOW = dt.datetime(2026, 11, 28, 12, 0, 0, tzinfo=dt.UTC)
NL_PID = "urn:eudi:pid:nl:1"
RESPONSE_URI = "https://toegang.example.nl/wallet/response"


@dataclass
class FakeStatusEndpoint:
    """An injected fetcher: serves one token per URI and counts fetches."""

    tokens: dict[str, FetchedToken] = field(default_factory=dict)
    calls: int = 0
    fail: bool = False

    def serve_jwt(self, uri: str, token: str) -> None:
        self.tokens[uri] = FetchedToken(JWT_MEDIA_TYPE, token.encode())

    async def __call__(self, uri: str) -> FetchedToken:
        self.calls += 1
        if self.fail:
            raise ConnectionError("unreachable")
        return self.tokens[uri]


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
