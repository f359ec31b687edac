"""Signing of ID tokens, access tokens, signed userinfo and logout tokens.

Keys come from the KeyRing loaded once at start-up; PyJWT signs with the prepared key objects,
so a token costs one signature and no key parsing.
"""

from __future__ import annotations

import time
from typing import Any

import jwt

from broker.flow.model import new_id
from broker.keys import KeyRing

ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 - RFC 9068 §2.1
LOGOUT_TOKEN_TYPE = "logout+jwt"  # noqa: S105 - OIDC Back-Channel Logout §2.4
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class TokenSigner:
    def __init__(self, keys: KeyRing, issuer: str) -> None:
        self.keys = keys
        self.issuer = issuer

    def sign(self, claims: dict[str, Any], alg: str, typ: str = "JWT") -> str:
        key = self.keys.signing_key(alg)
        return jwt.encode(
            claims, key.private_key, algorithm=alg, headers={"kid": key.kid, "typ": typ}
        )

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

    def logout_token(self, *, audience: str, sub: str | None, sid: str | None) -> str:
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
        return self.sign(body, "RS256", LOGOUT_TOKEN_TYPE)

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
