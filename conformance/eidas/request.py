"""Reading an eIDAS AuthnRequest sent with the HTTP-POST binding (SAML Bindings §3.5.4).

Order: base64 → safe parse (no DOCTYPE) → find the SP by Issuer → verify the enveloped
signature with that SP's registered certificates → read every field from the signed copy only.
Then the eIDAS profile checks: HTTP-POST ACS binding, ``Comparison="minimum"`` with an eIDAS LoA,
``eidas:SPType`` and the four mandatory natural-person attributes requested.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from lxml import etree

from broker.assurance import Level, UnknownLevel
from broker.means.eidas.profile import BINDING_HTTP_POST, MANDATORY, NS_EIDAS
from conformance.digid.samlxml import SAML, SAMLP, UnsafeXml, parse_untrusted, q, text_of
from conformance.digid.signing import BadSignature, verify_enveloped

MAX_RELAY_STATE = 80  # bytes, SAML Bindings §3.5.3


class BadRequest(ValueError):
    """Why an AuthnRequest is refused; shown on the error page (no secrets in it)."""


@dataclass(frozen=True)
class PendingRequest:
    """The fields of a verified AuthnRequest that the login page and the Response need."""

    sp_entity_id: str
    request_id: str
    acs_url: str
    relay_state: str | None
    minimum: Level
    sp_type: str
    requested: tuple[str, ...]  # FriendlyNames of the requested attributes


def read_post_request(
    saml_request: str | None,
    relay_state: str | None,
    *,
    destination: str,
    sp_certificates: dict[str, list[bytes]],
) -> PendingRequest:
    """A verified ``PendingRequest``, or ``BadRequest`` saying what is wrong."""
    if not saml_request:
        raise BadRequest("SAMLRequest missing")
    if relay_state is not None and len(relay_state.encode("utf-8")) > MAX_RELAY_STATE:
        raise BadRequest("RelayState longer than 80 bytes")
    try:
        raw = base64.b64decode("".join(saml_request.split()), validate=True)
        received = parse_untrusted(raw)
    except (binascii.Error, ValueError) as exc:
        reason = str(exc) if isinstance(exc, UnsafeXml) else "SAMLRequest is not base64"
        raise BadRequest(reason) from None
    if received.tag != q(SAMLP, "AuthnRequest"):
        raise BadRequest("message is not an AuthnRequest")
    issuer = text_of(received, SAML, "Issuer")
    if issuer is None or issuer not in sp_certificates:
        raise BadRequest("unknown service provider (Issuer)")
    try:
        request = verify_enveloped(received, sp_certificates[issuer])
    except BadSignature as exc:
        raise BadRequest(f"AuthnRequest signature: {exc}") from None
    if request.get("Version") != "2.0":
        raise BadRequest("Version must be 2.0")
    if request.get("Destination") != destination:
        raise BadRequest("Destination is not this node's SSO URL")
    if request.get("ProtocolBinding") != BINDING_HTTP_POST:
        raise BadRequest("ProtocolBinding must be HTTP-POST (eIDAS)")
    acs_url = request.get("AssertionConsumerServiceURL")
    if not acs_url or not acs_url.startswith(("https://", "http://")):
        raise BadRequest("AssertionConsumerServiceURL missing or not absolute")
    request_id = request.get("ID")
    if not request_id:
        raise BadRequest("ID missing")
    return PendingRequest(
        sp_entity_id=issuer,
        request_id=request_id,
        acs_url=acs_url,
        relay_state=relay_state,
        minimum=_minimum(request),
        sp_type=_sp_type(request),
        requested=_requested(request),
    )


def _minimum(request: etree._Element) -> Level:
    context = request.find(q(SAMLP, "RequestedAuthnContext"))
    if context is None:
        raise BadRequest("RequestedAuthnContext missing (eIDAS requires a LoA)")
    if context.get("Comparison") != "minimum":
        raise BadRequest('RequestedAuthnContext Comparison must be "minimum"')
    refs = context.findall(q(SAML, "AuthnContextClassRef"))
    if len(refs) != 1:
        raise BadRequest("exactly one AuthnContextClassRef expected")
    try:
        return Level.from_eidas(refs[0].text or "")
    except UnknownLevel:
        raise BadRequest("AuthnContextClassRef is not an eIDAS LoA") from None


def _extensions(request: etree._Element) -> etree._Element:
    extensions = request.find(q(SAMLP, "Extensions"))
    if extensions is None:
        raise BadRequest("Extensions missing (eidas:SPType, eidas:RequestedAttributes)")
    return extensions


def _sp_type(request: etree._Element) -> str:
    sp_type = text_of(_extensions(request), NS_EIDAS, "SPType")
    if sp_type not in ("public", "private"):
        raise BadRequest("eidas:SPType must be public or private")
    return sp_type


def _requested(request: etree._Element) -> tuple[str, ...]:
    container = _extensions(request).find(q(NS_EIDAS, "RequestedAttributes"))
    if container is None:
        raise BadRequest("eidas:RequestedAttributes missing")
    items = container.findall(q(NS_EIDAS, "RequestedAttribute"))
    by_name = {str(item.get("Name")): item for item in items}
    for spec in MANDATORY:
        item = by_name.get(spec.name)
        if item is None or item.get("isRequired") != "true":
            raise BadRequest(f"mandatory attribute {spec.friendly_name} not requested as required")
    return tuple(str(item.get("FriendlyName") or name) for name, item in by_name.items())
