"""Test PID issuer, holder and PKI.

For tests and the conformance test wallet only: keys are generated in memory and
there is no protection of any kind. Never wire these into production code paths.
"""

from wallet_adapters.testing.holder import HolderFault, TestHolder
from wallet_adapters.testing.issuer import (
    TEST_PERSONS,
    IssuedMdoc,
    IssuedSdJwtVc,
    IssuerFault,
    TestPerson,
    TestPidIssuer,
)
from wallet_adapters.testing.pki import TestPki

__all__ = [
    "TEST_PERSONS",
    "HolderFault",
    "IssuedMdoc",
    "IssuedSdJwtVc",
    "IssuerFault",
    "TestHolder",
    "TestPerson",
    "TestPidIssuer",
    "TestPki",
]
