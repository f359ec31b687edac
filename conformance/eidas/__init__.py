"""An eIDAS node simulator: a SAML 2.0 IdP that answers like the Dutch eIDAS node (connector).

It lets the broker's eIDAS leg, and service providers' own tests, run the whole HTTP-POST round
trip (signed AuthnRequest → pick a test person and LoA → signed Response with the mandatory
natural-person attributes) without the real node. It is a test tool: every page says so, and it
must never be reachable from production.
"""

from conformance.eidas.app import EidasNodeSimulator
from conformance.eidas.persons import PERSONS, TestPerson
from conformance.eidas.settings import NodeSettings

__all__ = ["PERSONS", "EidasNodeSimulator", "NodeSettings", "TestPerson"]
