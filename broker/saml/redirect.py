"""The HTTP-Redirect binding (SAML Bindings §3.4): DEFLATE, base64, URL query, signed query.

The signature covers the exact octets ``SAMLRequest=<v>&RelayState=<v>&SigAlg=<v>`` with the
values URL-encoded as they appear in the URL (Bindings §3.4.4.1); a verifier must therefore use
the raw values from the received query string, never re-encoded ones (catalogue §3.4).
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote_plus

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from broker.saml.xml import SamlError

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    RSA_SHA256: hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
}
MAX_INFLATED = 64 * 1024
MAX_QUERY = 16 * 1024
MAX_RELAY_STATE = 80  # Bindings §3.4.3: RelayState MUST NOT exceed 80 bytes


@dataclass(frozen=True)
class RedirectMessage:
    """A verified message received over HTTP-Redirect: the inflated XML and its RelayState."""

    parameter: str  # "SAMLRequest" or "SAMLResponse"
    xml: bytes
    relay_state: str | None


def deflate_encode(xml: bytes) -> str:
    """Raw DEFLATE (RFC 1951, no zlib header, Bindings §3.4.4.1) then base64."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(compressor.compress(xml) + compressor.flush()).decode("ascii")


def inflate_decode(value: str, *, max_bytes: int = MAX_INFLATED) -> bytes:
    """base64 then raw INFLATE, capped at ``max_bytes`` so a deflate bomb stops early."""
    try:
        compressed = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SamlError("Het SAML-bericht is geen base64.", "message is not base64") from None
    inflater = zlib.decompressobj(-15)
    try:
        xml = inflater.decompress(compressed, max_bytes + 1)
    except zlib.error:
        raise SamlError("Het SAML-bericht is niet te decomprimeren.", "message does not inflate"
                        ) from None
    if len(xml) > max_bytes or inflater.unconsumed_tail:
        raise SamlError("Het SAML-bericht is te groot.", "inflated message too large")
    if not inflater.eof:
        raise SamlError("Het SAML-bericht is afgekapt.", "deflate stream is truncated")
    return xml


_BASE64_ESCAPES = str.maketrans({"+": "%2B", "/": "%2F", "=": "%3D"})


def _encode(value: str) -> str:
    return quote(value, safe="")


def _encode_base64(value: str) -> str:
    """Percent-encode base64 text as ``quote(value, safe="")`` would, in one pass: only ``+``,
    ``/`` and ``=`` need escaping (``quote`` walks the long message character by character)."""
    return value.translate(_BASE64_ESCAPES)


def sign_redirect_query(
    parameter: str, xml: bytes, relay_state: str | None, key: rsa.RSAPrivateKey
) -> str:
    """The signed query string (without ``?``) for ``xml`` sent as ``parameter``."""
    if parameter not in ("SAMLRequest", "SAMLResponse"):
        raise ValueError("parameter must be SAMLRequest or SAMLResponse")
    parts = [f"{parameter}={_encode_base64(deflate_encode(xml))}"]
    if relay_state is not None:
        if len(relay_state.encode("utf-8")) > MAX_RELAY_STATE:
            raise ValueError("RelayState exceeds 80 bytes (SAML Bindings §3.4.3)")
        parts.append(f"RelayState={_encode(relay_state)}")
    parts.append(f"SigAlg={_encode(RSA_SHA256)}")
    signed = "&".join(parts)
    signature = key.sign(signed.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signed}&Signature={_encode_base64(base64.b64encode(signature).decode('ascii'))}"


def build_redirect_url(
    endpoint: str, parameter: str, xml: bytes, relay_state: str | None, key: rsa.RSAPrivateKey
) -> str:
    """``endpoint`` plus the signed query (Bindings §3.4.4.1); keeps any query already there."""
    separator = "&" if "?" in endpoint else "?"
    return endpoint + separator + sign_redirect_query(parameter, xml, relay_state, key)


def _split_query(query: str) -> dict[str, str]:
    """Raw (still encoded) values by name; a repeated parameter is refused (catalogue §3.4)."""
    if len(query) > MAX_QUERY:
        raise SamlError("De URL is te lang.", "query string too long")
    raw: dict[str, str] = {}
    for item in query.split("&"):
        if not item:
            continue
        name, _, value = item.partition("=")
        name = unquote_plus(name)
        if name in raw:
            raise SamlError("Dubbele parameter in de URL.", f"duplicate parameter {name}")
        raw[name] = value
    return raw


def verify_redirect_query(
    query: str, certificates: Sequence[x509.Certificate], *, max_bytes: int = MAX_INFLATED
) -> RedirectMessage:
    """Check the signature of a received HTTP-Redirect query string and inflate its message.

    ``query`` is the raw query string as received (``request.url.query``). The signed octets are
    rebuilt from the raw values in the order SAMLRequest|SAMLResponse, RelayState, SigAlg.
    """
    raw = _split_query(query)
    present = [p for p in ("SAMLRequest", "SAMLResponse") if p in raw]
    if len(present) != 1:
        raise SamlError("Geen of meerdere SAML-berichten in de URL.",
                        "expected exactly one of SAMLRequest, SAMLResponse")
    parameter = present[0]
    if "SigAlg" not in raw or "Signature" not in raw:
        raise SamlError("Het SAML-bericht is niet ondertekend.", "redirect message is not signed")
    sig_alg = unquote_plus(raw["SigAlg"])
    hash_cls = _HASHES.get(sig_alg)
    if hash_cls is None:
        raise SamlError("Onverwacht handtekeningalgoritme.", "SigAlg not allowed")
    parts = [f"{parameter}={raw[parameter]}"]
    if "RelayState" in raw:
        parts.append(f"RelayState={raw['RelayState']}")
    parts.append(f"SigAlg={raw['SigAlg']}")
    signed = "&".join(parts).encode("ascii", errors="replace")
    try:
        signature = base64.b64decode(unquote_plus(raw["Signature"]), validate=True)
    except (binascii.Error, ValueError):
        raise SamlError("De handtekening is geen base64.", "Signature is not base64") from None
    for cert in certificates:
        public_key = cert.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            continue
        try:
            public_key.verify(signature, signed, padding.PKCS1v15(), hash_cls())
        except InvalidSignature:
            continue
        break
    else:
        raise SamlError("De handtekening in de URL is ongeldig.", "redirect signature invalid")
    relay_state = unquote_plus(raw["RelayState"]) if "RelayState" in raw else None
    if relay_state is not None and len(relay_state.encode("utf-8")) > MAX_RELAY_STATE:
        raise SamlError("RelayState is te lang.", "RelayState exceeds 80 bytes")
    xml = inflate_decode(unquote_plus(raw[parameter]), max_bytes=max_bytes)
    return RedirectMessage(parameter, xml, relay_state)
