"""Authorization request rules of the NL GOV profile §1.2 and RFC 9700, including refusals."""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import jwt
import pytest
from broker_harness import BrokerFixture
from support import ISSUER, ClientKey, auth_params, query_of

from broker.assurance import Level

RP = "https://rp.example/cb"


@pytest.fixture
def client(broker: BrokerFixture) -> tuple[str, ClientKey]:
    key = ClientKey.rsa()
    client_id, _ = broker.add_client(key, services=[Level.SUBSTANTIAL])
    return client_id, key


async def _authorize(
    broker: BrokerFixture, params: dict[str, str]
) -> tuple[int, dict[str, str], str]:
    response = await broker.browser().client.get("/authorize?" + urlencode(params))
    location = response.headers.get("location", "")
    return response.status_code, query_of(location) if location.startswith(RP) else {}, location


async def test_unknown_client_gets_an_error_page_never_a_redirect(broker: BrokerFixture) -> None:
    request = auth_params("nobody", RP)
    response = await broker.browser().client.get("/authorize?" + urlencode(request.params))
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "<h1" in response.text


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://rp.example/cb/",
        "https://rp.example/cb?x=1",
        "https://rp.example/c",
        "https://rp.example/cb#frag",
        "https://RP.example/cb",
        "https://evil.example/cb",
        "http://rp.example/cb",
        "",
    ],
)
async def test_redirect_uri_must_match_exactly(
    broker: BrokerFixture, client: tuple[str, ClientKey], redirect_uri: str
) -> None:
    request = auth_params(client[0], redirect_uri)
    response = await broker.browser().client.get("/authorize?" + urlencode(request.params))
    assert response.status_code == 400
    assert "location" not in response.headers


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"state": None}, "invalid_request"),
        ({"nonce": None}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"response_type": None}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": "code id_token"}, "unsupported_response_type"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"scope": "openid urn:uuid:00000000-0000-0000-0000-000000000000"}, "invalid_scope"),
        ({"prompt": "none login"}, "invalid_request"),
        ({"max_age": "-1"}, "invalid_request"),
        ({"max_age": "\u00b2"}, "invalid_request"),
        ({"claims": "{not json"}, "invalid_request"),
        ({"login_means": "unknown-means"}, "invalid_request"),
        ({"response_mode": "fragment"}, "invalid_request"),
    ],
)
async def test_invalid_requests_are_answered_at_the_redirect_uri(
    broker: BrokerFixture, client: tuple[str, ClientKey], change: dict[str, str | None], error: str
) -> None:
    request = auth_params(client[0], RP)
    params = {**request.params, **change}
    params = {k: v for k, v in params.items() if v is not None}
    status, query, _ = await _authorize(broker, params)
    assert status == 303
    assert query["error"] == error
    assert query["iss"] == ISSUER  # RFC 9207
    if "state" in params:
        assert query["state"] == params["state"]


async def test_duplicate_parameters_are_refused(
    broker: BrokerFixture, client: tuple[str, ClientKey]
) -> None:
    """RFC 6749 §4.1.2.1: a parameter sent twice is invalid_request at the redirect URI,
    without a guessed state; only a doubled client_id or redirect_uri gets an error page."""
    request = auth_params(client[0], RP)
    browser = broker.browser()
    for extra, state in (("&state=other", None), ("&nonce=n2", request.state)):
        response = await browser.client.get("/authorize?" + urlencode(request.params) + extra)
        assert response.status_code == 303
        query = query_of(response.headers["location"])
        assert response.headers["location"].startswith(RP + "?")
        assert query["error"] == "invalid_request" and query.get("state") == state
        assert query["iss"] == ISSUER
    for extra in (f"&redirect_uri={RP}", f"&client_id={client[0]}"):
        response = await browser.client.get("/authorize?" + urlencode(request.params) + extra)
        assert response.status_code == 400 and "location" not in response.headers


async def test_unknown_parameters_are_ignored(
    broker: BrokerFixture, client: tuple[str, ClientKey]
) -> None:
    request = auth_params(client[0], RP, foo="bar")
    status, query, location = await _authorize(broker, request.params)
    assert status == 303 and "error" not in query
    assert "/sim/digid/" in location or "/login/" in location


async def test_prompt_none_without_session_is_login_required(
    broker: BrokerFixture, client: tuple[str, ClientKey]
) -> None:
    status, query, _ = await _authorize(broker, auth_params(client[0], RP, prompt="none").params)
    assert status == 303 and query["error"] == "login_required"


async def test_client_with_several_services_must_name_one(broker: BrokerFixture) -> None:
    key = ClientKey.rsa()
    client_id, services = broker.add_client(key, services=[Level.LOW, Level.HIGH])
    _, query, _ = await _authorize(broker, auth_params(client_id, RP).params)
    assert query["error"] == "invalid_scope"
    _, query, location = await _authorize(
        broker, auth_params(client_id, RP, scope=f"openid urn:uuid:{services[1]}").params
    )
    assert "error" not in query and location


def _request_object(
    key: ClientKey, client_id: str, params: dict[str, str], **claims: object
) -> str:
    body = {**params, "iss": client_id, "aud": ISSUER, "exp": int(time.time()) + 60, **claims}
    return jwt.encode(body, key.private, algorithm=key.alg, headers={"kid": key.kid})


async def test_signed_request_object_is_accepted_and_wins(
    broker: BrokerFixture, client: tuple[str, ClientKey]
) -> None:
    client_id, key = client
    request = auth_params(client_id, RP)
    token = _request_object(key, client_id, request.params)
    # Outside parameters are ignored: only the request object counts (RFC 9101 §6.3).
    status, query, location = await _authorize(
        broker,
        {
            "client_id": client_id,
            "request": token,
            "redirect_uri": RP,
            "state": "outside",
            "response_type": "code",
            "scope": "openid",
        },
    )
    assert status == 303 and "error" not in query, location


async def test_request_object_with_a_bad_signature_is_refused(
    broker: BrokerFixture, client: tuple[str, ClientKey]
) -> None:
    client_id, _ = client
    request = auth_params(client_id, RP)
    token = _request_object(ClientKey.rsa(), client_id, request.params)
    _status, query, _ = await _authorize(
        broker,
        {"client_id": client_id, "request": token, "redirect_uri": RP, "state": request.state},
    )
    assert query["error"] == "invalid_request_object"


async def test_request_object_for_another_audience_is_refused(
    broker: BrokerFixture, client: tuple[str, ClientKey]
) -> None:
    client_id, key = client
    request = auth_params(client_id, RP)
    token = _request_object(key, client_id, request.params, aud="https://other.example")
    _, query, _ = await _authorize(
        broker,
        {"client_id": client_id, "request": token, "redirect_uri": RP, "state": request.state},
    )
    assert query["error"] == "invalid_request_object"


async def test_unsigned_request_object_is_refused(
    broker: BrokerFixture, client: tuple[str, ClientKey]
) -> None:
    client_id, _ = client
    request = auth_params(client_id, RP)
    token = jwt.encode({**request.params, "aud": ISSUER}, None, algorithm="none")
    _, query, _ = await _authorize(
        broker,
        {"client_id": client_id, "request": token, "redirect_uri": RP, "state": request.state},
    )
    assert query["error"] == "invalid_request_object"


async def test_encrypted_request_object_is_accepted(
    broker: BrokerFixture, client: tuple[str, ClientKey]
) -> None:
    from joserfc import jwe
    from joserfc.jwk import RSAKey

    client_id, key = client
    request = auth_params(client_id, RP)
    signed = _request_object(key, client_id, request.params)
    enc = next(k for k in broker.state.keys.jwks()["keys"] if k["use"] == "enc")
    token = jwe.encrypt_compact(
        {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": enc["kid"], "cty": "JWT"},
        signed,
        RSAKey.import_key(enc),
        algorithms=["RSA-OAEP-256", "A256GCM"],
    )
    status, query, location = await _authorize(
        broker, {"client_id": client_id, "request": token, "redirect_uri": RP}
    )
    assert status == 303 and "error" not in query, location


async def test_unregistered_request_uri_is_refused(
    broker: BrokerFixture, client: tuple[str, ClientKey]
) -> None:
    client_id, _ = client
    _, query, _ = await _authorize(
        broker,
        {
            "client_id": client_id,
            "redirect_uri": RP,
            "request_uri": "https://rp.example/req.jwt",
            "state": "s",
        },
    )
    assert query["error"] == "invalid_request_uri"


async def test_request_object_members_may_be_json_numbers(
    broker: BrokerFixture, client: tuple[str, ClientKey]
) -> None:
    # OIDC Core §6.1: max_age is a JSON number in a request object.
    client_id, key = client
    request = auth_params(client_id, RP)
    token = _request_object(key, client_id, request.params, max_age=3600)
    status, query, location = await _authorize(
        broker, {"client_id": client_id, "request": token, "redirect_uri": RP}
    )
    assert status == 303 and "error" not in query, location


@pytest.mark.parametrize("value", [["a", "b"], {"x": 1}, True, 1.5, None])
async def test_request_object_members_of_other_types_are_refused(
    broker: BrokerFixture, client: tuple[str, ClientKey], value: object
) -> None:
    client_id, key = client
    request = auth_params(client_id, RP)
    token = _request_object(key, client_id, request.params, ui_locales=value)
    status, query, _ = await _authorize(
        broker, {"client_id": client_id, "request": token, "redirect_uri": RP, "state": "s"}
    )
    assert status == 303
    assert query["error"] == "invalid_request_object" and query["state"] == "s"


async def test_request_and_request_uri_together_are_refused(
    broker: BrokerFixture, client: tuple[str, ClientKey]
) -> None:
    # OIDC Core §6.1: when the request parameter is used, request_uri MUST NOT be used.
    client_id, key = client
    request = auth_params(client_id, RP)
    token = _request_object(key, client_id, request.params)
    status, query, _ = await _authorize(
        broker,
        {
            "client_id": client_id,
            "request": token,
            "request_uri": "https://rp.example/req.jwt",
            "redirect_uri": RP,
            "state": "s",
        },
    )
    assert status == 303
    assert query["error"] == "invalid_request" and query["state"] == "s"


ERROR_DESCRIPTION = re.compile(r"^[\x20-\x21\x23-\x5b\x5d-\x7e]*$")  # RFC 6749 §4.1.2.1


async def test_error_descriptions_stay_within_the_allowed_characters(
    broker: BrokerFixture, client: tuple[str, ClientKey]
) -> None:
    client_id, key = client
    request = auth_params(client_id, RP, login_means='x"\u00e9\\')
    _, query, _ = await _authorize(broker, request.params)
    assert query["error"] == "invalid_request"
    assert ERROR_DESCRIPTION.match(query["error_description"]), query["error_description"]
    # PyJWT's messages quote claim names: 'Token is missing the "aud" claim'.
    body = {**auth_params(client_id, RP).params, "iss": client_id}
    token = jwt.encode(body, key.private, algorithm=key.alg, headers={"kid": key.kid})
    _, query, _ = await _authorize(
        broker, {"client_id": client_id, "request": token, "redirect_uri": RP}
    )
    assert query["error"] == "invalid_request_object"
    assert ERROR_DESCRIPTION.match(query["error_description"]), query["error_description"]
