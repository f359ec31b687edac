"""DigidMeans end to end: AuthnRequest redirect, the ACS over HTTP, artifact resolution through
an in-process ASGI IdP (httpx.ASGITransport), metadata."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from broker.assurance import Level
from broker.errors import BrokerError, LoginCancelled, LoginMeansError
from broker.saml.redirect import verify_redirect_query
from broker.saml.signature import load_certificates, verify_enveloped
from broker.saml.xml import (
    BINDING_HTTP_ARTIFACT,
    NS_MD,
    NS_SAML,
    NS_SAMLP,
    STATUS_AUTHN_FAILED,
    STATUS_RESPONDER,
    SamlError,
    parse_xml,
    tag,
)


def test_means_identity() -> None:
    from broker.means.digid import DigidMeans

    assert DigidMeans.name == "digid"
    assert DigidMeans.labels == {"nl": "DigiD", "en": "DigiD"}
    assert DigidMeans.max_level == Level.HIGH


async def test_start_redirects_with_signed_authn_request(world_factory: Any, kit: Any) -> None:
    world = await world_factory(Level.HIGH)
    transaction = kit.new_transaction(Level.HIGH, force_authn=True)
    response = await world.means.start(kit.plain_request(), transaction, world.flow)
    assert response.status_code == 303
    location = response.headers["location"]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == kit.SSO
    message = verify_redirect_query(parts.query, load_certificates([world.sp.cert_pem]))
    assert message.relay_state == transaction.id
    request = parse_xml(message.xml)
    saved = world.flow.transactions[transaction.id]
    state = saved.means_state["digid"]
    assert request.tag == tag(NS_SAMLP, "AuthnRequest")
    assert request.get("ID") == state["request_id"] and request.get("ID").startswith("_")
    assert state["level"] == int(Level.HIGH)
    assert request.get("Destination") == kit.SSO
    assert request.get("AssertionConsumerServiceURL") == kit.ACS
    assert request.get("ProtocolBinding") == BINDING_HTTP_ARTIFACT
    assert request.get("ForceAuthn") == "true"
    assert request.get("IssueInstant")
    assert request.findtext(tag(NS_SAML, "Issuer")) == kit.SP
    requested = request.find(tag(NS_SAMLP, "RequestedAuthnContext"))
    assert requested.get("Comparison") == "minimum"
    assert requested.findtext(tag(NS_SAML, "AuthnContextClassRef")) == Level.HIGH.digid_class_ref


async def test_start_force_authn_for_max_age(world_factory: Any, kit: Any) -> None:
    world = await world_factory()
    transaction = kit.new_transaction(max_age=0)
    response = await world.means.start(kit.plain_request(), transaction, world.flow)
    query = urlsplit(response.headers["location"]).query
    xml = verify_redirect_query(query, load_certificates([world.sp.cert_pem])).xml
    assert parse_xml(xml).get("ForceAuthn") == "true"


async def test_start_without_force_authn(world: Any, kit: Any) -> None:
    transaction = kit.new_transaction()
    response = await world.means.start(kit.plain_request(), transaction, world.flow)
    query = urlsplit(response.headers["location"]).query
    xml = verify_redirect_query(query, load_certificates([world.sp.cert_pem])).xml
    assert parse_xml(xml).get("ForceAuthn") is None


async def _acs(world: Any, params: dict[str, str], method: str = "GET") -> httpx.Response:
    transport = httpx.ASGITransport(app=world.app())
    async with httpx.AsyncClient(transport=transport, base_url="https://toegang.example") as c:
        if method == "POST":
            return await c.post("/means/digid/acs", data=params)
        return await c.get("/means/digid/acs?" + urlencode(params))


async def test_acs_completes_login_over_http(world: Any) -> None:
    artifact = world.idp.issue(world.answer())
    response = await _acs(world, {"SAMLart": artifact, "RelayState": world.transaction.id})
    assert response.status_code == 200, response.text
    assert world.flow.completed[0].subject == "999999990"
    assert world.flow.failed == []


async def test_acs_accepts_post(world: Any) -> None:
    artifact = world.idp.issue(world.answer())
    response = await _acs(world, {"SAMLart": artifact, "RelayState": world.transaction.id},
                          method="POST")
    assert response.status_code == 200, response.text
    assert len(world.flow.completed) == 1


async def test_artifact_resolve_is_signed_soap_with_text_xml(world: Any, kit: Any) -> None:
    await world.login()
    headers = world.idp.headers[0]
    assert headers["content-type"] == "text/xml"
    assert headers["soapaction"] == "http://www.oasis-open.org/committees/security"


async def test_artifact_resolve_content_type_configurable(world_factory: Any) -> None:
    world = await world_factory(artifact_content_type="application/soap+xml")
    await world.login()
    assert world.idp.headers[0]["content-type"] == "application/soap+xml"


async def test_acs_cancel_goes_to_flow_fail(world: Any) -> None:
    artifact = world.idp.issue(world.answer(
        status_code=STATUS_RESPONDER, status_sub_code=STATUS_AUTHN_FAILED, with_assertion=False))
    response = await _acs(world, {"SAMLart": artifact, "RelayState": world.transaction.id})
    assert response.status_code == 400
    assert isinstance(world.flow.failed[0], LoginCancelled)


async def test_acs_refusal_hides_details(world: Any) -> None:
    artifact = world.idp.issue(world.answer(audience="https://other.example"))
    response = await _acs(world, {"SAMLart": artifact, "RelayState": world.transaction.id})
    assert response.status_code == 400
    error = world.flow.failed[0]
    assert type(error) is LoginMeansError
    assert "could not be verified" in error.message_en
    assert "Audience" not in error.message_en


async def test_acs_missing_artifact_fails_login(world: Any) -> None:
    response = await _acs(world, {"RelayState": world.transaction.id})
    assert response.status_code == 400
    assert len(world.flow.failed) == 1


async def test_acs_unknown_transaction_propagates(world: Any) -> None:
    artifact = world.idp.issue(world.answer())
    with pytest.raises(BrokerError, match="unknown transaction"):
        await _acs(world, {"SAMLart": artifact, "RelayState": "nope"})
    assert world.idp.requests == []


async def test_acs_replayed_artifact_over_http_refused(world: Any) -> None:
    artifact = world.idp.issue(world.answer())
    params = {"SAMLart": artifact, "RelayState": world.transaction.id}
    assert (await _acs(world, params)).status_code == 200
    assert (await _acs(world, params)).status_code == 400
    assert "could not be verified" in world.flow.failed[0].message_en


async def test_unreachable_idp_fails_login(world_factory: Any) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down", request=request)

    world = await world_factory()
    world.means._resolver._given = httpx.AsyncClient(transport=httpx.MockTransport(broken))
    artifact = world.idp.issue(world.answer())
    response = await _acs(world, {"SAMLart": artifact, "RelayState": world.transaction.id})
    assert response.status_code == 400


async def test_idp_http_error_status_fails_login(world: Any) -> None:
    world.means._resolver._given = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(500)))
    with pytest.raises(SamlError, match="HTTP status 500"):
        await world.login()


async def test_metadata(world: Any, kit: Any) -> None:
    transport = httpx.ASGITransport(app=world.app())
    async with httpx.AsyncClient(transport=transport, base_url="https://toegang.example") as c:
        response = await c.get("/means/digid/metadata")
    assert response.status_code == 200
    root = parse_xml(response.content)
    assert root.tag == tag(NS_MD, "EntityDescriptor")
    assert root.get("entityID") == kit.SP
    sp = root.find(tag(NS_MD, "SPSSODescriptor"))
    assert sp.get("AuthnRequestsSigned") == "true"
    assert sp.get("WantAssertionsSigned") == "true"
    assert sp.find(tag(NS_MD, "KeyDescriptor")).get("use") == "signing"
    acs = sp.find(tag(NS_MD, "AssertionConsumerService"))
    assert (acs.get("Binding"), acs.get("Location"), acs.get("index"), acs.get("isDefault")) == (
        BINDING_HTTP_ARTIFACT, kit.ACS, "0", "true")
    verify_enveloped(root, load_certificates([world.sp.cert_pem]))


async def test_http_client_factory_used_per_resolution(world_factory: Any, kit: Any) -> None:
    world = await world_factory()
    made: list[httpx.AsyncClient] = []

    def factory() -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=world.idp.app()))
        made.append(client)
        return client

    world.means._resolver._given = factory
    assert (await world.login()).subject == "999999990"
    assert len(made) == 1 and made[0].is_closed


async def test_mutual_tls_client_built_when_certificate_configured(
    world_factory: Any, sp_keys: Any, tmp_path: Any
) -> None:
    from cryptography.hazmat.primitives import serialization

    cert, key = tmp_path / "client.crt", tmp_path / "client.key"
    cert.write_bytes(sp_keys.cert_pem)
    key.write_bytes(sp_keys.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    world = await world_factory(tls_client_certificate=str(cert), tls_client_key=str(key))
    # A shared client without the TLS identity is not used: the means' own client is.
    assert world.means._resolver.own_client is not None
    await world.means.aclose()


async def test_acs_artifact_with_unencoded_plus(world: Any) -> None:
    artifact = world.idp.issue(world.answer())
    while "+" not in artifact:  # make sure the case occurs
        world.idp.pending.pop(artifact)
        artifact = world.idp.issue(world.answer())
    transport = httpx.ASGITransport(app=world.app())
    async with httpx.AsyncClient(transport=transport, base_url="https://toegang.example") as c:
        response = await c.get(
            f"/means/digid/acs?SAMLart={artifact}&RelayState={world.transaction.id}")
    assert response.status_code == 200, response.text
