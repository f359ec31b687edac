"""Verifier identity settings refused at start-up (HAIP 1.0, OpenID4VP 1.0 §5.9.3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import Certificate
from wallet_login_support import build_env

from broker.errors import ConfigError
from broker.keys import KeyRing
from wallet_adapters.testing.pki import make_ca, make_leaf

NOW = dt.datetime.now(dt.UTC)


def _write(
    tmp_path: Path, certs: list[Certificate], key: ec.EllipticCurvePrivateKey
) -> dict[str, Path]:
    cert_file, key_file = tmp_path / "access.pem", tmp_path / "access-key.pem"
    cert_file.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return {"access_certificate": cert_file, "access_key": key_file}


def _access_certificate(dns_name: str) -> tuple[Certificate, ec.EllipticCurvePrivateKey]:
    ca_key, ca = make_ca("Access CA", NOW - dt.timedelta(hours=1), NOW + dt.timedelta(days=30))
    key, leaf = make_leaf(
        "Verifier",
        ca_key,
        ca,
        NOW - dt.timedelta(hours=1),
        NOW + dt.timedelta(days=30),
        dns_name=dns_name,
    )
    return leaf, key


def test_self_signed_access_certificate_refused(tmp_path: Path, wallet_keys: KeyRing) -> None:
    """HAIP: the certificate signing the request object is not self-signed."""
    key, cert = make_ca("Self-signed verifier", NOW, NOW + dt.timedelta(days=30))
    with pytest.raises(ConfigError, match="self-signed"):
        build_env(tmp_path, wallet_keys, **_write(tmp_path, [cert], key))


def test_x509_san_dns_name_must_be_the_response_uri_host(
    tmp_path: Path, wallet_keys: KeyRing
) -> None:
    """§5.9.3: without prior trust the wallet requires the response_uri FQDN to equal the
    x509_san_dns Client Identifier; the response_uri is on the broker's own host."""
    leaf, key = _access_certificate("other.example.nl")
    with pytest.raises(ConfigError, match="client_id_dns_name"):
        build_env(
            tmp_path,
            wallet_keys,
            client_id_scheme="x509_san_dns",
            client_id_dns_name="other.example.nl",
            **_write(tmp_path, [leaf], key),
        )


def test_access_certificate_issued_by_a_ca_accepted(tmp_path: Path, wallet_keys: KeyRing) -> None:
    leaf, key = _access_certificate("127.0.0.1")
    env = build_env(
        tmp_path, wallet_keys, client_id_scheme="x509_san_dns", **_write(tmp_path, [leaf], key)
    )
    assert env.means.settings.identity.client_id == "x509_san_dns:127.0.0.1"
