"""Provider metadata (OIDC Discovery §3; NL GOV profile §1.9)."""

from __future__ import annotations

from typing import Any

from broker.assurance import ACR_VALUES_SUPPORTED
from broker.fronts.oidc.request_object import (
    CONTENT_ENCRYPTION_ALGS,
    KEY_ENCRYPTION_ALGS,
    SIGNING_ALGS,
)
from broker.fronts.oidc.subject import SUB_ID_TYPES

CLAIMS_SUPPORTED = [
    "iss",
    "sub",
    "sub_id_type",
    "aud",
    "azp",
    "exp",
    "iat",
    "nbf",
    "jti",
    "nonce",
    "acr",
    "auth_time",
    "sid",
    "represents",
    # Private claim: kind, basis, scope and source of a representation (README, "Acting on
    # behalf of others"); `act` for clients registered for RFC 8693 semantics.
    "representation",
    "act",
]
# The broker's own scopes controlling the "on whose behalf" step (broker.flow.representation).
SCOPES_SUPPORTED = ["openid", "toegang:represent:none", "toegang:represent:required"]


def metadata(issuer: str, acr_values: list[str] | None = None) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "end_session_endpoint": f"{issuer}/logout",
        "scopes_supported": SCOPES_SUPPORTED,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise", "public"],
        "sub_id_types_supported": list(SUB_ID_TYPES),
        "acr_values_supported": acr_values or list(ACR_VALUES_SUPPORTED),
        # NL GOV §1.3: the published list is limited to private_key_jwt (tls_client_auth is not
        # offered). client_secret_basic still works for clients explicitly registered so.
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": SIGNING_ALGS,
        "id_token_signing_alg_values_supported": SIGNING_ALGS,
        "userinfo_signing_alg_values_supported": SIGNING_ALGS,
        "request_object_signing_alg_values_supported": SIGNING_ALGS,
        "request_object_encryption_alg_values_supported": KEY_ENCRYPTION_ALGS,
        "request_object_encryption_enc_values_supported": CONTENT_ENCRYPTION_ALGS,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": CLAIMS_SUPPORTED,
        "claims_parameter_supported": True,
        "request_parameter_supported": True,
        "request_uri_parameter_supported": True,
        "require_request_uri_registration": True,
        "authorization_response_iss_parameter_supported": True,
        "prompt_values_supported": ["none", "login"],
        "ui_locales_supported": ["nl", "en"],
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "frontchannel_logout_supported": False,
    }
