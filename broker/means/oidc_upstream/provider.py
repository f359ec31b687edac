"""What the broker knows of an upstream OP: its discovery document and its signing keys.

Discovery (OIDC Discovery 1.0 §4.3): the document must name exactly the configured issuer, or an
attacker-controlled document could redirect the token call (mix-up, RFC 9700 §4.4). Both the
document and the JWKS are cached; a failure drops the cache so the next login fetches again, and
an unknown ``kid`` refetches the JWKS once (key rollover), at most every ``MIN_REFETCH`` seconds
so a stream of forged kids cannot make the broker hammer the upstream.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from broker.means.oidc_upstream.config import check_url

DISCOVERY_PATH = "/.well-known/openid-configuration"
METADATA_TTL = 3600
JWKS_TTL = 3600
MIN_REFETCH = 10.0
MAX_DOCUMENT_BYTES = 64 * 1024
FETCH_TIMEOUT = 5.0  # seconds for the whole exchange (httpx's own timeout is per read)
# Asymmetric algorithms only (catalogue §4.3); NL GOV §1.9: RS256 required, PS256 preferred.
SUPPORTED_ALGS = ("RS256", "PS256", "ES256")
KTY_OF_ALG = {"RS256": "RSA", "PS256": "RSA", "ES256": "EC"}
MAX_KID_LENGTH = 256


class UpstreamError(Exception):
    """Something about the upstream OP is wrong; the message is for the log, not the person."""


class UpstreamUnavailable(UpstreamError):
    """The OP cannot be reached, timed out or said it is failing: an outage, not a refusal."""


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    id_token_algs: tuple[str, ...]  # what the OP says it uses, intersected with SUPPORTED_ALGS
    iss_parameter_supported: bool  # RFC 9207 §3
    userinfo_endpoint: str | None = None


@dataclass(frozen=True)
class UpstreamKey:
    kid: str | None
    kty: str
    key: Any  # an RSAPublicKey or EllipticCurvePublicKey


async def fetch_json(http: httpx.AsyncClient, url: str) -> dict[str, Any]:
    """GET a JSON object of bounded size; no redirects (the URL is pinned by configuration).

    The whole exchange has a deadline: httpx's timeout applies to each read, so an upstream that
    sends a byte every few seconds would otherwise hold the login (and a worker) indefinitely.
    """
    try:
        with anyio.fail_after(FETCH_TIMEOUT):
            async with http.stream(
                "GET", url, timeout=FETCH_TIMEOUT, follow_redirects=False
            ) as response:
                if response.status_code != 200:
                    raise UpstreamError(f"GET {url}: HTTP {response.status_code}")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_DOCUMENT_BYTES:
                        raise UpstreamError(f"GET {url}: document too large")
    except TimeoutError:
        raise UpstreamUnavailable(f"GET {url}: timed out after {FETCH_TIMEOUT} s") from None
    except httpx.HTTPError as exc:
        raise UpstreamUnavailable(f"GET {url}: {type(exc).__name__}") from None
    try:
        document = httpx.Response(200, content=bytes(body)).json()
    except ValueError:
        raise UpstreamError(f"GET {url}: not JSON") from None
    if not isinstance(document, dict):
        raise UpstreamError(f"GET {url}: not a JSON object")
    return document


def parse_metadata(document: dict[str, Any], issuer: str) -> ProviderMetadata:
    """Check a discovery document against the configured issuer (OIDC Discovery §4.3)."""
    if document.get("issuer") != issuer:  # exact string comparison, no normalisation
        raise UpstreamError(f"discovery issuer {document.get('issuer')!r} is not {issuer!r}")

    def endpoint(name: str, required: bool = True) -> str | None:
        value = document.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise UpstreamError(f"discovery: {name} missing")
        try:
            return check_url(value, name)
        except ValueError as exc:
            raise UpstreamError(f"discovery: {exc}") from None

    response_types = document.get("response_types_supported", ["code"])
    if not isinstance(response_types, list) or "code" not in response_types:
        raise UpstreamError("discovery: the OP does not support response_type=code")
    methods = document.get("code_challenge_methods_supported")
    if methods is not None and (not isinstance(methods, list) or "S256" not in methods):
        raise UpstreamError("discovery: the OP does not support PKCE S256")
    # OIDC Discovery §3 makes this list REQUIRED; RS256 is the default when it is missing.
    advertised = document.get("id_token_signing_alg_values_supported", ["RS256"])
    if not isinstance(advertised, list):
        raise UpstreamError("discovery: id_token_signing_alg_values_supported is not a list")
    algs = tuple(alg for alg in SUPPORTED_ALGS if alg in advertised)
    if not algs:
        raise UpstreamError(f"discovery: no acceptable ID token algorithm in {advertised!r}")
    authorization = endpoint("authorization_endpoint")
    token = endpoint("token_endpoint")
    jwks_uri = endpoint("jwks_uri")
    assert authorization and token and jwks_uri  # required=True
    return ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=authorization,
        token_endpoint=token,
        jwks_uri=jwks_uri,
        id_token_algs=algs,
        iss_parameter_supported=document.get("authorization_response_iss_parameter_supported")
        is True,
        userinfo_endpoint=endpoint("userinfo_endpoint", required=False),
    )


def parse_jwks(document: dict[str, Any]) -> list[UpstreamKey]:
    """Signing keys of the allowed types and sizes; private, symmetric or odd keys are skipped.

    Only ``kty``/``n``/``e``/``crv``/``x``/``y`` are read: ``x5u`` and friends in a JWK are never
    followed (catalogue §4.1).
    """
    keys: list[UpstreamKey] = []
    raw_keys = document.get("keys")
    if not isinstance(raw_keys, list):
        raise UpstreamError("JWKS has no keys list")
    for raw in raw_keys:
        if not isinstance(raw, dict) or raw.get("use", "sig") != "sig" or "d" in raw:
            continue
        kty = raw.get("kty")
        if kty not in ("RSA", "EC"):
            continue
        kid = raw.get("kid")
        if kid is not None and (not isinstance(kid, str) or len(kid) > MAX_KID_LENGTH):
            continue
        public = {k: raw[k] for k in ("kty", "n", "e", "crv", "x", "y") if k in raw}
        try:
            key = jwt.PyJWK(public).key
        except (jwt.PyJWKError, ValueError, TypeError):
            continue
        if isinstance(key, rsa.RSAPublicKey) and key.key_size < 2048:
            continue
        if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name != "secp256r1":
            continue
        if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            continue
        keys.append(UpstreamKey(kid, kty, key))
    return keys


class UpstreamProvider:
    """Cached discovery document and JWKS of one upstream OP."""

    def __init__(
        self, issuer: str, http: httpx.AsyncClient, *, min_refetch: float = MIN_REFETCH
    ) -> None:
        self.issuer = issuer
        self._http = http
        self._min_refetch = min_refetch
        self._metadata: tuple[float, ProviderMetadata] | None = None
        self._keys: tuple[float, list[UpstreamKey]] | None = None
        self._last_key_fetch = 0.0
        self._lock = asyncio.Lock()

    @property
    def cached_metadata(self) -> ProviderMetadata | None:
        return self._metadata[1] if self._metadata else None

    async def metadata(self) -> ProviderMetadata:
        now = time.monotonic()
        if self._metadata is not None and self._metadata[0] > now:
            return self._metadata[1]
        async with self._lock:
            if self._metadata is not None and self._metadata[0] > now:
                return self._metadata[1]
            document = await fetch_json(self._http, self.issuer.rstrip("/") + DISCOVERY_PATH)
            metadata = parse_metadata(document, self.issuer)
            self._metadata = (now + METADATA_TTL, metadata)
            return metadata

    def invalidate(self) -> None:
        """Forget everything: the next login fetches discovery and keys afresh."""
        self._metadata = None
        self._keys = None

    async def _fetch_keys(self) -> list[UpstreamKey]:
        metadata = await self.metadata()
        self._last_key_fetch = time.monotonic()
        keys = parse_jwks(await fetch_json(self._http, metadata.jwks_uri))
        self._keys = (self._last_key_fetch + JWKS_TTL, keys)
        return keys

    async def key_for(self, kid: str | None, alg: str) -> UpstreamKey:
        """The one key that must verify a token with this header; no fallback, no key trying."""
        kty = KTY_OF_ALG[alg]
        cached = self._keys
        keys = cached[1] if cached and cached[0] > time.monotonic() else await self._fetch_keys()
        found = _select(keys, kid, kty)
        since = time.monotonic() - self._last_key_fetch
        if found is None and kid is not None and since >= self._min_refetch:
            found = _select(await self._fetch_keys(), kid, kty)  # a rolled-over key
        if found is None:
            raise UpstreamError(f"no upstream key for kid {kid!r} and {alg}")
        return found


def _select(keys: list[UpstreamKey], kid: str | None, kty: str) -> UpstreamKey | None:
    """By ``kid`` (opaque exact match); without kid only when exactly one key fits (Core §10.1)."""
    if kid is None:
        candidates = [k for k in keys if k.kty == kty]
        return candidates[0] if len(candidates) == 1 else None
    matches = [k for k in keys if k.kid == kid]
    if len(matches) != 1 or matches[0].kty != kty:
        return None  # duplicate kids are ambiguous; a kid of another type is alg confusion
    return matches[0]
