"""An OpenID Provider simulator standing in for an approved private login means.

Used in-process by the broker's demo (``simulator = true`` in an ``oidc_upstream`` entry) and by
the tests; ``python -m conformance.oidc_provider`` runs it on its own.
"""

from __future__ import annotations

from conformance.oidc_provider.app import OidcSimulator
from conformance.oidc_provider.client_auth import ClientRegistration
from conformance.oidc_provider.users import ACR_OF_LEVEL, ACR_PREFIX, LEVEL_VALUES, USERS, TestUser

__all__ = [
    "ACR_OF_LEVEL",
    "ACR_PREFIX",
    "LEVEL_VALUES",
    "USERS",
    "ClientRegistration",
    "OidcSimulator",
    "TestUser",
]
