"""Signed Authorization Request (JAR, RFC 9101) for OpenID4VP 1.0 + HAIP.

Each request gets a fresh ``nonce`` and ``state`` (>= 128 bits, OpenID4VP §5.2) and
a fresh ephemeral P-256 ECDH-ES key (HAIP §"OpenID4VP via Redirects": fresh key per
request), advertised in ``client_metadata.jwks`` with ``A128GCM`` and ``A256GCM``.
The request object is signed with the access certificate key, header ``typ``
``oauth-authz-req+jwt`` (§5.10) and ``x5c`` without the trust anchor (HAIP).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from wallet_adapters.jws import jwk_from_public_key, jwk_thumbprint, sign_compact
from wallet_adapters.trust import x5c_value

REQUEST_TYP = "oauth-authz-req+jwt"
ENC_VALUES = ("A128GCM", "A256GCM")
STATIC_AUDIENCE = "https://self-issued.me/v2"  # §5.8 with static discovery


def new_nonce() -> str:
    return secrets.token_urlsafe(32)  # 256 bits, URL-safe ASCII


@dataclass(frozen=True)
class EphemeralEncryptionKey:
    """A per-request P-256 key for ``direct_post.jwt`` response encryption."""

    private_key: ec.EllipticCurvePrivateKey
    kid: str = field(default_factory=lambda: secrets.token_urlsafe(8))

    @classmethod
    def generate(cls) -> EphemeralEncryptionKey:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @property
    def public_jwk(self) -> dict[str, str]:
        return {**jwk_from_public_key(self.private_key.public_key()),
                "kid": self.kid, "use": "enc", "alg": "ECDH-ES"}

    @property
    def thumbprint(self) -> bytes:
        """RFC 7638 thumbprint; the third element of OpenID4VPHandoverInfo."""
        return jwk_thumbprint(self.public_jwk)


@dataclass(frozen=True)
class AuthorizationRequest:
    """Everything the verifier must remember for the response (keep server-side)."""

    request_object: str
    client_id: str
    nonce: str
    state: str
    response_uri: str
    dcql_query: dict[str, Any]
    encryption_key: EphemeralEncryptionKey
    issued_at: dt.datetime


def build_request_object(
    *,
    client_id: str,
    response_uri: str,
    dcql_query: dict[str, Any],
    signing_key: ec.EllipticCurvePrivateKey,
    certificate_chain: Sequence[x509.Certificate],
    audience: str = STATIC_AUDIENCE,
    wallet_nonce: str | None = None,
    vp_formats_supported: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
    lifetime: dt.timedelta = dt.timedelta(minutes=5),
) -> AuthorizationRequest:
    """Build and sign a request object with fresh nonce, state and encryption key.

    ``certificate_chain``: leaf (access certificate) first, trust anchor excluded.
    ``wallet_nonce``: echo of the wallet's value for ``request_uri_method=post`` (§5.10.1).
    """
    if not client_id.startswith(("x509_hash:", "x509_san_dns:")):
        raise ValueError("client_id must use the x509_hash: or x509_san_dns: prefix")
    now = now or dt.datetime.now(dt.UTC)
    enc_key = EphemeralEncryptionKey.generate()
    nonce, state = new_nonce(), new_nonce()
    payload: dict[str, Any] = {
        "response_type": "vp_token",
        "response_mode": "direct_post.jwt",
        "client_id": client_id,
        "response_uri": response_uri,
        "nonce": nonce,
        "state": state,
        "dcql_query": dcql_query,
        "aud": audience,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "client_metadata": {
            "jwks": {"keys": [enc_key.public_jwk]},
            "encrypted_response_enc_values_supported": list(ENC_VALUES),
            "vp_formats_supported": vp_formats_supported or {
                "dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]},
                "mso_mdoc": {"issuerauth_alg_values": [-7, -9],
                             "deviceauth_alg_values": [-7, -9]},
            },
        },
        **(extra or {}),
    }
    if wallet_nonce is not None:
        payload["wallet_nonce"] = wallet_nonce
    header = {"typ": REQUEST_TYP, "x5c": x5c_value(certificate_chain)}
    token = sign_compact(header, payload, signing_key)
    return AuthorizationRequest(
        token, client_id, nonce, state, response_uri, dcql_query, enc_key, now
    )
