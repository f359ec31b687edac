"""Reading an AuthnRequest sent with the HTTP-Redirect binding (SAML Bindings §3.4.4).

The signature covers the query string exactly as sent, so the pieces are taken from the raw
query, never re-encoded: ``SAMLRequest=<raw>[&RelayState=<raw>]&SigAlg=<raw>``. The issuer is
only known after inflating and parsing, so the order is inflate → parse → look up the SP's
certificates → verify → only then trust any field.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import dataclass
from urllib.parse import unquote_plus, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from broker.assurance import Level, UnknownLevel
from conformance.digid.samlxml import SAML, SAMLP, UnsafeXml, parse_untrusted, q, text_of

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
ARTIFACT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact"
MAX_INFLATED = 64 * 1024
MAX_RELAY_STATE = 80  # bytes, SAML Bindings §3.4.3 and ST-SAML
_SIGNED_PARAMS = ("SAMLRequest", "RelayState", "SigAlg")


class BadRequest(ValueError):
    """Why an AuthnRequest is refused; the text is shown on the error page (no secrets in it)."""


@dataclass(frozen=True)
class AuthnRequest:
    """The fields of a verified AuthnRequest that the login form and the response need."""

    sp_entity_id: str
    request_id: str
    acs_url: str
    relay_state: str | None
    minimum: Level
    comparison: str
    force_authn: bool
    signed: bool


def split_raw_query(query_string: bytes) -> dict[str, str]:
    """Parameter name → raw (still percent-encoded) value; duplicates are an error."""
    try:
        text = query_string.decode("ascii")
    except UnicodeDecodeError:
        raise BadRequest("query string is not ASCII") from None
    raw: dict[str, str] = {}
    for piece in text.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        name = unquote_plus(name)
        if name in raw:
            raise BadRequest(f"parameter {name} appears more than once")
        raw[name] = value
    return raw


def inflate(encoded: str) -> bytes:
    """base64 then raw DEFLATE (RFC 1951, no zlib header), with a cap against zip bombs."""
    try:
        compressed = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("SAMLRequest is not valid base64") from None
    inflater = zlib.decompressobj(-15)
    try:
        data = inflater.decompress(compressed, MAX_INFLATED)
    except zlib.error:
        raise BadRequest("SAMLRequest is not raw DEFLATE data") from None
    if inflater.unconsumed_tail:
        raise BadRequest("SAMLRequest is too large")
    return data


def _verify_query_signature(raw: dict[str, str], certificates: list[bytes]) -> None:
    sig_alg = unquote_plus(raw.get("SigAlg", ""))
    if sig_alg != RSA_SHA256:
        raise BadRequest("SigAlg must be RSA-SHA256 (" + RSA_SHA256 + ")")
    try:
        signature = base64.b64decode(unquote_plus(raw["Signature"]), validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("Signature is not valid base64") from None
    signed = "&".join(f"{name}={raw[name]}" for name in _SIGNED_PARAMS if name in raw)
    for pem in certificates:
        public_key = x509.load_pem_x509_certificate(pem).public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            continue
        try:
            public_key.verify(
                signature, signed.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature:
            continue
        return
    raise BadRequest("the signature does not verify with the SP's registered certificate")


def _is_absolute_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def read_redirect_request(
    query_string: bytes,
    *,
    destination: str,
    sp_certificates: dict[str, list[bytes]],
    require_signature: bool,
) -> AuthnRequest:
    """Verify and read the AuthnRequest in a Redirect-binding query string, or raise BadRequest."""
    raw = split_raw_query(query_string)
    if "SAMLRequest" not in raw:
        raise BadRequest("SAMLRequest is missing")
    try:
        root = parse_untrusted(inflate(unquote_plus(raw["SAMLRequest"])))
    except UnsafeXml as exc:
        raise BadRequest(f"SAMLRequest refused: {exc}") from None
    if root.tag != q(SAMLP, "AuthnRequest"):
        raise BadRequest("SAMLRequest is not a samlp:AuthnRequest")
    issuer = text_of(root, SAML, "Issuer")
    if not issuer:
        raise BadRequest("AuthnRequest has no Issuer")
    certificates = sp_certificates.get(issuer)
    if certificates is None:
        raise BadRequest(f"unknown service provider {issuer!r}")
    signed = "Signature" in raw
    if signed:
        _verify_query_signature(raw, certificates)
    elif require_signature:
        raise BadRequest("AuthnRequest is not signed")

    if root.get("Version") != "2.0":
        raise BadRequest("AuthnRequest Version must be 2.0")
    request_id = root.get("ID")
    if not request_id:
        raise BadRequest("AuthnRequest has no ID")
    if root.get("Destination") != destination:
        raise BadRequest(f"AuthnRequest Destination must be {destination}")
    acs_url = root.get("AssertionConsumerServiceURL")
    if not acs_url or not _is_absolute_http_url(acs_url):
        raise BadRequest("AuthnRequest needs an absolute AssertionConsumerServiceURL")
    binding = root.get("ProtocolBinding")
    if binding is not None and binding != ARTIFACT_BINDING:
        raise BadRequest("ProtocolBinding must be HTTP-Artifact (DigiD answers with an artifact)")
    relay_state = unquote_plus(raw["RelayState"]) if "RelayState" in raw else None
    if relay_state is not None and len(relay_state.encode("utf-8")) > MAX_RELAY_STATE:
        raise BadRequest(f"RelayState is longer than {MAX_RELAY_STATE} bytes")
    minimum, comparison = _requested_level(root)
    force_authn = root.get("ForceAuthn", "false").strip().lower() in ("true", "1")
    return AuthnRequest(
        sp_entity_id=issuer,
        request_id=request_id,
        acs_url=acs_url,
        relay_state=relay_state,
        minimum=minimum,
        comparison=comparison,
        force_authn=force_authn,
        signed=signed,
    )


def _requested_level(root: etree._Element) -> tuple[Level, str]:
    """The requested minimum; no RequestedAuthnContext means any level (Basis) will do."""
    requested = root.find(q(SAMLP, "RequestedAuthnContext"))
    if requested is None:
        return Level.BASIC, "minimum"
    comparison = requested.get("Comparison", "exact")
    if comparison not in ("minimum", "exact"):
        raise BadRequest("RequestedAuthnContext Comparison must be minimum (or exact)")
    refs = requested.findall(q(SAML, "AuthnContextClassRef"))
    if len(refs) != 1 or not refs[0].text:
        raise BadRequest("RequestedAuthnContext must hold exactly one AuthnContextClassRef")
    try:
        return Level.from_digid_class_ref(refs[0].text), comparison
    except UnknownLevel:
        raise BadRequest("unknown DigiD AuthnContextClassRef") from None
