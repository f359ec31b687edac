"""The back channel: redeem the authorization code at the upstream token endpoint.

Client authentication (NL GOV profile §1.3): ``private_key_jwt`` (RFC 7523 §2.2, a fresh signed
assertion per call, with the broker's RSA key that the upstream knows from ``<issuer>/jwks``) or
``client_secret_basic`` (RFC 6749 §2.3.1, for upstreams that offer nothing better). The code
travels with its PKCE verifier (RFC 7636 §4.5) and the exact redirect_uri.
"""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

import anyio
import httpx
import jwt

from broker.keys import KeyRing
from broker.means.oidc_upstream.provider import (
    FETCH_TIMEOUT,
    MAX_DOCUMENT_BYTES,
    ProviderMetadata,
    UpstreamError,
    UpstreamUnavailable,
)

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 60


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    method: Literal["private_key_jwt", "client_secret_basic"]
    keys: KeyRing | None = None
    secret: str | None = None
    assertion_audience: Literal["issuer", "token_endpoint"] = "issuer"

    def __repr__(self) -> str:  # never print the secret
        return f"ClientCredentials(client_id={self.client_id!r}, method={self.method!r})"

    def assertion(self, metadata: ProviderMetadata, now: int | None = None) -> str:
        """A private_key_jwt client assertion (RFC 7523 §3), signed RS256 with the current key."""
        assert self.keys is not None
        now = int(time.time()) if now is None else now
        key = self.keys.signing_key("RS256")
        audience = (
            metadata.issuer if self.assertion_audience == "issuer" else metadata.token_endpoint
        )
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": audience,
            "jti": secrets.token_urlsafe(24),
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
        }
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})

    def apply(self, metadata: ProviderMetadata, form: dict[str, str]) -> dict[str, str]:
        """Add the authentication to the token request; return extra headers."""
        form["client_id"] = self.client_id
        if self.method == "private_key_jwt":
            form["client_assertion_type"] = ASSERTION_TYPE
            form["client_assertion"] = self.assertion(metadata)
            return {}
        assert self.secret is not None
        # RFC 6749 §2.3.1: both parts form-urlencoded before base64 (often forgotten).
        pair = f"{quote(self.client_id, safe='')}:{quote(self.secret, safe='')}"
        return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii")}


async def redeem_code(
    http: httpx.AsyncClient,
    metadata: ProviderMetadata,
    credentials: ClientCredentials,
    *,
    code: str,
    redirect_uri: str,
    verifier: str,
) -> str:
    """POST the token request (OIDC Core §3.1.3.1) and return the ID token."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    headers = {"Accept": "application/json", **credentials.apply(metadata, form)}
    try:
        with anyio.fail_after(FETCH_TIMEOUT):  # a deadline for the whole exchange, not per read
            async with http.stream(
                "POST",
                metadata.token_endpoint,
                data=form,
                headers=headers,
                timeout=FETCH_TIMEOUT,
                follow_redirects=False,
            ) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_DOCUMENT_BYTES:
                        raise UpstreamError("token response too large")
                status = response.status_code
    except TimeoutError:
        raise UpstreamUnavailable(f"token endpoint timed out after {FETCH_TIMEOUT} s") from None
    except httpx.HTTPError as exc:
        raise UpstreamUnavailable(f"token endpoint unreachable: {type(exc).__name__}") from None
    try:
        answer = httpx.Response(status, content=bytes(body)).json()
    except ValueError:
        answer = None
    if status != 200 or not isinstance(answer, dict):
        error = answer.get("error") if isinstance(answer, dict) else None
        raise UpstreamError(f"token endpoint refused: HTTP {status} error={error!r}")
    id_token = answer.get("id_token")
    if not isinstance(id_token, str):
        raise UpstreamError("token response has no id_token")
    return id_token
