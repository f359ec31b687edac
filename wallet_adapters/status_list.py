"""Token Status List (draft-ietf-oauth-status-list; HAIP pins -14, read at -20).

Section names refer to the draft. Validation order follows §"Validation Rules":
the referenced credential is validated first, then the Status List Token is
fetched (through an injected async fetcher, so this module does no HTTP itself),
its signature checked against a trust list, ``sub`` compared with the reference
``uri``, ``exp`` checked, the list decompressed with a size cap (DEFLATE bomb,
attack-catalogue §5.3) and the index looked up. Anything but VALID (0x00) refuses.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from wallet_adapters import cbor, cose
from wallet_adapters.encoding import b64url_decode
from wallet_adapters.errors import (
    MalformedInput,
    PolicyError,
    StatusError,
    ValidityError,
    WalletVerificationError,
)
from wallet_adapters.jws import DEFAULT_ALGS, parse_compact, verify_compact
from wallet_adapters.trust import (
    TrustList,
    ValidatedChain,
    certificates_from_der_list,
    certificates_from_x5c,
)

VALID, INVALID, SUSPENDED = 0x00, 0x01, 0x02
JWT_TYP = "statuslist+jwt"
JWT_MEDIA_TYPE = "application/statuslist+jwt"
CWT_MEDIA_TYPE = "application/statuslist+cwt"
MAX_DECOMPRESSED = 16 * 1024 * 1024  # 2^27 one-bit entries; far above real lists
MAX_TOKEN_SIZE = 4 * 1024 * 1024
# CWT claim keys (RFC 8392 §3.1.2 / draft §"Status List Token in CWT Format")
CWT_SUB, CWT_EXP, CWT_IAT, CWT_TTL, CWT_STATUS_LIST = 2, 4, 6, 65534, 65533


@dataclass(frozen=True)
class StatusReference:
    """§"Referenced Token": ``status.status_list = {idx, uri}``."""

    idx: int
    uri: str


def parse_status_claim(value: Any) -> StatusReference | None:
    """JOSE ``status`` claim or COSE ``Status`` map; ``None`` if no status mechanism."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise MalformedInput("status must be an object")
    sl = value.get("status_list")
    if sl is None:
        return None
    if not isinstance(sl, dict):
        raise MalformedInput("status_list must be an object")
    idx, uri = sl.get("idx"), sl.get("uri")
    if isinstance(idx, bool) or not isinstance(idx, int) or idx < 0:
        raise MalformedInput("status_list.idx must be a non-negative integer")
    if not isinstance(uri, str) or not uri:
        raise MalformedInput("status_list.uri must be a string")
    return StatusReference(idx, uri)


@dataclass(frozen=True)
class StatusList:
    """§"Compressed Byte Array": statuses packed LSB-first, ``bits`` in {1,2,4,8}."""

    bits: int
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data) * 8 // self.bits

    def get(self, idx: int) -> int:
        if idx < 0 or idx >= self.size:
            raise StatusError("status index out of range", code="status_index")
        position = idx * self.bits
        return (self.data[position // 8] >> (position % 8)) & ((1 << self.bits) - 1)


def decompress(bits: Any, lst: bytes, max_size: int = MAX_DECOMPRESSED) -> StatusList:
    if bits not in (1, 2, 4, 8) or isinstance(bits, bool):
        raise MalformedInput("status list bits must be 1, 2, 4 or 8")
    decomp = zlib.decompressobj()
    try:
        data = decomp.decompress(lst, max_size)
    except zlib.error as exc:
        raise MalformedInput("status list is not ZLIB/DEFLATE data") from exc
    if decomp.unconsumed_tail or not decomp.eof:
        raise MalformedInput("status list too large or truncated")
    return StatusList(bits, data)


def decode_json_status_list(obj: Any) -> StatusList:
    """§"Status List in JSON Format": ``{"bits": n, "lst": base64url(zlib(bytes))}``."""
    if not isinstance(obj, dict) or not isinstance(obj.get("lst"), str):
        raise MalformedInput("status_list must be {bits, lst}")
    return decompress(obj.get("bits"), b64url_decode(obj["lst"]))


@dataclass(frozen=True)
class StatusListToken:
    subject: str
    issued_at: dt.datetime
    expires_at: dt.datetime | None
    ttl: dt.timedelta | None
    status_list: StatusList
    signer: ValidatedChain | None


def _time(value: Any, name: str, required: bool) -> dt.datetime | None:
    if value is None:
        if required:
            raise MalformedInput(f"status list token lacks {name}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedInput(f"status list token {name} must be numeric")
    return dt.datetime.fromtimestamp(value, dt.UTC)


def _finish(
    claims_sub: Any,
    iat: Any,
    exp: Any,
    ttl: Any,
    status_list: StatusList,
    signer: ValidatedChain | None,
    expected_uri: str,
    now: dt.datetime,
) -> StatusListToken:
    if claims_sub != expected_uri:  # §"Validation Rules" 4.a
        raise StatusError("status list token sub does not match the referenced uri")
    issued = _time(iat, "iat", True)
    expires = _time(exp, "exp", False)
    if expires is not None and now >= expires:
        raise ValidityError("status list token expired", code="status_expired")
    ttl_delta = None
    if ttl is not None:
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or ttl <= 0:
            raise MalformedInput("ttl must be a positive number")
        ttl_delta = dt.timedelta(seconds=ttl)
    assert issued is not None
    return StatusListToken(claims_sub, issued, expires, ttl_delta, status_list, signer)


def verify_status_list_jwt(
    token: str,
    expected_uri: str,
    now: dt.datetime,
    *,
    trust: TrustList | None = None,
    static_key: ec.EllipticCurvePublicKey | None = None,
) -> StatusListToken:
    """§"Status List Token in JWT Format"; key from ``x5c`` (HAIP) or a pinned key."""
    jws = parse_compact(token)
    if jws.header.get("typ") != JWT_TYP:
        raise PolicyError("status list token typ must be statuslist+jwt", code="typ")
    signer: ValidatedChain | None = None
    if trust is not None:
        signer = trust.validate(certificates_from_x5c(jws.header.get("x5c")), now)
        key = signer.leaf_public_key()
    elif static_key is not None:
        key = static_key
    else:
        raise ValueError("a trust list or a static key is required")
    verify_compact(jws, key, DEFAULT_ALGS)
    p = jws.payload
    return _finish(
        p.get("sub"), p.get("iat"), p.get("exp"), p.get("ttl"),
        decode_json_status_list(p.get("status_list")), signer, expected_uri, now,
    )


def verify_status_list_cwt(
    token: bytes,
    expected_uri: str,
    now: dt.datetime,
    *,
    trust: TrustList | None = None,
    static_key: ec.EllipticCurvePublicKey | None = None,
) -> StatusListToken:
    """§"Status List Token in CWT Format": COSE_Sign1, typ (16) statuslist+cwt."""
    msg = cose.parse_sign1(cbor.loads(token, max_size=MAX_TOKEN_SIZE))
    if msg.protected.get(cose.TYP) != CWT_MEDIA_TYPE:
        raise PolicyError("status list CWT type must be application/statuslist+cwt", code="typ")
    signer: ValidatedChain | None = None
    if trust is not None:
        signer = trust.validate(certificates_from_der_list(msg.x5chain()), now)
        key = signer.leaf_public_key()
    elif static_key is not None:
        key = static_key
    else:
        raise ValueError("a trust list or a static key is required")
    cose.verify_sign1(msg, key)
    if msg.payload is None:
        raise MalformedInput("status list CWT has no payload")
    claims = cbor.loads(msg.payload, max_size=MAX_TOKEN_SIZE)
    if not isinstance(claims, dict):
        raise MalformedInput("CWT claims must be a map")
    sl = claims.get(CWT_STATUS_LIST)
    if not isinstance(sl, dict) or not isinstance(sl.get("lst"), bytes):
        raise MalformedInput("CWT status list must be {bits, lst}")
    return _finish(
        claims.get(CWT_SUB), claims.get(CWT_IAT), claims.get(CWT_EXP), claims.get(CWT_TTL),
        decompress(sl.get("bits"), sl["lst"]), signer, expected_uri, now,
    )


@dataclass(frozen=True)
class FetchedToken:
    media_type: str
    body: bytes


StatusFetcher = Callable[[str], Awaitable[FetchedToken]]


class StatusListClient:
    """Fetches, verifies and caches Status List Tokens; refuses anything but VALID.

    Caching (§"Status List Update Interval and Caching"): a token is reused until the
    earlier of fetch time + ``ttl`` (capped by ``max_ttl``) and ``exp``; without
    ``ttl`` ``default_ttl`` applies. Status URIs must be https and, when
    ``allowed_hosts`` is set, on an allowed host (SSRF, attack-catalogue §5.3).
    Fetch errors fail closed.
    """

    def __init__(
        self,
        fetcher: StatusFetcher,
        trust: TrustList,
        *,
        allowed_hosts: frozenset[str] | None = None,
        default_ttl: dt.timedelta = dt.timedelta(minutes=5),
        max_ttl: dt.timedelta = dt.timedelta(hours=24),
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._fetcher = fetcher
        self._trust = trust
        self._allowed_hosts = allowed_hosts
        self._default_ttl = default_ttl
        self._max_ttl = max_ttl
        self._clock = clock
        self._cache: dict[str, tuple[dt.datetime, StatusListToken]] = {}

    def _check_uri(self, uri: str) -> None:
        parts = urlsplit(uri)
        if parts.scheme != "https" or not parts.hostname:
            raise StatusError("status list uri must be https")
        if self._allowed_hosts is not None and parts.hostname not in self._allowed_hosts:
            raise StatusError("status list host not allowed")

    async def token(self, uri: str) -> StatusListToken:
        now = self._clock()
        cached = self._cache.get(uri)
        if cached is not None and now < cached[0]:
            return cached[1]
        self._check_uri(uri)
        try:
            fetched = await self._fetcher(uri)
        except WalletVerificationError:
            raise
        except Exception as exc:
            raise StatusError(f"status list unavailable: {type(exc).__name__}") from exc
        if len(fetched.body) > MAX_TOKEN_SIZE:
            raise StatusError("status list token too large")
        media = fetched.media_type.split(";")[0].strip().lower()
        if media == JWT_MEDIA_TYPE:
            try:
                text = fetched.body.decode("ascii").strip()
            except UnicodeDecodeError as exc:
                raise MalformedInput("status list JWT is not ASCII") from exc
            tok = verify_status_list_jwt(text, uri, now, trust=self._trust)
        elif media == CWT_MEDIA_TYPE:
            tok = verify_status_list_cwt(fetched.body, uri, now, trust=self._trust)
        else:
            raise StatusError(f"unexpected status list media type {media!r}")
        ttl = min(tok.ttl or self._default_ttl, self._max_ttl)
        until = now + ttl
        if tok.expires_at is not None:
            until = min(until, tok.expires_at)
        self._cache[uri] = (until, tok)
        return tok

    async def check(self, ref: StatusReference, *, issuer_anchor: bytes | None = None) -> None:
        """Raise :class:`StatusError` unless the referenced token is VALID.

        ``issuer_anchor``: DER of the trust anchor the credential chained to; when
        given, the status list signer must chain to the same anchor, tying the list
        to the credential issuer (attack-catalogue §5.3).
        """
        tok = await self.token(ref.uri)
        if (
            issuer_anchor is not None
            and tok.signer is not None
            and tok.signer.anchor.public_bytes(Encoding.DER) != issuer_anchor
        ):
            raise StatusError("status list signer not tied to the credential issuer")
        value = tok.status_list.get(ref.idx)
        if value == INVALID:
            raise StatusError("credential revoked", code="revoked")
        if value == SUSPENDED:
            raise StatusError("credential suspended", code="suspended")
        if value != VALID:
            raise StatusError(f"credential status {value:#x} not accepted")


__all__ = [
    "CWT_MEDIA_TYPE",
    "JWT_MEDIA_TYPE",
    "FetchedToken",
    "StatusList",
    "StatusListClient",
    "StatusListToken",
    "StatusReference",
    "decode_json_status_list",
    "parse_status_claim",
    "verify_status_list_cwt",
    "verify_status_list_jwt",
]
