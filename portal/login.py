"""Logging in to the portal through the broker itself, exactly as a relying party does:
authorization code flow with PKCE, ``state`` bound to the browser, ``nonce``,
``private_key_jwt`` at the token endpoint and a verified ID token (``conformance/demo_sp``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from broker.assurance import Level
from broker.flow.representation import REPRESENT_NONE
from broker.identifiers import SUB_ID_TYPE_BSN, PartyId
from broker.store import Store

LOGIN_TTL = 900
#: Managing mandates asks for substantial (the level a grant is recorded at).
PORTAL_LEVEL = Level.SUBSTANTIAL


class LoginFailed(Exception):
    """The broker's answer could not be accepted (shown as a plain refusal)."""


@dataclass(frozen=True, slots=True)
class LoggedIn:
    person: PartyId
    level: Level


class PortalLogin:
    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        private_jwk: dict[str, Any],
        redirect_uri: str,
        store: Store,
        http: httpx.AsyncClient,
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.store = store
        self.http = http
        self.kid = private_jwk.get("kid")
        self.key = jwt.PyJWK(private_jwk).key

    async def start(self) -> tuple[str, str]:
        """The authorize URL and the ``state`` (to bind to the browser in a cookie)."""
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(48)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        await self.store.put(
            "portal-login:" + state, {"nonce": nonce, "verifier": verifier}, LOGIN_TTL
        )
        params = {
            "client_id": self.client_id,
            "response_type": "code",
            "scope": f"openid {REPRESENT_NONE}",
            "redirect_uri": self.redirect_uri,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "acr_values": PORTAL_LEVEL.acr,
        }
        return f"{self.issuer}/authorize?{urlencode(params)}", state

    async def finish(self, query: dict[str, str], bound_state: str | None) -> LoggedIn:
        state = query.get("state", "")
        if not state or not bound_state or not hmac.compare_digest(state, bound_state):
            raise LoginFailed("state not bound to this browser")
        pending = await self.store.take("portal-login:" + state)
        if not isinstance(pending, dict):
            raise LoginFailed("unknown or reused state")
        if query.get("iss") != self.issuer:  # RFC 9207: mix-up defence
            raise LoginFailed("wrong iss")
        if "error" in query:
            raise LoginFailed(query["error"])
        try:
            claims = await self._redeem(query.get("code", ""), pending)
        except (httpx.HTTPError, jwt.InvalidTokenError, ValueError, KeyError) as exc:
            raise LoginFailed(str(exc)) from exc
        if claims.get("sub_id_type") != SUB_ID_TYPE_BSN or "represents" in claims:
            raise LoginFailed("the portal is for citizens logged in with their own BSN")
        level = Level.from_acr(str(claims["acr"]))
        if level < PORTAL_LEVEL:
            raise LoginFailed("acr below the requested level")
        return LoggedIn(PartyId("bsn", str(claims["sub"])), level)

    def client_assertion(self) -> str:
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

    async def _redeem(self, code: str, pending: dict[str, Any]) -> dict[str, Any]:
        resp = await self.http.post(
            f"{self.issuer}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": pending["verifier"],
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
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
        if not hmac.compare_digest(str(claims["nonce"]), pending["nonce"]):
            raise ValueError("nonce mismatch")
        return claims
