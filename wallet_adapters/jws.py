"""Minimal compact JWS (RFC 7515) for ECDSA keys, plus JWK helpers (RFC 7517/7518/7638).

Why not a general JOSE library here: every JWS this package checks (issuer-signed
SD-JWT, KB-JWT, Status List Token, request object) is ES256/384/512 only (HAIP
§"Requirements for Digital Signatures"), and a narrow verifier makes the
algorithm allow-list explicit: ``alg=none``, HMAC and RSA never reach a key.
It also keeps verification CPU low (see ``wallet_adapters.bench``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from wallet_adapters.encoding import b64url_decode, b64url_encode, json_dumps, json_object
from wallet_adapters.errors import MalformedInput, SignatureInvalid

# RFC 7518 §3.4: alg -> (curve, hash, coordinate length in bytes)
_EC_ALGS: dict[str, tuple[type[ec.EllipticCurve], type[hashes.HashAlgorithm], int]] = {
    "ES256": (ec.SECP256R1, hashes.SHA256, 32),
    "ES384": (ec.SECP384R1, hashes.SHA384, 48),
    "ES512": (ec.SECP521R1, hashes.SHA512, 66),
}
_CRV: dict[str, type[ec.EllipticCurve]] = {
    "P-256": ec.SECP256R1,
    "P-384": ec.SECP384R1,
    "P-521": ec.SECP521R1,
}
DEFAULT_ALGS: frozenset[str] = frozenset({"ES256"})
MAX_JWS_LENGTH = 256 * 1024


@dataclass(frozen=True)
class CompactJws:
    """A parsed, not yet verified, compact JWS."""

    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


def parse_compact(token: str) -> CompactJws:
    """Split and decode a compact JWS whose payload is a JSON object (a JWT)."""
    if not isinstance(token, str) or len(token) > MAX_JWS_LENGTH:
        raise MalformedInput("JWS missing or too large")
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedInput("compact JWS must have three parts")
    header = json_object(b64url_decode(parts[0]))
    payload = json_object(b64url_decode(parts[1]))
    signature = b64url_decode(parts[2])
    # RFC 7515 §4.1.11: a recipient MUST reject a `crit` it does not understand.
    if "crit" in header:
        raise MalformedInput("JWS `crit` header not supported")
    return CompactJws(header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def public_key_from_jwk(jwk: Any) -> ec.EllipticCurvePublicKey:
    """Import a public EC JWK. A private member (`d`) is refused: cnf.jwk is public."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or "d" in jwk:
        raise MalformedInput("EC public JWK expected")
    curve = _CRV.get(str(jwk.get("crv")))
    if curve is None:
        raise MalformedInput("unsupported JWK curve")
    try:
        size = (curve().key_size + 7) // 8
        x = b64url_decode(jwk["x"])
        y = b64url_decode(jwk["y"])
        if len(x) != size or len(y) != size:
            raise MalformedInput("JWK coordinate length")
        numbers = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve()
        )
        return numbers.public_key()
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedInput("invalid EC JWK") from exc


def jwk_from_public_key(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    crv = {v: k for k, v in _CRV.items()}[type(key.curve)]
    size = (key.curve.key_size + 7) // 8
    nums = key.public_numbers()
    return {
        "kty": "EC",
        "crv": crv,
        "x": b64url_encode(nums.x.to_bytes(size, "big")),
        "y": b64url_encode(nums.y.to_bytes(size, "big")),
    }


def jwk_thumbprint(jwk: dict[str, Any]) -> bytes:
    """RFC 7638 §3: SHA-256 over the required members in lexicographic order."""
    if jwk.get("kty") != "EC":
        raise MalformedInput("only EC thumbprints are supported")
    members = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    return hashlib.sha256(json_dumps(dict(sorted(members.items())))).digest()


def _alg_for_key(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> str:
    for alg, (curve, _, _) in _EC_ALGS.items():
        if isinstance(key.curve, curve):
            return alg
    raise MalformedInput("unsupported curve")


def raw_to_der(signature: bytes, size: int) -> bytes:
    """JOSE/COSE use fixed-width r||s (RFC 7518 §3.4, RFC 9053 §2.1); refuse r or s = 0."""
    if len(signature) != 2 * size:
        raise SignatureInvalid("ECDSA signature has wrong length")
    r = int.from_bytes(signature[:size], "big")
    s = int.from_bytes(signature[size:], "big")
    if r == 0 or s == 0:  # "psychic signature" (CVE-2022-21449) defence in depth
        raise SignatureInvalid("ECDSA signature with zero component")
    return encode_dss_signature(r, s)


def der_to_raw(der: bytes, size: int) -> bytes:
    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def verify_ecdsa(
    alg: str,
    key: ec.EllipticCurvePublicKey,
    message: bytes,
    signature: bytes,
    allowed: frozenset[str] = DEFAULT_ALGS,
) -> None:
    """Verify a raw r||s ECDSA signature; the algorithm must be allowed and fit the key."""
    if alg not in allowed or alg not in _EC_ALGS:
        raise SignatureInvalid(f"algorithm {alg!r} not allowed")
    curve, hash_cls, size = _EC_ALGS[alg]
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, curve):
        raise SignatureInvalid("key does not match algorithm")
    try:
        key.verify(raw_to_der(signature, size), message, ec.ECDSA(hash_cls()))
    except InvalidSignature as exc:
        raise SignatureInvalid("signature does not verify") from exc


def verify_compact(
    jws: CompactJws, key: ec.EllipticCurvePublicKey, allowed: frozenset[str] = DEFAULT_ALGS
) -> None:
    alg = jws.header.get("alg")
    if not isinstance(alg, str):
        raise SignatureInvalid("JWS without alg")
    verify_ecdsa(alg, key, jws.signing_input, jws.signature, allowed)


def sign_compact(
    header: dict[str, Any], payload: dict[str, Any], key: ec.EllipticCurvePrivateKey
) -> str:
    """Produce a compact JWS with ECDSA; `alg` is set from the key's curve."""
    alg = _alg_for_key(key)
    full_header = {"alg": alg, **header}
    signing_input = (
        b64url_encode(json_dumps(full_header)) + "." + b64url_encode(json_dumps(payload))
    )
    _curve, hash_cls, size = _EC_ALGS[alg]
    der = key.sign(signing_input.encode("ascii"), ec.ECDSA(hash_cls()))
    return signing_input + "." + b64url_encode(der_to_raw(der, size))
