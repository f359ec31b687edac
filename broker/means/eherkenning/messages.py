"""The messages the broker sends a Herkenningsmakelaar, shaped by the DV-HM interface
(``nl-login-means.md`` §3.1): the AuthnRequest and the DV metadata.

Both differ from DigiD's (``broker.saml.messages``): the eTD AuthnRequest names the ACS by
index and carries no URL or ProtocolBinding, and the metadata names the service.
"""

from __future__ import annotations

from lxml import etree

from broker.saml.messages import certificate_base64, new_message_id
from broker.saml.timing import format_instant
from broker.saml.xml import BINDING_HTTP_ARTIFACT, NS_DS, NS_MD, NS_SAML, NS_SAMLP, tag

ACS_INDEX = 0
NS_XML = "http://www.w3.org/XML/1998/namespace"


def authn_request(
    *,
    request_id: str,
    issuer: str,
    destination: str,
    service_index: int,
    class_ref: str | None,
    force_authn: bool = False,
    issue_instant: float | None = None,
) -> etree._Element:
    """``samlp:AuthnRequest`` per §3.1: ``AssertionConsumerServiceIndex`` and
    ``AttributeConsumingServiceIndex``, no ACS URL, no ProtocolBinding; ``IsPassive`` left out
    (it may only be false). ``class_ref``: RequestedAuthnContext with Comparison ``minimum``
    (SAML Core §3.3.2.2.1); whether DVs send it is unverified (§3.1, §10 item 2), the
    broker sends it unless configured otherwise and checks the answer itself in any case.
    """
    attrs = {
        "ID": request_id,
        "Version": "2.0",
        "IssueInstant": format_instant(issue_instant),
        "Destination": destination,
        "AssertionConsumerServiceIndex": str(ACS_INDEX),
        "AttributeConsumingServiceIndex": str(service_index),
    }
    if force_authn:
        attrs["ForceAuthn"] = "true"
    request = etree.Element(
        tag(NS_SAMLP, "AuthnRequest"), attrs, nsmap={"samlp": NS_SAMLP, "saml": NS_SAML}
    )
    etree.SubElement(request, tag(NS_SAML, "Issuer")).text = issuer
    if class_ref is not None:
        requested = etree.SubElement(
            request, tag(NS_SAMLP, "RequestedAuthnContext"), {"Comparison": "minimum"}
        )
        etree.SubElement(requested, tag(NS_SAML, "AuthnContextClassRef")).text = class_ref
    return request


def _key_descriptor(parent: etree._Element, use: str, cert_pem: bytes) -> None:
    descriptor = etree.SubElement(parent, tag(NS_MD, "KeyDescriptor"), {"use": use})
    x509_data = etree.SubElement(etree.SubElement(descriptor, tag(NS_DS, "KeyInfo")),
                                 tag(NS_DS, "X509Data"))
    etree.SubElement(x509_data, tag(NS_DS, "X509Certificate")).text = certificate_base64(cert_pem)


def sp_metadata(
    *,
    entity_id: str,
    acs_url: str,
    cert_pem: bytes,
    service_id: str,
    service_index: int,
    service_names: dict[str, str],
) -> etree._Element:
    """DV metadata (§3.1, AS 1.24a as read from implementers' code [SECONDARY]): signed requests
    and assertions, one signing and one encryption key (the same SP certificate), the artifact
    ACS at index 0, no NameIDFormat, and an AttributeConsumingService whose RequestedAttribute
    is the ServiceID.
    """
    descriptor = etree.Element(
        tag(NS_MD, "EntityDescriptor"),
        {"entityID": entity_id, "ID": new_message_id()},
        nsmap={"md": NS_MD, "ds": NS_DS},
    )
    sp = etree.SubElement(
        descriptor,
        tag(NS_MD, "SPSSODescriptor"),
        {
            "AuthnRequestsSigned": "true",
            "WantAssertionsSigned": "true",
            "protocolSupportEnumeration": NS_SAMLP,
        },
    )
    _key_descriptor(sp, "signing", cert_pem)
    _key_descriptor(sp, "encryption", cert_pem)
    etree.SubElement(
        sp,
        tag(NS_MD, "AssertionConsumerService"),
        {"Binding": BINDING_HTTP_ARTIFACT, "Location": acs_url, "index": str(ACS_INDEX),
         "isDefault": "true"},
    )
    service = etree.SubElement(
        sp,
        tag(NS_MD, "AttributeConsumingService"),
        {"index": str(service_index), "isDefault": "true"},
    )
    for lang, name in service_names.items():
        etree.SubElement(service, tag(NS_MD, "ServiceName"),
                         {tag(NS_XML, "lang"): lang}).text = name
    etree.SubElement(service, tag(NS_MD, "RequestedAttribute"),
                     {"Name": service_id, "isRequired": "false"})
    return descriptor
