"""A client's public keys (inline JWKS or jwks_uri), parsed once and cached.

Only the key types and algorithms the profile allows are used; the JWS header `alg` must fit
the key's type (no algorithm confusion: an RSA key never verifies an HMAC or EC signature).
"""

from __future__ import annotations

import copy
import time
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ALGS_FOR_KTY = {"RSA": ("RS256", "PS256"), "EC": ("ES256",)}
JWKS_CACHE_SECONDS = 300


class ClientKeyError(Exception):
    pass


class ClientKeys:
    """Public keys per client; a jwks_uri is fetched at most every five minutes."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http
        # client_id -> (refetch after, the inline JWKS or the jwks_uri it came from, parsed keys)
        self._cache: dict[str, tuple[float, dict[str, Any] | str, dict[str, Any]]] = {}

    async def _jwks(
        self,
        client_id: str,
        jwks: dict[str, Any] | None,
        jwks_uri: str | None,
        refresh: bool = False,
    ) -> dict[str, Any]:
        # The registered value itself is the cache key: comparing it costs far less than
        # serialising it on every token request; a changed registration parses anew.
        source: dict[str, Any] | str = jwks if jwks is not None else (jwks_uri or "")
        cached = self._cache.get(client_id)
        now = time.monotonic()
        if cached and cached[1] == source and not refresh and (jwks is not None or cached[0] > now):
            return cached[2]
        if jwks is not None:
            source = copy.deepcopy(jwks)  # a private copy to compare later registrations with
            parsed = _parse(jwks)
        elif jwks_uri:
            try:
                resp = await self._http.get(jwks_uri, timeout=5.0, follow_redirects=False)
                resp.raise_for_status()
                parsed = _parse(resp.json())
            except (httpx.HTTPError, ValueError) as exc:
                raise ClientKeyError(f"client JWKS could not be fetched: {exc}") from None
        else:
            raise ClientKeyError("client has no keys registered")
        self._cache[client_id] = (now + JWKS_CACHE_SECONDS, source, parsed)
        return parsed

    async def key_for(
        self,
        client_id: str,
        jwks: dict[str, Any] | None,
        jwks_uri: str | None,
        header: dict[str, Any],
    ) -> Any:
        """The public key that must verify a JWS with ``header``; raises ClientKeyError."""
        alg = header.get("alg")
        kid = header.get("kid")
        for refresh in (False, True):
            keys = await self._jwks(client_id, jwks, jwks_uri, refresh=refresh)
            candidates = [k for k in keys.values() if kid is None or k["kid"] == kid]
            if kid is None and len(candidates) != 1:
                candidates = [k for k in candidates if alg in k["algs"]]
            if len(candidates) == 1:
                key = candidates[0]
                if alg not in key["algs"]:
                    raise ClientKeyError(f"algorithm {alg!r} does not fit the client's key")
                return key["key"]
            if jwks is not None:  # inline keys: refreshing does not help
                break
        raise ClientKeyError("no matching client key (kid)")


def _parse(jwks: dict[str, Any]) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    for index, raw in enumerate(jwks.get("keys", [])):
        if not isinstance(raw, dict) or raw.get("use", "sig") != "sig":
            continue
        kty = raw.get("kty")
        if kty not in ALGS_FOR_KTY or "d" in raw:
            continue
        try:
            key = jwt.PyJWK(raw).key
        except (jwt.PyJWKError, ValueError, TypeError):
            continue
        if isinstance(key, rsa.RSAPublicKey) and key.key_size < 2048:
            continue
        if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name != "secp256r1":
            continue
        algs = ALGS_FOR_KTY[kty]
        if raw.get("alg"):
            algs = tuple(a for a in algs if a == raw["alg"])
        kid = str(raw.get("kid", f"#{index}"))
        keys[kid] = {"kid": kid, "algs": algs, "key": key}
    return keys
