"""Enveloped XML signatures: verification with pinned certificates and wrapping defences.

signxml checks the cryptography; it knows nothing about SAML (catalogue §3.6). The rules added
here make sure the element we read is the element that was signed (XSW1–XSW8, catalogue §3.1):

* the ``ds:Signature`` is a direct child of the element it signs and there is exactly one;
* its single Reference points at ``#<ID of that parent>`` (SAML Core §5.4.2, enveloped);
* only the enveloped-signature and exclusive c14n transforms (SAML Core §5.4.3, §5.4.4);
* no ``ds:Object`` anywhere (XSW8 hides the original there);
* ID values are unique in the whole document (XSW variants duplicate them);
* keys come only from the configured certificates, never from KeyInfo (catalogue §3.2);
* only SHA-2 RSA signatures and digests (SHA-1 refused, catalogue §3.2);
* the caller continues with ``VerifyResult.signed_xml`` only: the canonical, re-parsed signed
  bytes, never the received tree.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

from cryptography import x509
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
from signxml.exceptions import SignXMLException
from signxml.verifier import SignatureConfiguration, VerifyResult

from broker.saml.xml import NS_DS, NS_SAML, SamlError, safe_parser, tag

ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
SIGNATURE_METHODS = frozenset(
    {SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA384, SignatureMethod.RSA_SHA512}
)
DIGEST_ALGORITHMS = frozenset(
    {DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512}
)
_ID_NAMES = ("ID", "Id", "id")


def load_certificates(pems: Iterable[bytes]) -> list[x509.Certificate]:
    """Parse the pinned PEM certificates (configuration, not the message, is the trust root)."""
    certs = [x509.load_pem_x509_certificate(pem) for pem in pems]
    if not certs:
        raise ValueError("at least one pinned certificate is required")
    return certs


def check_unique_ids(root: etree._Element) -> None:
    """Refuse a document in which two elements carry the same ID value (any ID-like attribute)."""
    seen: set[str] = set()
    for element in root.iter(etree.Element):
        for name, value in element.attrib.items():
            local = etree.QName(name).localname
            if local not in _ID_NAMES:
                continue
            if value in seen:
                raise SamlError("Het SAML-bericht bevat dubbele ID's.", "duplicate ID attribute")
            seen.add(value)


def reject_ds_object(root: etree._Element) -> None:
    """No ``ds:Object``: SAML signatures are enveloped and never carry content (XSW8)."""
    for _ in root.iter(tag(NS_DS, "Object")):
        raise SamlError("Het SAML-bericht bevat ds:Object.", "ds:Object is not allowed")


def _check_shape(signature: etree._Element, element_id: str) -> None:
    """SignedInfo must be the plain SAML profile of XML Signature (SAML Core §5.4)."""
    signed_info = signature.find(tag(NS_DS, "SignedInfo"))
    if signed_info is None:
        raise SamlError("Handtekening zonder SignedInfo.", "signature without SignedInfo")
    c14n = signed_info.find(tag(NS_DS, "CanonicalizationMethod"))
    if c14n is None or c14n.get("Algorithm") != EXC_C14N:
        raise SamlError("Onverwachte canonicalisatie.", "canonicalization must be exclusive c14n")
    references = signed_info.findall(tag(NS_DS, "Reference"))
    if len(references) != 1:
        raise SamlError("Handtekening moet één Reference hebben.", "expected exactly one Reference")
    if references[0].get("URI") != "#" + element_id:
        raise SamlError(
            "Handtekening verwijst niet naar het ondertekende element.",
            "Reference URI is not the ID of the signature's parent",
        )
    transforms = references[0].findall(f"{tag(NS_DS, 'Transforms')}/{tag(NS_DS, 'Transform')}")
    algorithms = [t.get("Algorithm") for t in transforms]
    if ENVELOPED not in algorithms or any(a not in (ENVELOPED, EXC_C14N) for a in algorithms) or (
        len(algorithms) != len(set(algorithms))
    ):
        raise SamlError(
            "Onverwachte transformaties in de handtekening.",
            "transforms must be enveloped-signature and exclusive c14n only",
        )
    for transform in transforms:
        if len(transform):
            raise SamlError("Onverwachte transformaties in de handtekening.",
                            "transform parameters are not allowed")


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
    signatures = element.findall(tag(NS_DS, "Signature"))
    if not signatures:
        raise SamlError("Het SAML-bericht is niet ondertekend.", "element is not signed")
    if len(signatures) > 1:
        raise SamlError("Meer dan één handtekening.", "more than one Signature on element")
    reject_ds_object(element)
    _check_shape(signatures[0], element_id)
    config = SignatureConfiguration(
        require_x509=True,
        location="./",
        expect_references=1,
        signature_methods=SIGNATURE_METHODS,
        digest_algorithms=DIGEST_ALGORITHMS,
    )
    result: VerifyResult | None = None
    reason = "no certificate"
    for cert in certificates:
        try:
            verified = XMLVerifier().verify(
                element, x509_cert=cert, expect_config=config, parser=safe_parser(),
                id_attribute="ID",
            )
        except SignXMLException as exc:
            reason = f"{type(exc).__name__}: {str(exc)[:120]}"  # algorithm/digest names only
            continue
        if isinstance(verified, VerifyResult):
            result = verified
            break
    if result is None:
        raise SamlError(
            "De handtekening van het SAML-bericht is ongeldig.",
            f"signature invalid or not made with a pinned certificate ({reason})",
        )
    signed = result.signed_xml
    if signed is None or signed.tag != element.tag or signed.get("ID") != element_id:
        raise SamlError(
            "De handtekening dekt niet het gelezen element.",
            "signed data is not the element being consumed",
        )
    return signed


def sign_enveloped(
    element: etree._Element, key: rsa.RSAPrivateKey, cert_pem: bytes
) -> etree._Element:
    """Return a signed copy of ``element`` (RSA-SHA256, SHA-256, exclusive c14n, enveloped).

    The ``ds:Signature`` goes right after ``saml:Issuer``, where the SAML schema puts it for
    requests, responses and assertions (SAML Core §3.2.1, §2.3.3); first child if no Issuer.
    """
    if not element.get("ID"):
        raise ValueError("element to sign needs an ID attribute")
    doc = copy.deepcopy(element)
    placeholder = etree.Element(tag(NS_DS, "Signature"), {"Id": "placeholder"}, nsmap={"ds": NS_DS})
    issuer = doc.find(tag(NS_SAML, "Issuer"))
    if issuer is not None:
        issuer.addnext(placeholder)
    else:
        doc.insert(0, placeholder)
    signer = XMLSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed: etree._Element = signer.sign(
        doc, key=key, cert=cert_pem.decode("ascii"), id_attribute="ID"
    )
    return signed
