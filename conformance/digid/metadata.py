"""The simulator's IdP metadata, so SPs can configure it the way they configure DigiD."""

from __future__ import annotations

import base64

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree

from conformance.digid.samlxml import DS, MD, q

SOAP_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:SOAP"
REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML2_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"


def certificate_base64(cert_pem: bytes) -> str:
    der = x509.load_pem_x509_certificate(cert_pem).public_bytes(serialization.Encoding.DER)
    return base64.b64encode(der).decode("ascii")


def build_metadata(
    entity_id: str, cert_pem: bytes, sso_url: str, artifact_url: str, *, want_signed: bool
) -> bytes:
    """EntityDescriptor with one IDPSSODescriptor (elements in schema order). Not signed:
    SPs pin the certificate from a trusted channel, as the test setup hands it over."""
    root = etree.Element(q(MD, "EntityDescriptor"), nsmap={"md": MD, "ds": DS}, entityID=entity_id)
    idp = etree.SubElement(
        root,
        q(MD, "IDPSSODescriptor"),
        protocolSupportEnumeration=SAML2_PROTOCOL,
        WantAuthnRequestsSigned="true" if want_signed else "false",
    )
    key_descriptor = etree.SubElement(idp, q(MD, "KeyDescriptor"), use="signing")
    key_info = etree.SubElement(key_descriptor, q(DS, "KeyInfo"))
    x509_data = etree.SubElement(key_info, q(DS, "X509Data"))
    etree.SubElement(x509_data, q(DS, "X509Certificate")).text = certificate_base64(cert_pem)
    etree.SubElement(
        idp,
        q(MD, "ArtifactResolutionService"),
        Binding=SOAP_BINDING,
        Location=artifact_url,
        index="0",
        isDefault="true",
    )
    etree.SubElement(idp, q(MD, "SingleSignOnService"), Binding=REDIRECT_BINDING, Location=sso_url)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
