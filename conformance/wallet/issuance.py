"""The test wallet's credentials: a test PID issuer whose CA the demo broker trusts, a rogue
issuer it does not trust, a static Token Status List, and the fault switches.

Status list: fixed, so a verifier's cache (``ttl``) never hides a change: index 1 is INVALID
(revoked), index 2 SUSPENDED, every other index VALID; ordinary credentials get a random index
(HAIP: unique, unpredictable index per credential, within this small test list).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Final

from wallet_adapters.status_list import INVALID, JWT_MEDIA_TYPE, SUSPENDED, FetchedToken
from wallet_adapters.testing import (
    TEST_PERSONS,
    HolderFault,
    IssuerFault,
    TestPerson,
    TestPidIssuer,
    TestPki,
)

STATUS_URI: Final = "https://status.toegang.example.nl/pid/1"
STATUS_HOST: Final = "status.toegang.example.nl"
STATUS_SIZE: Final = 4096
REVOKED_IDX: Final = 1
SUSPENDED_IDX: Final = 2

# Faults of the simulated wallet itself (on top of the adapters' Holder/IssuerFault).
WALLET_FAULTS: Final[dict[str, str]] = {
    "expired": "credential expired yesterday",
    "revoked": "status list: revoked (INVALID)",
    "suspended": "status list: SUSPENDED",
    "untrusted_issuer": "issued by a CA the verifier does not trust",
    "wrong_state": "response carries another state",
    "plaintext": "direct_post without encryption",
    "wrong_encryption_key": "JWE encrypted to another key (same kid)",
}
HOLDER_FAULTS: Final = {f.value: f for f in HolderFault}
ISSUER_FAULTS: Final = {f.value: f for f in IssuerFault}
ALL_FAULTS: Final[tuple[str, ...]] = (*WALLET_FAULTS, *HOLDER_FAULTS, *ISSUER_FAULTS)

PERSONS: Final[dict[str, TestPerson]] = {
    **TEST_PERSONS,
    "999990019": TestPerson("Jan", "Jansen", dt.date(1990, 7, 14), "999990019"),
    # Fails the elfproef: a verifier must refuse it as a BSN.
    "123456789": TestPerson("Foutief", "Nummer", dt.date(1980, 1, 1), "123456789"),
}


def _test_pki(name: str) -> TestPki:
    return TestPki.create(name)


@dataclass
class SimulatedIssuers:
    """The trusted test PID issuer, a rogue one and the status list they share."""

    pki: TestPki = field(default_factory=lambda: _test_pki("Test PID"))
    rogue_pki: TestPki = field(default_factory=lambda: _test_pki("Rogue PID"))

    def __post_init__(self) -> None:
        self.issuer = TestPidIssuer(self.pki, status_uri=STATUS_URI)
        self.rogue = TestPidIssuer(self.rogue_pki, status_uri=STATUS_URI)

    @staticmethod
    def status_index(faults: frozenset[str]) -> int:
        if "revoked" in faults:
            return REVOKED_IDX
        if "suspended" in faults:
            return SUSPENDED_IDX
        return 16 + secrets.randbelow(STATUS_SIZE - 16)

    def status_list_token(self, now: dt.datetime | None = None) -> str:
        return self.issuer.status_list_jwt(
            {REVOKED_IDX: INVALID, SUSPENDED_IDX: SUSPENDED},
            bits=2,
            size=STATUS_SIZE,
            now=now,
            uri=STATUS_URI,
        )

    async def fetch_status(self, uri: str) -> FetchedToken:
        """An in-process status fetcher for the verifier (the test URI is not reachable)."""
        if uri != STATUS_URI:
            raise ConnectionError(f"no simulated status list at {uri}")
        return FetchedToken(JWT_MEDIA_TYPE, self.status_list_token().encode())


__all__ = [
    "ALL_FAULTS",
    "PERSONS",
    "STATUS_HOST",
    "STATUS_URI",
    "WALLET_FAULTS",
    "SimulatedIssuers",
]
