"""The complete DigiD login, the token endpoint and userinfo (NL GOV profile §1.3-1.8)."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
import pytest
from broker_harness import BrokerFixture
from support import (
    ISSUER,
    AuthRequest,
    Browser,
    ClientKey,
    auth_params,
    choose_means,
    digid_login,
    parse_form,
    query_of,
    stream_post,
)

from broker.assurance import Level
from broker.identifiers import SUB_ID_TYPE_BSN, SUB_ID_TYPE_PSEUDONYM

RP = "https://rp.example/cb"
BSN = "999999990"


async def _code(
    broker: BrokerFixture,
    client_id: str,
    browser: Browser | None = None,
    level: str = "substantieel",
    **extra: str,
) -> tuple[AuthRequest, str]:
    request = auth_params(client_id, RP, **extra)
    browser = browser or broker.browser()
    response = await digid_login(
        browser, "/authorize?" + urlencode(request.params), bsn=BSN, level=level
    )
    query = query_of(response.headers["location"])
    assert query.get("state") == request.state
    assert query.get("iss") == ISSUER
    assert "code" in query, query
    return request, query["code"]


async def _token(
    broker: BrokerFixture,
    client_id: str,
    key: ClientKey,
    code: str,
    verifier: str,
    **overrides: Any,
) -> Any:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": RP,
        "code_verifier": verifier,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": key.assertion(client_id, ISSUER),
    }
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    return await broker.browser().client.post("/token", data=data)


def _verify(broker: BrokerFixture, id_token: str, client_id: str) -> dict[str, Any]:
    jwks = broker.state.keys.jwks()
    header = jwt.get_unverified_header(id_token)
    jwk = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    claims: dict[str, Any] = jwt.decode(
        id_token, jwt.PyJWK(jwk).key, algorithms=[header["alg"]], audience=client_id, issuer=ISSUER
    )
    return claims


@pytest.fixture
def rp(broker: BrokerFixture) -> tuple[str, ClientKey]:
    key = ClientKey.rsa()
    client_id, _ = broker.add_client(key, services=[Level.LOW])
    return client_id, key


async def test_full_digid_login_gives_an_id_token_by_the_profile(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    client_id, key = rp
    request, code = await _code(broker, client_id)
    response = await _token(broker, client_id, key, code, request.verifier)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    claims = _verify(broker, body["id_token"], client_id)
    assert claims["nonce"] == request.nonce
    assert claims["acr"] == "http://eidas.europa.eu/LoA/substantial"
    assert claims["sub_id_type"] == SUB_ID_TYPE_PSEUDONYM
    assert claims["sub"] != BSN and BSN not in body["id_token"]
    assert claims["exp"] - claims["iat"] <= 300
    assert {"jti", "auth_time", "iat", "nbf", "exp"} <= claims.keys()
    assert "amr" not in claims


async def test_bsn_only_for_bsn_entitled_clients(broker: BrokerFixture) -> None:
    key = ClientKey.rsa()
    client_id, _ = broker.add_client(key, services=[Level.LOW], bsn_entitled=True)
    request, code = await _code(broker, client_id)
    body = (await _token(broker, client_id, key, code, request.verifier)).json()
    claims = _verify(broker, body["id_token"], client_id)
    assert claims["sub"] == BSN
    assert claims["sub_id_type"] == SUB_ID_TYPE_BSN


async def test_pairwise_sub_is_stable_per_client_and_differs_between_clients(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    other_key = ClientKey.rsa()
    other_id, _ = broker.add_client(other_key, services=[Level.LOW])
    subs = []
    for client_id, key in (rp, rp, (other_id, other_key)):
        request, code = await _code(broker, client_id)
        body = (await _token(broker, client_id, key, code, request.verifier)).json()
        subs.append(_verify(broker, body["id_token"], client_id)["sub"])
    assert subs[0] == subs[1] != subs[2]


@pytest.mark.parametrize("alg", ["PS256", "ES256"])
async def test_id_token_algorithm_follows_the_registration(broker: BrokerFixture, alg: str) -> None:
    key = ClientKey.rsa()
    client_id, _ = broker.add_client(key, services=[Level.LOW], id_token_alg=alg)
    request, code = await _code(broker, client_id)
    body = (await _token(broker, client_id, key, code, request.verifier)).json()
    assert jwt.get_unverified_header(body["id_token"])["alg"] == alg
    _verify(broker, body["id_token"], client_id)


async def test_code_reuse_is_refused_and_revokes_the_first_tokens(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    client_id, key = rp
    request, code = await _code(broker, client_id)
    first = (await _token(broker, client_id, key, code, request.verifier)).json()
    userinfo = await broker.browser().client.get(
        "/userinfo", headers={"Authorization": f"Bearer {first['access_token']}"}
    )
    assert userinfo.status_code == 200
    again = await _token(broker, client_id, key, code, request.verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    revoked = await broker.browser().client.get(
        "/userinfo", headers={"Authorization": f"Bearer {first['access_token']}"}
    )
    assert revoked.status_code == 401


async def test_expired_code_is_refused(broker: BrokerFixture, rp: tuple[str, ClientKey]) -> None:
    client_id, key = rp
    request, code = await _code(broker, client_id)
    store = broker.state.store
    for stored_key in list(store._data):
        if stored_key.startswith("code:"):
            _expiry, value = store._data[stored_key]
            store._data[stored_key] = (time.monotonic() - 1, value)
    response = await _token(broker, client_id, key, code, request.verifier)
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("verifier", ["wrong" * 10, None, "short"])
async def test_pkce_verifier_must_match(
    broker: BrokerFixture, rp: tuple[str, ClientKey], verifier: str | None
) -> None:
    client_id, key = rp
    request, code = await _code(broker, client_id)
    response = await _token(broker, client_id, key, code, request.verifier, code_verifier=verifier)
    assert response.json()["error"] == "invalid_grant"


async def test_redirect_uri_at_token_endpoint_must_match(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    client_id, key = rp
    request, code = await _code(broker, client_id)
    response = await _token(
        broker, client_id, key, code, request.verifier, redirect_uri="https://rp.example/other"
    )
    assert response.json()["error"] == "invalid_grant"


def _hs256_with_public_key(client_id: str, key: ClientKey) -> str:
    # Algorithm confusion: HMAC keyed with the RSA public key (attack catalogue §4.1).
    import hashlib
    import hmac
    import json as _json

    from cryptography.hazmat.primitives import serialization

    pem = key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    enc = lambda d: base64.urlsafe_b64encode(_json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    now = int(time.time())
    head = enc({"alg": "HS256", "kid": key.kid})
    body = enc({"iss": client_id, "sub": client_id, "aud": ISSUER, "jti": "x", "exp": now + 60})
    sig = hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{base64.urlsafe_b64encode(sig).rstrip(b'=').decode()}"


@pytest.mark.parametrize(
    "case",
    [
        "other_key",
        "wrong_aud",
        "expired",
        "too_long",
        "none_alg",
        "hs256",
        "wrong_iss",
        "no_jti",
        "missing",
    ],
)
async def test_bad_client_assertions_are_refused(
    broker: BrokerFixture, rp: tuple[str, ClientKey], case: str
) -> None:
    client_id, key = rp
    request, code = await _code(broker, client_id)
    assertion: str | None
    if case == "other_key":
        stranger = ClientKey.rsa()
        stranger.kid = key.kid
        assertion = stranger.assertion(client_id, ISSUER)
    elif case == "wrong_aud":
        assertion = key.assertion(client_id, "https://other.example")
    elif case == "expired":
        assertion = key.assertion(client_id, ISSUER, exp=int(time.time()) - 120)
    elif case == "too_long":  # one hour is the most a jti is remembered for
        assertion = key.assertion(client_id, ISSUER, exp=int(time.time()) + 3600 + 60)
    elif case == "none_alg":
        assertion = jwt.encode(
            {
                "iss": client_id,
                "sub": client_id,
                "aud": ISSUER,
                "jti": "j",
                "exp": int(time.time()) + 60,
            },
            None,
            algorithm="none",
        )
    elif case == "hs256":
        assertion = _hs256_with_public_key(client_id, key)
    elif case == "wrong_iss":
        assertion = key.assertion(client_id, ISSUER, iss="someone-else")
    elif case == "no_jti":
        assertion = key.assertion(client_id, ISSUER, jti=None)
    else:
        assertion = None
    response = await _token(
        broker, client_id, key, code, request.verifier, client_assertion=assertion
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"


async def test_client_assertion_cannot_be_replayed(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    client_id, key = rp
    assertion = key.assertion(client_id, ISSUER)
    request, code = await _code(broker, client_id)
    ok = await _token(broker, client_id, key, code, request.verifier, client_assertion=assertion)
    assert ok.status_code == 200
    request, code = await _code(broker, client_id)
    replay = await _token(
        broker, client_id, key, code, request.verifier, client_assertion=assertion
    )
    assert replay.status_code == 401
    # The refused replay used nothing up: the code still works with a fresh assertion.
    fresh = await _token(broker, client_id, key, code, request.verifier)
    assert fresh.status_code == 200, fresh.text


async def test_token_request_size_and_parameter_count_are_bounded(broker: BrokerFixture) -> None:
    client = broker.browser().client
    many = await client.post("/token", data={f"p{i}": "x" for i in range(60)})
    large = await client.post("/token", data={"grant_type": "x" * (65 * 1024)})
    for response in (many, large):
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "invalid_request"


async def test_client_secret_basic_only_for_clients_registered_so(broker: BrokerFixture) -> None:
    client_id, _ = broker.add_client(None, services=[Level.LOW], auth_method="client_secret_basic")
    secret = broker.last_secret
    request, code = await _code(broker, client_id)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": RP,
        "code_verifier": request.verifier,
    }
    wrong = base64.b64encode(f"{client_id}:nope".encode()).decode()
    bad = await broker.browser().client.post(
        "/token", data=data, headers={"Authorization": f"Basic {wrong}"}
    )
    assert bad.status_code == 401
    good = await broker.browser().client.post(
        "/token", data=data, headers={"Authorization": f"Basic {basic}"}
    )
    assert good.status_code == 200, good.text
    # A private_key_jwt client can not fall back to a secret.
    key = ClientKey.rsa()
    jwt_client, _ = broker.add_client(key, services=[Level.LOW])
    request, code = await _code(broker, jwt_client)
    forged = base64.b64encode(f"{jwt_client}:{secret}".encode()).decode()
    refused = await broker.browser().client.post(
        "/token",
        data={**data, "code": code, "code_verifier": request.verifier},
        headers={"Authorization": f"Basic {forged}"},
    )
    assert refused.status_code == 401


async def test_level_below_the_requested_acr_shows_step_up_never_a_lower_acr(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    client_id, key = rp
    browser = broker.browser()
    request = auth_params(client_id, RP, acr_values="http://eidas.europa.eu/LoA/high")
    page = await digid_login(
        browser, "/authorize?" + urlencode(request.params), level="substantieel"
    )
    assert page.status_code == 200 and "Hoog" in page.text  # the step-up page, no redirect
    assert "location" not in page.headers
    # Log in again: DigiD is asked afresh (ForceAuthn) and this time reaches "hoog".
    retry_url, fields = parse_form(page.text)
    response = await browser.follow(await browser.client.post(retry_url, data=fields), stop_at=RP)
    response = await choose_means(browser, response, "digid")
    assert "/sim/digid/" in str(response.url)
    form_action, sim_fields = parse_form(response.text)
    sim_fields.update(bsn=BSN, level="hoog", action="login")
    done = await browser.follow(
        await browser.client.post(str(response.url.join(form_action)), data=sim_fields),
        stop_at=RP,
    )
    query = query_of(done.headers["location"])
    body = (await _token(broker, client_id, key, query["code"], request.verifier)).json()
    assert _verify(broker, body["id_token"], client_id)["acr"] == "http://eidas.europa.eu/LoA/high"


async def test_step_up_page_can_go_back_with_access_denied(broker: BrokerFixture) -> None:
    key = ClientKey.rsa()
    client_id, _ = broker.add_client(key, services=[Level.SUBSTANTIAL])
    browser = broker.browser()
    request = auth_params(client_id, RP)
    page = await digid_login(browser, "/authorize?" + urlencode(request.params), level="midden")
    assert page.status_code == 200
    cancel = re.search(r'action="(/login/[^"]*/cancel)"', page.text)
    assert cancel is not None
    _, fields = parse_form(page.text)
    back = await browser.client.post(cancel.group(1), data=fields)
    query = query_of(back.headers["location"])
    assert query["error"] == "access_denied" and "code" not in query
    assert query["state"] == request.state


async def test_step_up_form_needs_the_csrf_value(broker: BrokerFixture) -> None:
    key = ClientKey.rsa()
    client_id, _ = broker.add_client(key, services=[Level.SUBSTANTIAL])
    browser = broker.browser()
    request = auth_params(client_id, RP)
    page = await digid_login(browser, "/authorize?" + urlencode(request.params), level="midden")
    retry_url, fields = parse_form(page.text)
    forged = await browser.client.post(retry_url, data={**fields, "csrf": "forged"})
    assert forged.status_code == 400


async def test_cancel_at_digid_returns_access_denied_to_the_client(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    client_id, _ = rp
    request = auth_params(client_id, RP)
    response = await digid_login(
        broker.browser(), "/authorize?" + urlencode(request.params), action="cancel"
    )
    query = query_of(response.headers["location"])
    assert query["error"] == "access_denied" and query["state"] == request.state


async def test_userinfo_as_json_and_as_signed_jwt(broker: BrokerFixture) -> None:
    for alg in (None, "PS256"):
        key = ClientKey.rsa()
        client_id, _ = broker.add_client(key, services=[Level.LOW], userinfo_alg=alg)
        request, code = await _code(broker, client_id)
        body = (await _token(broker, client_id, key, code, request.verifier)).json()
        id_claims = _verify(broker, body["id_token"], client_id)
        response = await broker.browser().client.get(
            "/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert response.status_code == 200
        if alg is None:
            info = response.json()
        else:
            assert response.headers["content-type"].startswith("application/jwt")
            info = _verify(broker, response.text, client_id)
        assert info["sub"] == id_claims["sub"]
        assert info["acr"] == id_claims["acr"]


async def test_userinfo_refuses_an_id_token_as_access_token(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    client_id, key = rp
    request, code = await _code(broker, client_id)
    body = (await _token(broker, client_id, key, code, request.verifier)).json()
    response = await broker.browser().client.get(
        "/userinfo", headers={"Authorization": f"Bearer {body['id_token']}"}
    )
    assert response.status_code == 401


async def _logged_in(broker: BrokerFixture, rp: tuple[str, ClientKey]) -> tuple[str, Browser]:
    """The client's id and a browser that has logged in there once (a broker session)."""
    browser = broker.browser()
    await _code(broker, rp[0], browser=browser)
    return rp[0], browser


async def test_session_is_reused_until_prompt_login_or_max_age(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    client_id, browser = await _logged_in(broker, rp)
    # Second login in the same browser: straight back with a code, no DigiD.
    request = auth_params(client_id, RP)
    response = await browser.client.get("/authorize?" + urlencode(request.params))
    assert "code" in query_of(response.headers["location"])
    # prompt=none works now too.
    request = auth_params(client_id, RP, prompt="none")
    response = await browser.client.get("/authorize?" + urlencode(request.params))
    assert "code" in query_of(response.headers["location"])
    # prompt=login forces DigiD again (ForceAuthn).
    request = auth_params(client_id, RP, prompt="login")
    response = await browser.client.get("/authorize?" + urlencode(request.params))
    assert response.headers["location"].startswith(("/login/", f"{ISSUER}/sim/digid/"))


def _logout_client(broker: BrokerFixture, **registration: Any) -> tuple[list[str], str, ClientKey]:
    """A client with a back-channel logout endpoint at https://rp.example/logout: the list
    its logout tokens land in, its client_id and its key."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    received: list[str] = []

    async def backchannel(request: Request) -> Response:
        received.append(str((await request.form())["logout_token"]))
        return Response(status_code=200)

    broker.transport.attach(
        "https://rp.example", Starlette(routes=[Route("/logout", backchannel, methods=["POST"])])
    )
    key = ClientKey.rsa()
    client_id, _ = broker.add_client(
        key,
        services=[Level.LOW],
        backchannel_logout_uri="https://rp.example/logout",
        **registration,
    )
    return received, client_id, key


async def test_logout_ends_the_session_and_notifies_clients(broker: BrokerFixture) -> None:
    received, client_id, key = _logout_client(
        broker, post_logout_redirect_uris=["https://rp.example/bye"]
    )
    browser = broker.browser()
    request, code = await _code(broker, client_id, browser=browser)
    body = (await _token(broker, client_id, key, code, request.verifier)).json()
    id_claims = _verify(broker, body["id_token"], client_id)
    bad = await browser.client.get(
        "/logout?"
        + urlencode(
            {"id_token_hint": body["id_token"], "post_logout_redirect_uri": "https://evil.example/"}
        )
    )
    assert bad.status_code == 400 and "location" not in bad.headers
    response = await browser.client.get(
        "/logout?"
        + urlencode(
            {
                "id_token_hint": body["id_token"],
                "post_logout_redirect_uri": "https://rp.example/bye",
                "state": "s1",
            }
        )
    )
    assert response.headers["location"] == "https://rp.example/bye?state=s1"
    for task in list(broker.state.oidc._background):
        await task
    assert len(received) == 1
    token = jwt.decode(received[0], options={"verify_signature": False})
    assert token["sid"] == id_claims["sid"] and token["aud"] == client_id
    assert "http://schemas.openid.net/event/backchannel-logout" in token["events"]
    assert jwt.get_unverified_header(received[0])["typ"] == "logout+jwt"
    # The session is gone: prompt=none now needs a login.
    request2 = auth_params(client_id, RP, prompt="none")
    again = await browser.client.get("/authorize?" + urlencode(request2.params))
    assert query_of(again.headers["location"])["error"] == "login_required"


def _edit_session(broker: BrokerFixture, change: Any) -> None:
    """Change the one broker session record in the in-process store, in place."""
    store = broker.state.store
    (session_key,) = [k for k in store._data if k.startswith("session:")]
    expiry, raw = store._data[session_key]
    record = json.loads(raw)
    change(record)
    store._data[session_key] = (expiry, json.dumps(record))


async def _prompt_none(browser: Browser, client_id: str) -> dict[str, str]:
    request = auth_params(client_id, RP, prompt="none")
    response = await browser.client.get("/authorize?" + urlencode(request.params))
    return query_of(response.headers["location"])


async def test_broker_session_ends_after_fifteen_idle_minutes(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    client_id, browser = await _logged_in(broker, rp)
    _edit_session(broker, lambda record: record.update(last_seen=record["last_seen"] - 901))
    assert (await _prompt_none(browser, client_id))["error"] == "login_required"
    assert broker.config.session.idle_timeout == 900


async def test_single_sign_on_ends_at_the_means_session_limit(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    """A login whose means limited its session (SAML SessionNotOnOrAfter) is not reused for
    single sign-on after that limit, though the broker session itself is still alive."""
    client_id, browser = await _logged_in(broker, rp)

    def limit(seconds: int) -> Any:
        return lambda record: record["authentication"].update(
            reusable_until=int(time.time()) + seconds
        )

    _edit_session(broker, limit(60))
    assert "code" in await _prompt_none(browser, client_id)
    _edit_session(broker, limit(-1))
    assert (await _prompt_none(browser, client_id))["error"] == "login_required"


@pytest.mark.parametrize("alg", ["ES256", "PS256"])
async def test_logout_token_is_signed_with_the_id_token_algorithm(
    broker: BrokerFixture, alg: str
) -> None:
    # Back-Channel Logout §2.6: the RP validates the logout token's signature as an ID token's,
    # which expects the registered id_token_signed_response_alg (OIDC Core §3.1.3.7).
    received, client_id, key = _logout_client(broker, id_token_alg=alg)
    browser = broker.browser()
    request, code = await _code(broker, client_id, browser=browser)
    body = (await _token(broker, client_id, key, code, request.verifier)).json()
    await browser.client.get("/logout?" + urlencode({"id_token_hint": body["id_token"]}))
    for task in list(broker.state.oidc._background):
        await task
    assert len(received) == 1
    assert jwt.get_unverified_header(received[0])["alg"] == alg
    claims = _verify(broker, received[0], client_id)
    assert "nonce" not in claims and claims["sid"]


@pytest.mark.parametrize(
    ("grant_type", "error"),
    [
        (None, "invalid_request"),
        ("", "invalid_request"),
        ("refresh_token", "unsupported_grant_type"),
    ],
)
async def test_grant_type_missing_or_unsupported(
    broker: BrokerFixture, rp: tuple[str, ClientKey], grant_type: str | None, error: str
) -> None:
    # RFC 6749 §5.2: a missing parameter is invalid_request; another grant unsupported_grant_type.
    client_id, key = rp
    request, code = await _code(broker, client_id)
    response = await _token(broker, client_id, key, code, request.verifier, grant_type=grant_type)
    assert response.status_code == 400
    assert response.json()["error"] == error


async def test_userinfo_bearer_token_usage(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    client_id, key = rp
    request, code = await _code(broker, client_id)
    access_token = (await _token(broker, client_id, key, code, request.verifier)).json()[
        "access_token"
    ]
    client = broker.browser().client
    # RFC 6750 §3.1: a request without any authentication gets no error code.
    bare = await client.get("/userinfo")
    assert bare.status_code == 401
    assert bare.headers["www-authenticate"].startswith("Bearer ")
    assert "error=" not in bare.headers["www-authenticate"]
    # RFC 6750 §2.2: the token as a form-encoded body parameter.
    in_body = await client.post("/userinfo", data={"access_token": access_token})
    assert in_body.status_code == 200, in_body.text
    assert in_body.json()["sub"]
    # §3.1: more than one method is invalid_request.
    both = await client.post(
        "/userinfo",
        data={"access_token": access_token},
        headers={"Authorization": f"Bearer {access_token}"},
    )
    assert both.status_code == 400
    assert 'error="invalid_request"' in both.headers["www-authenticate"]
    wrong = await client.post("/userinfo", data={"access_token": "x.y.z"})
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]


async def test_every_issued_claim_is_in_claims_supported(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    # OIDC Discovery §3: claims_supported lists the claims the provider can supply.
    client_id, key = rp
    meta = (await broker.browser().client.get("/.well-known/openid-configuration")).json()
    request, code = await _code(broker, client_id)
    body = (await _token(broker, client_id, key, code, request.verifier)).json()
    claims = _verify(broker, body["id_token"], client_id)
    userinfo = await broker.browser().client.get(
        "/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    issued = set(claims) | set(userinfo.json())
    assert issued <= set(meta["claims_supported"]), issued - set(meta["claims_supported"])


async def test_logout_takes_only_an_id_token_as_id_token_hint(broker: BrokerFixture) -> None:
    # RP-Initiated Logout §2: id_token_hint is an ID Token the OP issued.
    key = ClientKey.rsa()
    client_id, _ = broker.add_client(
        key, services=[Level.LOW], post_logout_redirect_uris=["https://rp.example/bye"]
    )
    browser = broker.browser()
    request, code = await _code(broker, client_id, browser=browser)
    body = (await _token(broker, client_id, key, code, request.verifier)).json()
    query = {"client_id": client_id, "post_logout_redirect_uri": "https://rp.example/bye"}
    refused = await browser.client.get(
        "/logout?" + urlencode({**query, "id_token_hint": body["access_token"]})
    )
    assert refused.status_code == 400 and "location" not in refused.headers
    accepted = await browser.client.get(
        "/logout?" + urlencode({**query, "id_token_hint": body["id_token"]})
    )
    assert accepted.headers["location"] == "https://rp.example/bye"


def _confirm_value(page_html: str) -> str:
    values = set(re.findall(r'name="confirm" value="([^"]+)"', page_html))
    assert len(values) == 1, page_html[:500]
    return values.pop()


async def test_logout_not_tied_to_the_session_is_confirmed_first(broker: BrokerFixture) -> None:
    """RP-Initiated Logout 1.0 §2/§6: a logout request without an ID token of this session
    (a link on any site) only asks; the person's answer is one-time and bound to the
    session. With the session's own ID token the logout is immediate."""
    received, client_id, key = _logout_client(
        broker, post_logout_redirect_uris=["https://rp.example/bye"]
    )

    async def still_logged_in(browser: Browser) -> bool:
        request = auth_params(client_id, RP, prompt="none")
        response = await browser.client.get("/authorize?" + urlencode(request.params))
        return "code" in query_of(response.headers["location"])

    browser = broker.browser()
    request, code = await _code(broker, client_id, browser=browser)
    first = (await _token(broker, client_id, key, code, request.verifier)).json()["id_token"]
    ask = "/logout?" + urlencode(
        {"client_id": client_id, "post_logout_redirect_uri": "https://rp.example/bye", "state": "s"}
    )
    question = await browser.client.get(ask)
    assert question.status_code == 200 and "Wilt u uitloggen?" in question.text
    assert question.headers["cache-control"] == "no-store"
    assert await still_logged_in(browser)

    # Another browser cannot answer for this one, and an answer counts once.
    stranger = broker.browser()
    await _code(broker, client_id, browser=stranger)
    stolen = await stranger.client.post(
        "/logout", data={"confirm": _confirm_value(question.text), "action": "logout"}
    )
    assert stolen.status_code == 400 and await still_logged_in(browser)

    question = await browser.client.get(ask)
    stay = await browser.client.post(
        "/logout", data={"confirm": _confirm_value(question.text), "action": "stay"}
    )
    assert stay.status_code == 200 and "U bent nog ingelogd" in stay.text
    assert await still_logged_in(browser)

    # An ID token from another session (this one's earlier login) does not end it either.
    request, code = await _code(broker, client_id, browser=stranger)
    other = (await _token(broker, client_id, key, code, request.verifier)).json()["id_token"]
    hinted = await browser.client.get("/logout?" + urlencode({"id_token_hint": other}))
    assert hinted.status_code == 200 and "Wilt u uitloggen?" in hinted.text

    question = await browser.client.get(ask)
    confirm = _confirm_value(question.text)
    done = await browser.client.post("/logout", data={"confirm": confirm, "action": "logout"})
    assert done.status_code == 303 and done.headers["location"] == "https://rp.example/bye?state=s"
    for task in list(broker.state.oidc._background):
        await task
    assert [jwt.decode(t, options={"verify_signature": False})["sid"] for t in received] == [
        _verify(broker, first, client_id)["sid"]
    ]
    assert not await still_logged_in(browser)
    again = await browser.client.post("/logout", data={"confirm": confirm, "action": "logout"})
    assert again.status_code == 400

    # No session at all: nothing to ask, straight back to the client.
    fresh = await broker.browser().client.get(ask)
    assert fresh.status_code == 303 and fresh.headers["location"].endswith("?state=s")


def _acr_request(*values: str, essential: bool = True) -> str:
    acr: dict[str, Any] = {"values": list(values)}
    if essential:
        acr["essential"] = True
    return json.dumps({"id_token": {"acr": acr}})


async def test_essential_acr_values_are_honoured(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    """OIDC Core §5.5.1.1: an ``acr`` requested as essential with values comes back as one of
    them — the highest the login meets, never above it; a request none of whose values can be
    met for the service fails before anyone logs in. Without ``essential`` the values are a
    minimum and ``acr`` is the level reached."""
    low, substantial, high = (
        f"http://eidas.europa.eu/LoA/{n}" for n in ("low", "substantial", "high")
    )
    client_id, key = rp  # its service needs low

    async def acr(claims: str) -> str:
        request, code = await _code(broker, client_id, level="substantieel", claims=claims)
        body = (await _token(broker, client_id, key, code, request.verifier)).json()
        return str(_verify(broker, body["id_token"], client_id)["acr"])

    assert await acr(_acr_request(low)) == low
    assert await acr(_acr_request(low, substantial)) == substantial
    assert await acr(_acr_request(low, essential=False)) == substantial

    async def refused(cid: str, claims: str) -> dict[str, str]:
        request = auth_params(cid, RP, claims=claims)
        response = await broker.browser().client.get("/authorize?" + urlencode(request.params))
        assert response.status_code == 303, response.text[:200]
        return query_of(response.headers["location"])

    unknown = await refused(client_id, _acr_request("urn:example:unknown-level"))
    assert unknown["error"] == "access_denied" and unknown["state"]
    strict_key = ClientKey.rsa()
    strict, _ = broker.add_client(strict_key, services=[Level.SUBSTANTIAL])
    too_low = await refused(strict, _acr_request(low))
    assert too_low["error"] == "access_denied"
    # [low, high] at a substantial service: only high can be returned, so high is required.
    request = auth_params(strict, RP, claims=_acr_request(low, high))
    page = await digid_login(
        broker.browser(), "/authorize?" + urlencode(request.params), bsn=BSN, level="substantieel"
    )
    assert page.status_code == 200 and "location" not in page.headers  # the step-up page


async def test_id_token_hint_at_authorize_names_who_is_expected(
    broker: BrokerFixture, rp: tuple[str, ClientKey]
) -> None:
    """OIDC Core §3.1.2.1: with ``prompt=none`` a hint naming someone other than the person
    logged in gives ``login_required``; without it that person is not single-signed-on but
    asked to log in. A hint this provider did not give this client is ``invalid_request``."""
    client_id, key = rp
    browser = broker.browser()
    request, code = await _code(broker, client_id, browser=browser)
    mine = (await _token(broker, client_id, key, code, request.verifier)).json()["id_token"]
    other_person = broker.browser()
    request = auth_params(client_id, RP)
    response = await digid_login(
        other_person, "/authorize?" + urlencode(request.params), bsn="999990317"
    )
    code = query_of(response.headers["location"])["code"]
    theirs = (await _token(broker, client_id, key, code, request.verifier)).json()["id_token"]

    async def authorize(**extra: str) -> httpx.Response:
        params = auth_params(client_id, RP, **extra).params
        return await browser.client.get("/authorize?" + urlencode(params))

    same = await authorize(prompt="none", id_token_hint=mine)
    assert "code" in query_of(same.headers["location"])
    other = await authorize(prompt="none", id_token_hint=theirs)
    assert query_of(other.headers["location"])["error"] == "login_required"
    relogin = await authorize(id_token_hint=theirs)
    assert relogin.headers["location"].startswith(("/login/", f"{ISSUER}/sim/digid/"))

    other_key = ClientKey.rsa()
    other_client, _ = broker.add_client(other_key, services=[Level.LOW])
    foreign = await browser.client.get(
        "/authorize?"
        + urlencode(auth_params(other_client, RP, prompt="none", id_token_hint=mine).params)
    )
    assert query_of(foreign.headers["location"])["error"] == "invalid_request"
    forged = await authorize(id_token_hint=mine[:-4] + "AAAA")
    assert query_of(forged.headers["location"])["error"] == "invalid_request"


async def test_token_request_body_is_capped_while_it_is_read(broker: BrokerFixture) -> None:
    """A huge body is refused after the first chunks past the cap, not read into memory first,
    also when it comes without a Content-Length (chunked)."""
    streamed = await stream_post(broker.app, "/token", declared=True)
    assert streamed.status == 413 and b"too large" in streamed.body  # broker.body_limit
    assert streamed.read == 0  # the declared length alone is enough
    streamed = await stream_post(broker.app, "/token", declared=False)
    assert streamed.status == 400 and b"too large" in streamed.body
    assert streamed.read <= 5, streamed.read  # 64 KiB cap: the fifth 16 KiB chunk passes it
