"""XML signatures as DigiD makes them: enveloped, RSA-SHA256, SHA-256, exclusive c14n.

SAML's schema puts ``ds:Signature`` right after ``saml:Issuer``; signxml appends it at the end
unless a placeholder marks the spot, so :func:`sign_after_issuer` inserts that placeholder first.
Verification pins the peer's certificate and the algorithms, so a downgrade to SHA-1 or a
signature by any other key fails.
"""

from __future__ import annotations

from collections.abc import Iterable

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from signxml.algorithms import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConstructionMethod,
    SignatureMethod,
)
from signxml.exceptions import SignXMLException
from signxml.signer import XMLSigner
from signxml.verifier import SignatureConfiguration, XMLVerifier

from conformance.digid.samlxml import DS, SAML, q

EXPECT = SignatureConfiguration(
    signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
)


class BadSignature(ValueError):
    """No trusted certificate verifies the signature, or it covers something else."""


def sign_after_issuer(
    element: etree._Element, key: rsa.RSAPrivateKey, cert_pem: bytes
) -> etree._Element:
    """Return a signed copy of ``element`` (which must have an ``ID`` and a ``saml:Issuer``)."""
    issuer = element.find(q(SAML, "Issuer"))
    if issuer is None:
        raise ValueError("element to sign has no saml:Issuer")
    placeholder = etree.Element(q(DS, "Signature"), Id="placeholder", nsmap={"ds": DS})
    issuer.addnext(placeholder)
    signer = XMLSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed: etree._Element = signer.sign(
        element, key=key, cert=cert_pem.decode("ascii"), reference_uri="#" + element.get("ID", "")
    )
    element.remove(placeholder)
    return signed


def verify_enveloped(element: etree._Element, certificates: Iterable[bytes]) -> etree._Element:
    """Verify ``element``'s own enveloped signature with one of ``certificates``.

    Returns the signed content as signxml saw it; callers read only that, so nothing unsigned
    (wrapped or appended elements) can influence the outcome.
    """
    own_id = element.get("ID")
    signature = element.find(q(DS, "Signature"))
    if not own_id or signature is None:
        raise BadSignature("message is not signed")
    for pem in certificates:
        cert = x509.load_pem_x509_certificate(pem)
        try:
            result = XMLVerifier().verify(element, x509_cert=cert, expect_config=EXPECT)
        except SignXMLException:
            continue
        if isinstance(result, list):  # only with expect_references != 1; never here
            raise BadSignature("unexpected number of signature references")
        signed = result.signed_xml
        if signed is None or signed.tag != element.tag or signed.get("ID") != own_id:
            raise BadSignature("signature does not cover the message itself")
        return signed
    raise BadSignature("signature does not verify with the registered certificate(s)")
