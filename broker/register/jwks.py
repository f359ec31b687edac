"""Which client keys the broker accepts for ``private_key_jwt`` and signed request objects.

A client registers only public keys: a JWKS that carries private members (``d`` and friends,
or a symmetric ``k``) means the private key has leaked to us, so it is refused outright rather
than stripped. Signing keys must be RSA of at least 2048 bits or EC P-256, matching the
algorithms the NL GOV profile names (RS256/PS256/ES256).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from broker.register.errors import RegisterError

PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
MIN_RSA_BITS = 2048


def _b64int(jwk: dict[str, Any], member: str, index: int) -> int:
    value = jwk.get(member)
    if not isinstance(value, str) or not value:
        raise RegisterError(f"jwks key {index}: member {member!r} is missing")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise RegisterError(f"jwks key {index}: member {member!r} is not base64url") from None
    return int.from_bytes(raw, "big")


def _check_key(jwk: Any, index: int) -> bool:
    """Validate one JWK; True when it can verify signatures."""
    if not isinstance(jwk, dict):
        raise RegisterError(f"jwks key {index} is not a JSON object")
    leaked = [m for m in PRIVATE_MEMBERS if m in jwk]
    if leaked:
        raise RegisterError(
            f"jwks key {index} contains private key material ({', '.join(leaked)}); "
            "register the public key only and keep the private key with the client"
        )
    kty = jwk.get("kty")
    if kty == "RSA":
        n, e = _b64int(jwk, "n", index), _b64int(jwk, "e", index)
        if n.bit_length() < MIN_RSA_BITS:
            raise RegisterError(
                f"jwks key {index}: RSA key of {n.bit_length()} bits; at least {MIN_RSA_BITS}"
            )
        try:
            rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError as exc:
            raise RegisterError(f"jwks key {index}: invalid RSA key ({exc})") from None
    elif kty == "EC":
        if jwk.get("crv") != "P-256":
            raise RegisterError(f"jwks key {index}: EC keys must use curve P-256")
        x, y = _b64int(jwk, "x", index), _b64int(jwk, "y", index)
        try:
            ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        except ValueError:
            raise RegisterError(f"jwks key {index}: not a point on P-256") from None
    else:
        raise RegisterError(f"jwks key {index}: unsupported key type {kty!r}; use RSA or EC")
    key_ops = jwk.get("key_ops")
    return jwk.get("use", "sig") == "sig" and (key_ops is None or "verify" in key_ops)


def check_jwks(jwks: Any) -> dict[str, Any]:
    """Return ``jwks`` when it is a JWKS of public keys with at least one signing key."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise RegisterError('jwks must be a JSON object {"keys": [...]}')
    keys: list[Any] = jwks["keys"]
    if not keys:
        raise RegisterError("jwks contains no keys")
    signing = [_check_key(jwk, i) for i, jwk in enumerate(keys)]
    if not any(signing):
        raise RegisterError("jwks contains no signing key (use 'sig', RSA >= 2048 or EC P-256)")
    kids = [jwk["kid"] for jwk in keys if "kid" in jwk]
    if len(kids) != len(set(kids)):
        raise RegisterError("jwks contains the same kid twice")
    return jwks
