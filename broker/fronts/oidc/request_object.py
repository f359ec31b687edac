"""Request objects (JAR, RFC 9101; NL GOV §1.2): signed by the client, optionally encrypted to us.

When a request object is used, only its contents count (RFC 9101 §6.3); `request_uri` values must
be pre-registered and are compared as plain strings before anything is fetched.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import jwt
from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from broker.fronts.oidc.client_keys import ClientKeyError, ClientKeys
from broker.keys import KeyRing
from broker.register.cache import ClientInfo

SIGNING_ALGS = ["RS256", "PS256", "ES256"]
KEY_ENCRYPTION_ALGS = ["RSA-OAEP", "RSA-OAEP-256"]
CONTENT_ENCRYPTION_ALGS = ["A256GCM", "A128GCM"]
MAX_REQUEST_OBJECT = 64 * 1024


class RequestObjectError(Exception):
    """The request object is invalid: ``invalid_request_object`` (or ``invalid_request_uri``)."""

    def __init__(self, description: str, error: str = "invalid_request_object") -> None:
        super().__init__(description)
        self.error = error


class RequestObjects:
    def __init__(
        self, keys: KeyRing, client_keys: ClientKeys, http: httpx.AsyncClient, issuer: str
    ) -> None:
        self.client_keys = client_keys
        self.http = http
        self.issuer = issuer
        self._decryption = {
            k.kid: RSAKey.import_key(k.private_key)  # type: ignore[arg-type]
            for k in keys.keys
            if k.use == "enc"
        }
        current = keys.decryption_key(None)
        self._current = self._decryption[current.kid] if current else None

    async def fetch(self, client: ClientInfo, request_uri: str) -> str:
        if request_uri not in client.request_uris:
            raise RequestObjectError(
                "request_uri is not registered for this client", "invalid_request_uri"
            )
        try:
            resp = await self.http.get(request_uri, timeout=5.0, follow_redirects=False)
            resp.raise_for_status()
        except httpx.HTTPError:
            raise RequestObjectError(
                "request_uri could not be fetched", "invalid_request_uri"
            ) from None
        if len(resp.content) > MAX_REQUEST_OBJECT:
            raise RequestObjectError("request object too large", "invalid_request_uri")
        return resp.text.strip()

    def _decrypt(self, token: str) -> str:
        try:
            header = json.loads(jwt.utils.base64url_decode(token.split(".")[0]))
            kid = header.get("kid")
            key = self._decryption.get(kid) if kid is not None else self._current
            if key is None:
                raise RequestObjectError("request object encrypted to an unknown key")
            result = jwe.decrypt_compact(
                token, key, algorithms=KEY_ENCRYPTION_ALGS + CONTENT_ENCRYPTION_ALGS
            )
        except (JoseError, ValueError, KeyError) as exc:
            raise RequestObjectError(f"request object could not be decrypted: {exc}") from None
        if result.plaintext is None:
            raise RequestObjectError("request object could not be decrypted")
        return result.plaintext.decode()

    async def parse(self, client: ClientInfo, token: str) -> dict[str, str]:
        if len(token) > MAX_REQUEST_OBJECT:
            raise RequestObjectError("request object too large")
        if token.count(".") == 4:
            token = self._decrypt(token)
        if token.count(".") != 2:
            raise RequestObjectError("request object must be a signed JWT")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise RequestObjectError("request object is not a JWT") from None
        if header.get("alg") not in SIGNING_ALGS:
            raise RequestObjectError("request object must be signed with RS256, PS256 or ES256")
        try:
            key = await self.client_keys.key_for(
                client.client_id, client.jwks, client.jwks_uri, header
            )
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[header["alg"]],
                audience=self.issuer,
                options={"verify_aud": True, "require": []},
                leeway=30,
            )
        except ClientKeyError as exc:
            raise RequestObjectError(str(exc)) from None
        except jwt.InvalidTokenError as exc:
            raise RequestObjectError(f"request object rejected: {exc}") from None
        if claims.get("iss", client.client_id) != client.client_id:
            raise RequestObjectError("request object iss must be the client_id")
        if claims.get("client_id", client.client_id) != client.client_id:
            raise RequestObjectError("request object client_id does not match")
        if "exp" in claims and claims["exp"] < time.time() - 30:
            raise RequestObjectError("request object expired")
        for name in ("request", "request_uri"):
            if name in claims:
                raise RequestObjectError(f"{name} inside a request object is not allowed")
        # Everything becomes a string parameter like in the query: the claims object as JSON,
        # a JSON number such as max_age (OIDC Core §6.1 example) as its decimal text.
        params: dict[str, str] = {}
        for name, value in claims.items():
            if name in ("iss", "aud", "exp", "iat", "nbf", "jti"):
                continue
            if name == "claims" and isinstance(value, dict):
                params[name] = json.dumps(value)
            elif isinstance(value, str):
                params[name] = value
            elif isinstance(value, int) and not isinstance(value, bool):
                params[name] = str(value)
            else:
                raise RequestObjectError(f"request object member {name} has an unusable value")
        return params
