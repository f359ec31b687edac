"""Whole logins through the upstream OIDC means and the simulator OP, in-process."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from oidc_upstream_support import Env, build_env
from support import ISSUER, query_of

from broker.assurance import Level
from broker.keys import KeyRing
from broker.means.oidc_upstream.means import STATE_PREFIX
from conformance.oidc_provider import USERS


async def test_full_login_private_key_jwt(env: Env) -> None:
    response = await env.login(level="substantial")
    assert response.status_code == 200, response.text
    assert response.json()["result"] == "ok"
    [auth] = env.flow.completed
    anna = USERS["anna"]
    assert auth.means == "sim"
    assert auth.subject_kind == "oidc:sim"
    assert auth.subject == env.simulator.subject_for("stelsel-toegang", anna)
    assert auth.level is Level.SUBSTANTIAL
    assert auth.attributes == {
        "name": anna.name,
        "given_name": anna.given_name,
        "family_name": anna.family_name,
    }
    assert auth.upstream_session
    # The client assertion went to the token endpoint, signed with the broker's RSA key.
    [token_request] = env.transport.token_requests
    form = parse_qs(token_request.content.decode())
    assert form["client_assertion_type"] == [
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    ]
    assert "authorization" not in token_request.headers


async def test_authorization_request_parameters(env: Env) -> None:
    browser = env.browser()
    response = await browser.client.get(
        "/start", params={"level": "low", "force_authn": "1", "max_age": "300"}
    )
    params = query_of(response.headers["location"])
    assert response.headers["location"].startswith(env.simulator.authorization_endpoint + "?")
    assert params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 22 and len(params["nonce"]) >= 22  # ≥ 128 bits
    assert params["redirect_uri"] == f"{ISSUER}/means/sim/callback"
    assert params["scope"] == "openid"
    assert params["prompt"] == "login"
    assert params["max_age"] == "300"
    # Every simulator level that maps to ≥ low, lowest first.
    assert params["acr_values"].split() == [
        "urn:toegang:sim:loa:low",
        "urn:toegang:sim:loa:substantial",
        "urn:toegang:sim:loa:high",
    ]
    assert await env.store.get(STATE_PREFIX + params["state"]) is not None
    # ... and the login still completes with prompt=login / max_age honoured.
    page = await browser.client.get(response.headers["location"])
    assert "prompt=login" in page.text


async def test_acr_values_only_at_or_above_required(env: Env) -> None:
    response = await env.browser().client.get("/start", params={"level": "substantial"})
    acr = query_of(response.headers["location"])["acr_values"].split()
    assert "urn:toegang:sim:loa:low" not in acr


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256"])
async def test_login_with_each_signing_algorithm(keys: KeyRing, alg: str) -> None:
    env = build_env(keys)
    env.simulator.signing_alg = alg
    env.simulator.rotate_key()
    response = await env.login()
    assert response.json()["result"] == "ok", response.text


async def test_client_secret_basic(keys: KeyRing) -> None:
    env = build_env(keys, client_auth="client_secret_basic", client_secret="s3cr:et/+")
    response = await env.login()
    assert response.json()["result"] == "ok", response.text
    [token_request] = env.transport.token_requests
    scheme, _, value = token_request.headers["authorization"].partition(" ")
    assert scheme == "Basic"
    client_id, _, secret = base64.b64decode(value).decode().partition(":")
    assert (unquote(client_id), unquote(secret)) == ("stelsel-toegang", "s3cr:et/+")
    assert "client_assertion" not in token_request.content.decode()


async def test_bsn_claim(keys: KeyRing) -> None:
    env = build_env(keys, bsn_claim="bsn", scopes=["openid", "bsn"])
    response = await env.login(user="bram")
    assert response.json()["result"] == "ok", response.text
    [auth] = env.flow.completed
    assert (auth.subject_kind, auth.subject) == ("bsn", USERS["bram"].bsn)


async def test_bsn_claim_missing_is_refused(keys: KeyRing) -> None:
    env = build_env(keys, bsn_claim="bsn")  # scope without "bsn": the simulator sends none
    response = await env.login()
    assert response.json()["result"] == "error"
    assert not env.flow.completed


async def test_level_above_max_level_is_capped(env: Env) -> None:
    response = await env.login(level="high")
    assert response.json()["result"] == "ok"
    assert env.flow.completed[0].level is Level.SUBSTANTIAL  # max_level of the means


async def test_explicit_acr_map(keys: KeyRing) -> None:
    env = build_env(
        keys,
        max_level="high",
        acr_map={
            "urn:toegang:sim:loa:substantial": "substantial",
            "urn:toegang:sim:loa:high": "high",
        },
    )
    response = await env.login(level="high", required="high")
    assert response.json()["result"] == "ok", response.text
    assert env.flow.completed[0].level is Level.HIGH


async def test_key_rollover_refetches_jwks(keys: KeyRing) -> None:
    env = build_env(keys)
    env.means.provider._min_refetch = 0
    assert (await env.login()).json()["result"] == "ok"
    env.simulator.rotate_key()  # the broker still has the old JWKS cached
    assert (await env.login()).json()["result"] == "ok"
    jwks_calls = [r for r in env.transport.requests if r.url.path.endswith("/jwks")]
    assert len(jwks_calls) == 2


async def test_discovery_is_cached(env: Env) -> None:
    await env.login()
    await env.login()
    discovery = [r for r in env.transport.requests if r.url.path.endswith("/openid-configuration")]
    assert len(discovery) == 1


async def test_sso_url_and_callback_route(env: Env) -> None:
    assert env.means.sso_url == env.simulator.issuer
    await env.means.discover()
    assert env.means.sso_url == env.simulator.authorization_endpoint
    assert urlsplit(env.means.sso_url).netloc == urlsplit(ISSUER).netloc
    assert env.means.labels == {"nl": "Testmiddel", "en": "Test means"}
