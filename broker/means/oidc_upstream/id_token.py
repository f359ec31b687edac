"""Strict validation of an upstream ID token (OIDC Core §3.1.3.7, NL GOV profile §1.4).

The header is read before any key is chosen, and only to refuse: the algorithm must be one the
OP advertised *and* one the broker allows (RS256, PS256, ES256 - never ``none`` or HS*, so the
upstream's public key can never be used as an HMAC secret); ``crit`` is refused because the
broker understands no extension; ``jku``, ``x5u``, ``jwk`` and ``x5c`` are never read, so a token
cannot bring its own key (attack catalogue §4.1). The key comes from the OP's JWKS by ``kid`` and
its type must fit the algorithm. PyJWT then verifies the signature with exactly that algorithm,
and the claims are checked again here by hand, so no library default decides what passes.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Any

import jwt

from broker.means.oidc_upstream.provider import (
    KTY_OF_ALG,
    ProviderMetadata,
    UpstreamError,
    UpstreamProvider,
)

MAX_TOKEN_BYTES = 32 * 1024
CLOCK_SKEW = 60  # seconds; catalogue §4.1: skew at most 60 s
MAX_SUB_LENGTH = 255  # OIDC Core §2: sub is at most 255 ASCII characters


class IdTokenError(UpstreamError):
    """The ID token is refused; the message says why (for the log)."""


@dataclass(frozen=True)
class Expected:
    issuer: str
    client_id: str
    nonce: str
    max_age: int | None = None
    not_before_auth: int | None = None  # prompt=login: the login must be newer than this


def _header(token: str) -> dict[str, Any]:
    if len(token) > MAX_TOKEN_BYTES:
        raise IdTokenError("ID token too large")
    if token.count(".") != 2:
        raise IdTokenError("ID token is not a compact JWS")  # JWE or JSON serialisation
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise IdTokenError(f"unreadable ID token header: {exc}") from None
    if not isinstance(header, dict):
        raise IdTokenError("ID token header is not an object")
    return header


def _int_claim(claims: dict[str, Any], name: str, required: bool) -> int | None:
    value = claims.get(name)
    if value is None:
        if required:
            raise IdTokenError(f"ID token has no {name}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise IdTokenError(f"ID token {name} is not a number")
    return int(value)


def check_claims(claims: dict[str, Any], expected: Expected, now: int | None = None) -> None:
    """The claim checks of OIDC Core §3.1.3.7 items 2-4, 9-13, with exact comparisons."""
    now = int(time.time()) if now is None else now
    iss = claims.get("iss")
    if not isinstance(iss, str) or iss != expected.issuer:  # no lists, no prefixes
        raise IdTokenError(f"ID token iss {iss!r} is not the upstream issuer")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
        raise IdTokenError("ID token aud is missing or malformed")
    if expected.client_id not in audiences:
        raise IdTokenError("ID token aud does not contain the broker's client_id")
    azp = claims.get("azp")
    if len(audiences) > 1 and azp is None:
        raise IdTokenError("ID token has several audiences but no azp")
    if azp is not None and azp != expected.client_id:
        raise IdTokenError("ID token azp is not the broker's client_id")
    exp = _int_claim(claims, "exp", required=True)
    iat = _int_claim(claims, "iat", required=True)
    nbf = _int_claim(claims, "nbf", required=False)
    assert exp is not None and iat is not None
    if exp + CLOCK_SKEW <= now:
        raise IdTokenError("ID token expired")
    if iat - CLOCK_SKEW > now:
        raise IdTokenError("ID token issued in the future")
    if nbf is not None and nbf - CLOCK_SKEW > now:
        raise IdTokenError("ID token not yet valid (nbf)")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not hmac.compare_digest(
        nonce.encode(), expected.nonce.encode()
    ):
        raise IdTokenError("ID token nonce does not match")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > MAX_SUB_LENGTH:
        raise IdTokenError("ID token sub is missing or malformed")
    auth_time = _int_claim(claims, "auth_time", required=expected.max_age is not None)
    if auth_time is not None:
        if auth_time - CLOCK_SKEW > now:
            raise IdTokenError("ID token auth_time is in the future")
        if expected.max_age is not None and now - auth_time > expected.max_age + CLOCK_SKEW:
            raise IdTokenError("ID token auth_time is older than max_age")  # Core §3.1.3.7 (13)
        if expected.not_before_auth is not None and auth_time + CLOCK_SKEW < (
            expected.not_before_auth
        ):
            raise IdTokenError("prompt=login was sent but the upstream reused an old login")


async def validate_id_token(
    token: str,
    expected: Expected,
    metadata: ProviderMetadata,
    provider: UpstreamProvider,
) -> dict[str, Any]:
    """Verify signature and claims; return the claims or raise ``IdTokenError``."""
    header = _header(token)
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in metadata.id_token_algs:
        raise IdTokenError(f"ID token alg {alg!r} not allowed")
    if "crit" in header:
        raise IdTokenError("ID token header has crit; no extension is understood")
    typ = header.get("typ")
    if typ is not None and (not isinstance(typ, str) or typ.upper() != "JWT"):
        raise IdTokenError(f"ID token typ {typ!r} is not JWT")  # token-type confusion, RFC 8725
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise IdTokenError("ID token kid is not a string")
    key = await provider.key_for(kid, alg)
    if key.kty != KTY_OF_ALG[alg]:
        raise IdTokenError("key type does not fit the algorithm")
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[alg],
            options={
                # Signature here; every claim is checked by hand in check_claims.
                "verify_signature": True,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise IdTokenError(f"ID token signature refused: {type(exc).__name__}") from None
    if not isinstance(claims, dict):
        raise IdTokenError("ID token payload is not an object")
    check_claims(claims, expected)
    return claims
