"""Settings of the eHerkenning simulator, and generation or loading of its signing key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from broker.keys import load_or_create_rsa_identity, self_signed_certificate

# §3.1: urn:etoegang:<ROLE>:<OIN>:entities:<index>; 9000-9999 is the test range.
DEFAULT_ENTITY_ID = "urn:etoegang:HM:00000000000000000000:entities:9001"
KEY_NAME = "eherkenning-sim"


@dataclass(frozen=True)
class RegisteredDv:
    """A service provider (DV) the simulated HM serves, as its metadata and the service
    catalogue describe it (§3.1, §3.2)."""

    certificates: list[bytes]  # PEM: verify its AuthnRequests and ArtifactResolves
    encryption_certificate: bytes  # PEM: EncryptedIDs are encrypted to this
    acs_url: str  # AssertionConsumerService index 0 (artifact binding)
    services: dict[int, tuple[str, str]]  # AttributeConsumingServiceIndex -> (ServiceID, UUID)


@dataclass
class SimulatorSettings:
    """Everything the simulator needs. ``base_url`` is the absolute URL of its mount point."""

    base_url: str
    key: rsa.RSAPrivateKey
    cert_pem: bytes
    entity_id: str = DEFAULT_ENTITY_ID
    dvs: dict[str, RegisteredDv] = field(default_factory=dict)
    require_signed_requests: bool = True
    artifact_lifetime: int = 900
    pending_request_lifetime: int = 900
    subject_confirmation_validity: int = 120
    conditions_validity: int = 900
    static_prefix: str = "/static"

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an absolute http(s) URL")

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
        dvs: dict[str, RegisteredDv] | None = None,
        entity_id: str = DEFAULT_ENTITY_ID,
        require_signed_requests: bool = True,
    ) -> SimulatorSettings:
        """Settings with a fresh key, or the key kept in ``keys_dir`` (created if missing)."""
        if keys_dir is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
            cert_pem = self_signed_certificate(key, "eHerkenning simulator (test only)")
        else:
            key, cert_pem = load_or_create_key(keys_dir)
        return cls(
            base_url=base_url,
            key=key,
            cert_pem=cert_pem,
            entity_id=entity_id,
            dvs=dict(dvs or {}),
            require_signed_requests=require_signed_requests,
        )


def load_or_create_key(keys_dir: Path) -> tuple[rsa.RSAPrivateKey, bytes]:
    """``eherkenning-sim.key``/``.crt`` in ``keys_dir``, created when absent (keeping the key
    lets SPs configure the simulator's certificate once)."""
    return load_or_create_rsa_identity(
        keys_dir / f"{KEY_NAME}.key",
        keys_dir / f"{KEY_NAME}.crt",
        "eHerkenning simulator (test only)",
        key_size=3072,
    )
