"""A relying party of this broker, for the broker's own clients (the portal, the demo SP).

They integrate exactly as an outside service provider must: private_key_jwt at the token
endpoint and a full ID token check against the broker's JWKS. The caller keeps what
``authorize`` returns until the callback and checks what it needs of `acr` and the subject.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class BrokerClient:
    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        private_jwk: dict[str, Any],
        redirect_uri: str,
        http: httpx.AsyncClient,
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.http = http
        self.kid = private_jwk.get("kid")
        self.key = jwt.PyJWK(private_jwk).key

    def client_assertion(self) -> str:
        """RFC 7523 §3: a fresh, short-lived assertion per token request."""
        now = int(time.time())
        return jwt.encode(
            {
                "iss": self.client_id,
                "sub": self.client_id,
                "aud": self.issuer,
                "jti": secrets.token_urlsafe(16),
                "iat": now,
                "exp": now + 60,
            },
            self.key,
            algorithm="RS256",
            headers={"kid": self.kid} if self.kid else None,
        )

    def authorize(self, **params: str) -> tuple[str, dict[str, str]]:
        """The authorization request URL with fresh ``state``, ``nonce`` and PKCE S256, and
        what the callback needs of them (``state``, ``nonce``, ``verifier``); ``params`` adds
        ``scope``, ``acr_values`` and the like."""
        pending = {
            "state": secrets.token_urlsafe(32),
            "nonce": secrets.token_urlsafe(32),
            "verifier": secrets.token_urlsafe(48),
        }
        digest = hashlib.sha256(pending["verifier"].encode()).digest()
        query = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "state": pending["state"],
            "nonce": pending["nonce"],
            "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
            "code_challenge_method": "S256",
            **params,
        }
        return f"{self.issuer}/authorize?{urlencode(query)}", pending

    async def redeem(self, code: str, pending: dict[str, Any]) -> dict[str, Any]:
        """Exchange ``code`` with the PKCE verifier of ``pending`` (from ``authorize``) and
        return the verified ID token claims, its nonce checked; ValueError on an error."""
        claims, _ = await self.redeem_id_token(code, pending)
        return claims

    async def redeem_id_token(
        self, code: str, pending: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        """``redeem``, plus the ID token itself (the ``id_token_hint`` of a later logout)."""
        resp = await self.http.post(
            f"{self.issuer}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": pending["verifier"],
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": self.client_assertion(),
            },
        )
        body = resp.json()
        if resp.status_code != 200:
            raise ValueError(f"{body.get('error')}: {body.get('error_description')}")
        jwks = (await self.http.get(f"{self.issuer}/jwks")).json()
        header = jwt.get_unverified_header(body["id_token"])
        jwk = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
        claims: dict[str, Any] = jwt.decode(
            body["id_token"],
            jwt.PyJWK(jwk).key,
            algorithms=["RS256"],
            audience=self.client_id,
            issuer=self.issuer,
            options={"require": ["exp", "iat", "sub", "nonce", "acr"]},
        )
        if not hmac.compare_digest(str(claims["nonce"]), str(pending["nonce"])):
            raise ValueError("nonce mismatch")
        return claims, str(body["id_token"])
