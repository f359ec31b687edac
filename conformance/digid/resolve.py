"""The SOAP ArtifactResolve endpoint's logic, free of HTTP so it can be read top to bottom.

Outcomes, in the order they are checked:

* not SOAP / not an ArtifactResolve / DOCTYPE / unparsable → SOAP Client fault (HTTP 500);
* unknown issuer, bad or missing signature, wrong Destination → signed ArtifactResponse with
  Status Requester/RequestDenied and no message;
* artifact unknown, expired, already resolved or issued for another SP → signed ArtifactResponse
  with Status Success and no message (SAML Bindings §3.6.5); a mismatching SP does not consume it;
* otherwise → signed ArtifactResponse with Status Success and the stored samlp:Response.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from lxml import etree

from conformance.digid.artifact import is_own_artifact
from conformance.digid.messages import (
    STATUS_REQUEST_DENIED,
    STATUS_REQUESTER,
    STATUS_VERSION_MISMATCH,
    Signer,
    build_artifact_response,
)
from conformance.digid.samlxml import SAML, SAMLP, SOAP11, UnsafeXml, parse_untrusted, q, text_of
from conformance.digid.signing import BadSignature, verify_enveloped
from conformance.digid.store import TtlStore


class SoapFault(ValueError):
    """The request is too broken for a SAML answer; the message goes in the faultstring."""


@dataclass(frozen=True)
class StoredArtifact:
    """A samlp:Response waiting to be fetched by the SP it was made for."""

    sp_entity_id: str
    response: etree._Element


@dataclass(frozen=True)
class ResolveContext:
    signer: Signer
    artifact_url: str
    sp_certificates: dict[str, list[bytes]]
    require_signed_requests: bool
    client_certificate: bytes | None
    require_mtls: bool


class ClientCertificateRefused(PermissionError):
    """mTLS is required and the TLS client certificate is absent or not the SP's."""


def _fingerprint(pem: bytes) -> bytes:
    return x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256())


def _artifact_resolve(body: bytes) -> etree._Element:
    try:
        envelope = parse_untrusted(body)
    except UnsafeXml as exc:
        raise SoapFault(str(exc)) from None
    if envelope.tag != q(SOAP11, "Envelope"):
        raise SoapFault("expected a SOAP 1.1 Envelope")
    soap_body = envelope.find(q(SOAP11, "Body"))
    if soap_body is None or len(soap_body) != 1:
        raise SoapFault("SOAP Body must hold exactly one element")
    resolve = soap_body[0]
    if resolve.tag != q(SAMLP, "ArtifactResolve"):
        raise SoapFault("SOAP Body must hold a samlp:ArtifactResolve")
    return resolve


def resolve_artifact(
    body: bytes, context: ResolveContext, artifacts: TtlStore[StoredArtifact], now: dt.datetime
) -> etree._Element:
    """Answer one ArtifactResolve with a signed ArtifactResponse (or raise SoapFault)."""
    resolve = _artifact_resolve(body)
    request_id = resolve.get("ID")
    signer = context.signer

    def denied(sub_code: str = STATUS_REQUEST_DENIED) -> etree._Element:
        return build_artifact_response(signer, request_id, now, status=(STATUS_REQUESTER, sub_code))

    if resolve.get("Version") != "2.0":
        return denied(STATUS_VERSION_MISMATCH)
    issuer = text_of(resolve, SAML, "Issuer")
    certificates = context.sp_certificates.get(issuer or "")
    if not issuer or certificates is None or not request_id:
        return denied()
    if context.require_mtls:
        presented = context.client_certificate
        if presented is None or _fingerprint(presented) not in {
            _fingerprint(pem) for pem in certificates
        }:
            raise ClientCertificateRefused("TLS client certificate missing or not the SP's")
    if context.require_signed_requests:
        try:
            resolve = verify_enveloped(resolve, certificates)
        except BadSignature:
            return denied()
    destination = resolve.get("Destination")
    if destination is not None and destination != context.artifact_url:
        return denied()
    artifact = text_of(resolve, SAMLP, "Artifact")
    if not artifact or not is_own_artifact(artifact, signer.entity_id):
        return build_artifact_response(signer, request_id, now)
    stored = artifacts.get(artifact)
    if stored is None or stored.sp_entity_id != issuer:
        return build_artifact_response(signer, request_id, now)
    artifacts.pop(artifact)
    return build_artifact_response(signer, request_id, now, message=stored.response)
