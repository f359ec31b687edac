"""An eHerkenning simulator: a SAML 2.0 IdP that behaves like a Herkenningsmakelaar (HM) on the
eTD DV-HM interface (``nl-login-means.md`` §3): Redirect-binding AuthnRequest in, artifact out,
ArtifactResolve over SOAP, EncryptedIDs for every identifier.

It lets the broker's eHerkenning leg run end to end without an HM's test environment. It is a
test tool: the login page says so, and it must never be reachable from production.
"""

from conformance.eherkenning.app import EherkenningSimulator
from conformance.eherkenning.settings import RegisteredDv, SimulatorSettings

__all__ = ["EherkenningSimulator", "RegisteredDv", "SimulatorSettings"]
