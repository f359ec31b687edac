"""A whole eIDAS login in-process: means start page → simulator → Response by HTTP-POST to the
ACS → same-site bounce → /acs/continue → Authentication; plus the AuthnRequest's contents."""

from __future__ import annotations

from typing import Any

import pytest
from eidas_world import ISSUER, World, form_of

from broker.assurance import Level
from broker.means.eidas import EidasMeans
from broker.means.eidas.profile import (
    ATTRNAME_URI,
    BINDING_HTTP_POST,
    MANDATORY,
    NAMEID_UNSPECIFIED,
    NS_EIDAS,
)
from broker.saml.signature import load_certificates, verify_enveloped
from broker.saml.xml import NS_SAML, NS_SAMLP, parse_xml, tag


def test_identity() -> None:
    assert EidasMeans.name == "eidas"
    assert EidasMeans.labels == {
        "nl": "Europees erkend inlogmiddel (eIDAS)", "en": "European login (eIDAS)"
    }
    assert EidasMeans.max_level == Level.HIGH


async def test_start_page_posts_signed_authn_request(world: World, sp_keys: Any) -> None:
    transaction, html = await world.started(Level.SUBSTANTIAL)
    action, fields = form_of(html)
    assert action == world.means.sso_url == f"{ISSUER}/sim/eidas/sso"
    assert fields["RelayState"] == transaction.id
    assert "<script>" not in html and 'src="/means/eidas/autosubmit.js"' in html
    assert "Doorgaan" in html
    import base64

    received = parse_xml(base64.b64decode(fields["SAMLRequest"]))
    request = verify_enveloped(received, load_certificates([sp_keys.cert_pem]))
    state = transaction.means_state["eidas"]
    assert request.get("ID") == state["request_id"]
    assert request.get("Destination") == world.means.sso_url
    assert request.get("AssertionConsumerServiceURL") == f"{ISSUER}/means/eidas/acs"
    assert request.get("ProtocolBinding") == BINDING_HTTP_POST
    assert request.get("ForceAuthn") == "true" and request.get("IsPassive") == "false"
    assert request.findtext(tag(NS_SAML, "Issuer")) == f"{ISSUER}/means/eidas/metadata"
    children = [etree_local(c) for c in received]
    assert children == ["Issuer", "Signature", "Extensions", "NameIDPolicy",
                        "RequestedAuthnContext"]
    extensions = request.find(tag(NS_SAMLP, "Extensions"))
    assert extensions.findtext(tag(NS_EIDAS, "SPType")) == "public"
    requested = extensions.findall(f"{tag(NS_EIDAS, 'RequestedAttributes')}/"
                                   f"{tag(NS_EIDAS, 'RequestedAttribute')}")
    assert {(r.get("Name"), r.get("FriendlyName"), r.get("NameFormat"), r.get("isRequired"))
            for r in requested} == {(s.name, s.friendly_name, ATTRNAME_URI, "true")
                                    for s in MANDATORY}
    assert request.find(tag(NS_SAMLP, "NameIDPolicy")).get("Format") == NAMEID_UNSPECIFIED
    context = request.find(tag(NS_SAMLP, "RequestedAuthnContext"))
    assert context.get("Comparison") == "minimum"
    assert context.findtext(tag(NS_SAML, "AuthnContextClassRef")) == (
        "http://eidas.europa.eu/LoA/substantial"
    )


def etree_local(element: Any) -> str:
    from lxml import etree

    return str(etree.QName(element).localname)


async def test_start_csp_allows_only_the_node(world: World) -> None:
    transaction = world.new_transaction()
    from starlette.requests import Request

    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [],
                       "query_string": b""})
    response = await world.means.start(request, transaction, world.flow)
    csp = response.headers["content-security-policy"]
    assert "form-action 'self' http://127.0.0.1:8000;" in csp
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp


async def test_basic_is_asked_as_low(world: World) -> None:
    transaction, html = await world.started(Level.BASIC)
    assert transaction.means_state["eidas"]["level"] == int(Level.LOW)
    import base64

    _, fields = form_of(html)
    assert b"http://eidas.europa.eu/LoA/low" in base64.b64decode(fields["SAMLRequest"])


async def _login(
    world: World, transaction: Any, html: str, *, person: str = "de-mueller",
    level: str = "substantial", action: str = "login", cookie: bool = True,
) -> Any:
    """Drive the browser from the start page to the flow's answer."""
    node_url, fields = form_of(html)
    async with world.client(transaction.browser_binding if cookie else None) as browser:
        page = await browser.post(node_url, data=fields)
        assert page.status_code == 200, page.text[:500]
        assert "Simulator — geen echt eIDAS-knooppunt" in page.text
        login_action, login_fields = form_of(page.text)
        login_fields.update(person=person, level=level, action=action)
        posted = await browser.post(login_action, data=login_fields)
        assert posted.status_code == 200, posted.text[:500]
        assert 'src="/sim/eidas/autosubmit.js"' in posted.text
        acs_url, acs_fields = form_of(posted.text)
        assert acs_url == f"{ISSUER}/means/eidas/acs"
        # The node's POST is cross-site: the Lax cookie is not sent, and not needed.
        async with world.client() as cross_site:
            bounce = await cross_site.post(acs_url, data=acs_fields)
        assert bounce.status_code == 200, bounce.text[:300]
        assert "form-action 'self'" in bounce.headers["content-security-policy"]
        continue_url, continue_fields = form_of(bounce.text)
        assert continue_url == "/means/eidas/acs/continue"
        assert continue_fields == acs_fields
        return await browser.post(continue_url, data=continue_fields)


@pytest.mark.parametrize(
    ("person", "identifier", "family", "given", "born", "country"),
    [
        ("de-mueller", "DE/NL/7a3f0c9d2b1e48f6a5c4d3e2f1a0b9c8", "Müller", "Jürgen",
         "1968-04-23", "DE"),
        ("es-nunez", "ES/NL/02635542Y", "Núñez García", "José Ramón", "1979-11-02", "ES"),
        ("be-lefevre", "BE/NL/85072312345", "Lefèvre", "Amélie", "1985-07-23", "BE"),
        ("it-dalessandro", "IT/NL/TINIT-DLSNCC92C14H501X", "D'Alessandro", "Niccolò",
         "1992-03-14", "IT"),
    ],
)
async def test_full_login(
    world: World, person: str, identifier: str, family: str, given: str, born: str, country: str
) -> None:
    transaction, html = await world.started(Level.SUBSTANTIAL)
    result = await _login(world, transaction, html, person=person, level="high")
    assert result.status_code == 200, result.text
    auth = result.json()["authentication"]
    assert auth["means"] == "eidas"
    assert auth["subject_kind"] == "eidas"
    assert auth["subject"] == identifier
    assert auth["level"] == int(Level.HIGH)
    assert auth["attributes"] == {
        "family_name": family, "given_name": given, "birthdate": born, "country": country
    }
    assert auth["auth_time"] > 0


async def test_dutch_person_identifier_is_not_a_bsn(world: World) -> None:
    transaction, html = await world.started()
    result = await _login(world, transaction, html, person="nl-jansen")
    auth = result.json()["authentication"]
    assert auth["subject_kind"] == "eidas" and auth["subject"] == "NL/NL/999999990"
    assert auth["attributes"]["country"] == "NL"


async def test_cancel(world: World) -> None:
    transaction, html = await world.started()
    result = await _login(world, transaction, html, action="cancel")
    assert result.status_code == 400
    assert result.json()["error"] == "You cancelled the login."
    assert world.flow.completed == []


async def test_level_below_requested_refused(world: World) -> None:
    transaction, html = await world.started(Level.SUBSTANTIAL)
    result = await _login(world, transaction, html, level="low")
    assert result.status_code == 400
    assert "could not be verified" in result.json()["error"]
    assert world.flow.completed == []


async def test_continue_without_cookie_refused(world: World) -> None:
    transaction, html = await world.started()
    result = await _login(world, transaction, html, cookie=False)
    assert result.status_code == 400
    assert world.flow.completed == [] and world.flow.failed == []


async def test_replayed_response_refused(world: World) -> None:
    transaction, _ = await world.started()
    encoded = __import__("eidas_world").encode(world.response(world.answer(transaction)))
    async with world.client(transaction.browser_binding) as browser:
        first = await browser.post("/means/eidas/acs/continue",
                                   data={"SAMLResponse": encoded, "RelayState": transaction.id})
        second = await browser.post("/means/eidas/acs/continue",
                                    data={"SAMLResponse": encoded, "RelayState": transaction.id})
    assert first.status_code == 200
    assert second.status_code == 400 and len(world.flow.completed) == 1


@pytest.mark.parametrize(
    "data",
    [
        {"SAMLResponse": "PHg+", "RelayState": "a b"},
        {"SAMLResponse": "PHg+", "RelayState": "x" * 81},
        {"SAMLResponse": "<xml/>", "RelayState": "abc"},
        {"RelayState": "abc"},
        [("SAMLResponse", "PHg+"), ("SAMLResponse", "PHg+"), ("RelayState", "abc")],
    ],
)
async def test_acs_refuses_malformed_posts(world: World, data: Any) -> None:
    from urllib.parse import urlencode

    async with world.client() as client:
        response = await client.post(
            "/means/eidas/acs", content=urlencode(data),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 400
    assert "form" not in response.text


async def test_acs_refuses_oversized_post(world: World) -> None:
    async with world.client() as client:
        response = await client.post(
            "/means/eidas/acs", data={"SAMLResponse": "A" * (1100 * 1024), "RelayState": "a"}
        )
    assert response.status_code == 400


async def test_metadata(world: World) -> None:
    async with world.client() as client:
        response = await client.get("/means/eidas/metadata")
        script = await client.get("/means/eidas/autosubmit.js")
    assert response.status_code == 200
    root = parse_xml(response.content)
    assert root.get("entityID") == f"{ISSUER}/means/eidas/metadata"
    assert b"HTTP-POST" in response.content and b"<eidas:SPType>public" in response.content
    assert script.headers["content-type"].startswith("text/javascript")
    assert b"form.submit()" in script.content
