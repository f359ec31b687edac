"""The verifier's own identity: access certificate chain, signing key and Client Identifier.

HAIP 1.0 §"OpenID4VP via Redirects": the request object is signed with the key of an access
certificate, carried in ``x5c`` without the trust anchor, and the signing certificate is not
self-signed. The Client Identifier is ``x509_hash:<b64url sha256(DER leaf)>`` (HAIP mandate) or,
configurable, ``x509_san_dns:<dNSName>`` (OpenID4VP 1.0 §5.9.3). For the demo a throw-away CA
and access certificate are generated into the keys directory and reused across restarts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from broker.errors import ConfigError
from broker.keys import write_private_key
from wallet_adapters.openid4vp import x509_hash_client_id, x509_san_dns_client_id
from wallet_adapters.testing.pki import make_ca, make_leaf

DEMO_CA_FILE = "wallet-access-ca.pem"
DEMO_CERT_FILE = "wallet-access.pem"
DEMO_KEY_FILE = "wallet-access-key.pem"


@dataclass(frozen=True)
class VerifierIdentity:
    key: ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...]  # access certificate first, trust anchor excluded
    client_id: str
    anchor: x509.Certificate | None = None  # known only for the generated demo identity

    @property
    def leaf(self) -> x509.Certificate:
        return self.chain[0]


def client_id_for(leaf: x509.Certificate, scheme: str, dns_name: str) -> str:
    try:
        if scheme == "x509_san_dns":
            return x509_san_dns_client_id(leaf, dns_name)
        return x509_hash_client_id(leaf)
    except ValueError as exc:
        raise ConfigError(f"wallet.access_certificate: {exc}") from None


def load_identity(cert_file: Path, key_file: Path, scheme: str, dns_name: str) -> VerifierIdentity:
    """Read a configured access certificate chain and its P-256 key; refuse mismatches."""
    try:
        chain = tuple(x509.load_pem_x509_certificates(cert_file.read_bytes()))
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"wallet.access_certificate/access_key: cannot read: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ConfigError("wallet.access_key must be a P-256 key (HAIP: ES256)")
    leaf_key = chain[0].public_key()
    if (
        not isinstance(leaf_key, ec.EllipticCurvePublicKey)
        or leaf_key.public_numbers() != key.public_key().public_numbers()
    ):
        raise ConfigError("wallet.access_key does not belong to the first certificate in the file")
    if chain[0].issuer == chain[0].subject:
        raise ConfigError(
            "wallet.access_certificate: the signing certificate must not be self-signed (HAIP)"
        )
    if chain[-1].issuer == chain[-1].subject:
        raise ConfigError("wallet.access_certificate: leave the trust anchor out (HAIP)")
    return VerifierIdentity(key, chain, client_id_for(chain[0], scheme, dns_name))


def _has_san(cert: x509.Certificate, dns_name: str) -> bool:
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return dns_name in sans.get_values_for_type(x509.DNSName)


def demo_identity(keys_dir: Path, scheme: str, dns_name: str) -> VerifierIdentity:
    """A generated CA + access certificate in ``keys_dir`` (test only; regenerated when the
    files are missing, expire within a day or lack ``dns_name`` as SAN)."""
    ca_path, cert_path = keys_dir / DEMO_CA_FILE, keys_dir / DEMO_CERT_FILE
    key_path = keys_dir / DEMO_KEY_FILE
    now = dt.datetime.now(dt.UTC)
    if ca_path.exists() and cert_path.exists() and key_path.exists():
        anchor = x509.load_pem_x509_certificate(ca_path.read_bytes())
        leaf = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if (
            isinstance(key, ec.EllipticCurvePrivateKey)
            and leaf.not_valid_after_utc > now + dt.timedelta(days=1)
            and _has_san(leaf, dns_name)
        ):
            return VerifierIdentity(key, (leaf,), client_id_for(leaf, scheme, dns_name), anchor)
    keys_dir.mkdir(parents=True, exist_ok=True)
    start = now - dt.timedelta(hours=1)
    ca_key, anchor = make_ca("Wallet access CA (test only)", start, now + dt.timedelta(days=3650))
    key, leaf = make_leaf(
        "Toegang wallet verifier (test only)",
        ca_key,
        anchor,
        start,
        now + dt.timedelta(days=825),
        dns_name=dns_name,
    )
    ca_path.write_bytes(anchor.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    write_private_key(key_path, key)
    return VerifierIdentity(key, (leaf,), client_id_for(leaf, scheme, dns_name), anchor)


__all__ = ["VerifierIdentity", "demo_identity", "load_identity"]
