"""A test wallet (OpenID4VP 1.0 holder) with a test PID issuer, for the demo and the tests.

It answers the broker's wallet means like an EUDI wallet would: it fetches and verifies the
signed request object, shows what is asked, and posts an encrypted ``direct_post.jwt`` answer
built with ``wallet_adapters.testing``, optionally with a fault switched on. It is a test tool:
every page says "Testwallet — geen echte wallet", and it must never be reachable in production.
"""

from conformance.wallet.app import TestWallet, TestWalletSettings
from conformance.wallet.issuance import ALL_FAULTS, PERSONS, STATUS_HOST, SimulatedIssuers

__all__ = [
    "ALL_FAULTS",
    "PERSONS",
    "STATUS_HOST",
    "SimulatedIssuers",
    "TestWallet",
    "TestWalletSettings",
]
