"""OpenID for Verifiable Presentations 1.0 verifier building blocks (no HTTP)."""

from wallet_adapters.openid4vp.client_id import x509_hash_client_id, x509_san_dns_client_id
from wallet_adapters.openid4vp.request import (
    AuthorizationRequest,
    EphemeralEncryptionKey,
    build_request_object,
    new_nonce,
)
from wallet_adapters.openid4vp.response import (
    AuthorizationResponse,
    decrypt_response,
    parse_response_payload,
)
from wallet_adapters.openid4vp.vp_token import RequestContext, VerifiedVpToken, verify_vp_token

__all__ = [
    "AuthorizationRequest",
    "AuthorizationResponse",
    "EphemeralEncryptionKey",
    "RequestContext",
    "VerifiedVpToken",
    "build_request_object",
    "decrypt_response",
    "new_nonce",
    "parse_response_payload",
    "verify_vp_token",
    "x509_hash_client_id",
    "x509_san_dns_client_id",
]
