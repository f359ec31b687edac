"""Client authentication at the simulator's token endpoint (NL GOV OIDC profile §1.3).

``private_key_jwt`` (RFC 7523 §3): the assertion must be signed with a key from the client's
registered JWKS (alg bound to the key type, never HMAC), name the client as iss and sub, the
simulator (issuer or token endpoint) as aud, be fresh, and be used once.
``client_secret_basic`` (RFC 6749 §2.3.1) for clients registered with a secret. Exactly one
method per request.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import jwt

from broker.means.oidc_upstream.provider import KTY_OF_ALG, parse_jwks
from conformance.digid.store import TtlStore

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME = 600
LEEWAY = 60


class ClientAuthError(Exception):
    """``invalid_client`` with a description (the simulator is a test tool: it explains)."""


@dataclass(frozen=True)
class ClientRegistration:
    """A relying party the simulator knows: its redirect URIs and how it authenticates."""

    client_id: str
    redirect_uris: tuple[str, ...]
    jwks: dict[str, Any] | None = None  # for private_key_jwt
    secret: str | None = None  # for client_secret_basic

    def __repr__(self) -> str:
        return f"ClientRegistration(client_id={self.client_id!r})"


class ClientAuthenticator:
    def __init__(
        self, clients: Mapping[str, ClientRegistration], audiences: tuple[str, ...]
    ) -> None:
        self._clients = clients
        self._audiences = audiences
        self._seen_jti: TtlStore[bool] = TtlStore(MAX_ASSERTION_LIFETIME + LEEWAY)

    def authenticate(
        self, authorization: str | None, form: Mapping[str, str]
    ) -> ClientRegistration:
        """The authenticated client, or ``ClientAuthError``."""
        has_assertion = "client_assertion" in form or "client_assertion_type" in form
        if authorization is not None and has_assertion:
            raise ClientAuthError("more than one client authentication method")
        if authorization is not None:
            return self._basic(authorization, form.get("client_id"))
        if has_assertion:
            return self._assertion(form)
        raise ClientAuthError("no client authentication")

    def _basic(self, authorization: str, form_client_id: str | None) -> ClientRegistration:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "basic":
            raise ClientAuthError("unsupported Authorization scheme")
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise ClientAuthError("malformed Basic credentials") from None
        raw_id, sep, raw_secret = decoded.partition(":")
        client_id, secret = unquote(raw_id), unquote(raw_secret)
        client = self._clients.get(client_id)
        if not sep or client is None or client.secret is None:
            raise ClientAuthError("unknown client or client without a secret")
        if not hmac.compare_digest(secret.encode(), client.secret.encode()):
            raise ClientAuthError("wrong client secret")
        if form_client_id is not None and form_client_id != client_id:
            raise ClientAuthError("client_id in the body differs from the Basic credentials")
        return client

    def _assertion(self, form: Mapping[str, str]) -> ClientRegistration:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise ClientAuthError("client_assertion_type must be jwt-bearer")
        assertion = form.get("client_assertion") or ""
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise ClientAuthError("unreadable client assertion") from None
        client = self._clients.get(str(unverified.get("iss")))
        if client is None or client.jwks is None:
            raise ClientAuthError("unknown client or client without registered keys")
        if form.get("client_id") not in (None, client.client_id):
            raise ClientAuthError("client_id differs from the assertion's iss")
        alg = header.get("alg")
        if alg not in KTY_OF_ALG or "crit" in header:
            raise ClientAuthError(f"assertion alg {alg!r} or crit header not accepted")
        kid = header.get("kid")
        keys = [
            k
            for k in parse_jwks(client.jwks)
            if k.kty == KTY_OF_ALG[alg] and (kid is None or k.kid == kid)
        ]
        if len(keys) != 1:
            raise ClientAuthError("no single registered key fits the assertion's kid and alg")
        try:
            claims = jwt.decode(
                assertion,
                keys[0].key,
                algorithms=[alg],
                audience=list(self._audiences),
                issuer=client.client_id,
                leeway=LEEWAY,
                options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
            )
        except jwt.PyJWTError as exc:
            raise ClientAuthError(f"client assertion refused: {exc}") from None
        if claims["sub"] != client.client_id:
            raise ClientAuthError("assertion sub is not the client_id")
        if int(claims["exp"]) - int(claims["iat"]) > MAX_ASSERTION_LIFETIME:
            raise ClientAuthError("assertion lives too long")
        jti = str(claims["jti"])
        if self._seen_jti.get(client.client_id + " " + jti):
            raise ClientAuthError("assertion replayed (jti)")
        self._seen_jti.put(client.client_id + " " + jti, True)
        return client
