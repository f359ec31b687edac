"""The lean SAML signature code agrees with signxml, the general-purpose implementation.

``broker.saml.signature`` verifies and signs only the SAML profile of XML Signature, without
signxml's repeated re-serialising. These tests pin that the two agree byte for byte on what was
signed, on messages with comments, whitespace and namespaces declared on ancestors, and that
signxml accepts what the broker signs (DigiD and the simulators verify with general code).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from signxml import (  # type: ignore[attr-defined]
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConstructionMethod,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.verifier import SignatureConfiguration

from broker.keys import self_signed_certificate
from broker.saml.signature import load_certificates, sign_enveloped, verify_enveloped
from broker.saml.xml import NS_DS, NS_SAML, NS_SAMLP, SamlError, parse_xml, tag

CONFIG = SignatureConfiguration(require_x509=True, location="./", expect_references=1)


@pytest.fixture(scope="module")
def keys() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, self_signed_certificate(key, "perf guard")


def _assertion(whitespace: bool = False) -> etree._Element:
    root = etree.Element(
        tag(NS_SAMLP, "Response"),
        {"ID": "_r"},
        nsmap={"samlp": NS_SAMLP, "saml": NS_SAML, "x": "urn:x"},
    )
    assertion = etree.SubElement(root, tag(NS_SAML, "Assertion"), {"ID": "_a", "Version": "2.0"})
    etree.SubElement(assertion, tag(NS_SAML, "Issuer")).text = "urn:idp"
    subject = etree.SubElement(assertion, tag(NS_SAML, "Subject"))
    name_id = etree.SubElement(subject, tag(NS_SAML, "NameID"))
    name_id.text = "s00000000:999999990"
    etree.SubElement(assertion, "{urn:x}Extra", {"{urn:x}a": "1"}).text = "é & <"
    if whitespace:
        etree.indent(root)
    return assertion


def _signxml_sign(element: etree._Element, key: Any, cert_pem: bytes) -> etree._Element:
    doc = copy.deepcopy(element)
    placeholder = etree.Element(tag(NS_DS, "Signature"), {"Id": "placeholder"}, nsmap={"ds": NS_DS})
    doc.find(tag(NS_SAML, "Issuer")).addnext(placeholder)
    signed: etree._Element = XMLSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    ).sign(doc, key=key, cert=cert_pem.decode(), id_attribute="ID")
    return signed


def _in_document(signed: etree._Element, whitespace: bool) -> etree._Element:
    """Put the signed assertion in a Response, serialise with a comment, parse like received."""
    response = etree.Element(
        tag(NS_SAMLP, "Response"),
        {"ID": "_r"},
        nsmap={"samlp": NS_SAMLP, "saml": NS_SAML, "x": "urn:x"},
    )
    response.append(signed)
    if whitespace:  # move the Issuer's tail behind the Signature: same signed content
        issuer = signed.find(tag(NS_SAML, "Issuer"))
        signed.find(tag(NS_DS, "Signature")).tail, issuer.tail = issuer.tail, None
        assert signed.find(tag(NS_DS, "Signature")).tail
    name_id = signed.find(f".//{tag(NS_SAML, 'NameID')}")
    name_id.append(etree.Comment("c"))
    raw = etree.tostring(response)
    return parse_xml(raw).find(tag(NS_SAML, "Assertion"))


@pytest.mark.parametrize("whitespace", [False, True])
def test_broker_signature_is_accepted_by_signxml(keys: Any, whitespace: bool) -> None:
    key, cert = keys
    signed = sign_enveloped(_assertion(whitespace), key, cert)
    received = _in_document(signed, whitespace)
    result = XMLVerifier().verify(
        received, x509_cert=cert.decode(), expect_config=CONFIG, id_attribute="ID"
    )
    ours = verify_enveloped(received, load_certificates([cert]))
    assert etree.tostring(ours, method="c14n", exclusive=True) == result.signed_data


@pytest.mark.parametrize("whitespace", [False, True])
def test_signxml_signature_verifies_to_the_same_bytes(keys: Any, whitespace: bool) -> None:
    key, cert = keys
    signed = _signxml_sign(_assertion(whitespace), key, cert)
    received = _in_document(signed, whitespace)
    result = XMLVerifier().verify(
        received, x509_cert=cert.decode(), expect_config=CONFIG, id_attribute="ID"
    )
    ours = verify_enveloped(received, load_certificates([cert]))
    assert etree.tostring(ours, method="c14n", exclusive=True) == result.signed_data
    assert b"<!--" not in etree.tostring(ours)
    assert ours.find(tag(NS_DS, "Signature")) is None
    assert ours.getparent() is None


def test_tampering_is_refused_by_both(keys: Any) -> None:
    key, cert = keys
    received = _in_document(sign_enveloped(_assertion(), key, cert), False)
    received.find(f".//{tag(NS_SAML, 'NameID')}").text = "s00000000:111222333"
    with pytest.raises(SamlError, match="Digest mismatch"):
        verify_enveloped(received, load_certificates([cert]))


def test_signed_info_change_is_refused(keys: Any) -> None:
    key, cert = keys
    received = _in_document(sign_enveloped(_assertion(), key, cert), False)
    value = received.find(f".//{tag(NS_DS, 'DigestValue')}")
    value.text = "A" + value.text[1:]
    with pytest.raises(SamlError, match="Signature verification failed"):
        verify_enveloped(received, load_certificates([cert]))


def test_extra_signature_children_refused(keys: Any) -> None:
    key, cert = keys
    received = _in_document(sign_enveloped(_assertion(), key, cert), False)
    etree.SubElement(received.find(tag(NS_DS, "Signature")), tag(NS_DS, "Other"))
    with pytest.raises(SamlError, match="Signature must be"):
        verify_enveloped(received, load_certificates([cert]))


def test_keyinfo_is_ignored_the_pinned_key_decides(keys: Any) -> None:
    _key, cert = keys
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_cert = self_signed_certificate(other, "perf guard")
    received = _in_document(sign_enveloped(_assertion(), other, other_cert), False)
    with pytest.raises(SamlError, match="pinned"):
        verify_enveloped(received, load_certificates([cert]))


def _typed_assertion() -> etree._Element:
    """An assertion with an xs-typed attribute value whose namespaces are declared above it."""
    xsi, xs = "http://www.w3.org/2001/XMLSchema-instance", "http://www.w3.org/2001/XMLSchema"
    root = etree.Element(
        tag(NS_SAMLP, "Response"),
        {"ID": "_r"},
        nsmap={"samlp": NS_SAMLP, "saml": NS_SAML, "xs": xs, "xsi": xsi},
    )
    assertion = etree.SubElement(root, tag(NS_SAML, "Assertion"), {"ID": "_a", "Version": "2.0"})
    etree.SubElement(assertion, tag(NS_SAML, "Issuer")).text = "urn:idp"
    statement = etree.SubElement(assertion, tag(NS_SAML, "AttributeStatement"))
    attribute = etree.SubElement(statement, tag(NS_SAML, "Attribute"), {"Name": "urn:a"})
    value = etree.SubElement(
        attribute, tag(NS_SAML, "AttributeValue"), {f"{{{xsi}}}type": "xs:string"}
    )
    value.text = "waarde"
    return assertion


def _sign_with_prefixes(element: etree._Element, key: Any, cert_pem: bytes) -> etree._Element:
    """Signed the way OpenSAML-based IdPs sign: exc-c14n with InclusiveNamespaces "xs"."""
    doc = copy.deepcopy(element)
    placeholder = etree.Element(tag(NS_DS, "Signature"), {"Id": "placeholder"}, nsmap={"ds": NS_DS})
    doc.find(tag(NS_SAML, "Issuer")).addnext(placeholder)
    signed: etree._Element = XMLSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    ).sign(doc, key=key, cert=cert_pem.decode(), id_attribute="ID", inclusive_ns_prefixes=["xs"])
    return signed


def test_inclusive_namespaces_prefix_list_is_honoured(keys: tuple[Any, bytes]) -> None:
    key, cert = keys
    signed = _sign_with_prefixes(_typed_assertion(), key, cert)
    assert b"PrefixList" in etree.tostring(signed)
    received = parse_xml(etree.tostring(signed))
    verified = verify_enveloped(received, load_certificates([cert]))
    assert verified.findtext(f".//{tag(NS_SAML, 'AttributeValue')}") == "waarde"


def test_inclusive_namespaces_do_not_open_a_way_to_tamper(keys: tuple[Any, bytes]) -> None:
    key, cert = keys
    signed = _sign_with_prefixes(_typed_assertion(), key, cert)
    signed.find(f".//{tag(NS_SAML, 'AttributeValue')}").text = "anders"
    with pytest.raises(SamlError):
        verify_enveloped(parse_xml(etree.tostring(signed)), load_certificates([cert]))


def _sign_with(element: etree._Element, key: Any, cert_pem: bytes, method: Any) -> etree._Element:
    doc = copy.deepcopy(element)
    placeholder = etree.Element(tag(NS_DS, "Signature"), {"Id": "placeholder"}, nsmap={"ds": NS_DS})
    doc.find(tag(NS_SAML, "Issuer")).addnext(placeholder)
    signed: etree._Element = XMLSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=method,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    ).sign(doc, key=key, cert=cert_pem.decode(), id_attribute="ID")
    return signed


def _ec_keys() -> tuple[Any, bytes]:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "eidas node (ec)")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), True
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM)


def test_ecdsa_signatures_verify_with_a_pinned_ec_certificate() -> None:
    key, cert = _ec_keys()
    signed = _sign_with(_assertion(), key, cert, SignatureMethod.ECDSA_SHA256)
    verified = verify_enveloped(parse_xml(etree.tostring(signed)), load_certificates([cert]))
    assert verified.get("ID") == "_a"


def test_rsa_pss_signatures_verify(keys: tuple[Any, bytes]) -> None:
    key, cert = keys
    signed = _sign_with(_assertion(), key, cert, SignatureMethod.SHA256_RSA_MGF1)
    assert b"sha256-rsa-MGF1" in etree.tostring(signed)
    verified = verify_enveloped(parse_xml(etree.tostring(signed)), load_certificates([cert]))
    assert verified.get("ID") == "_a"


def test_signature_method_must_fit_the_pinned_key_type(keys: tuple[Any, bytes]) -> None:
    rsa_key, rsa_cert = keys
    ec_key, ec_cert = _ec_keys()
    ecdsa_signed = _sign_with(_assertion(), ec_key, ec_cert, SignatureMethod.ECDSA_SHA256)
    with pytest.raises(SamlError):  # an ECDSA signature never verifies against an RSA pin
        verify_enveloped(parse_xml(etree.tostring(ecdsa_signed)), load_certificates([rsa_cert]))
    rsa_signed = _sign_with(_assertion(), rsa_key, rsa_cert, SignatureMethod.RSA_SHA256)
    with pytest.raises(SamlError):
        verify_enveloped(parse_xml(etree.tostring(rsa_signed)), load_certificates([ec_cert]))
