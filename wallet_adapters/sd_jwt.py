"""SD-JWT (RFC 9901) parsing, disclosure processing and Key Binding JWT checks.

Format-level rules only; SD-JWT VC rules (``typ``, ``vct``, issuer trust, validity)
live in :mod:`wallet_adapters.sd_jwt_vc`. Section numbers refer to RFC 9901.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from wallet_adapters.encoding import b64url_decode, b64url_encode, json_dumps, json_loads
from wallet_adapters.errors import DisclosureError, HolderBindingError, MalformedInput
from wallet_adapters.jws import (
    DEFAULT_ALGS,
    CompactJws,
    parse_compact,
    public_key_from_jwk,
    verify_compact,
)

# §4.1.1 + IANA "Named Information Hash Algorithm" names. Weak hashes are absent,
# so an `_sd_alg` of e.g. "md5" is refused (attack-catalogue §5.2).
HASH_ALGORITHMS: dict[str, Callable[[bytes], Any]] = {
    "sha-256": hashlib.sha256,
    "sha-384": hashlib.sha384,
    "sha-512": hashlib.sha512,
    "sha3-256": hashlib.sha3_256,
    "sha3-384": hashlib.sha3_384,
    "sha3-512": hashlib.sha3_512,
}
MAX_DISCLOSURES = 256
MAX_DEPTH = 32
_RESERVED_NAMES = frozenset({"_sd", "..."})


@dataclass(frozen=True)
class SdJwtParts:
    """§4: ``<Issuer-signed JWT>~<D1>~...~<Dn>~[<KB-JWT>]``."""

    issuer_jwt: str
    disclosures: tuple[str, ...]
    kb_jwt: str | None

    @property
    def without_kb(self) -> str:
        """The string ``sd_hash`` covers (§4.3.1): issuer JWT and disclosures, each + ``~``."""
        return self.issuer_jwt + "~" + "".join(d + "~" for d in self.disclosures)


def split_presentation(text: str, max_length: int = 512 * 1024) -> SdJwtParts:
    if not isinstance(text, str) or len(text) > max_length:
        raise MalformedInput("SD-JWT missing or too large")
    parts = text.split("~")
    if len(parts) < 2:
        raise MalformedInput("SD-JWT must contain at least one '~'")
    issuer_jwt, middle, last = parts[0], parts[1:-1], parts[-1]
    if not issuer_jwt or any(not d for d in middle):
        raise MalformedInput("empty SD-JWT component")
    if len(middle) > MAX_DISCLOSURES:
        raise MalformedInput("too many disclosures")
    return SdJwtParts(issuer_jwt, tuple(middle), last or None)


def hash_function(sd_alg: object) -> Callable[[bytes], Any]:
    if sd_alg is None:
        sd_alg = "sha-256"  # §4.1.1: default when `_sd_alg` is absent
    if not isinstance(sd_alg, str) or sd_alg not in HASH_ALGORITHMS:
        raise DisclosureError(f"_sd_alg {sd_alg!r} not supported", code="sd_alg")
    return HASH_ALGORITHMS[sd_alg]


def digest(hash_fn: Callable[[bytes], Any], text: str) -> str:
    """§4.2.3: hash over the ASCII bytes of the base64url string, not the decoded JSON."""
    return b64url_encode(hash_fn(text.encode("ascii")).digest())


def make_disclosure(salt: str, name: str | None, value: Any) -> str:
    """§4.2.1/§4.2.2: base64url(JSON array); 3 elements for properties, 2 for array items."""
    array: list[Any] = [salt, value] if name is None else [salt, name, value]
    return b64url_encode(json_dumps(array))


@dataclass(frozen=True)
class _Disclosure:
    text: str
    name: str | None
    value: Any


def _parse_disclosure(text: str) -> _Disclosure:
    try:
        array = json_loads(b64url_decode(text))
    except MalformedInput as exc:
        raise DisclosureError("disclosure is not base64url JSON") from exc
    if not isinstance(array, list) or not array or not isinstance(array[0], str):
        raise DisclosureError("disclosure must be a JSON array starting with a salt")
    if len(array) == 3:
        if not isinstance(array[1], str):
            raise DisclosureError("disclosure claim name must be a string")
        return _Disclosure(text, array[1], array[2])
    if len(array) == 2:
        return _Disclosure(text, None, array[1])
    raise DisclosureError("disclosure must have 2 or 3 elements")


class _Processor:
    """Implements §7.1 step 3-5: replace digests by disclosed values, recursively."""

    def __init__(self, by_digest: dict[str, _Disclosure]) -> None:
        self.by_digest = by_digest
        self.seen: set[str] = set()
        self.used: set[str] = set()
        self.disclosed_top_level: set[str] = set()

    def _claim_digest(self, value: object) -> str:
        if not isinstance(value, str):
            raise DisclosureError("digest must be a string")
        if value in self.seen:  # §7.1 step 4: a digest may appear only once
            raise DisclosureError("duplicate digest", code="duplicate_digest")
        self.seen.add(value)
        return value

    def obj(self, node: dict[str, Any], depth: int, top: bool = False) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise DisclosureError("SD-JWT nesting too deep")
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "_sd" or (top and key == "_sd_alg"):
                continue
            out[key] = self.value(value, depth + 1)
        sd = node.get("_sd", [])
        if not isinstance(sd, list):
            raise DisclosureError("_sd must be an array")
        for item in sd:
            d = self._claim_digest(item)
            disclosure = self.by_digest.get(d)
            if disclosure is None:
                continue  # decoy or undisclosed (§7.1 step 3.c.ii)
            if disclosure.name is None:
                raise DisclosureError("array-element disclosure referenced from _sd")
            if disclosure.name in _RESERVED_NAMES:
                raise DisclosureError("disclosed claim name is reserved")
            if disclosure.name in out:  # §7.1 step 3.c.ii.3: no overwriting
                raise DisclosureError("disclosed claim name collides", code="name_collision")
            self.used.add(d)
            if top:
                self.disclosed_top_level.add(disclosure.name)
            out[disclosure.name] = self.value(disclosure.value, depth + 1)
        return out

    def array(self, node: list[Any], depth: int) -> list[Any]:
        if depth > MAX_DEPTH:
            raise DisclosureError("SD-JWT nesting too deep")
        out: list[Any] = []
        for element in node:
            if isinstance(element, dict) and "..." in element:
                if len(element) != 1:
                    raise DisclosureError("array digest object must only contain '...'")
                d = self._claim_digest(element["..."])
                disclosure = self.by_digest.get(d)
                if disclosure is None:
                    continue  # undisclosed element or decoy: removed (§7.1 step 3.c.iii)
                if disclosure.name is not None:
                    raise DisclosureError("object-property disclosure used as array element")
                self.used.add(d)
                out.append(self.value(disclosure.value, depth + 1))
            else:
                out.append(self.value(element, depth + 1))
        return out

    def value(self, node: Any, depth: int) -> Any:
        if isinstance(node, dict):
            return self.obj(node, depth)
        if isinstance(node, list):
            return self.array(node, depth)
        return node


@dataclass(frozen=True)
class ProcessedSdJwt:
    """Issuer JWT with disclosures applied; ``disclosed_top_level`` names SD top claims."""

    jws: CompactJws
    claims: dict[str, Any]
    disclosed_top_level: frozenset[str]
    hash_fn: Callable[[bytes], Any]


def process(parts: SdJwtParts, jws: CompactJws | None = None) -> ProcessedSdJwt:
    """Apply disclosures to the (already signature-checked) issuer JWT payload."""
    jws = jws or parse_compact(parts.issuer_jwt)
    hash_fn = hash_function(jws.payload.get("_sd_alg"))
    by_digest: dict[str, _Disclosure] = {}
    for text in parts.disclosures:
        d = digest(hash_fn, text)
        if d in by_digest:
            raise DisclosureError("same disclosure presented twice", code="duplicate_digest")
        by_digest[d] = _parse_disclosure(text)
    proc = _Processor(by_digest)
    claims = proc.obj(jws.payload, 0, top=True)
    if len(proc.used) != len(by_digest):  # §7.1 step 5: every disclosure referenced
        raise DisclosureError("disclosure not referenced by any digest", code="unreferenced")
    return ProcessedSdJwt(jws, claims, frozenset(proc.disclosed_top_level), hash_fn)


@dataclass(frozen=True)
class KeyBindingExpectation:
    """What the KB-JWT must say (RFC 9901 §7.3, OpenID4VP 1.0 §14.1/§14.8)."""

    nonce: str
    audience: str
    now: dt.datetime
    max_age: dt.timedelta = dt.timedelta(minutes=5)
    leeway: dt.timedelta = dt.timedelta(seconds=60)
    algorithms: frozenset[str] = DEFAULT_ALGS


def verify_key_binding(
    parts: SdJwtParts,
    holder_jwk: Any,
    hash_fn: Callable[[bytes], Any],
    expect: KeyBindingExpectation,
) -> dict[str, Any]:
    """§7.3 steps: typ, signature by cnf key, nonce/aud/iat, sd_hash over the rest."""
    if parts.kb_jwt is None:
        raise HolderBindingError("key binding JWT required but missing", code="missing_kb")
    try:
        holder_key: ec.EllipticCurvePublicKey = public_key_from_jwk(holder_jwk)
    except MalformedInput as exc:
        raise HolderBindingError("cnf.jwk unusable") from exc
    kb = parse_compact(parts.kb_jwt)
    if kb.header.get("typ") != "kb+jwt":
        raise HolderBindingError("KB-JWT typ must be kb+jwt")
    try:
        verify_compact(kb, holder_key, expect.algorithms)
    except Exception as exc:
        raise HolderBindingError(f"KB-JWT signature: {exc}") from exc
    claims = kb.payload
    if claims.get("nonce") != expect.nonce:
        raise HolderBindingError("KB-JWT nonce mismatch", code="nonce")
    if claims.get("aud") != expect.audience:
        raise HolderBindingError("KB-JWT aud is not this verifier's client_id", code="aud")
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise HolderBindingError("KB-JWT iat missing")
    now = expect.now.timestamp()
    if iat > now + expect.leeway.total_seconds() or iat < now - expect.max_age.total_seconds():
        raise HolderBindingError("KB-JWT iat outside the accepted window", code="iat")
    if claims.get("sd_hash") != digest(hash_fn, parts.without_kb):
        raise HolderBindingError("KB-JWT sd_hash mismatch", code="sd_hash")
    return claims
