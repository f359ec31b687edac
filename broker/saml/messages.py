"""Builders for the SAML messages a service provider sends: AuthnRequest, ArtifactResolve,
and its metadata (SAML Core §3.4.1, §3.5.1; SAML Metadata §2.4.4).
"""

from __future__ import annotations

import base64
import secrets

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from broker.saml.timing import format_instant
from broker.saml.xml import BINDING_HTTP_ARTIFACT, NS_DS, NS_MD, NS_SAML, NS_SAMLP, tag


def new_message_id() -> str:
    """An xs:ID (must not start with a digit) with 160 random bits (SAML Core §1.3.4)."""
    return "_" + secrets.token_hex(20)


def _issuer(parent: etree._Element, entity_id: str) -> None:
    etree.SubElement(parent, tag(NS_SAML, "Issuer")).text = entity_id


def authn_request(
    *,
    request_id: str,
    issuer: str,
    destination: str,
    acs_url: str,
    class_ref: str | None,
    force_authn: bool = False,
    issue_instant: float | None = None,
    protocol_binding: str = BINDING_HTTP_ARTIFACT,
) -> etree._Element:
    """``samlp:AuthnRequest`` (SAML Core §3.4.1) asking for at least ``class_ref``."""
    attrs = {
        "ID": request_id,
        "Version": "2.0",
        "IssueInstant": format_instant(issue_instant),
        "Destination": destination,
        "AssertionConsumerServiceURL": acs_url,
        "ProtocolBinding": protocol_binding,
    }
    if force_authn:
        attrs["ForceAuthn"] = "true"
    request = etree.Element(
        tag(NS_SAMLP, "AuthnRequest"), attrs, nsmap={"samlp": NS_SAMLP, "saml": NS_SAML}
    )
    _issuer(request, issuer)
    if class_ref is not None:
        # SAML Core §3.3.2.2.1: "minimum" = this context or a stronger one.
        requested = etree.SubElement(
            request, tag(NS_SAMLP, "RequestedAuthnContext"), {"Comparison": "minimum"}
        )
        etree.SubElement(requested, tag(NS_SAML, "AuthnContextClassRef")).text = class_ref
    return request


def artifact_resolve(
    *, resolve_id: str, issuer: str, destination: str, artifact: str,
    issue_instant: float | None = None,
) -> etree._Element:
    """``samlp:ArtifactResolve`` (SAML Core §3.5.1), to be signed and sent over SOAP."""
    resolve = etree.Element(
        tag(NS_SAMLP, "ArtifactResolve"),
        {
            "ID": resolve_id,
            "Version": "2.0",
            "IssueInstant": format_instant(issue_instant),
            "Destination": destination,
        },
        nsmap={"samlp": NS_SAMLP, "saml": NS_SAML},
    )
    _issuer(resolve, issuer)
    etree.SubElement(resolve, tag(NS_SAMLP, "Artifact")).text = artifact
    return resolve


def certificate_base64(cert_pem: bytes) -> str:
    """The DER certificate in base64, as ``ds:X509Certificate`` carries it."""
    der = x509.load_pem_x509_certificate(cert_pem).public_bytes(Encoding.DER)
    return base64.b64encode(der).decode("ascii")


def sp_metadata(
    *, entity_id: str, acs_url: str, cert_pem: bytes, entity_descriptor_id: str | None = None
) -> etree._Element:
    """SP metadata (SAML Metadata §2.4.4): signed requests, signed assertions, artifact ACS."""
    descriptor = etree.Element(
        tag(NS_MD, "EntityDescriptor"),
        {"entityID": entity_id, "ID": entity_descriptor_id or new_message_id()},
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
    key_descriptor = etree.SubElement(sp, tag(NS_MD, "KeyDescriptor"), {"use": "signing"})
    key_info = etree.SubElement(key_descriptor, tag(NS_DS, "KeyInfo"))
    x509_data = etree.SubElement(key_info, tag(NS_DS, "X509Data"))
    etree.SubElement(x509_data, tag(NS_DS, "X509Certificate")).text = certificate_base64(cert_pem)
    etree.SubElement(
        sp,
        tag(NS_MD, "AssertionConsumerService"),
        {"Binding": BINDING_HTTP_ARTIFACT, "Location": acs_url, "index": "0",
         "isDefault": "true"},
    )
    return descriptor
