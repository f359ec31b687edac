"""A relying party built on a third-party library logs in through the broker knowing nothing
but the discovery document: Authlib's OAuth 2.0 client makes the authorization request (PKCE
S256, state, nonce), authenticates with ``private_key_jwt`` as Authlib signs it, and Authlib's
JOSE library (joserfc) validates the ID token against the published JWKS. If the broker drifted from
the standards in a way its own tests share, a stock client would notice here."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from authlib.common.security import generate_token
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from broker_harness import BrokerFixture
from cryptography.hazmat.primitives import serialization
from joserfc import jwt as jose_jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey
from support import ClientKey, digid_login, query_of

from broker.assurance import Level

with warnings.catch_warnings():  # Authlib deprecates its httpx module in favour of httpx2
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import AsyncOAuth2Client

RP = "https://rp.example/cb"


def _signing_key(key: ClientKey) -> Any:
    """As Authlib wants it: a PEM string is read as RSA only, so keys go in as JWK objects."""
    pem = key.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return (RSAKey if key.alg.startswith(("RS", "PS")) else ECKey).import_key(pem)


async def _discover(broker: BrokerFixture) -> tuple[dict[str, Any], Any]:
    browser = broker.browser()
    metadata = (await browser.client.get("/.well-known/openid-configuration")).json()
    jwks = (await browser.client.get(metadata["jwks_uri"])).json()
    return metadata, KeySet.import_key_set(jwks)


def _client(broker: BrokerFixture, client_id: str, key: ClientKey, metadata: dict[str, Any]) -> Any:
    rp = AsyncOAuth2Client(
        client_id=client_id,
        client_secret=_signing_key(key),
        token_endpoint_auth_method="private_key_jwt",
        redirect_uri=RP,
        scope="openid",
        code_challenge_method="S256",
        transport=broker.transport,
    )
    rp.register_client_auth_method(
        PrivateKeyJWT(metadata["token_endpoint"], headers={"kid": key.kid}, alg=key.alg)
    )
    return rp


@pytest.mark.parametrize("key_type", ["RS256", "ES256"])
async def test_a_stock_oidc_client_logs_in_and_validates_the_id_token(
    broker: BrokerFixture, key_type: str
) -> None:
    key = ClientKey.rsa() if key_type == "RS256" else ClientKey.ec()
    client_id, _ = broker.add_client(key, services=[Level.SUBSTANTIAL])
    metadata, keys = await _discover(broker)
    assert "private_key_jwt" in metadata["token_endpoint_auth_methods_supported"]
    assert "S256" in metadata["code_challenge_methods_supported"]
    verifier, nonce = generate_token(64), generate_token(24)
    async with _client(broker, client_id, key, metadata) as rp:
        url, state = rp.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        callback = (await digid_login(broker.browser(), url, level="substantieel")).headers[
            "location"
        ]
        assert query_of(callback)["iss"] == metadata["issuer"]  # RFC 9207
        token = await rp.fetch_token(
            metadata["token_endpoint"],
            authorization_response=callback,
            state=state,
            code_verifier=verifier,
        )
        id_token = jose_jwt.decode(token["id_token"], keys, algorithms=["RS256"])
        jose_jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": client_id},
            nonce={"essential": True, "value": nonce},
            exp={"essential": True},
        ).validate(id_token.claims)
        claims = id_token.claims
        assert claims["acr"] == "http://eidas.europa.eu/LoA/substantial"
        assert token["token_type"] == "Bearer"
        info = await rp.get(metadata["userinfo_endpoint"])
        assert info.status_code == 200
        assert info.json()["sub"] == claims["sub"]


async def test_a_stock_client_notices_a_token_for_someone_else(broker: BrokerFixture) -> None:
    """The same ID token does not validate for another audience or nonce: the checks Authlib
    makes are real ones, so the test above would catch a broker that got them wrong."""
    key = ClientKey.rsa()
    client_id, _ = broker.add_client(key, services=[Level.LOW])
    metadata, keys = await _discover(broker)
    verifier, nonce = generate_token(64), generate_token(24)
    async with _client(broker, client_id, key, metadata) as rp:
        url, state = rp.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        callback = (await digid_login(broker.browser(), url)).headers["location"]
        token = await rp.fetch_token(
            metadata["token_endpoint"],
            authorization_response=callback,
            state=state,
            code_verifier=verifier,
        )
    claims = jose_jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    for option, value in (("aud", "someone-else"), ("nonce", "another-nonce")):
        registry = jose_jwt.JWTClaimsRegistry(**{option: {"essential": True, "value": value}})
        with pytest.raises(JoseError):
            registry.validate(claims)
    with pytest.raises(JoseError):  # and not with a key the broker does not publish
        jose_jwt.decode(token["id_token"], KeySet.generate_key_set("RSA", 2048), ["RS256"])
