"""Client Identifier Prefixes (OpenID4VP 1.0 §5.9.3) for certificate-based verifiers.

``x509_hash:`` = base64url(SHA-256(DER leaf)), mandated by HAIP; ``x509_san_dns:`` =
a dNSName SAN of the leaf. The full prefixed value is the KB-JWT ``aud`` and goes
into the mdoc handover (§14.8 "Always Use the Full Client Identifier").
"""

from __future__ import annotations

from cryptography import x509

from wallet_adapters.encoding import b64url_encode
from wallet_adapters.trust import certificate_sha256


def x509_hash_client_id(leaf: x509.Certificate) -> str:
    return "x509_hash:" + b64url_encode(certificate_sha256(leaf))


def x509_san_dns_client_id(leaf: x509.Certificate, dns_name: str) -> str:
    try:
        sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound as exc:
        raise ValueError("certificate has no subjectAltName") from exc
    if dns_name not in sans.get_values_for_type(x509.DNSName):
        raise ValueError(f"{dns_name!r} is not a dNSName SAN of the certificate")
    return "x509_san_dns:" + dns_name
