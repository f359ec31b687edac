"""``direct_post.jwt`` Authorization Response decryption (OpenID4VP 1.0 §8.3, §8.3.1).

The body parameter ``response`` is an unsigned, encrypted JWT (JWE compact). HAIP
fixes ``alg`` = ECDH-ES on P-256 and ``enc`` in {A128GCM, A256GCM}. The JWE must
be encrypted to *this request's* ephemeral key (``kid`` echoed when present), and
the payload carries ``vp_token`` and ``state`` as top-level members.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from wallet_adapters.encoding import b64url_decode, json_object
from wallet_adapters.errors import DecryptionError, MalformedInput
from wallet_adapters.openid4vp.request import ENC_VALUES, EphemeralEncryptionKey

MAX_RESPONSE_SIZE = 2 * 1024 * 1024


@dataclass(frozen=True)
class AuthorizationResponse:
    vp_token: dict[str, list[Any]]
    state: str | None
    payload: dict[str, Any]


def decrypt_response(
    response: str,
    key: EphemeralEncryptionKey | ECKey,
    *,
    enc_values: tuple[str, ...] = ENC_VALUES,
) -> dict[str, Any]:
    """Decrypt and return the JSON payload; any failure is a :class:`DecryptionError`."""
    if not isinstance(response, str) or not response or len(response) > MAX_RESPONSE_SIZE:
        raise DecryptionError("encrypted response missing or too large", code="malformed")
    parts = response.split(".")
    if len(parts) != 5:
        raise DecryptionError("response is not a compact JWE (plaintext refused)")
    try:
        header = json_object(b64url_decode(parts[0]))
    except MalformedInput as exc:
        raise DecryptionError("JWE header malformed") from exc
    if header.get("alg") != "ECDH-ES" or header.get("enc") not in enc_values:
        raise DecryptionError("JWE alg/enc not allowed")
    if "zip" in header:
        raise DecryptionError("JWE compression refused")
    epk = header.get("epk")
    if not isinstance(epk, dict) or epk.get("kty") != "EC" or epk.get("crv") != "P-256":
        raise DecryptionError("JWE epk must be a P-256 EC key")
    if isinstance(key, EphemeralEncryptionKey):
        if "kid" in header and header["kid"] != key.kid:
            raise DecryptionError("JWE kid is not this request's key")
        jkey = ECKey.import_key(key.private_key)
    else:
        jkey = key
    try:
        result = jwe.decrypt_compact(response, jkey, algorithms=["ECDH-ES", *enc_values])
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise DecryptionError(f"JWE decryption failed: {type(exc).__name__}") from exc
    plaintext = result.plaintext
    if plaintext is None:
        raise DecryptionError("JWE has no payload")
    try:
        return json_object(plaintext)
    except MalformedInput as exc:
        raise DecryptionError("decrypted payload is not a JSON object") from exc


def parse_response_payload(payload: dict[str, Any], expected_state: str | None) -> (
    AuthorizationResponse
):
    """§8.1: ``vp_token`` is an object of query id -> non-empty array of presentations."""
    if expected_state is not None and payload.get("state") != expected_state:
        raise MalformedInput("state mismatch", code="state")
    vp_token = payload.get("vp_token")
    if not isinstance(vp_token, dict) or not vp_token:
        raise MalformedInput("vp_token must be a non-empty object")
    for cid, items in vp_token.items():
        if not isinstance(items, list) or not items or not all(
            isinstance(i, str) and i for i in items
        ):
            raise MalformedInput(f"vp_token[{cid!r}] must be a non-empty array of strings")
    state = payload.get("state")
    return AuthorizationResponse(vp_token, state if isinstance(state, str) else None, payload)
