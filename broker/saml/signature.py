"""Enveloped XML signatures: verification with pinned certificates and wrapping defences.

SAML uses one narrow profile of XML Signature (SAML Core §5.4): one enveloped signature per
signed element, exclusive c14n, one same-document Reference, RSA with SHA-2. Anything else is
refused before any cryptography runs, so the verifier here implements only that profile, with
one canonicalisation of SignedInfo, one of the signed element and one parse of the signed bytes
per signature (a general-purpose verifier re-serialises and re-parses the whole document about
half a dozen times per signature, which dominated the broker's CPU per login). The rules that
make sure the element we read is the element that was signed (XSW1–XSW8, catalogue §3.1):

* the ``ds:Signature`` is a direct child of the element it signs and there is exactly one;
* the Signature has the schema's shape: SignedInfo, SignatureValue, optional KeyInfo, nothing
  else; SignedInfo is CanonicalizationMethod, SignatureMethod and exactly one Reference;
* its single Reference points at ``#<ID of that parent>`` (SAML Core §5.4.2, enveloped);
* only the enveloped-signature and exclusive c14n transforms (SAML Core §5.4.3, §5.4.4);
* no ``ds:Object`` anywhere (XSW8 hides the original there);
* ID values are unique in the whole document (XSW variants duplicate them; checked by callers
  on the whole document, ``check_unique_ids``);
* keys come only from the configured certificates, never from KeyInfo (catalogue §3.2), and a
  pinned certificate is only used within its validity period;
* only SHA-2 RSA signatures and digests (SHA-1 refused, catalogue §3.2);
* the Reference (URI, digest method and value) is read from the *verified* SignedInfo bytes;
* the caller continues with the returned element only: the canonical, re-parsed signed bytes
  (comments dropped, the enveloped Signature removed), never the received tree.

Signing builds the same profile directly (RSA-SHA256, SHA-256, exclusive c14n).
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from broker.saml.xml import NS_DS, NS_SAML, SamlError, safe_parser, tag

ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
# Allowed SignatureMethod URIs: (name used in messages, key/padding kind, hash). RSA PKCS#1
# v1.5 for DigiD/eHerkenning; RSASSA-PSS and ECDSA because the eIDAS cryptographic requirements
# let nodes sign with them (RFC 6931 §2.3.10 PSS with salt = hash length; §2.3.6 ECDSA, whose
# SignatureValue is r || s).
SIGNATURE_METHODS: dict[str, tuple[str, str, type[hashes.HashAlgorithm]]] = {
    RSA_SHA256: ("RSA_SHA256", "pkcs1", hashes.SHA256),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": ("RSA_SHA384", "pkcs1", hashes.SHA384),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": ("RSA_SHA512", "pkcs1", hashes.SHA512),
    "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1": (
        "RSA_PSS_SHA256",
        "pss",
        hashes.SHA256,
    ),
    "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1": (
        "RSA_PSS_SHA512",
        "pss",
        hashes.SHA512,
    ),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": ("ECDSA_SHA256", "ecdsa", hashes.SHA256),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384": ("ECDSA_SHA384", "ecdsa", hashes.SHA384),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512": ("ECDSA_SHA512", "ecdsa", hashes.SHA512),
}
# Allowed DigestMethod URIs and their hashlib names.
DIGEST_ALGORITHMS: dict[str, str] = {
    SHA256: "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
# Names of algorithms that are recognised but refused, for a readable reason in the log.
_REFUSED_NAMES = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": "RSA_SHA1",
    "http://www.w3.org/2000/09/xmldsig#dsa-sha1": "DSA_SHA1",
    "http://www.w3.org/2000/09/xmldsig#hmac-sha1": "HMAC_SHA1",
    "http://www.w3.org/2000/09/xmldsig#sha1": "SHA1",
}
_ID_NAMES = ("ID", "Id", "id")
_DS_SIGNATURE = tag(NS_DS, "Signature")
_DS_SIGNED_INFO = tag(NS_DS, "SignedInfo")
_DS_SIGNATURE_VALUE = tag(NS_DS, "SignatureValue")
_DS_KEY_INFO = tag(NS_DS, "KeyInfo")
_DS_C14N = tag(NS_DS, "CanonicalizationMethod")
_DS_SIGNATURE_METHOD = tag(NS_DS, "SignatureMethod")
_DS_REFERENCE = tag(NS_DS, "Reference")
_DS_TRANSFORMS = tag(NS_DS, "Transforms")
_DS_TRANSFORM = tag(NS_DS, "Transform")
_DS_DIGEST_METHOD = tag(NS_DS, "DigestMethod")
_DS_DIGEST_VALUE = tag(NS_DS, "DigestValue")
_EC_INCLUSIVE_NAMESPACES = "{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces"


def load_certificates(pems: Iterable[bytes]) -> list[x509.Certificate]:
    """Parse the pinned PEM certificates (configuration, not the message, is the trust root).

    Call this once when the configuration is loaded, not per message.
    """
    certs = [x509.load_pem_x509_certificate(pem) for pem in pems]
    if not certs:
        raise ValueError("at least one pinned certificate is required")
    return certs


@dataclass(frozen=True)
class _PinnedKey:
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey | None  # None: never verifies
    not_before: dt.datetime
    not_after: dt.datetime


@lru_cache(maxsize=64)
def _pinned(cert: x509.Certificate) -> _PinnedKey:
    """The public key and validity period of a pinned certificate, extracted once."""
    key = cert.public_key()
    return _PinnedKey(
        key if isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey) else None,
        cert.not_valid_before_utc,
        cert.not_valid_after_utc,
    )


def check_unique_ids(root: etree._Element) -> None:
    """Refuse a document in which two elements carry the same ID value (any ID-like attribute)."""
    seen: set[str] = set()
    for element in root.iter(etree.Element):
        for name, value in element.attrib.items():
            local = name.rpartition("}")[2]
            if local not in _ID_NAMES:
                continue
            if value in seen:
                raise SamlError("Het SAML-bericht bevat dubbele ID's.", "duplicate ID attribute")
            seen.add(value)


def reject_ds_object(root: etree._Element) -> None:
    """No ``ds:Object``: SAML signatures are enveloped and never carry content (XSW8)."""
    for _ in root.iter(tag(NS_DS, "Object")):
        raise SamlError("Het SAML-bericht bevat ds:Object.", "ds:Object is not allowed")


def _elements(parent: etree._Element) -> list[etree._Element]:
    """Element children only (comments and processing instructions are not structure)."""
    return [c for c in parent if isinstance(c.tag, str)]


def _bad_shape(detail: str) -> SamlError:
    return SamlError("Onverwachte opbouw van de handtekening.", detail)


def _check_shape(signature: etree._Element, element_id: str) -> None:
    """SignedInfo must be the plain SAML profile of XML Signature (SAML Core §5.4)."""
    signed_info = signature.find(_DS_SIGNED_INFO)
    if signed_info is None:
        raise SamlError("Handtekening zonder SignedInfo.", "signature without SignedInfo")
    c14n = signed_info.find(_DS_C14N)
    if c14n is None or c14n.get("Algorithm") != EXC_C14N:
        raise SamlError("Onverwachte canonicalisatie.", "canonicalization must be exclusive c14n")
    references = signed_info.findall(_DS_REFERENCE)
    if len(references) != 1:
        raise SamlError("Handtekening moet één Reference hebben.", "expected exactly one Reference")
    if references[0].get("URI") != "#" + element_id:
        raise SamlError(
            "Handtekening verwijst niet naar het ondertekende element.",
            "Reference URI is not the ID of the signature's parent",
        )
    transforms_element = references[0].find(_DS_TRANSFORMS)
    transforms = _elements(transforms_element) if transforms_element is not None else []
    # Exactly enveloped-signature then exc-c14n, in that order (SAML Core §5.4.4): a lone
    # enveloped-signature transform would imply inclusive c14n (XMLDSig §4.4.3.2).
    if any(t.tag != _DS_TRANSFORM for t in transforms) or [
        t.get("Algorithm") for t in transforms
    ] != [ENVELOPED, EXC_C14N]:
        raise SamlError(
            "Onverwachte transformaties in de handtekening.",
            "transforms must be enveloped-signature and exclusive c14n, in that order",
        )
    for transform in transforms:
        # The only parameter allowed: exc-c14n's InclusiveNamespaces PrefixList, which OpenSAML
        # based IdPs (eIDAS nodes, Shibboleth) send for typed attribute values (xs, xsi).
        children = _elements(transform)
        if children and (
            transform.get("Algorithm") != EXC_C14N
            or len(children) > 1
            or children[0].tag != _EC_INCLUSIVE_NAMESPACES
            or len(children[0])
        ):
            raise SamlError(
                "Onverwachte transformaties in de handtekening.",
                "transform parameters are not allowed",
            )


def _check_structure(signature: etree._Element) -> None:
    """The XML Signature schema's element order, restricted to what SAML uses (§5.4)."""
    names = [c.tag for c in _elements(signature)]
    if names not in (
        [_DS_SIGNED_INFO, _DS_SIGNATURE_VALUE],
        [_DS_SIGNED_INFO, _DS_SIGNATURE_VALUE, _DS_KEY_INFO],
    ):
        raise _bad_shape("Signature must be SignedInfo, SignatureValue and optional KeyInfo")
    info_children = _elements(_elements(signature)[0])
    if [c.tag for c in info_children] != [_DS_C14N, _DS_SIGNATURE_METHOD, _DS_REFERENCE]:
        raise _bad_shape("SignedInfo must be CanonicalizationMethod, SignatureMethod, Reference")
    c14n, method, reference = info_children
    c14n_children = _elements(c14n)
    if len(c14n_children) > 1 or any(c.tag != _EC_INCLUSIVE_NAMESPACES for c in c14n_children):
        raise _bad_shape("unexpected CanonicalizationMethod parameters")
    if _elements(method):
        raise _bad_shape("SignatureMethod parameters are not allowed")
    if [c.tag for c in _elements(reference)] != [
        _DS_TRANSFORMS,
        _DS_DIGEST_METHOD,
        _DS_DIGEST_VALUE,
    ]:
        raise _bad_shape("Reference must be Transforms, DigestMethod, DigestValue")


def _c14n(element: etree._Element, prefixes: list[str] | None = None) -> bytes:
    """Exclusive XML Canonicalization 1.0 without comments of ``element`` and its subtree."""
    try:
        return etree.tostring(
            element,
            method="c14n",
            exclusive=True,
            with_comments=False,
            inclusive_ns_prefixes=prefixes,
        )
    except etree.C14NError:  # e.g. a relative namespace URI, which c14n cannot render
        raise _bad_shape("the signed XML cannot be canonicalised") from None


def _inclusive_prefixes(c14n_method: etree._Element) -> list[str] | None:
    found = c14n_method.find(_EC_INCLUSIVE_NAMESPACES)
    if found is None:
        return None
    return (found.get("PrefixList") or "").split()


def _b64(text: str | None) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise SamlError(
            "De handtekening is geen base64.", "signature value is not base64"
        ) from None


def _remove_keeping_tail(node: etree._Element) -> None:
    """Remove ``node`` but not the text after it (the enveloped-signature transform removes the
    Signature element only, XMLDSig §6.6.4)."""
    parent = node.getparent()
    assert parent is not None
    tail = node.tail
    if tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(node)


def _signed_payload(element: etree._Element, prefixes: list[str] | None = None) -> bytes:
    """The canonical bytes the Reference covers: ``element`` without its own Signature.

    The whole document is copied, not the element alone: a deep copy of a subtree keeps only the
    namespace declarations the subtree uses, while exc-c14n renders every PrefixList prefix in
    scope, including one declared on an ancestor (Exclusive C14N §3). The received tree stays.
    """
    tree = element.getroottree()
    root = tree.getroot()
    document = copy.deepcopy(root)
    target = document if element is root else document.find(tree.getelementpath(element))
    assert target is not None
    target.tail = None
    signature = target.find(_DS_SIGNATURE)
    assert signature is not None
    _remove_keeping_tail(signature)
    return _c14n(target, prefixes)


def _reference_prefixes(reference: etree._Element) -> list[str] | None:
    """The InclusiveNamespaces PrefixList of the Reference's exc-c14n transform, if any."""
    for transform in reference.iter(_DS_TRANSFORM):
        if transform.get("Algorithm") == EXC_C14N:
            return _inclusive_prefixes(transform)
    return None


def _verify_value(
    key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
    kind: str,
    digest: hashes.HashAlgorithm,
    value: bytes,
    data: bytes,
) -> bool:
    """One signature check; the method must fit the pinned key's type (no algorithm confusion)."""
    try:
        if kind == "ecdsa":
            # XML DSig 1.1 §6.4.3: r || s, each exactly the size of the curve order.
            if not isinstance(key, ec.EllipticCurvePublicKey) or len(value) != 2 * (
                (key.curve.key_size + 7) // 8
            ):
                return False
            half = len(value) // 2
            der = encode_dss_signature(
                int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big")
            )
            key.verify(der, data, ec.ECDSA(digest))
        elif isinstance(key, rsa.RSAPublicKey):
            pad: padding.AsymmetricPadding = (
                padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
                if kind == "pss"
                else padding.PKCS1v15()
            )
            key.verify(value, data, pad, digest)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _refused_name(uri: str | None) -> str:
    return _REFUSED_NAMES.get(uri or "", uri or "(none)")


def _invalid(reason: str) -> SamlError:
    return SamlError(
        "De handtekening van het SAML-bericht is ongeldig.",
        f"signature invalid or not made with a pinned certificate ({reason})",
    )


def verify_enveloped(
    element: etree._Element, certificates: Sequence[x509.Certificate]
) -> etree._Element:
    """Verify the enveloped signature of ``element`` and return the signed element only.

    Raise ``SamlError`` when the element is unsigned, signed otherwise than the SAML profile of
    XML Signature allows, or signed by a key other than one of ``certificates``.
    """
    element_id = element.get("ID")
    if not element_id:
        raise SamlError("Ondertekend element zonder ID.", "signed element has no ID")
    signatures = element.findall(_DS_SIGNATURE)
    if not signatures:
        raise SamlError("Het SAML-bericht is niet ondertekend.", "element is not signed")
    if len(signatures) > 1:
        raise SamlError("Meer dan één handtekening.", "more than one Signature on element")
    signature = signatures[0]
    reject_ds_object(element)
    _check_shape(signature, element_id)
    _check_structure(signature)
    signed_info = signature.find(_DS_SIGNED_INFO)
    assert signed_info is not None
    method_uri = signed_info.find(_DS_SIGNATURE_METHOD).get("Algorithm")  # type: ignore[union-attr]
    method = SIGNATURE_METHODS.get(method_uri or "")
    if method is None:
        raise _invalid(
            f"InvalidInput: Signature method {_refused_name(method_uri)} forbidden by configuration"
        )
    c14n_method = signed_info.find(_DS_C14N)
    assert c14n_method is not None
    signed_info_c14n = _c14n(signed_info, _inclusive_prefixes(c14n_method))
    raw_signature = _b64(signature.findtext(_DS_SIGNATURE_VALUE))

    # The key comes from the configuration only; KeyInfo in the message is never read.
    now = dt.datetime.now(dt.UTC)
    reason = "no certificate"
    verified = False
    for cert in certificates:
        pinned = _pinned(cert)
        if pinned.public_key is None:
            reason = "InvalidCertificate: pinned certificate has no RSA or EC key"
            continue
        if not pinned.not_before <= now <= pinned.not_after:
            reason = "InvalidCertificate: pinned certificate is not valid at validation time"
            continue
        if _verify_value(
            pinned.public_key, method[1], method[2](), raw_signature, signed_info_c14n
        ):
            verified = True
            break
        reason = "InvalidSignature: Signature verification failed"
    if not verified:
        raise _invalid(reason)

    # From here on only the verified SignedInfo is read (not the received one).
    trusted_info = etree.fromstring(signed_info_c14n, parser=safe_parser())
    reference = trusted_info.find(_DS_REFERENCE)
    if reference is None or reference.get("URI") != "#" + element_id:
        raise _invalid("InvalidInput: verified Reference does not name the signed element")
    digest_uri = reference.find(_DS_DIGEST_METHOD).get("Algorithm")  # type: ignore[union-attr]
    digest_name = DIGEST_ALGORITHMS.get(digest_uri or "")
    if digest_name is None:
        raise _invalid(
            f"InvalidInput: Digest algorithm {_refused_name(digest_uri)} forbidden by configuration"
        )
    expected = _b64(reference.findtext(_DS_DIGEST_VALUE))
    payload = _signed_payload(element, _reference_prefixes(reference))
    if not hmac.compare_digest(expected, hashlib.new(digest_name, payload).digest()):
        raise _invalid("InvalidDigest: Digest mismatch for reference 0")

    # Continue with the signed bytes only: canonical (no comments), re-parsed, detached.
    signed = etree.fromstring(payload, parser=safe_parser())
    if signed.tag != element.tag or signed.get("ID") != element_id:
        raise SamlError(
            "De handtekening dekt niet het gelezen element.",
            "signed data is not the element being consumed",
        )
    return signed


@lru_cache(maxsize=16)
def _certificate_base64(cert_pem: bytes) -> str:
    der = x509.load_pem_x509_certificate(cert_pem).public_bytes(Encoding.DER)
    return base64.b64encode(der).decode("ascii")


def _ds(parent: etree._Element, local: str, algorithm: str | None = None) -> etree._Element:
    attrs = {"Algorithm": algorithm} if algorithm is not None else {}
    return etree.SubElement(parent, tag(NS_DS, local), attrs)


def sign_enveloped(
    element: etree._Element, key: rsa.RSAPrivateKey, cert_pem: bytes
) -> etree._Element:
    """Return a signed copy of ``element`` (RSA-SHA256, SHA-256, exclusive c14n, enveloped).

    The ``ds:Signature`` goes right after ``saml:Issuer``, where the SAML schema puts it for
    requests, responses and assertions (SAML Core §3.2.1, §2.3.3); first child if no Issuer.
    """
    element_id = element.get("ID")
    if not element_id:
        raise ValueError("element to sign needs an ID attribute")
    doc = copy.deepcopy(element)
    doc.tail = None
    # The enveloped transform removes the Signature again: digest the element without it.
    digest = hashlib.sha256(_c14n(doc)).digest()
    signature = etree.Element(_DS_SIGNATURE, nsmap={"ds": NS_DS})
    signed_info = _ds(signature, "SignedInfo")
    _ds(signed_info, "CanonicalizationMethod", EXC_C14N)
    _ds(signed_info, "SignatureMethod", RSA_SHA256)
    reference = etree.SubElement(signed_info, _DS_REFERENCE, {"URI": "#" + element_id})
    transforms = _ds(reference, "Transforms")
    _ds(transforms, "Transform", ENVELOPED)
    _ds(transforms, "Transform", EXC_C14N)
    _ds(reference, "DigestMethod", SHA256)
    _ds(reference, "DigestValue").text = base64.b64encode(digest).decode("ascii")
    value = _ds(signature, "SignatureValue")
    key_info = _ds(signature, "KeyInfo")
    _ds(_ds(key_info, "X509Data"), "X509Certificate").text = _certificate_base64(cert_pem)
    issuer = doc.find(tag(NS_SAML, "Issuer"))
    if issuer is not None:
        issuer.addnext(signature)
    else:
        doc.insert(0, signature)
    # SignedInfo is canonicalised where it stands, exactly as a verifier will see it.
    signed_info = signature[0]
    raw = key.sign(_c14n(signed_info), padding.PKCS1v15(), hashes.SHA256())
    value.text = base64.b64encode(raw).decode("ascii")
    return doc
