"""Everything the means must refuse (attack catalogue §2.3, §2.4, §4.1)."""

from __future__ import annotations

import dataclasses
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oidc_upstream_support import Env, b64json, build_env, hs256, resign
from support import query_of

from broker.assurance import Level
from broker.keys import KeyRing
from broker.means.oidc_upstream.provider import UpstreamError
from conformance.oidc_provider import OidcSimulator

Claims = dict[str, Any]


def _callback_with(location: str, **changes: str | None) -> str:
    params = query_of(location)
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    parts = urlsplit(location)
    return f"{parts.path}?{urlencode(params)}"


async def _refused(env: Env, response: httpx.Response, result: str = "error") -> None:
    assert response.status_code == 200, response.text
    assert response.json()["result"] == result, response.text
    assert not env.flow.completed
    assert len(env.flow.failed) == 1


# -- state, browser, iss ------------------------------------------------------------------------


async def test_wrong_state(env: Env) -> None:
    browser = env.browser()
    callback = await env.to_callback(browser)
    response = await browser.client.get(
        _callback_with(callback.headers["location"], state="forged-state-value")
    )
    assert response.status_code == 400
    assert not env.flow.completed and not env.flow.failed


async def test_missing_state(env: Env) -> None:
    browser = env.browser()
    callback = await env.to_callback(browser)
    response = await browser.client.get(_callback_with(callback.headers["location"], state=None))
    assert response.status_code == 400
    assert not env.flow.completed


async def test_replayed_state(env: Env) -> None:
    browser = env.browser()
    callback = await env.to_callback(browser)
    first = await browser.client.get(callback.headers["location"])
    assert first.json()["result"] == "ok"
    again = await browser.client.get(callback.headers["location"])
    assert again.status_code == 400
    assert len(env.flow.completed) == 1


async def test_callback_in_another_browser(env: Env) -> None:
    callback = await env.to_callback(env.browser())
    response = await env.browser().client.get(callback.headers["location"])
    assert response.status_code == 400
    assert not env.flow.completed


async def test_missing_iss_when_advertised(env: Env) -> None:
    browser = env.browser()
    callback = await env.to_callback(browser)
    response = await browser.client.get(_callback_with(callback.headers["location"], iss=None))
    await _refused(env, response)
    assert not env.transport.token_requests  # refused before the code is redeemed


async def test_wrong_iss(env: Env) -> None:
    browser = env.browser()
    callback = await env.to_callback(browser)
    response = await browser.client.get(
        _callback_with(callback.headers["location"], iss="http://127.0.0.1:8000/sim/oidc/other")
    )
    await _refused(env, response)
    assert not env.transport.token_requests


async def test_access_denied_is_a_cancel(env: Env) -> None:
    response = await env.login(action="cancel")
    await _refused(env, response, result="cancelled")
    assert response.json()["code"] == "access_denied"


async def _upstream_error(env: Env, error: str) -> httpx.Response:
    """The upstream answers the authorization request with ``error``; the refusal it leads to."""
    browser = env.browser()
    callback = await env.to_callback(browser)
    response = await browser.client.get(
        _callback_with(callback.headers["location"], code=None, error=error)
    )
    await _refused(env, response)
    return response


@pytest.mark.parametrize("error", ["temporarily_unavailable", "server_error"])
async def test_upstream_outage_is_reported_as_unavailable(env: Env, error: str) -> None:
    """RFC 6749 §4.1.2.1: the OP is down or failing, not the person refused: the service
    provider hears temporarily_unavailable, so it can tell its user to try again later."""
    response = await _upstream_error(env, error)
    assert response.json()["code"] == "temporarily_unavailable"


async def test_other_upstream_error_is_access_denied(env: Env) -> None:
    response = await _upstream_error(env, "invalid_request")
    assert response.json()["code"] == "access_denied"


async def test_wrong_code_is_refused_by_the_upstream(env: Env) -> None:
    browser = env.browser()
    callback = await env.to_callback(browser)
    response = await browser.client.get(_callback_with(callback.headers["location"], code="x"))
    await _refused(env, response)


# -- the ID token -------------------------------------------------------------------------------


def _alg_none(header: Claims, claims: Claims, sim: OidcSimulator) -> str:
    return f"{b64json({'alg': 'none', 'typ': 'JWT'})}.{b64json(claims)}."


def _hs256_with_public_key(header: Claims, claims: Claims, sim: OidcSimulator) -> str:
    pem = sim.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hs256({"alg": "HS256", "kid": header["kid"]}, claims, pem)


def _attacker_key_in_headers(header: Claims, claims: Claims, sim: OidcSimulator) -> str:
    """Signed by an attacker key that the token itself offers (jwk / jku / x5u)."""
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(attacker.public_key(), as_dict=True)
    return jwt.encode(
        claims,
        attacker,
        algorithm="RS256",
        headers={
            "kid": header["kid"],
            "jwk": jwk,
            "jku": "http://127.0.0.1:9/evil.json",
            "x5u": "http://127.0.0.1:9/evil.pem",
        },
    )


def _unknown_kid(header: Claims, claims: Claims, sim: OidcSimulator) -> str:
    return jwt.encode(claims, sim.key, algorithm=header["alg"], headers={"kid": "../../etc/x"})


def _crit(header: Claims, claims: Claims, sim: OidcSimulator) -> str:
    return jwt.encode(
        claims, sim.key, algorithm=header["alg"], headers={"kid": header["kid"], "crit": ["exp"]}
    )


def _other_key_same_kid(header: Claims, claims: Claims, sim: OidcSimulator) -> str:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, other, algorithm=header["alg"], headers={"kid": header["kid"]})


def _with(**overrides: Any) -> Any:
    def tamper(header: Claims, claims: Claims, sim: OidcSimulator) -> str:
        values = {k: v(claims) if callable(v) else v for k, v in overrides.items()}
        return resign(header, claims, sim, **values)

    return tamper


def NOW() -> int:
    return int(time.time())


TOKEN_ATTACKS = {
    "alg none": _alg_none,
    "HS256 keyed with the public key": _hs256_with_public_key,
    "key offered in jwk/jku/x5u headers": _attacker_key_in_headers,
    "unknown kid": _unknown_kid,
    "crit header": _crit,
    "signature by another key": _other_key_same_kid,
    "wrong aud": _with(aud="someone-else"),
    "aud list without azp": _with(aud=["stelsel-toegang", "someone-else"]),
    "aud list with wrong azp": _with(aud=["stelsel-toegang", "x"], azp="x"),
    "missing aud": _with(aud=None),
    "wrong iss": _with(iss="http://127.0.0.1:8000/sim/oidc/other"),
    "iss prefix": _with(iss="http://127.0.0.1:8000/sim/oidc"),
    "iss as list": _with(iss=lambda c: [c["iss"]]),
    "expired": _with(exp=lambda c: NOW() - 61, iat=lambda c: NOW() - 400),
    "missing exp": _with(exp=None),
    "iat in the future": _with(iat=lambda c: NOW() + 120, exp=lambda c: NOW() + 400),
    "nbf in the future": _with(nbf=lambda c: NOW() + 120),
    "wrong nonce": _with(nonce="another-nonce"),
    "missing nonce": _with(nonce=None),
    "acr not in map": _with(acr="http://eidas.europa.eu/LoA/high"),
    "missing acr": _with(acr=None),
    "missing sub": _with(sub=None),
}


@pytest.mark.parametrize("attack", list(TOKEN_ATTACKS), ids=list(TOKEN_ATTACKS))
async def test_id_token_refused(keys: KeyRing, attack: str) -> None:
    env = build_env(keys)
    env.simulator.signing_alg = "RS256"  # an RSA key makes the HS/RS confusion meaningful
    env.simulator.rotate_key()
    env.transport.tamper = TOKEN_ATTACKS[attack]
    response = await env.login()
    await _refused(env, response)


async def test_untampered_resign_still_passes(env: Env) -> None:
    """The tampering harness itself does not break a good token."""
    env.transport.tamper = _with()
    assert (await env.login()).json()["result"] == "ok"


async def test_acr_below_required(env: Env) -> None:
    response = await env.login(level="low", required="substantial")
    await _refused(env, response)


async def test_alg_not_advertised_by_the_op(keys: KeyRing) -> None:
    """The OP says ES256 only; a PS256 token with a matching RSA key is still refused."""
    env = build_env(keys)

    def ps256(header: Claims, claims: Claims, sim: OidcSimulator) -> str:
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(claims, other, algorithm="PS256", headers={"kid": header["kid"]})

    env.transport.tamper = ps256
    await _refused(env, await env.login())


async def test_replayed_id_token_jti(env: Env) -> None:
    seen: list[str] = []

    def replay(header: Claims, claims: Claims, sim: OidcSimulator) -> str:
        if seen:
            return seen[0]
        seen.append(resign(header, claims, sim))
        return seen[0]

    env.transport.tamper = replay
    assert (await env.login()).json()["result"] == "ok"
    second = await env.login()
    assert second.json()["result"] == "error"  # nonce differs (and jti seen)


async def test_max_age_requires_auth_time(env: Env) -> None:
    env.transport.tamper = _with(auth_time=None)
    await _refused(env, await env.login(max_age="60"))


async def test_max_age_too_old(env: Env) -> None:
    env.transport.tamper = _with(auth_time=lambda c: NOW() - 3600)
    await _refused(env, await env.login(max_age="60"))


async def test_prompt_login_with_old_auth_time(env: Env) -> None:
    env.transport.tamper = _with(auth_time=lambda c: NOW() - 3600)
    await _refused(env, await env.login(force_authn="1"))


async def test_discovery_with_other_issuer(keys: KeyRing) -> None:
    env = build_env(keys)
    env.simulator.issuer = env.simulator.issuer + "-other"  # the document now names another OP
    browser = env.browser()
    response = await browser.client.get("/start")
    await _refused(env, response)
    assert response.json()["code"] == "temporarily_unavailable"


@pytest.mark.parametrize(
    "acr",
    [
        "HTTP://EIDAS.EUROPA.EU/LOA/SUBSTANTIAL",
        " http://eidas.europa.eu/LoA/substantial",
        "http://eidas.europa.eu/LoA/substantial ",
    ],
)
def test_acr_without_map_is_compared_exactly(env: Env, acr: str) -> None:
    """OIDC Core §2: acr is a case-sensitive string; a look-alike is an unknown acr."""
    env.means.settings = dataclasses.replace(env.means.settings, acr_levels={})
    assert env.means.level_of("http://eidas.europa.eu/LoA/substantial") == Level.SUBSTANTIAL
    with pytest.raises(UpstreamError):
        env.means.level_of(acr)
