"""The OIDC simulator on its own, driven the way any relying party would."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from support import ClientKey, auth_params, parse_form, query_of

from conformance.oidc_provider import ACR_OF_LEVEL, USERS, ClientRegistration, OidcSimulator
from conformance.oidc_provider.__main__ import build_app
from conformance.oidc_provider.texts import TEXTS

ISSUER = "http://sim.test/op"
REDIRECT = "https://rp.example/cb"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture
def key() -> ClientKey:
    return ClientKey.ec()


@pytest.fixture
def sim(key: ClientKey) -> OidcSimulator:
    return OidcSimulator(
        ISSUER,
        [
            ClientRegistration("rp", (REDIRECT,), jwks=key.jwks()),
            ClientRegistration("basic-rp", (REDIRECT,), secret="geheim"),
        ],
    )


def client(sim: OidcSimulator) -> httpx.AsyncClient:
    """The simulator mounted at its issuer path, as the standalone runner does."""
    app = build_app(sim, static_dir=Path("/nonexistent"))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ISSUER + "/")


async def _code(http: httpx.AsyncClient, client_id: str = "rp", **extra: str) -> tuple[str, Any]:
    request = auth_params(client_id, REDIRECT, acr_values=ACR_OF_LEVEL[max(ACR_OF_LEVEL)], **extra)
    page = await http.get("authorize", params=request.params)
    assert page.status_code == 200, page.text
    action, fields = parse_form(page.text)
    fields.update(user="fatima", level="high", action="login")
    answer = await http.post(action, data=fields)
    assert answer.status_code == 303
    params = query_of(answer.headers["location"])
    assert params["iss"] == ISSUER and params["state"] == request.state
    return params["code"], request


async def test_discovery_and_jwks(sim: OidcSimulator) -> None:
    async with client(sim) as http:
        meta = (await http.get(".well-known/openid-configuration")).json()
        jwks = (await http.get("jwks")).json()
    assert meta["issuer"] == ISSUER
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert [k["kid"] for k in jwks["keys"]] == [sim.kid]
    assert "d" not in jwks["keys"][0]


async def test_login_and_token_private_key_jwt(sim: OidcSimulator, key: ClientKey) -> None:
    async with client(sim) as http:
        code, request = await _code(http)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": request.verifier,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": key.assertion("rp", ISSUER),
        }
        response = await http.post("token", data=form)
        assert response.status_code == 200, response.text
        body = response.json()
        claims = jwt.decode(
            body["id_token"],
            jwt.PyJWK(sim.public_jwk()).key,
            algorithms=["ES256"],
            audience="rp",
            issuer=ISSUER,
        )
        assert claims["nonce"] == request.nonce
        assert claims["acr"] == "urn:toegang:sim:loa:high"
        assert claims["name"] == USERS["fatima"].name
        assert "bsn" not in claims
        info = await http.get(
            "userinfo", headers={"Authorization": "Bearer " + body["access_token"]}
        )
        assert info.json()["sub"] == claims["sub"]
        # The code is single use.
        form["client_assertion"] = key.assertion("rp", ISSUER)
        assert (await http.post("token", data=form)).json()["error"] == "invalid_grant"


async def test_token_refusals(sim: OidcSimulator, key: ClientKey) -> None:
    async with client(sim) as http:
        code, request = await _code(http)
        base = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": request.verifier,
            "client_assertion_type": ASSERTION_TYPE,
        }
        replayed = key.assertion("rp", ISSUER)
        bad_pkce = {**base, "code_verifier": "x" * 43, "client_assertion": replayed}
        assert (await http.post("token", data=bad_pkce)).json()["error"] == "invalid_grant"
        # The same assertion again: refused (jti), even before the code is looked at.
        again = await http.post("token", data={**base, "client_assertion": replayed})
        assert again.status_code == 401
        other_key = ClientKey.ec()
        wrong = await http.post(
            "/token", data={**base, "client_assertion": other_key.assertion("rp", ISSUER)}
        )
        assert wrong.status_code == 401
        wrong_aud = await http.post(
            "/token", data={**base, "client_assertion": key.assertion("rp", "https://x")}
        )
        assert wrong_aud.status_code == 401


async def test_client_secret_basic(sim: OidcSimulator) -> None:
    async with client(sim) as http:
        code, request = await _code(http, client_id="basic-rp", scope="openid bsn")
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": request.verifier,
        }
        wrong = await http.post("token", data=form, auth=("basic-rp", "fout"))
        assert wrong.status_code == 401
        code, request = await _code(http, client_id="basic-rp", scope="openid bsn")
        form.update(code=code, code_verifier=request.verifier)
        response = await http.post("token", data=form, auth=("basic-rp", "geheim"))
        assert response.status_code == 200, response.text
        claims = jwt.decode(response.json()["id_token"], options={"verify_signature": False})
        assert claims["bsn"] == USERS["fatima"].bsn


async def test_authorize_errors(sim: OidcSimulator) -> None:
    async with client(sim) as http:
        bad_redirect = auth_params("rp", "https://evil.example/cb")
        page = await http.get("authorize", params=bad_redirect.params)
        assert page.status_code == 400 and "location" not in page.headers
        no_pkce = auth_params("rp", REDIRECT, code_challenge=None, code_challenge_method=None)
        answer = await http.get("authorize", params=no_pkce.params)
        assert answer.status_code == 303
        params = query_of(answer.headers["location"])
        assert params["error"] == "invalid_request" and params["iss"] == ISSUER
        plain = auth_params("rp", REDIRECT, code_challenge_method="plain")
        answer = await http.get("authorize", params=plain.params)
        assert query_of(answer.headers["location"])["error"] == "invalid_request"


async def test_cancel_and_form_errors(sim: OidcSimulator) -> None:
    async with client(sim) as http:
        request = auth_params("rp", REDIRECT)
        page = await http.get("authorize", params=request.params)
        action, fields = parse_form(page.text)
        invalid = await http.post(action, data={**fields, "user": "nobody", "action": "login"})
        assert invalid.status_code == 422
        cancel = await http.post(action, data={**fields, "action": "cancel"})
        params = query_of(cancel.headers["location"])
        assert params["error"] == "access_denied" and params["state"] == request.state


async def test_pages_are_bilingual_and_script_free(sim: OidcSimulator) -> None:
    assert TEXTS["nl"].keys() == TEXTS["en"].keys()
    async with client(sim) as http:
        page = await http.get(
            "authorize", params=auth_params("rp", REDIRECT, ui_locales="en").params
        )
    assert 'lang="en"' in page.text and "Simulator" in page.text
    assert not re.search(r"<script|<style|style=", page.text)
    assert "default-src 'none'" in page.headers["content-security-policy"]
    for field in ("user", "level", "action", "request_key"):
        assert f'name="{field}"' in page.text


def test_standalone_app(sim: OidcSimulator, tmp_path: Path) -> None:
    app = build_app(sim, static_dir=tmp_path)
    assert app.routes
