"""Settings of the eIDAS node simulator, and generation or loading of its signing key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from broker.keys import load_or_create_rsa_identity, self_signed_certificate

KEY_FILE = "eidas-sim.key"
CERT_FILE = "eidas-sim.crt"
COMMON_NAME = "eIDAS node simulator (test only)"


@dataclass
class NodeSettings:
    """Everything the simulator needs; several simulators can coexist in one process.

    ``base_url`` is the absolute URL of the mount point: SAML messages carry absolute URLs.
    """

    base_url: str
    key: rsa.RSAPrivateKey
    cert_pem: bytes
    entity_id: str = ""  # default: <base_url>/metadata, as eIDAS nodes name themselves
    sp_certificates: dict[str, list[bytes]] = field(default_factory=dict)
    """SP entity id → PEM certificates that verify its AuthnRequests; only these SPs are served
    (a node only answers connected service providers)."""
    pending_request_lifetime: int = 900
    assertion_validity: int = 300
    static_prefix: str = "/static"

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an absolute http(s) URL")
        if not self.entity_id:
            self.entity_id = self.metadata_url

    @property
    def sso_url(self) -> str:
        return self.base_url + "/sso"

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
        entity_id: str = "",
    ) -> NodeSettings:
        """Settings with a fresh key, or the key kept in ``keys_dir`` (created when absent)."""
        if keys_dir is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
            cert_pem = self_signed_certificate(key, COMMON_NAME)
        else:
            key, cert_pem = load_or_create_key(keys_dir)
        return cls(
            base_url=base_url,
            key=key,
            cert_pem=cert_pem,
            entity_id=entity_id,
            sp_certificates=dict(sp_certificates or {}),
        )


def load_or_create_key(keys_dir: Path) -> tuple[rsa.RSAPrivateKey, bytes]:
    """Read ``eidas-sim.key``/``eidas-sim.crt`` from ``keys_dir``, creating them when absent."""
    return load_or_create_rsa_identity(
        keys_dir / KEY_FILE, keys_dir / CERT_FILE, COMMON_NAME, key_size=3072
    )
