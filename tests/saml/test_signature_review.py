"""Adversarial review of the SAML XML Signature verifier against XML Signature 1.1, Exclusive
XML Canonicalization 1.0 and the SAML Core §5 profile (attack catalogue §3.1–3.3).

Every signature here is built independently of ``broker.saml.signature``: the digest is taken
over the exclusive canonical form of the element as it stands in its document (XML Signature
§4.4.3.2, Exclusive C14N §3), and SignedInfo is canonicalised where it stands. A control case
proves that such a signature is accepted, so each refusal below is caused by the one thing the
test changes.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import hmac
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID
from lxml import etree

from broker.saml.signature import (
    ENVELOPED,
    EXC_C14N,
    RSA_SHA256,
    SHA256,
    check_unique_ids,
    load_certificates,
    verify_enveloped,
)
from broker.saml.xml import NS_DS, NS_SAML, NS_SAMLP, SamlError, full_text, parse_xml, tag

EXC_C14N_COMMENTS = EXC_C14N + "WithComments"
INC_C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
INC_C14N_COMMENTS = INC_C14N + "#WithComments"
C14N11 = "http://www.w3.org/2006/12/xml-c14n11"
XPATH = "http://www.w3.org/TR/1999/REC-xpath-19991116"
XPATH_FILTER2 = "http://www.w3.org/2002/06/xmldsig-filter2"
XSLT = "http://www.w3.org/TR/1999/REC-xslt-19991116"
BASE64 = "http://www.w3.org/2000/09/xmldsig#base64"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
DSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#dsa-sha1"
HMAC_SHA1 = "http://www.w3.org/2000/09/xmldsig#hmac-sha1"
HMAC_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
RSA_MD5 = "http://www.w3.org/2001/04/xmldsig-more#rsa-md5"
RSA_PSS_SHA256 = "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
MD5 = "http://www.w3.org/2001/04/xmldsig-more#md5"
MANIFEST = "http://www.w3.org/2000/09/xmldsig#Manifest"
XS = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NAME_ID = "s00000000:999999990"


def DS(local: str) -> str:
    return tag(NS_DS, local)


def S(local: str) -> str:
    return tag(NS_SAML, local)


# -- keys and certificates --------------------------------------------------------------------


def _certificate(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey,
    *,
    not_before: dt.timedelta = dt.timedelta(minutes=-5),
    not_after: dt.timedelta = dt.timedelta(days=1),
) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "review IdP")])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + not_before)
        .not_valid_after(now + not_after)
    )
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(key, algorithm).public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class Signer:
    key: rsa.RSAPrivateKey
    cert_pem: bytes

    @property
    def certs(self) -> list[x509.Certificate]:
        return load_certificates([self.cert_pem])

    def pkcs1(self, data: bytes) -> bytes:
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())


@pytest.fixture(scope="module")
def idp() -> Signer:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return Signer(key, _certificate(key))


@pytest.fixture(scope="module")
def ec_idp() -> tuple[ec.EllipticCurvePrivateKey, list[x509.Certificate]]:
    key = ec.generate_private_key(ec.SECP256R1())
    return key, load_certificates([_certificate(key)])


# -- documents and an independent signer ------------------------------------------------------


def _response_xml(extra_ns: str = "", assertion_body: str = "") -> bytes:
    return (
        f'<samlp:Response xmlns:samlp="{NS_SAMLP}" xmlns:saml="{NS_SAML}"{extra_ns}'
        ' ID="_r1" Version="2.0">'
        "<saml:Issuer>urn:idp</saml:Issuer>"
        '<saml:Assertion ID="_a1" Version="2.0">'
        "<saml:Issuer>urn:idp</saml:Issuer>"
        f"<saml:Subject><saml:NameID>{NAME_ID}</saml:NameID></saml:Subject>"
        f"{assertion_body}"
        "</saml:Assertion>"
        "</samlp:Response>"
    ).encode()


def _find(element: etree._Element, path: str) -> etree._Element:
    found = element.find(path)
    assert found is not None, path
    return found


def _assertion(root: etree._Element) -> etree._Element:
    return _find(root, S("Assertion"))


def _signature(root: etree._Element) -> etree._Element:
    """The Assertion's enveloped Signature."""
    return _find(_assertion(root), DS("Signature"))


def _c14n(element: etree._Element, prefixes: Sequence[str] | None = None) -> bytes:
    return etree.tostring(
        element,
        method="c14n",
        exclusive=True,
        with_comments=False,
        inclusive_ns_prefixes=list(prefixes) if prefixes is not None else None,
    )


def _sub(parent: etree._Element, local: str, algorithm: str | None = None) -> etree._Element:
    return etree.SubElement(parent, DS(local), {"Algorithm": algorithm} if algorithm else {})


def sign_in_place(
    element: etree._Element,
    sign: Callable[[bytes], bytes],
    *,
    transforms: Sequence[str] = (ENVELOPED, EXC_C14N),
    method: str = RSA_SHA256,
    digest_uri: str = SHA256,
    digest_name: str = "sha256",
    c14n_method: str = EXC_C14N,
    uri: str | None = None,
    prefixes: Sequence[str] | None = None,
    payload: bytes | None = None,
    digest_text: Callable[[bytes], str] | None = None,
    value_text: Callable[[bytes], str] | None = None,
) -> etree._Element:
    """Sign ``element`` where it stands, as an IdP following XML Signature would.

    The digest covers the exclusive canonical form of ``element`` in its document (before the
    Signature exists, which is what the enveloped-signature transform gives back); ``payload``
    overrides it. Returns the inserted ``ds:Signature``.
    """
    if payload is None:
        payload = _c14n(element, prefixes)
    signature = etree.Element(DS("Signature"), nsmap={"ds": NS_DS})
    signed_info = _sub(signature, "SignedInfo")
    _sub(signed_info, "CanonicalizationMethod", c14n_method)
    _sub(signed_info, "SignatureMethod", method)
    reference = etree.SubElement(
        signed_info,
        DS("Reference"),
        {"URI": uri if uri is not None else "#" + element.get("ID", "")},
    )
    transforms_element = _sub(reference, "Transforms")
    for algorithm in transforms:
        transform = _sub(transforms_element, "Transform", algorithm)
        if algorithm == EXC_C14N and prefixes is not None:
            etree.SubElement(
                transform, f"{{{EXC_C14N}}}InclusiveNamespaces", {"PrefixList": " ".join(prefixes)}
            )
    _sub(reference, "DigestMethod", digest_uri)
    digest = hashlib.new(digest_name, payload).digest()
    encoded = digest_text(digest) if digest_text else base64.b64encode(digest).decode()
    _sub(reference, "DigestValue").text = encoded
    value = _sub(signature, "SignatureValue")
    issuer = element.find(S("Issuer"))
    if issuer is not None:
        issuer.addnext(signature)
    else:
        element.insert(0, signature)
    raw = sign(_c14n(signature[0]))
    value.text = value_text(raw) if value_text else base64.b64encode(raw).decode()
    return signature


def resign(signature: etree._Element, sign: Callable[[bytes], bytes]) -> None:
    """Recompute the SignatureValue after SignedInfo was changed (the IdP signs the change)."""
    value = signature.find(DS("SignatureValue"))
    assert value is not None
    value.text = base64.b64encode(sign(_c14n(signature[0]))).decode()


def received(root: etree._Element) -> etree._Element:
    """Serialise and parse the way the broker receives a message."""
    return parse_xml(etree.tostring(root))


def signed_assertion_doc(idp: Signer, **options: Any) -> etree._Element:
    root = parse_xml(_response_xml())
    sign_in_place(_assertion(root), idp.pkcs1, **options)
    return root


def _refused(element: etree._Element, certs: Sequence[x509.Certificate], match: str) -> None:
    with pytest.raises(SamlError, match=match):
        verify_enveloped(element, certs)


# -- control ----------------------------------------------------------------------------------


def test_control_independently_made_signature_is_accepted(idp: Signer) -> None:
    root = received(signed_assertion_doc(idp))
    verified = verify_enveloped(_assertion(root), idp.certs)
    assert verified.findtext(f"{S('Subject')}/{S('NameID')}") == NAME_ID
    assert verified.find(DS("Signature")) is None
    assert verified.getparent() is None


def test_control_signed_response_is_accepted(idp: Signer) -> None:
    root = parse_xml(_response_xml())
    sign_in_place(root, idp.pkcs1)
    verified = verify_enveloped(received(root), idp.certs)
    assert verified.get("ID") == "_r1"


# -- transforms (SAML Core §5.4.4) ------------------------------------------------------------


@pytest.mark.parametrize(
    "transforms",
    [
        pytest.param((), id="none"),
        pytest.param((EXC_C14N,), id="exc-c14n-without-enveloped"),
        pytest.param((ENVELOPED, ENVELOPED), id="enveloped-twice"),
        pytest.param((ENVELOPED, EXC_C14N, EXC_C14N), id="exc-c14n-twice"),
        pytest.param((ENVELOPED, INC_C14N), id="inclusive-c14n"),
        pytest.param((ENVELOPED, INC_C14N_COMMENTS), id="inclusive-c14n-with-comments"),
        pytest.param((ENVELOPED, EXC_C14N_COMMENTS), id="exc-c14n-with-comments"),
        pytest.param((ENVELOPED, C14N11), id="c14n11"),
        pytest.param((ENVELOPED, XPATH, EXC_C14N), id="xpath"),
        pytest.param((ENVELOPED, XPATH_FILTER2, EXC_C14N), id="xpath-filter2"),
        pytest.param((ENVELOPED, XSLT, EXC_C14N), id="xslt"),
        pytest.param((ENVELOPED, BASE64), id="base64"),
    ],
)
def test_transform_outside_the_profile_is_refused(idp: Signer, transforms: tuple[str, ...]) -> None:
    root = received(signed_assertion_doc(idp, transforms=transforms))
    _refused(_assertion(root), idp.certs, "transforms must be enveloped-signature and exclusive")


def test_xpath_parameter_on_exc_c14n_transform_is_refused(idp: Signer) -> None:
    root = signed_assertion_doc(idp)
    signature = _assertion(root).find(DS("Signature"))
    assert signature is not None
    transform = signature.findall(f".//{DS('Transform')}")[1]
    etree.SubElement(transform, DS("XPath")).text = "not(ancestor-or-self::saml:NameID)"
    resign(signature, idp.pkcs1)
    _refused(_assertion(received(root)), idp.certs, "transform parameters are not allowed")


def test_inclusive_namespaces_with_children_is_refused(idp: Signer) -> None:
    root = signed_assertion_doc(idp, prefixes=["xs"])
    signature = _assertion(root).find(DS("Signature"))
    assert signature is not None
    inclusive = signature.find(f".//{{{EXC_C14N}}}InclusiveNamespaces")
    assert inclusive is not None
    etree.SubElement(inclusive, DS("XPath"))
    resign(signature, idp.pkcs1)
    _refused(_assertion(received(root)), idp.certs, "transform parameters are not allowed")


def test_transforms_element_missing_is_refused(idp: Signer) -> None:
    root = signed_assertion_doc(idp)
    transforms = root.find(f".//{DS('Transforms')}")
    assert transforms is not None
    transforms.getparent().remove(transforms)  # type: ignore[union-attr]
    resign(_signature(root), idp.pkcs1)
    _refused(_assertion(received(root)), idp.certs, "enveloped-signature and exclusive c14n")


def test_foreign_element_in_transforms_is_refused(idp: Signer) -> None:
    root = signed_assertion_doc(idp)
    transforms = root.find(f".//{DS('Transforms')}")
    assert transforms is not None
    etree.SubElement(transforms, "{urn:other}Transform", {"Algorithm": XSLT})
    resign(_signature(root), idp.pkcs1)
    _refused(_assertion(received(root)), idp.certs, "transform")


def test_enveloped_transform_alone_is_refused(idp: Signer) -> None:
    root = received(signed_assertion_doc(idp, transforms=(ENVELOPED,)))
    _refused(_assertion(root), idp.certs, "transforms must be enveloped-signature and exclusive")


def test_transforms_in_reverse_order_are_refused(idp: Signer) -> None:
    root = received(signed_assertion_doc(idp, transforms=(EXC_C14N, ENVELOPED)))
    _refused(_assertion(root), idp.certs, "transforms must be enveloped-signature and exclusive")


# -- SignedInfo canonicalization (SAML Core §5.4.3) -------------------------------------------


@pytest.mark.parametrize("method", [INC_C14N, INC_C14N_COMMENTS, EXC_C14N_COMMENTS, C14N11, ""])
def test_signed_info_canonicalization_outside_the_profile_is_refused(
    idp: Signer, method: str
) -> None:
    root = received(signed_assertion_doc(idp, c14n_method=method))
    _refused(_assertion(root), idp.certs, "canonicalization must be exclusive c14n")


# -- algorithms (catalogue §3.2) --------------------------------------------------------------


@pytest.mark.parametrize("method", [RSA_SHA1, DSA_SHA1, RSA_MD5, HMAC_SHA1, HMAC_SHA256, ""])
def test_signature_method_outside_the_allow_list_is_refused(idp: Signer, method: str) -> None:
    root = received(signed_assertion_doc(idp, method=method))
    _refused(_assertion(root), idp.certs, "forbidden by configuration")


@pytest.mark.parametrize("key_form", ["pem", "der", "spki"])
def test_hmac_keyed_with_the_pinned_certificate_is_refused(idp: Signer, key_form: str) -> None:
    """pysaml2 CVE-2021-21239 / signxml CVE-2025-48994: the public key material as HMAC key."""
    cert = x509.load_pem_x509_certificate(idp.cert_pem)
    secret = {
        "pem": idp.cert_pem,
        "der": cert.public_bytes(serialization.Encoding.DER),
        "spki": cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    }[key_form]
    root = parse_xml(_response_xml())
    sign_in_place(
        _assertion(root),
        lambda data: hmac.new(secret, data, hashlib.sha256).digest(),
        method=HMAC_SHA256,
    )
    _refused(_assertion(received(root)), idp.certs, "HMAC_SHA256|hmac-sha256")


@pytest.mark.parametrize(("uri", "name"), [(SHA1, "sha1"), (MD5, "md5")])
def test_weak_digest_algorithm_is_refused(idp: Signer, uri: str, name: str) -> None:
    root = received(signed_assertion_doc(idp, digest_uri=uri, digest_name=name))
    _refused(_assertion(root), idp.certs, "Digest algorithm .* forbidden")


def test_signature_method_parameters_are_refused(idp: Signer) -> None:
    root = signed_assertion_doc(idp, method=HMAC_SHA256)
    method = root.find(f".//{DS('SignatureMethod')}")
    assert method is not None
    method.set("Algorithm", RSA_SHA256)
    etree.SubElement(method, DS("HMACOutputLength")).text = "0"
    resign(_signature(root), idp.pkcs1)
    _refused(_assertion(received(root)), idp.certs, "SignatureMethod parameters")


def test_rsa_pss_with_the_default_salt_is_accepted(idp: Signer) -> None:
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    root = parse_xml(_response_xml())
    sign_in_place(
        _assertion(root), lambda d: idp.key.sign(d, pss, hashes.SHA256()), method=RSA_PSS_SHA256
    )
    assert verify_enveloped(_assertion(received(root)), idp.certs).get("ID") == "_a1"


def test_rsa_pss_with_another_salt_length_is_refused(idp: Signer) -> None:
    """RFC 9231 §2.3.10: without RSAPSSParams the salt length is the hash length."""
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
    root = parse_xml(_response_xml())
    sign_in_place(
        _assertion(root), lambda d: idp.key.sign(d, pss, hashes.SHA256()), method=RSA_PSS_SHA256
    )
    _refused(_assertion(received(root)), idp.certs, "Signature verification failed")


def test_pkcs1_signature_presented_as_pss_is_refused(idp: Signer) -> None:
    root = received(signed_assertion_doc(idp, method=RSA_PSS_SHA256))
    _refused(_assertion(root), idp.certs, "Signature verification failed")


def _ecdsa_raw(key: ec.EllipticCurvePrivateKey, data: bytes, width: int) -> bytes:
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(width, "big") + s.to_bytes(width, "big")


def test_ecdsa_fixed_width_signature_is_accepted(
    ec_idp: tuple[ec.EllipticCurvePrivateKey, list[x509.Certificate]],
) -> None:
    key, certs = ec_idp
    root = parse_xml(_response_xml())
    sign_in_place(_assertion(root), lambda d: _ecdsa_raw(key, d, 32), method=ECDSA_SHA256)
    assert verify_enveloped(_assertion(received(root)), certs).get("ID") == "_a1"


def test_ecdsa_der_signature_is_refused(
    ec_idp: tuple[ec.EllipticCurvePrivateKey, list[x509.Certificate]],
) -> None:
    key, certs = ec_idp
    root = parse_xml(_response_xml())
    sign_in_place(
        _assertion(root), lambda d: key.sign(d, ec.ECDSA(hashes.SHA256())), method=ECDSA_SHA256
    )
    _refused(_assertion(received(root)), certs, "Signature verification failed")


def test_ecdsa_signature_wider_than_the_curve_is_refused(
    ec_idp: tuple[ec.EllipticCurvePrivateKey, list[x509.Certificate]],
) -> None:
    key, certs = ec_idp
    root = parse_xml(_response_xml())
    sign_in_place(_assertion(root), lambda d: _ecdsa_raw(key, d, 40), method=ECDSA_SHA256)
    _refused(_assertion(received(root)), certs, "Signature verification failed")


@pytest.mark.parametrize("size", [0, 2, 31, 63, 65, 4096])
def test_ecdsa_signature_of_odd_size_is_refused(
    ec_idp: tuple[ec.EllipticCurvePrivateKey, list[x509.Certificate]], size: int
) -> None:
    _key, certs = ec_idp
    root = parse_xml(_response_xml())
    sign_in_place(_assertion(root), lambda d: b"\x01" * size, method=ECDSA_SHA256)
    _refused(_assertion(received(root)), certs, "Signature verification failed")


def test_expired_pinned_certificate_is_refused(idp: Signer) -> None:
    expired = _certificate(
        idp.key, not_before=dt.timedelta(days=-30), not_after=dt.timedelta(days=-1)
    )
    root = received(signed_assertion_doc(idp))
    _refused(_assertion(root), load_certificates([expired]), "not valid at validation time")


def test_pinned_certificate_with_an_unsupported_key_type_is_refused(idp: Signer) -> None:
    other = load_certificates([_certificate(ed25519.Ed25519PrivateKey.generate())])
    root = received(signed_assertion_doc(idp))
    _refused(_assertion(root), other, "no RSA or EC key")


def test_key_info_of_the_signer_is_never_trusted(idp: Signer) -> None:
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = parse_xml(_response_xml())
    signature = sign_in_place(
        _assertion(root), lambda d: attacker.sign(d, padding.PKCS1v15(), hashes.SHA256())
    )
    key_info = _sub(signature, "KeyInfo")
    numbers = attacker.public_key().public_numbers()
    rsa_value = _sub(_sub(key_info, "KeyValue"), "RSAKeyValue")
    _sub(rsa_value, "Modulus").text = base64.b64encode(numbers.n.to_bytes(256, "big")).decode()
    _sub(rsa_value, "Exponent").text = "AQAB"
    _refused(_assertion(received(root)), idp.certs, "Signature verification failed")


# -- the Reference (SAML Core §5.4.2) ---------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    ["", "#", "#_r1", "#xpointer(/)", "#xpointer(id('_a1'))", "_a1", "#_A1", "#_a1 ", None],
)
def test_reference_uri_other_than_the_parent_id_is_refused(idp: Signer, uri: str | None) -> None:
    root = signed_assertion_doc(idp, uri=uri if uri is not None else "#_a1")
    if uri is None:
        reference = root.find(f".//{DS('Reference')}")
        assert reference is not None
        del reference.attrib["URI"]
        resign(_signature(root), idp.pkcs1)
    _refused(_assertion(received(root)), idp.certs, "Reference URI is not the ID")


def test_second_reference_is_refused(idp: Signer) -> None:
    root = signed_assertion_doc(idp)
    reference = root.find(f".//{DS('Reference')}")
    assert reference is not None
    reference.addnext(copy.deepcopy(reference))
    resign(_signature(root), idp.pkcs1)
    _refused(_assertion(received(root)), idp.certs, "exactly one Reference")


def test_manifest_in_signature_is_refused(idp: Signer) -> None:
    root = signed_assertion_doc(idp)
    signature = _assertion(root).find(DS("Signature"))
    assert signature is not None
    manifest = _sub(signature, "Manifest")
    manifest.append(copy.deepcopy(_find(signature, f".//{DS('Reference')}")))
    _refused(_assertion(received(root)), idp.certs, "Signature must be SignedInfo")


@pytest.mark.parametrize("place", ["signature", "key-info", "assertion"])
def test_ds_object_anywhere_is_refused(idp: Signer, place: str) -> None:
    root = signed_assertion_doc(idp)
    signature = _assertion(root).find(DS("Signature"))
    assert signature is not None
    parent = {
        "signature": signature,
        "key-info": _sub(signature, "KeyInfo"),
        "assertion": _find(_assertion(root), S("Subject")),
    }[place]
    _sub(parent, "Object").append(copy.deepcopy(_find(_assertion(root), S("Subject"))))
    _refused(_assertion(received(root)), idp.certs, "ds:Object")


def test_second_signature_on_the_element_is_refused(idp: Signer) -> None:
    root = signed_assertion_doc(idp)
    signature = _assertion(root).find(DS("Signature"))
    assert signature is not None
    signature.addnext(copy.deepcopy(signature))
    _refused(_assertion(received(root)), idp.certs, "more than one Signature")


def test_signature_not_a_direct_child_is_not_a_signature(idp: Signer) -> None:
    root = signed_assertion_doc(idp)
    assertion = _assertion(root)
    signature = assertion.find(DS("Signature"))
    subject = assertion.find(S("Subject"))
    assert signature is not None and subject is not None
    subject.append(signature)
    _refused(_assertion(received(root)), idp.certs, "element is not signed")


def test_assertion_signature_moved_to_the_response_is_refused(idp: Signer) -> None:
    """The Assertion's Signature placed in a Response that took the Assertion's ID."""
    root = signed_assertion_doc(idp)
    assertion = _assertion(root)
    signature = assertion.find(DS("Signature"))
    assert signature is not None
    assertion.set("ID", "_other")
    root.set("ID", "_a1")
    root[0].addnext(signature)
    _refused(received(root), idp.certs, "Digest mismatch")


def test_duplicate_id_in_another_id_attribute_is_refused(idp: Signer) -> None:
    root = signed_assertion_doc(idp)
    subject = _assertion(root).find(S("Subject"))
    assert subject is not None
    subject.set("Id", "_a1")
    with pytest.raises(SamlError, match="duplicate ID"):
        check_unique_ids(received(root))


def test_signature_element_order_is_enforced(idp: Signer) -> None:
    root = signed_assertion_doc(idp)
    signature = _assertion(root).find(DS("Signature"))
    assert signature is not None
    signature.append(signature[0])  # SignedInfo after SignatureValue
    _refused(_assertion(received(root)), idp.certs, "Signature must be SignedInfo")


# -- value encodings --------------------------------------------------------------------------


def _wrapped(raw: bytes) -> str:
    text = base64.b64encode(raw).decode()
    return "\r\n  " + "\n\t".join(text[i : i + 64] for i in range(0, len(text), 64)) + " \n"


def test_base64_with_line_breaks_and_spaces_is_accepted(idp: Signer) -> None:
    root = received(signed_assertion_doc(idp, digest_text=_wrapped, value_text=_wrapped))
    assert verify_enveloped(_assertion(root), idp.certs).get("ID") == "_a1"


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(lambda t: t.rstrip("="), id="padding-removed"),
        pytest.param(lambda t: t + "=", id="extra-padding"),
        pytest.param(lambda t: t[:10] + "*" + t[11:], id="non-alphabet"),
        pytest.param(lambda t: t + "A", id="length-not-multiple-of-4"),
    ],
)
def test_signature_value_that_is_not_base64_is_refused(
    idp: Signer, broken: Callable[[str], str]
) -> None:
    def value(raw: bytes) -> str:
        text = base64.b64encode(raw).decode()
        if not text.endswith("="):
            text = base64.b64encode(raw + b"\0").decode()  # make padding visible
        return broken(text)

    root = received(signed_assertion_doc(idp, value_text=value))
    _refused(_assertion(root), idp.certs, "signature value is not base64")


def test_empty_signature_value_is_refused(idp: Signer) -> None:
    root = received(signed_assertion_doc(idp, value_text=lambda raw: ""))
    _refused(_assertion(root), idp.certs, "Signature verification failed")


def test_digest_of_empty_data_is_refused(idp: Signer) -> None:
    root = received(signed_assertion_doc(idp, payload=b""))
    _refused(_assertion(root), idp.certs, "Digest mismatch")


def test_digest_value_that_is_not_base64_is_refused(idp: Signer) -> None:
    root = received(signed_assertion_doc(idp, digest_text=lambda d: "not base64!"))
    _refused(_assertion(root), idp.certs, "base64")


# -- canonicalization confusion ---------------------------------------------------------------


def _name_id(root: etree._Element) -> etree._Element:
    found = root.find(f".//{S('NameID')}")
    assert found is not None
    return found


def _raw_signed(idp: Signer) -> bytes:
    return etree.tostring(signed_assertion_doc(idp))


def test_comment_injected_into_signed_name_id_is_read_in_full(idp: Signer) -> None:
    """CVE-2017-11427: c14n without comments keeps the signature valid; the full text is read."""
    raw = _raw_signed(idp).replace(NAME_ID.encode(), b"s00000000:999<!-- x -->999990")
    verified = verify_enveloped(_assertion(parse_xml(raw)), idp.certs)
    assert full_text(_name_id(verified)) == NAME_ID
    assert _name_id(verified).text == NAME_ID  # the comment is gone from the signed copy


def test_processing_instruction_injected_after_signing_is_refused(idp: Signer) -> None:
    raw = _raw_signed(idp).replace(NAME_ID.encode(), b"s00000000:999<?x y?>999990")
    _refused(_assertion(parse_xml(raw)), idp.certs, "Digest mismatch")


def test_cdata_and_character_references_are_the_signed_text(idp: Signer) -> None:
    raw = _raw_signed(idp).replace(NAME_ID.encode(), b"<![CDATA[s00000000:999]]>&#57;&#x39;9990")
    verified = verify_enveloped(_assertion(parse_xml(raw)), idp.certs)
    assert _name_id(verified).text == NAME_ID


def test_whitespace_added_inside_signed_content_is_refused(idp: Signer) -> None:
    raw = _raw_signed(idp).replace(b"<saml:Subject>", b"<saml:Subject>\n  ")
    _refused(_assertion(parse_xml(raw)), idp.certs, "Digest mismatch")


def test_whitespace_inside_tags_is_not_content(idp: Signer) -> None:
    raw = _raw_signed(idp).replace(b'<saml:Assertion ID="_a1"', b'<saml:Assertion \n ID="_a1" ')
    assert verify_enveloped(_assertion(parse_xml(raw)), idp.certs).get("ID") == "_a1"


def test_xml_attribute_added_to_signed_element_is_refused(idp: Signer) -> None:
    raw = _raw_signed(idp).replace(b"<saml:NameID>", b'<saml:NameID xml:lang="nl">')
    _refused(_assertion(parse_xml(raw)), idp.certs, "Digest mismatch")


def test_xml_attributes_of_ancestors_are_not_inherited(idp: Signer) -> None:
    """Exclusive c14n does not import xml:* attributes; the signed copy does not carry them."""
    raw = _raw_signed(idp).replace(b'ID="_r1"', b'ID="_r1" xml:space="preserve" xml:lang="en"')
    verified = verify_enveloped(_assertion(parse_xml(raw)), idp.certs)
    assert verified.get("{http://www.w3.org/XML/1998/namespace}space") is None


def test_prefix_renamed_in_signed_content_is_refused(idp: Signer) -> None:
    raw = _raw_signed(idp)
    start = raw.index(b"<saml:Assertion")
    end = raw.index(b"</saml:Assertion>") + len(b"</saml:Assertion>")
    body = (
        raw[start:end]
        .replace(b"saml:", b"s2:")
        .replace(b"<s2:Assertion ", f'<s2:Assertion xmlns:s2="{NS_SAML}" '.encode(), 1)
    )
    root = parse_xml(raw[:start] + body + raw[end:])
    _refused(_assertion(root), idp.certs, "Digest mismatch")


def test_namespace_uri_changed_on_ancestor_is_refused(idp: Signer) -> None:
    """The signed element's own prefix bound to another namespace higher up changes its tag."""
    raw = _raw_signed(idp).replace(
        b'<saml:Assertion ID="_a1"', b'<saml:Assertion xmlns:saml="urn:evil" ID="_a1"'
    )
    root = parse_xml(raw)
    evil = root.find("{urn:evil}Assertion")
    assert evil is not None
    _refused(evil, idp.certs, "not signed|Digest mismatch")


def test_unused_namespace_declarations_do_not_reach_the_signed_copy(idp: Signer) -> None:
    raw = _raw_signed(idp).replace(
        b'<saml:Assertion ID="_a1"', b'<saml:Assertion xmlns:evil="urn:evil" ID="_a1"'
    )
    verified = verify_enveloped(_assertion(parse_xml(raw)), idp.certs)
    assert "evil" not in verified.nsmap


def test_relative_namespace_uri_is_a_saml_error(idp: Signer) -> None:
    raw = _raw_signed(idp).replace(b'ID="_r1"', b'xmlns:rel="relative/uri" ID="_r1"')
    with pytest.raises(SamlError):
        verify_enveloped(_assertion(parse_xml(raw)), idp.certs)


# -- InclusiveNamespaces PrefixList -----------------------------------------------------------


def _typed_response() -> etree._Element:
    """xs and xsi declared on the Response, used in an attribute value of the Assertion."""
    body = (
        '<saml:AttributeStatement><saml:Attribute Name="urn:a">'
        '<saml:AttributeValue xsi:type="xs:string">waarde</saml:AttributeValue>'
        "</saml:Attribute></saml:AttributeStatement>"
    )
    return parse_xml(_response_xml(f' xmlns:xs="{XS}" xmlns:xsi="{XSI}"', body))


def test_prefix_list_changes_the_digest(idp: Signer) -> None:
    """The fixture is meaningful: with PrefixList "xs" the canonical form declares xs."""
    assertion = _assertion(_typed_response())
    assert b"xmlns:xs=" in _c14n(assertion, ["xs"])
    assert b"xmlns:xs=" not in _c14n(assertion)


def test_prefix_list_signature_is_accepted_by_signxml(idp: Signer) -> None:
    """Reference behaviour: a general verifier accepts the in-context PrefixList signature."""
    from signxml import XMLVerifier  # type: ignore[attr-defined]
    from signxml.verifier import SignatureConfiguration

    root = _typed_response()
    sign_in_place(_assertion(root), idp.pkcs1, prefixes=["xs"])
    document = etree.fromstring(etree.tostring(root))
    result = XMLVerifier().verify(
        document.find(S("Assertion")),
        x509_cert=idp.cert_pem.decode(),
        expect_config=SignatureConfiguration(require_x509=False, location="./"),
        id_attribute="ID",
    )
    assert not isinstance(result, list)
    assert b"xmlns:xs=" in result.signed_data


def test_prefix_list_naming_an_ancestor_declaration_is_accepted(idp: Signer) -> None:
    root = _typed_response()
    sign_in_place(_assertion(root), idp.pkcs1, prefixes=["xs"])
    verified = verify_enveloped(_assertion(received(root)), idp.certs)
    assert verified.nsmap.get("xs") == XS


def test_nested_prefix_list_signature_survives_the_response_signature(idp: Signer) -> None:
    from broker.means.eidas.attributes import signed_response_parts

    root = _typed_response()
    sign_in_place(_assertion(root), idp.pkcs1, prefixes=["xs"])
    sign_in_place(root, idp.pkcs1)
    response, assertion = signed_response_parts(received(root), idp.certs, "_a1")
    assert response.get("ID") == "_r1"
    assert assertion.findtext(f".//{S('AttributeValue')}") == "waarde"


def test_prefix_list_binding_changed_on_an_ancestor_is_refused(idp: Signer) -> None:
    """The PrefixList makes the binding of xs part of what was signed, wherever it is declared."""
    root = _typed_response()
    sign_in_place(_assertion(root), idp.pkcs1, prefixes=["xs"])
    raw = etree.tostring(root).replace(f'xmlns:xs="{XS}"'.encode(), b'xmlns:xs="urn:evil"')
    _refused(_assertion(parse_xml(raw)), idp.certs, "Digest mismatch")


def test_prefix_list_on_the_element_itself_is_accepted(idp: Signer) -> None:
    """xs declared on the Assertion itself (the usual OpenSAML layout) verifies today."""
    body = (
        '<saml:AttributeStatement><saml:Attribute Name="urn:a">'
        '<saml:AttributeValue xsi:type="xs:string">waarde</saml:AttributeValue>'
        "</saml:Attribute></saml:AttributeStatement>"
    )
    raw = _response_xml(assertion_body=body).replace(
        b'<saml:Assertion ID="_a1"',
        f'<saml:Assertion xmlns:xs="{XS}" xmlns:xsi="{XSI}" ID="_a1"'.encode(),
    )
    root = parse_xml(raw)
    sign_in_place(_assertion(root), idp.pkcs1, prefixes=["xs"])
    verified = verify_enveloped(_assertion(received(root)), idp.certs)
    assert verified.findtext(f".//{S('AttributeValue')}") == "waarde"


def test_prefix_list_does_not_let_an_unsigned_declaration_in(idp: Signer) -> None:
    """Signed without PrefixList; xs declared later on the Response does not change the read."""
    root = _typed_response()
    sign_in_place(_assertion(root), idp.pkcs1)
    raw = etree.tostring(root).replace(f'xmlns:xs="{XS}"'.encode(), b'xmlns:xs="urn:evil"')
    verified = verify_enveloped(_assertion(parse_xml(raw)), idp.certs)
    assert "urn:evil" not in etree.tostring(verified).decode()


# -- parser (catalogue §3.3) ------------------------------------------------------------------

_DTD_DOC = '<?xml version="1.0" encoding="ENC"?><!DOCTYPE r [<!ENTITY a "x">]><r>&a;</r>'


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            b'<?xml version="1.0" encoding="UTF-7"?>+ADwAIQ-DOCTYPE r +AFs-+ADwAIQ-ENTITY a '
            b'"x"+AD4-+AF0-+AD4-+ADw-r a+AD0AIgAm-a+ADsAIgA+-+ADw-/r+AD4-',
            id="utf-7",
        ),
        pytest.param(
            _DTD_DOC.replace("ENC", "cp037").encode("cp037"),
            id="ebcdic",
        ),
        pytest.param(
            _DTD_DOC.replace("ENC", "UTF-32").encode("utf-32"),
            id="utf-32",
        ),
    ],
)
def test_doctype_in_exotic_encodings_is_refused(data: bytes) -> None:
    with pytest.raises(SamlError):
        parse_xml(data)


def _typed_kit_response(kit: Any, idp: Signer, prefixes: Sequence[str] | None) -> etree._Element:
    """A complete DigiD-style Response, xs/xsi declared on it, both levels signed."""
    pair = kit.KeyPair(idp.key, idp.cert_pem)
    answer = kit.Answer(request_id="_req", sign_assertion=False)
    raw = etree.tostring(kit.DigidIdp(pair, pair).response(answer))
    raw = raw.replace(
        b"<samlp:Response ", f'<samlp:Response xmlns:xs="{XS}" xmlns:xsi="{XSI}" '.encode(), 1
    )
    raw = raw.replace(
        b"</saml:Assertion>",
        b'<saml:AttributeStatement><saml:Attribute Name="urn:a">'
        b'<saml:AttributeValue xsi:type="xs:string">waarde</saml:AttributeValue>'
        b"</saml:Attribute></saml:AttributeStatement></saml:Assertion>",
    )
    root = parse_xml(raw)
    sign_in_place(_assertion(root), idp.pkcs1, prefixes=prefixes)
    sign_in_place(root, idp.pkcs1)
    return received(root)


def _expectations(kit: Any, idp: Signer) -> Any:
    from broker.saml.response import Expectations

    return Expectations(
        idp_entity_id=kit.IDP,
        sp_entity_id=kit.SP,
        acs_url=kit.ACS,
        authn_request_id="_req",
        certificates=idp.certs,
        require_response_signature=True,
    )


def test_control_signed_response_with_signed_assertion_validates(kit: Any, idp: Signer) -> None:
    from broker.saml.response import validate_response

    response = _typed_kit_response(kit, idp, None)
    assert validate_response(response, _expectations(kit, idp)).name_id == f"s00000000:{kit.BSN}"


def test_validate_response_accepts_nested_prefix_list_signature(kit: Any, idp: Signer) -> None:
    from broker.saml.response import validate_response

    response = _typed_kit_response(kit, idp, ["xs"])
    assert validate_response(response, _expectations(kit, idp)).assertion_id


# -- the invariant: what is returned is what was signed ---------------------------------------


def _mutations() -> list[Callable[[etree._Element, random.Random], None]]:
    def elements(root: etree._Element) -> list[etree._Element]:
        return list(root.iter(etree.Element))

    def comment(root: etree._Element, rnd: random.Random) -> None:
        target = rnd.choice(elements(root))
        target.insert(rnd.randint(0, len(target)), etree.Comment("x"))

    def processing_instruction(root: etree._Element, rnd: random.Random) -> None:
        target = rnd.choice(elements(root))
        target.insert(rnd.randint(0, len(target)), etree.ProcessingInstruction("p", "q"))

    def whitespace(root: etree._Element, rnd: random.Random) -> None:
        target = rnd.choice(elements(root))
        target.text = (target.text or "") + rnd.choice([" ", "\n", "\t", "\r"])

    def xml_attribute(root: etree._Element, rnd: random.Random) -> None:
        rnd.choice(elements(root)).set("{http://www.w3.org/XML/1998/namespace}lang", "nl")

    def duplicate(root: etree._Element, rnd: random.Random) -> None:
        target = rnd.choice(elements(root)[1:])
        target.addnext(copy.deepcopy(target))

    def move(root: etree._Element, rnd: random.Random) -> None:
        target = rnd.choice(elements(root)[1:])
        outside = [
            e
            for e in elements(root)
            if e is not target and not any(a is target for a in e.iterancestors())
        ]
        destination = rnd.choice(outside)
        destination.insert(rnd.randint(0, len(destination)), target)

    def attribute(root: etree._Element, rnd: random.Random) -> None:
        target = rnd.choice(elements(root))
        target.set(rnd.choice(["ID", "Version", "Extra"]), rnd.choice(["_a1", "_x", "3.0"]))

    def text(root: etree._Element, rnd: random.Random) -> None:
        target = rnd.choice(elements(root))
        target.text = rnd.choice(["s00000000:111222333", "urn:evil", ""])

    def wrap(root: etree._Element, rnd: random.Random) -> None:
        target = rnd.choice(elements(root)[1:])
        parent = target.getparent()
        assert parent is not None
        wrapper = etree.Element("{urn:evil}Wrapper")
        target.addprevious(wrapper)
        wrapper.append(target)

    def forged_copy(root: etree._Element, rnd: random.Random) -> None:
        assertion = root.find(S("Assertion"))
        if assertion is None:
            return
        forged = copy.deepcopy(assertion)
        name_id = forged.find(f".//{S('NameID')}")
        if name_id is not None:
            name_id.text = "s00000000:111222333"
        rnd.choice([assertion.addprevious, assertion.addnext])(forged)

    return [
        comment,
        processing_instruction,
        whitespace,
        xml_attribute,
        duplicate,
        move,
        attribute,
        text,
        wrap,
        forged_copy,
    ]


@pytest.mark.parametrize("seed", range(8))
def test_accepted_content_is_always_the_signed_content(idp: Signer, seed: int) -> None:
    """Random wrapping and canonicalization tricks: either a refusal, or exactly the IdP's bytes."""
    rnd = random.Random(seed)
    pristine = parse_xml(_response_xml())
    signed_bytes = _c14n(_assertion(pristine))
    sign_in_place(_assertion(pristine), idp.pkcs1)
    mutations = _mutations()
    accepted = 0
    for _ in range(60):
        root = copy.deepcopy(pristine)
        for mutation in rnd.sample(mutations, rnd.randint(1, 3)):
            mutation(root, rnd)
        try:
            document = received(root)
        except SamlError:
            continue
        for candidate in document.iter(S("Assertion")):
            try:
                verified = verify_enveloped(candidate, idp.certs)
            except SamlError:
                continue
            accepted += 1
            assert _c14n(verified) == signed_bytes
            assert verified.getparent() is None
            assert b"<!--" not in etree.tostring(verified)
            assert full_text(_find(verified, f".//{S('NameID')}")) == NAME_ID
    assert accepted > 0  # the harness exercises the accepting path too


def _typed_artifact_body(kit: Any, idp: Signer, prefixes: Sequence[str] | None) -> bytes:
    """A SOAP ArtifactResponse (eHerkenning/DigiD back channel), xs/xsi declared on it."""
    from broker.saml import soap

    pair = kit.KeyPair(idp.key, idp.cert_pem)
    answer = kit.Answer(request_id="_req", sign_assertion=False, sign_outer=False)
    raw = etree.tostring(kit.DigidIdp(pair, pair).artifact_response(answer, "_resolve"))
    raw = raw.replace(
        b"<samlp:ArtifactResponse ",
        f'<samlp:ArtifactResponse xmlns:xs="{XS}" xmlns:xsi="{XSI}" '.encode(),
        1,
    )
    raw = raw.replace(
        b"</saml:Assertion>",
        b'<saml:AttributeStatement><saml:Attribute Name="urn:a">'
        b'<saml:AttributeValue xsi:type="xs:string">waarde</saml:AttributeValue>'
        b"</saml:Attribute></saml:AttributeStatement></saml:Assertion>",
    )
    outer = parse_xml(raw)
    sign_in_place(_find(outer, f".//{S('Assertion')}"), idp.pkcs1, prefixes=prefixes)
    sign_in_place(outer, idp.pkcs1)
    return soap.wrap(outer)


def _open_and_validate(kit: Any, idp: Signer, body: bytes) -> Any:
    from broker.saml.response import open_artifact_response, validate_response

    message = open_artifact_response(
        body, resolve_id="_resolve", idp_entity_id=kit.IDP, certificates=idp.certs
    )
    assert message is not None
    expectations = _expectations(kit, idp)
    return validate_response(message, replace(expectations, require_response_signature=False))


def test_control_artifact_response_with_signed_assertion_validates(kit: Any, idp: Signer) -> None:
    verified = _open_and_validate(kit, idp, _typed_artifact_body(kit, idp, None))
    assert verified.name_id == f"s00000000:{kit.BSN}"


def test_artifact_response_accepts_nested_prefix_list_signature(kit: Any, idp: Signer) -> None:
    verified = _open_and_validate(kit, idp, _typed_artifact_body(kit, idp, ["xs"]))
    assert verified.assertion_id


# -- Response versus Assertion signatures (catalogue §3.2) ------------------------------------


def test_signed_response_does_not_replace_the_assertion_signature(kit: Any, idp: Signer) -> None:
    """DigiD/eHerkenning/eIDAS profiles: the Assertion itself must be signed."""
    from broker.saml.response import validate_response

    pair = kit.KeyPair(idp.key, idp.cert_pem)
    answer = kit.Answer(request_id="_req", sign_assertion=False, sign_response=True)
    response = received(kit.DigidIdp(pair, pair).response(answer))
    with pytest.raises(SamlError, match="element is not signed"):
        validate_response(response, _expectations(kit, idp))


def test_assertion_signed_by_another_key_inside_a_signed_response_is_refused(
    kit: Any, idp: Signer
) -> None:
    from broker.saml.response import validate_response

    attacker_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attacker = kit.KeyPair(attacker_key, _certificate(attacker_key))
    pair = kit.KeyPair(idp.key, idp.cert_pem)
    answer = kit.Answer(request_id="_req", assertion_signer=attacker, sign_response=True)
    response = received(kit.DigidIdp(pair, pair).response(answer))
    with pytest.raises(SamlError, match="Signature verification failed"):
        validate_response(response, _expectations(kit, idp))
