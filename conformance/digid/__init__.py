"""A DigiD simulator: a SAML 2.0 IdP that behaves like classic DigiD (Koppelvlakspecificatie 3.x).

It exists so the broker's DigiD leg, and service providers' own test suites, can run the full
redirect → login → artifact → SOAP ArtifactResolve round trip without access to DigiD's
pre-production environment. It is a test tool: the login page says so loudly, and it must never be
reachable from production.
"""

from conformance.digid.app import DigidSimulator
from conformance.digid.settings import SimulatorSettings

__all__ = ["DigidSimulator", "SimulatorSettings"]
