"""The messages the broker sends to the eIDAS node: the AuthnRequest and the SP metadata.

The AuthnRequest follows SAML Core §3.4.1 with the eIDAS additions (``profile`` module): the
``Extensions`` carry ``eidas:SPType`` and ``eidas:RequestedAttributes``; ``NameIDPolicy`` asks
for ``unspecified`` (the node decides; the broker reads PersonIdentifier, not the NameID);
``RequestedAuthnContext`` uses ``Comparison="minimum"`` with an eIDAS LoA URI. Schema order
(Core §3.4.1): Issuer, Signature, Extensions, NameIDPolicy, RequestedAuthnContext.
"""

from __future__ import annotations

from lxml import etree

from broker.means.eidas.profile import (
    ATTRNAME_URI,
    BINDING_HTTP_POST,
    MANDATORY,
    NAMEID_UNSPECIFIED,
    NS_EIDAS,
    SP_TYPE_PUBLIC,
)
from broker.saml.messages import authn_request, certificate_base64
from broker.saml.xml import NS_DS, NS_MD, NS_SAMLP, tag


def eidas_authn_request(
    *,
    request_id: str,
    issuer: str,
    destination: str,
    acs_url: str,
    loa_uri: str,
    issue_instant: float | None = None,
) -> etree._Element:
    """An unsigned eIDAS AuthnRequest (sign it with ``broker.saml.signature.sign_enveloped``).

    ``ForceAuthn="true"``: a cross-border login is never silently reused by the node, as in
    the public eIDAS-node examples; ``IsPassive`` stays false (the person must act).
    """
    request = authn_request(
        request_id=request_id,
        issuer=issuer,
        destination=destination,
        acs_url=acs_url,
        class_ref=loa_uri,
        force_authn=True,
        issue_instant=issue_instant,
        protocol_binding=BINDING_HTTP_POST,
    )
    request.set("IsPassive", "false")
    issuer_element = request[0]
    extensions = etree.Element(tag(NS_SAMLP, "Extensions"), nsmap={"eidas": NS_EIDAS})
    etree.SubElement(extensions, tag(NS_EIDAS, "SPType")).text = SP_TYPE_PUBLIC
    requested = etree.SubElement(extensions, tag(NS_EIDAS, "RequestedAttributes"))
    for spec in MANDATORY:
        etree.SubElement(
            requested,
            tag(NS_EIDAS, "RequestedAttribute"),
            {
                "FriendlyName": spec.friendly_name,
                "Name": spec.name,
                "NameFormat": ATTRNAME_URI,
                "isRequired": "true",
            },
        )
    policy = etree.Element(
        tag(NS_SAMLP, "NameIDPolicy"), {"AllowCreate": "true", "Format": NAMEID_UNSPECIFIED}
    )
    issuer_element.addnext(extensions)
    extensions.addnext(policy)
    return request


def eidas_sp_metadata(
    *, entity_id: str, acs_url: str, cert_pem: bytes, descriptor_id: str
) -> etree._Element:
    """SP metadata (SAML Metadata §2.4.4) with the SPType extension the node reads from it."""
    descriptor = etree.Element(
        tag(NS_MD, "EntityDescriptor"),
        {"entityID": entity_id, "ID": descriptor_id},
        nsmap={"md": NS_MD, "ds": NS_DS, "eidas": NS_EIDAS},
    )
    extensions = etree.SubElement(descriptor, tag(NS_MD, "Extensions"))
    etree.SubElement(extensions, tag(NS_EIDAS, "SPType")).text = SP_TYPE_PUBLIC
    sp = etree.SubElement(
        descriptor,
        tag(NS_MD, "SPSSODescriptor"),
        {
            "AuthnRequestsSigned": "true",
            "WantAssertionsSigned": "true",
            "protocolSupportEnumeration": NS_SAMLP,
        },
    )
    key_descriptor = etree.SubElement(sp, tag(NS_MD, "KeyDescriptor"), {"use": "signing"})
    key_info = etree.SubElement(key_descriptor, tag(NS_DS, "KeyInfo"))
    x509_data = etree.SubElement(key_info, tag(NS_DS, "X509Data"))
    etree.SubElement(x509_data, tag(NS_DS, "X509Certificate")).text = certificate_base64(cert_pem)
    etree.SubElement(sp, tag(NS_MD, "NameIDFormat")).text = NAMEID_UNSPECIFIED
    etree.SubElement(
        sp,
        tag(NS_MD, "AssertionConsumerService"),
        {"Binding": BINDING_HTTP_POST, "Location": acs_url, "index": "0", "isDefault": "true"},
    )
    return descriptor
