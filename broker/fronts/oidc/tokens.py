"""Signing of ID tokens, access tokens, signed userinfo and logout tokens.

Keys come from the KeyRing loaded once at start-up. Tokens are compact JWS (RFC 7515 §7.1)
built here with the prepared key objects and a header encoded once per key, algorithm and type:
for the three algorithms the broker signs with, PyJWT's generic encoder costs more than the EC
signature itself (verification stays with PyJWT).
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from broker.flow.model import new_id
from broker.keys import Key, KeyRing

ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 - RFC 9068 §2.1
LOGOUT_TOKEN_TYPE = "logout+jwt"  # noqa: S105 - OIDC Back-Channel Logout §2.4
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


# RFC 7518 §3.5: PS256 uses MGF1 with SHA-256 and a salt as long as the hash.
_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _signature(key: Key, alg: str, signing_input: bytes) -> bytes:
    """RFC 7518 §3.3, §3.4, §3.5; ES256 as the raw 64-byte R || S, not DER."""
    private = key.private_key
    if isinstance(private, ec.EllipticCurvePrivateKey) and alg == "ES256":
        r, s = decode_dss_signature(private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if isinstance(private, rsa.RSAPrivateKey) and alg in ("RS256", "PS256"):
        pad = padding.PKCS1v15() if alg == "RS256" else _PSS
        return private.sign(signing_input, pad, hashes.SHA256())
    raise ValueError(f"key {key.kid} cannot sign {alg}")


class TokenSigner:
    def __init__(self, keys: KeyRing, issuer: str) -> None:
        self.keys = keys
        self.issuer = issuer
        self._headers: dict[tuple[str, str, str], str] = {}

    def sign(self, claims: dict[str, Any], alg: str, typ: str = "JWT") -> str:
        key = self.keys.signing_key(alg)
        header = self._headers.get((key.kid, alg, typ))
        if header is None:
            header = _b64(json.dumps({"alg": alg, "kid": key.kid, "typ": typ}).encode())
            self._headers[(key.kid, alg, typ)] = header
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{header}.{body}"
        return f"{signing_input}.{_b64(_signature(key, alg, signing_input.encode('ascii')))}"

    def id_token(self, claims: dict[str, Any], alg: str, lifetime: int) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": new_id(16),
            **claims,
        }
        return self.sign(body, alg)

    def access_token(self, claims: dict[str, Any], lifetime: int) -> tuple[str, str, int]:
        """RFC 9068 JWT access token; returns (token, jti, exp)."""
        now = int(time.time())
        jti = new_id(16)
        exp = now + lifetime
        body = {"iss": self.issuer, "iat": now, "exp": exp, "jti": jti, **claims}
        # ES256: only this broker verifies access tokens (at userinfo), and an EC signature costs
        # a fraction of an RSA one on the token endpoint's hot path.
        return self.sign(body, "ES256", ACCESS_TOKEN_TYPE), jti, exp

    def logout_token(
        self, *, audience: str, sub: str | None, sid: str | None, alg: str = "RS256"
    ) -> str:
        """OIDC Back-Channel Logout §2.4; signed like the client's ID tokens (``alg``), since
        the client validates it as an ID token (§2.6, OIDC Core §3.1.3.7)."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience,
            "iat": now,
            "exp": now + 120,
            "jti": new_id(16),
            "events": {BACKCHANNEL_EVENT: {}},
        }
        if sub:
            body["sub"] = sub
        if sid:
            body["sid"] = sid
        return self.sign(body, alg, LOGOUT_TOKEN_TYPE)

    def verify_own(
        self, token: str, *, typ: str | None, audience: str | None, verify_exp: bool = True
    ) -> dict[str, Any]:
        """Verify a token this broker issued (access token, id_token_hint)."""
        header = jwt.get_unverified_header(token)
        if typ is not None and header.get("typ") != typ:
            raise jwt.InvalidTokenError("wrong token type")
        kid = header.get("kid")
        key = next((k for k in self.keys.keys if k.kid == kid and k.use == "sig"), None)
        if key is None:
            raise jwt.InvalidTokenError("unknown key")
        algs = ["ES256"] if key.kty == "EC" else ["RS256", "PS256"]
        options = {
            "require": ["iss", "exp", "iat"],
            "verify_exp": verify_exp,
            "verify_aud": audience is not None,
        }
        claims: dict[str, Any] = jwt.decode(
            token,
            key.private_key.public_key(),
            algorithms=algs,
            issuer=self.issuer,
            audience=audience,
            options=options,  # type: ignore[arg-type]
            leeway=0 if verify_exp else 10**9,
        )
        return claims
