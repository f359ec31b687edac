"""A login through every configured means, each with its simulator, through the real broker."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
import pytest
from broker_harness import BrokerFixture
from support import ISSUER, Browser, ClientKey, auth_params, choose_means, parse_form, query_of

from broker.assurance import Level
from broker.identifiers import SUB_ID_TYPE_KVK

RP = "https://rp.example/cb"


async def _submit(browser: Browser, page: httpx.Response, **fields: str) -> httpx.Response:
    """Post the page's first form with ``fields`` changed, then follow redirects."""
    action, values = parse_form(page.text)
    values.update(fields)
    target = str(page.url.join(action)) if action else str(page.url)
    return await browser.follow(await browser.client.post(target, data=values), stop_at=RP)


async def _login(
    broker: BrokerFixture, means: str, answers: list[dict[str, str]], **extra: str
) -> tuple[dict[str, Any], str]:
    """Start at /authorize, pick ``means``, answer the simulator's pages in order."""
    key = ClientKey.rsa()
    client_id, _ = broker.add_client(key, services=[Level.LOW])
    browser = broker.browser()
    request = auth_params(client_id, RP, **extra)
    page = await browser.follow(
        await browser.client.get("/authorize?" + urlencode(request.params)), stop_at=RP
    )
    page = await choose_means(browser, page, means)
    for answer in answers:
        assert page.status_code == 200, (page.status_code, page.headers.get("location"))
        page = await _submit(browser, page, **answer)
    query = query_of(page.headers["location"])
    if "error" in query:
        return query, ""
    token = await browser.client.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": RP,
            "code_verifier": request.verifier,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": key.assertion(client_id, ISSUER),
        },
    )
    assert token.status_code == 200, token.text
    id_token = token.json()["id_token"]
    jwk = next(
        k
        for k in broker.state.keys.jwks()["keys"]
        if k["kid"] == jwt.get_unverified_header(id_token)["kid"]
    )
    claims = jwt.decode(
        id_token, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=client_id, issuer=ISSUER
    )
    return claims, id_token


async def test_chooser_offers_every_enabled_means(broker: BrokerFixture) -> None:
    client_id, _ = broker.add_client(ClientKey.rsa(), services=[Level.LOW])
    browser = broker.browser()
    page = await browser.follow(
        await browser.client.get("/authorize?" + urlencode(auth_params(client_id, RP).params)),
        stop_at=RP,
    )
    for name in ("digid", "eherkenning", "eidas", "voorbeeld-id"):
        assert f'/means/{name}"' in page.text, name


async def test_chooser_says_why_a_means_is_absent_at_high(broker: BrokerFixture) -> None:
    client_id, _ = broker.add_client(ClientKey.rsa(), services=[Level.HIGH])
    browser = broker.browser()
    page = await browser.follow(
        await browser.client.get("/authorize?" + urlencode(auth_params(client_id, RP).params)),
        stop_at=RP,
    )
    assert '/means/voorbeeld-id"' not in page.text  # reaches substantial only
    assert "Voorbeeld-ID" in page.text  # ... and is listed as unavailable, with the reason


async def test_eherkenning_login_carries_the_represented_company(broker: BrokerFixture) -> None:
    claims, _ = await _login(
        broker,
        "eherkenning",
        [{"company": "90000001", "level": "loa3", "intermediary": "", "action": "login"}],
    )
    assert claims["acr"] == "http://eidas.europa.eu/LoA/substantial"
    assert claims["represents"]["sub"] == "90000001"
    assert claims["represents"]["sub_id_type"] == SUB_ID_TYPE_KVK
    assert claims["represents"]["iss"] == ISSUER


async def test_eherkenning_chain_mandate_nests_represents(broker: BrokerFixture) -> None:
    claims, _ = await _login(
        broker,
        "eherkenning",
        [{"company": "90000002", "level": "loa3", "intermediary": "90000010", "action": "login"}],
    )
    assert claims["represents"]["sub"] == "90000010"
    assert claims["represents"]["represents"]["sub"] == "90000002"


async def test_eidas_login_keeps_the_foreign_identifier_pseudonymous(broker: BrokerFixture) -> None:
    # Pages: the broker's POST to the node, the node's login form, its POST back, the
    # broker's same-site continue page.
    claims, _ = await _login(
        broker, "eidas", [{}, {"person": "de-mueller", "level": "high", "action": "login"}, {}, {}]
    )
    assert claims["acr"] == "http://eidas.europa.eu/LoA/high"
    assert claims["sub_id_type"] == "urn:nl-eid-gdi:1.0:id:Pseudonym"


async def test_private_oidc_means_login(broker: BrokerFixture) -> None:
    claims, _ = await _login(
        broker, "voorbeeld-id", [{"user": "anna", "level": "substantial", "action": "login"}]
    )
    assert claims["acr"] == "http://eidas.europa.eu/LoA/substantial"


@pytest.mark.parametrize(
    ("means", "answers"),
    [
        (
            "eherkenning",
            [{"company": "90000001", "level": "loa3", "intermediary": "", "action": "cancel"}],
        ),
        ("voorbeeld-id", [{"user": "anna", "level": "substantial", "action": "cancel"}]),
    ],
)
async def test_cancel_at_each_means_returns_access_denied(
    broker: BrokerFixture, means: str, answers: list[dict[str, str]]
) -> None:
    query, _ = await _login(broker, means, answers)
    assert query["error"] == "access_denied"


async def test_means_below_the_required_level_leads_to_step_up(broker: BrokerFixture) -> None:
    key = ClientKey.rsa()
    client_id, _ = broker.add_client(key, services=[Level.SUBSTANTIAL])
    browser = broker.browser()
    request = auth_params(client_id, RP)
    page = await browser.follow(
        await browser.client.get("/authorize?" + urlencode(request.params)), stop_at=RP
    )
    page = await choose_means(browser, page, "eherkenning")
    page = await _submit(
        browser, page, company="90000001", level="loa2", intermediary="", action="login"
    )
    assert page.status_code == 200 and "/stepup" in page.text
