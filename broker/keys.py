"""Signing and encryption keys: generated into a directory, loaded once, rotated with overlap.

Layout of the key directory: ``manifest.json`` lists every key (kid, type, use, status, file);
private keys are PEM files beside it, readable by the owner only. JWKS publishes the current and
the previous key of every kind, so tokens signed just before a rotation still verify.
The SAML service-provider key and its self-signed certificate are kept here as well.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from broker.errors import ConfigError

MANIFEST = "manifest.json"
# Secret for pairwise subject identifiers: never rotated (that would change every pseudonym).
PAIRWISE_SECRET = "pairwise.secret"  # noqa: S105 - a file name
# Key kinds: (key type, use). RSA signs RS256 and PS256 (NL GOV profile), EC signs ES256,
# the RSA encryption key receives encrypted request objects (RSA-OAEP / RSA-OAEP-256).
KINDS: tuple[tuple[str, str], ...] = (("RSA", "sig"), ("EC", "sig"), ("RSA", "enc"))
SIGNING_ALGS = ("RS256", "PS256", "ES256")
RSA_BITS = 65537  # public exponent
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Key:
    kid: str
    kty: str
    use: str
    status: str  # "current" or "previous"
    private_key: PrivateKey

    def public_jwk(self) -> dict[str, Any]:
        pub = self.private_key.public_key()
        jwk: dict[str, Any] = {"kid": self.kid, "kty": self.kty, "use": self.use}
        if isinstance(pub, rsa.RSAPublicKey):
            numbers = pub.public_numbers()
            jwk["n"] = _b64int(numbers.n)
            jwk["e"] = _b64int(numbers.e)
        elif isinstance(pub, ec.EllipticCurvePublicKey):
            numbers_ec = pub.public_numbers()
            jwk.update(crv="P-256", x=_b64int(numbers_ec.x, 32), y=_b64int(numbers_ec.y, 32))
        return jwk


def _b64int(value: int, length: int | None = None) -> str:
    raw = value.to_bytes(length or (value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _generate(kty: str) -> PrivateKey:
    if kty == "RSA":
        # 2048 bits: the PKIoverheid/NL GOV minimum, and a third of the signing cost of 3072.
        return rsa.generate_private_key(public_exponent=RSA_BITS, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _kid(key: PrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:12]).rstrip(b"=").decode()


def write_secret_file(path: Path, data: bytes) -> None:
    """Write key material readable by the owner only (also when the file already existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)  # O_CREAT's mode does not apply to an existing file


def write_private_key(path: Path, key: PrivateKey) -> None:
    write_secret_file(
        path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def load_or_create_rsa_identity(
    key_path: Path, cert_path: Path, common_name: str, key_size: int = 2048
) -> tuple[rsa.RSAPrivateKey, bytes]:
    """An RSA key with a self-signed certificate, kept on disk so peers configure it once."""
    if key_path.exists() and cert_path.exists():
        loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise ValueError(f"{key_path} must hold an RSA private key")
        return loaded, cert_path.read_bytes()
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=RSA_BITS, key_size=key_size)
    write_private_key(key_path, key)
    cert_pem = self_signed_certificate(key, common_name)
    cert_path.write_bytes(cert_pem)
    return key, cert_pem


def self_signed_certificate(key: rsa.RSAPrivateKey, common_name: str, days: int = 825) -> bytes:
    """A self-signed certificate for SAML metadata (production uses a PKIoverheid certificate)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False), True
        )
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def _read_manifest(directory: Path) -> list[dict[str, Any]]:
    path = directory / MANIFEST
    if not path.exists():
        return []
    entries: list[dict[str, Any]] = json.loads(path.read_text())
    return entries


def _write_manifest(directory: Path, entries: list[dict[str, Any]]) -> None:
    tmp = directory / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(entries, indent=2) + "\n")
    tmp.replace(directory / MANIFEST)


def _new_entry(directory: Path, kty: str, use: str) -> dict[str, Any]:
    key = _generate(kty)
    kid = _kid(key)
    filename = f"{use}-{kty.lower()}-{kid}.pem"
    write_private_key(directory / filename, key)
    return {
        "kid": kid,
        "kty": kty,
        "use": use,
        "status": "current",
        "file": filename,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _ensure_saml_key(directory: Path, common_name: str, force: bool) -> None:
    key_path, cert_path = directory / "saml-sp.key", directory / "saml-sp.crt"
    if key_path.exists() and cert_path.exists() and not force:
        return
    key = rsa.generate_private_key(public_exponent=RSA_BITS, key_size=2048)
    write_private_key(key_path, key)
    cert_path.write_bytes(self_signed_certificate(key, common_name))


def init_keys(directory: Path, *, force: bool = False) -> list[dict[str, Any]]:
    """Create one current key of every kind (and the SAML SP key) unless they already exist."""
    directory.mkdir(parents=True, exist_ok=True)
    entries = [] if force else _read_manifest(directory)
    have = {(e["kty"], e["use"]) for e in entries if e["status"] == "current"}
    for kty, use in KINDS:
        if (kty, use) not in have:
            entries.append(_new_entry(directory, kty, use))
    _write_manifest(directory, entries)
    _ensure_saml_key(directory, "Stelsel Toegang SAML SP", force)
    _ensure_secret(directory / PAIRWISE_SECRET, force)
    return entries


def _ensure_secret(path: Path, force: bool) -> None:
    if path.exists() and not force:
        return
    write_secret_file(path, (secrets.token_urlsafe(48) + "\n").encode())


def rotate_keys(directory: Path) -> list[dict[str, Any]]:
    """New current keys; the old current become previous (still published); older ones go."""
    entries = _read_manifest(directory)
    if not entries:
        raise ConfigError(f"no keys in {directory}; run 'toegang keys init' first")
    kept: list[dict[str, Any]] = []
    for entry in entries:
        if entry["status"] == "previous":
            (directory / entry["file"]).unlink(missing_ok=True)
            continue
        kept.append({**entry, "status": "previous"})
    for kty, use in KINDS:
        kept.append(_new_entry(directory, kty, use))
    _write_manifest(directory, kept)
    return kept


class KeyRing:
    """All keys, loaded once at start-up; signing uses the current key of the right type."""

    def __init__(
        self,
        keys: list[Key],
        saml_key: rsa.RSAPrivateKey,
        saml_cert_pem: bytes,
        pairwise_secret: bytes,
    ) -> None:
        self.keys = keys
        self.pairwise_secret = pairwise_secret
        self.saml_key = saml_key
        self.saml_cert_pem = saml_cert_pem
        self._by_kid = {k.kid: k for k in keys}
        self._jwks = {"keys": [k.public_jwk() for k in keys]}

    @classmethod
    def load(cls, directory: Path) -> KeyRing:
        entries = _read_manifest(directory)
        if not entries:
            raise ConfigError(
                f"no keys found in {directory}; run 'toegang keys init' (or set keys.directory)"
            )
        keys = []
        for entry in entries:
            pem = (directory / entry["file"]).read_bytes()
            private = serialization.load_pem_private_key(pem, password=None)
            if not isinstance(private, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
                raise ConfigError(f"{entry['file']}: unsupported key type")
            keys.append(Key(entry["kid"], entry["kty"], entry["use"], entry["status"], private))
        for kty, use in KINDS:
            if not any(k.kty == kty and k.use == use and k.status == "current" for k in keys):
                raise ConfigError(
                    f"no current {kty} {use} key in {directory}; run 'toegang keys init'"
                )
        try:
            saml_key = serialization.load_pem_private_key(
                (directory / "saml-sp.key").read_bytes(), password=None
            )
            saml_cert = (directory / "saml-sp.crt").read_bytes()
        except FileNotFoundError:
            raise ConfigError(f"no SAML key in {directory}; run 'toegang keys init'") from None
        if not isinstance(saml_key, rsa.RSAPrivateKey):
            raise ConfigError("saml-sp.key must be an RSA key")
        try:
            pairwise = (directory / PAIRWISE_SECRET).read_text().strip().encode()
        except FileNotFoundError:
            raise ConfigError(
                f"no {PAIRWISE_SECRET} in {directory}; run 'toegang keys init'"
            ) from None
        return cls(keys, saml_key, saml_cert, pairwise)

    def jwks(self) -> dict[str, Any]:
        return self._jwks

    def signing_key(self, alg: str) -> Key:
        if alg not in SIGNING_ALGS:
            raise ValueError(f"unsupported signing algorithm {alg}")
        kty = "EC" if alg.startswith("ES") else "RSA"
        for key in self.keys:
            if key.kty == kty and key.use == "sig" and key.status == "current":
                return key
        raise ConfigError(f"no current {kty} signing key")

    def decryption_key(self, kid: str | None) -> Key | None:
        """The encryption key a client used (by kid), or the current one when kid is absent."""
        if kid is not None:
            key = self._by_kid.get(kid)
            return key if key is not None and key.use == "enc" else None
        return next((k for k in self.keys if k.use == "enc" and k.status == "current"), None)
