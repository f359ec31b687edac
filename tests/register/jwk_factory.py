"""Test JWKs made with cryptography (public and, to test refusal, private)."""

from __future__ import annotations

import base64
import functools
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa


def b64int(value: int, length: int | None = None) -> str:
    raw = value.to_bytes(length or (value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@functools.cache
def _rsa_key(bits: int, kid: str) -> rsa.RSAPrivateKey:
    # RSA generation dominates the run time; one key per (size, kid) is enough for these tests.
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def rsa_jwk(bits: int = 2048, *, private: bool = False, kid: str = "rsa-1") -> dict[str, Any]:
    key = _rsa_key(bits, kid)
    pub = key.public_key().public_numbers()
    jwk: dict[str, Any] = {
        "kty": "RSA",
        "kid": kid,
        "use": "sig",
        "n": b64int(pub.n),
        "e": b64int(pub.e),
    }
    if private:
        jwk["d"] = b64int(key.private_numbers().d)
    return jwk


def ec_jwk(curve: ec.EllipticCurve | None = None, *, kid: str = "ec-1") -> dict[str, Any]:
    key = ec.generate_private_key(curve or ec.SECP256R1())
    pub = key.public_key().public_numbers()
    size = (key.curve.key_size + 7) // 8
    crv = {256: "P-256", 384: "P-384", 521: "P-521"}[key.curve.key_size]
    return {"kty": "EC", "kid": kid, "crv": crv, "x": b64int(pub.x, size), "y": b64int(pub.y, size)}
