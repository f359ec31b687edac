"""A wallet login through the real broker: /authorize → chooser → wallet page → test wallet →
/done → code → ID token at high, with the BSN for an entitled client."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import jwt
import pytest
from broker_harness import BrokerFixture
from support import ISSUER, ClientKey, auth_params, choose_means, parse_form, query_of

from broker.assurance import Level

RP = "https://rp.example/cb"


async def _login(broker: BrokerFixture, fmt: str, level: Level) -> dict[str, object]:
    key = ClientKey.rsa()
    client_id, _ = broker.add_client(key, services=[level], bsn_entitled=True)
    browser = broker.browser()
    request = auth_params(client_id, RP)
    page = await browser.follow(
        await browser.client.get("/authorize?" + urlencode(request.params)), stop_at=RP
    )
    page = await choose_means(browser, page, "wallet")
    assert page.status_code == 200 and "/means/wallet/page/" in str(page.url), page.text[:300]
    link = next(
        html.unescape(h)
        for h in re.findall(r'href="([^"]+)"', page.text)
        if "/sim/wallet/authorize" in h
    )
    consent = await browser.client.get(link)
    assert consent.status_code == 200, consent.text[:500]
    action, fields = parse_form(consent.text)
    fields.update(person="999999990", format=fmt, fault="", action="share")
    answer = await browser.client.post(str(consent.url.join(action)), data=fields)
    assert answer.status_code == 303, answer.text[:500]
    final = await browser.follow(await browser.client.get(answer.headers["location"]), stop_at=RP)
    query = query_of(final.headers["location"])
    assert "code" in query, query
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
    claims: dict[str, object] = jwt.decode(id_token, options={"verify_signature": False})
    return claims


@pytest.mark.parametrize("fmt", ["dc+sd-jwt", "mso_mdoc"])
async def test_wallet_login_through_the_broker_at_high(broker: BrokerFixture, fmt: str) -> None:
    claims = await _login(broker, fmt, Level.HIGH)
    assert claims["acr"] == "http://eidas.europa.eu/LoA/high"
    assert claims["sub"] == "999999990"
    assert claims["sub_id_type"] == "urn:nl-eid-gdi:1.0:id:BSN"


async def test_chooser_offers_the_wallet(broker: BrokerFixture) -> None:
    client_id, _ = broker.add_client(ClientKey.rsa(), services=[Level.HIGH])
    browser = broker.browser()
    page = await browser.follow(
        await browser.client.get("/authorize?" + urlencode(auth_params(client_id, RP).params)),
        stop_at=RP,
    )
    assert '/means/wallet"' in page.text
    assert "EU Digitale Identiteit (wallet)" in page.text
