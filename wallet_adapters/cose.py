"""COSE_Sign1 (RFC 9052 §4.2/§4.4) with ECDSA (RFC 9053 §2.1) and x5chain (RFC 9360).

Used for mdoc ``issuerAuth`` / ``deviceSignature`` (ISO 18013-5 §9.1.2.4, §9.1.3.6)
and Status List CWTs. Only ES256 (-7) and the fully specified ESP256 (-9, HAIP
§"Requirements for Digital Signatures") are accepted by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from wallet_adapters import cbor
from wallet_adapters.errors import MalformedInput, SignatureInvalid
from wallet_adapters.jws import der_to_raw, verify_ecdsa

ALG = 1
CONTENT_TYPE = 3
KID = 4
TYP = 16  # RFC 9596
X5CHAIN = 33  # RFC 9360 §2
COSE_TO_JOSE = {-7: "ES256", -9: "ES256", -35: "ES384", -36: "ES512"}
DEFAULT_COSE_ALGS = frozenset({-7, -9})


@dataclass(frozen=True)
class Sign1:
    protected_bytes: bytes
    protected: dict[Any, Any]
    unprotected: Mapping[Any, Any]
    payload: bytes | None
    signature: bytes

    def header(self, label: int) -> Any:
        """Protected header wins; the unprotected bucket is a fallback (RFC 9052 §3)."""
        if label in self.protected:
            return self.protected[label]
        return self.unprotected.get(label)

    def x5chain(self) -> list[bytes]:
        value = self.header(X5CHAIN)
        if isinstance(value, bytes):
            return [value]
        if isinstance(value, list | tuple) and value and all(
            isinstance(v, bytes) for v in value
        ):
            return list(value)
        raise MalformedInput("COSE x5chain missing or malformed")


def parse_sign1(value: Any) -> Sign1:
    if isinstance(value, cbor2.CBORTag):
        if value.tag != 18:
            raise MalformedInput("not a COSE_Sign1 tag")
        value = value.value
    # cbor2 decodes tagged content immutably (tuple / frozendict)
    if not isinstance(value, list | tuple) or len(value) != 4:
        raise MalformedInput("COSE_Sign1 must be a 4-element array")
    protected_bytes, unprotected, payload, signature = value
    if not isinstance(protected_bytes, bytes) or not isinstance(unprotected, Mapping):
        raise MalformedInput("COSE_Sign1 headers malformed")
    if payload is not None and not isinstance(payload, bytes):
        raise MalformedInput("COSE_Sign1 payload must be bstr or nil")
    if not isinstance(signature, bytes):
        raise MalformedInput("COSE_Sign1 signature must be bstr")
    protected = cbor.loads(protected_bytes) if protected_bytes else {}
    if not isinstance(protected, dict):
        raise MalformedInput("COSE protected header must be a map")
    if 2 in protected or 2 in unprotected:  # `crit`: nothing is understood
        raise MalformedInput("COSE crit header not supported")
    return Sign1(protected_bytes, protected, unprotected, payload, signature)


def sig_structure(protected_bytes: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    return cbor2.dumps(["Signature1", protected_bytes, external_aad, payload])


def verify_sign1(
    msg: Sign1,
    key: ec.EllipticCurvePublicKey,
    *,
    detached_payload: bytes | None = None,
    allowed: frozenset[int] = DEFAULT_COSE_ALGS,
) -> None:
    """Verify; ``alg`` must be in the *protected* header (RFC 9052 §3.1 recommendation)."""
    alg = msg.protected.get(ALG)
    if alg not in allowed or alg not in COSE_TO_JOSE:
        raise SignatureInvalid(f"COSE alg {alg!r} not allowed")
    payload = msg.payload if detached_payload is None else detached_payload
    if payload is None:
        raise MalformedInput("COSE payload is detached but none supplied")
    if detached_payload is not None and msg.payload is not None:
        raise MalformedInput("COSE payload must be detached here")
    verify_ecdsa(
        COSE_TO_JOSE[alg],
        key,
        sig_structure(msg.protected_bytes, payload),
        msg.signature,
        frozenset({COSE_TO_JOSE[alg]}),
    )


def sign1(
    payload: bytes,
    key: ec.EllipticCurvePrivateKey,
    *,
    protected: dict[int, Any] | None = None,
    unprotected: dict[int, Any] | None = None,
    detached: bool = False,
) -> list[Any]:
    """Create an (untagged) COSE_Sign1 array with ES256."""
    prot = {ALG: -7, **(protected or {})}
    prot_bytes = cbor2.dumps(prot)
    der = key.sign(sig_structure(prot_bytes, payload), ec.ECDSA(hashes.SHA256()))
    return [prot_bytes, unprotected or {}, None if detached else payload, der_to_raw(der, 32)]


def cose_key_to_public(cose_key: Any) -> ec.EllipticCurvePublicKey:
    """RFC 9053 §7.1.1: EC2 key {1:2, -1:crv, -2:x, -3:y}; only P-256 (crv 1)."""
    if not isinstance(cose_key, dict) or cose_key.get(1) != 2 or cose_key.get(-1) != 1:
        raise MalformedInput("COSE_Key must be EC2 P-256")
    x, y = cose_key.get(-2), cose_key.get(-3)
    if not isinstance(x, bytes) or not isinstance(y, bytes) or len(x) != 32 or len(y) != 32:
        raise MalformedInput("COSE_Key coordinates malformed")
    try:
        return ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        ).public_key()
    except ValueError as exc:
        raise MalformedInput("COSE_Key point not on curve") from exc


def public_to_cose_key(key: ec.EllipticCurvePublicKey) -> dict[int, Any]:
    nums = key.public_numbers()
    return {1: 2, -1: 1, -2: nums.x.to_bytes(32, "big"), -3: nums.y.to_bytes(32, "big")}
