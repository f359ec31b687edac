"""Client authentication at the token endpoint (NL GOV §1.3).

``private_key_jwt`` (RFC 7523 §3, OIDC Core §9) for every client, ``client_secret_basic`` only
for clients registered so. Never two methods at once.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any
from urllib.parse import unquote

import anyio.to_thread
import jwt
from starlette.datastructures import FormData
from starlette.requests import Request

from broker.fronts.oidc.client_keys import ClientKeyError, ClientKeys
from broker.fronts.oidc.errors import OAuthError
from broker.register.cache import ClientCache, ClientInfo
from broker.register.clients import verify_client_secret
from broker.store import Put, Store

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# RFC 7523 sets no maximum; the jti of each assertion is remembered until it expires, so the
# lifetime is capped. One hour, because common client libraries default to it (Authlib signs
# assertions valid for 3600 s) and a stock client must work; each assertion is still one-time.
MAX_ASSERTION_LIFETIME = 3600


def _invalid(description: str) -> OAuthError:
    return OAuthError("invalid_client", description, status=401)


def assertion_reused() -> OAuthError:
    return _invalid("client_assertion was already used")


def _segment(value: str) -> dict[str, Any]:
    data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def _peek(assertion: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of the assertion, *unverified*: only to find the client and its key.

    Everything read here is checked again by the one verifying ``jwt.decode`` afterwards; this
    saves PyJWT parsing (and character-by-character validating) the token three times.
    """
    head, body, _ = assertion.split(".")
    try:
        header, claims = _segment(head), _segment(body)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _invalid("client_assertion is not a valid JWT") from None
    if not isinstance(header.get("alg"), str) or not isinstance(header.get("kid", ""), str):
        raise _invalid("client_assertion is not a valid JWT")
    return header, claims


class ClientAuthenticator:
    def __init__(
        self, clients: ClientCache, keys: ClientKeys, store: Store, issuer: str, token_endpoint: str
    ) -> None:
        self.clients = clients
        self.keys = keys
        self.store = store
        self.audiences = [issuer, token_endpoint]

    async def authenticate(self, request: Request, form: FormData) -> ClientInfo:
        client, once = await self.identify(request, form)
        if once is not None and not await self.store.add(*once):
            raise assertion_reused()
        return client

    async def identify(self, request: Request, form: FormData) -> tuple[ClientInfo, Put | None]:
        """The authenticated client and, for ``private_key_jwt``, the record of the assertion's
        ``jti`` that the caller must still add (``Store.add``; ``assertion_reused()`` when it
        exists): the token endpoint adds it in the round trip that takes the code."""
        basic = request.headers.get("authorization", "")
        has_basic = basic[:6].lower() == "basic "
        has_assertion = "client_assertion" in form or "client_assertion_type" in form
        if has_basic and has_assertion:
            raise _invalid("use exactly one client authentication method")
        if "client_secret" in form:
            raise _invalid("client_secret_post is not supported; use private_key_jwt")
        if has_assertion:
            return await self._private_key_jwt(form)
        if has_basic:
            return await self._secret_basic(basic[6:].strip(), form), None
        raise _invalid("client authentication is required")

    async def _secret_basic(self, credentials: str, form: FormData) -> ClientInfo:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
            raw_id, _, raw_secret = decoded.partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise _invalid("malformed Basic credentials") from None
        client_id, secret = unquote(raw_id), unquote(raw_secret)  # RFC 6749 §2.3.1
        client = await self.clients.client(client_id)
        if client is None or client.token_endpoint_auth_method != "client_secret_basic":  # noqa: S105
            raise _invalid("client authentication failed")
        # scrypt costs ~15 ms: keep it off the event loop.
        if not await anyio.to_thread.run_sync(verify_client_secret, client, secret):
            raise _invalid("client authentication failed")
        if form.get("client_id") not in (None, client_id):
            raise _invalid("client_id does not match the authenticated client")
        return client

    async def _private_key_jwt(self, form: FormData) -> tuple[ClientInfo, Put]:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise _invalid("client_assertion_type must be " + ASSERTION_TYPE)
        assertion = form.get("client_assertion")
        if not isinstance(assertion, str) or assertion.count(".") != 2:
            raise _invalid("client_assertion must be a signed JWT")
        header, unverified = _peek(assertion)
        client_id = unverified.get("iss")
        if not isinstance(client_id, str) or unverified.get("sub") != client_id:
            raise _invalid("client_assertion iss and sub must both be the client_id")
        if form.get("client_id") not in (None, client_id):
            raise _invalid("client_id does not match the client_assertion")
        client = await self.clients.client(client_id)
        if client is None or client.token_endpoint_auth_method != "private_key_jwt":  # noqa: S105
            raise _invalid("client authentication failed")
        try:
            key = await self.keys.key_for(client.client_id, client.jwks, client.jwks_uri, header)
            claims: dict[str, Any] = jwt.decode(
                assertion,
                key,
                algorithms=[header["alg"]],
                audience=self.audiences,
                issuer=client_id,
                options={"require": ["iss", "sub", "aud", "exp", "jti"]},
                leeway=30,
            )
        except ClientKeyError as exc:
            raise _invalid(str(exc)) from None
        except jwt.InvalidTokenError as exc:
            raise _invalid(f"client_assertion rejected: {exc}") from None
        now = int(time.time())
        if claims["exp"] - now > MAX_ASSERTION_LIFETIME:
            raise _invalid("client_assertion lifetime too long")
        if not isinstance(claims["aud"], str) and len(claims["aud"]) != 1:
            raise _invalid("client_assertion aud must name only this server")
        # RFC 7523 §3 (7): a jti may be used once; remember it until the assertion expires.
        ttl = max(claims["exp"] - now + 30, 1)
        return client, (f"assertion-jti:{client_id}:{claims['jti']}", {}, ttl)
