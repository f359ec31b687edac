"""SessionTranscript for mdoc presentations over OpenID4VP 1.0 (Appendix B.2.6).

Redirect flows (B.2.6.1)::

    SessionTranscript      = [null, null, OpenID4VPHandover]
    OpenID4VPHandover      = ["OpenID4VPHandover", sha-256(cbor(OpenID4VPHandoverInfo))]
    OpenID4VPHandoverInfo  = [client_id, nonce, jwkThumbprint / null, response_uri]

``client_id`` includes its prefix; ``jwkThumbprint`` is the RFC 7638 SHA-256
thumbprint of the verifier's response-encryption key (null when unencrypted).
This binds device authentication to *this* request and *this* encryption key;
the ISO 18013-7:2024 / pre-1.0 ``OID4VPHandover`` is deliberately not supported.
"""

from __future__ import annotations

import hashlib

import cbor2


def openid4vp_handover_info(
    client_id: str, nonce: str, jwk_thumbprint: bytes | None, response_uri: str
) -> bytes:
    return cbor2.dumps([client_id, nonce, jwk_thumbprint, response_uri])


def openid4vp_session_transcript(
    client_id: str, nonce: str, jwk_thumbprint: bytes | None, response_uri: str
) -> bytes:
    """CBOR bytes of the SessionTranscript (not tag-24 wrapped)."""
    info_hash = hashlib.sha256(
        openid4vp_handover_info(client_id, nonce, jwk_thumbprint, response_uri)
    ).digest()
    return cbor2.dumps([None, None, ["OpenID4VPHandover", info_hash]])


def dc_api_session_transcript(origin: str, nonce: str, jwk_thumbprint: bytes | None) -> bytes:
    """B.2.6.2: ``["OpenID4VPDCAPIHandover", sha-256(cbor([origin, nonce, jwkThumbprint]))]``."""
    info_hash = hashlib.sha256(cbor2.dumps([origin, nonce, jwk_thumbprint])).digest()
    return cbor2.dumps([None, None, ["OpenID4VPDCAPIHandover", info_hash]])
