"""Settings of the DigiD simulator, and generation or loading of its signing key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from broker.identifiers import elfproef
from broker.keys import load_or_create_rsa_identity, self_signed_certificate

DEFAULT_ENTITY_ID = "urn:toegang:sim:digid"
KEY_FILE = "digid-sim.key"
CERT_FILE = "digid-sim.crt"


@dataclass
class SimulatorSettings:
    """Everything the simulator needs; no global state, so several simulators can coexist.

    ``base_url`` is the absolute URL at which the simulator's routes are reachable (the mount
    point, without a trailing slash): SAML messages carry absolute endpoint URLs, and behind a
    mount the simulator cannot reliably infer them from the request.
    """

    base_url: str
    key: rsa.RSAPrivateKey
    cert_pem: bytes
    entity_id: str = DEFAULT_ENTITY_ID
    sp_certificates: dict[str, list[bytes]] = field(default_factory=dict)
    """SP entity id → PEM certificates that may verify its AuthnRequests and ArtifactResolves.

    Only SPs listed here are served, even when signatures are not required: the simulator stands
    in for DigiD, which only talks to registered ("aangesloten") service providers."""
    require_signed_requests: bool = True
    require_mtls: bool = False
    """Demand a TLS client certificate on the SOAP endpoint, read from the ASGI TLS extension
    (``scope["extensions"]["tls"]["client_cert_chain"]``). Servers that do not fill in that
    extension (uvicorn does not) make every ArtifactResolve fail while this is on."""
    artifact_lifetime: int = 900
    """Seconds an artifact can be resolved (ST-SAML: at most 15 minutes)."""
    pending_request_lifetime: int = 900
    """Seconds a shown login form stays usable."""
    subject_confirmation_validity: int = 120
    conditions_validity: int = 900
    default_bsn: str = "999999990"
    static_prefix: str = "/static"
    """Where the NL Design System CSS is served (by the broker, or by the standalone runner)."""

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an absolute http(s) URL")
        if not elfproef(self.default_bsn):
            raise ValueError("default_bsn must be a valid BSN (9 digits, elfproef)")

    @property
    def sso_url(self) -> str:
        return self.base_url + "/sso"

    @property
    def artifact_url(self) -> str:
        return self.base_url + "/artifact"

    @property
    def metadata_url(self) -> str:
        return self.base_url + "/metadata"

    @classmethod
    def generate(
        cls,
        base_url: str,
        *,
        keys_dir: Path | None = None,
        sp_certificates: dict[str, list[bytes]] | None = None,
        entity_id: str = DEFAULT_ENTITY_ID,
        require_signed_requests: bool = True,
        require_mtls: bool = False,
        default_bsn: str = "999999990",
    ) -> SimulatorSettings:
        """Settings with a fresh key, or with the key kept in ``keys_dir`` (created if missing).

        Keeping the key in a directory lets SPs configure the simulator's certificate once
        instead of re-reading metadata after every restart.
        """
        if keys_dir is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
            cert_pem = self_signed_certificate(key, "DigiD simulator (test only)")
        else:
            key, cert_pem = load_or_create_key(keys_dir)
        return cls(
            base_url=base_url,
            key=key,
            cert_pem=cert_pem,
            entity_id=entity_id,
            sp_certificates=dict(sp_certificates or {}),
            require_signed_requests=require_signed_requests,
            require_mtls=require_mtls,
            default_bsn=default_bsn,
        )


def load_or_create_key(keys_dir: Path) -> tuple[rsa.RSAPrivateKey, bytes]:
    """Read ``digid-sim.key``/``digid-sim.crt`` from ``keys_dir``, creating them when absent."""
    return load_or_create_rsa_identity(
        keys_dir / KEY_FILE, keys_dir / CERT_FILE, "DigiD simulator (test only)", key_size=3072
    )
