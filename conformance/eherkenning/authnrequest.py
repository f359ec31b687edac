"""Reading a DV's AuthnRequest sent with HTTP-Redirect, held to the eTD rules of §3.1:
``AssertionConsumerServiceIndex`` and ``AttributeConsumingServiceIndex`` instead of an ACS URL
and ProtocolBinding, ``IsPassive`` only false, RelayState at most 80 bytes, a signature from the
DV's registered certificate. Order: inflate → parse → look up the DV → verify → trust fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus

from lxml import etree

from broker.assurance import Level, UnknownLevel
from broker.saml.redirect import verify_redirect_query
from broker.saml.signature import load_certificates
from broker.saml.xml import SamlError
from conformance.digid.authnrequest import BadRequest, inflate, split_raw_query
from conformance.digid.samlxml import SAML, SAMLP, UnsafeXml, parse_untrusted, q, text_of
from conformance.eherkenning.settings import RegisteredDv

MAX_RELAY_STATE = 80


@dataclass(frozen=True)
class AuthnRequest:
    """The fields of a verified AuthnRequest the login page and the answer need."""

    sp_entity_id: str
    request_id: str
    acs_url: str
    service_id: str
    service_uuid: str
    relay_state: str | None
    minimum: Level
    force_authn: bool


def read_redirect_request(
    query_string: bytes, *, destination: str, dvs: dict[str, RegisteredDv],
    require_signature: bool,
) -> AuthnRequest:
    """Verify and read the AuthnRequest in a Redirect-binding query, or raise BadRequest."""
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
    dv = dvs.get(issuer or "")
    if issuer is None or dv is None:
        raise BadRequest(f"unknown service provider {issuer!r}")
    if "Signature" in raw:
        try:
            verify_redirect_query(query_string.decode("ascii"),
                                  load_certificates(dv.certificates))
        except SamlError as exc:
            raise BadRequest(f"signature refused: {exc.message_en}") from None
    elif require_signature:
        raise BadRequest("AuthnRequest is not signed")
    if root.get("Version") != "2.0":
        raise BadRequest("AuthnRequest Version must be 2.0")
    request_id = root.get("ID")
    if not request_id:
        raise BadRequest("AuthnRequest has no ID")
    if root.get("Destination") != destination:
        raise BadRequest(f"AuthnRequest Destination must be {destination}")
    if root.get("AssertionConsumerServiceURL") is not None or root.get("ProtocolBinding"):
        raise BadRequest("eTD: no AssertionConsumerServiceURL or ProtocolBinding (use the index)")
    if root.get("AssertionConsumerServiceIndex") != "0":
        raise BadRequest("AssertionConsumerServiceIndex must be 0 (the DV's artifact ACS)")
    try:
        service_index = int(root.get("AttributeConsumingServiceIndex") or "")
    except ValueError:
        raise BadRequest("AttributeConsumingServiceIndex is missing") from None
    service = dv.services.get(service_index)
    if service is None:
        raise BadRequest(f"unknown AttributeConsumingServiceIndex {service_index}")
    if root.get("IsPassive", "false").strip().lower() not in ("false", "0"):
        raise BadRequest("eTD: IsPassive may only be false")
    relay_state = unquote_plus(raw["RelayState"]) if "RelayState" in raw else None
    if relay_state is not None and len(relay_state.encode("utf-8")) > MAX_RELAY_STATE:
        raise BadRequest(f"RelayState is longer than {MAX_RELAY_STATE} bytes")
    return AuthnRequest(
        sp_entity_id=issuer,
        request_id=request_id,
        acs_url=dv.acs_url,
        service_id=service[0],
        service_uuid=service[1],
        relay_state=relay_state,
        minimum=_requested_level(root),
        force_authn=root.get("ForceAuthn", "false").strip().lower() in ("true", "1"),
    )


def _requested_level(root: etree._Element) -> Level:
    """The requested minimum; without RequestedAuthnContext the catalogue level applies, which
    the simulator does not know: it then assumes low (loa2)."""
    requested = root.find(q(SAMLP, "RequestedAuthnContext"))
    if requested is None:
        return Level.LOW
    if requested.get("Comparison", "exact") not in ("minimum", "exact"):
        raise BadRequest("RequestedAuthnContext Comparison must be minimum (or exact)")
    refs = requested.findall(q(SAML, "AuthnContextClassRef"))
    if len(refs) != 1 or not refs[0].text:
        raise BadRequest("RequestedAuthnContext must hold exactly one AuthnContextClassRef")
    try:
        return Level.from_eherkenning(refs[0].text)
    except UnknownLevel:
        raise BadRequest("unknown eHerkenning assurance class") from None
