"""A full eHerkenning login: means → simulator form → artifact → ArtifactResolve → checks."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from lxml import etree

from broker.assurance import Level
from broker.errors import LevelTooLow, LoginCancelled
from broker.means.eherkenning import IdentifierNotAllowed
from broker.means.eherkenning import identifiers as ids
from broker.saml.encryption import Recipient, encrypt_element
from broker.saml.redirect import verify_redirect_query
from broker.saml.signature import load_certificates
from broker.saml.xml import NS_MD, NS_SAML, NS_SAMLP, parse_xml, tag
from conformance.digid.attacks import strip_signature
from conformance.digid.signing import sign_after_issuer


async def test_login_for_company(world: Any) -> None:
    response = await world.login(company="90000001", level="loa3")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-cache, no-store"
    (auth,) = world.flow.completed
    assert auth.means == "eherkenning"
    assert auth.subject_kind == "eherkenning-pseudo"
    assert len(auth.subject) == 64
    assert auth.level == Level.SUBSTANTIAL
    assert auth.represents == [{"kind": "kvk", "value": "90000001", "attributes": {
        "name": "Bakkerij De Korenschoof B.V.", "rsin": "100023757"}}]
    assert auth.attributes["kvk"] == "90000001"
    assert auth.attributes["legal_subject_type"] == "KvKnr"
    assert auth.attributes["service_id"] == world.means.settings.service_id


async def test_branch_number_delivered(world: Any) -> None:
    await world.login(company="90000002", level="loa4")
    (auth,) = world.flow.completed
    assert auth.level == Level.HIGH
    assert auth.represents[0]["attributes"]["branch"] == "000012345678"
    assert auth.attributes["branch"] == "000012345678"


async def test_chain_mandate_lists_intermediary_first(world: Any) -> None:
    await world.login(company="90000003", intermediary="90000010")
    (auth,) = world.flow.completed
    assert [r["value"] for r in auth.represents] == ["90000010", "90000003"]
    assert auth.represents[0]["role"] == "intermediary"
    assert auth.represents[0]["attributes"]["name"] == "Accountantskantoor Cijfer & Co"
    assert auth.attributes["intermediary_kvk"] == "90000010"


async def test_intermediary_logs_in_for_itself(world: Any) -> None:
    await world.login(company="90000010")
    (auth,) = world.flow.completed
    assert [(r["kind"], r["value"]) for r in auth.represents] == [("kvk", "90000010")]
    assert "role" not in auth.represents[0]


async def _chain_login_with(world: Any, change: Any) -> Any:
    """A chain-mandate login whose assertion gets ``change`` and is signed again by the HM."""
    _, page = await world.to_simulator()
    location = await world.artifact_for(page, company="90000003", intermediary="90000010")

    def edit(response: Any) -> Any:
        assertion = response.find(tag(NS_SAML, "Assertion"))
        changed = strip_signature(assertion)
        change(changed)
        sim = world.simulator.settings
        response.replace(assertion, sign_after_issuer(changed, sim.key, sim.cert_pem))
        return response

    world.tamper(location, edit)
    return await world.finish(location)


def _plain_intermediary(kvk: str) -> Any:
    """Add the backward-compatible plain attribute ``...:IntermediateEntityID:KvK``."""

    def change(assertion: Any) -> None:
        statement = assertion.find(tag(NS_SAML, "AttributeStatement"))
        attribute = etree.SubElement(statement, tag(NS_SAML, "Attribute"),
                                     Name="urn:etoegang:1.9:IntermediateEntityID:KvK")
        etree.SubElement(attribute, tag(NS_SAML, "AttributeValue")).text = kvk

    return change


async def test_chain_mandate_with_agreeing_backward_compatible_attribute(world: Any) -> None:
    response = await _chain_login_with(world, _plain_intermediary("90000010"))
    assert response.status_code == 200, response.text
    assert world.flow.completed[0].attributes["intermediary_kvk"] == "90000010"


async def test_chain_mandate_with_disagreeing_backward_compatible_attribute(
    world: Any, caplog: pytest.LogCaptureFixture
) -> None:
    response = await _chain_login_with(world, _plain_intermediary("90000011"))
    assert response.status_code == 400 and not world.flow.completed
    assert "more than one intermediary" in caplog.text


async def test_intermediary_typed_other_than_kvk_number_refused(
    world: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The IntermediateSubjectID's NameQualifier must be EntityConcernedID:KvKnr."""

    def retype(assertion: Any) -> None:
        for attribute in assertion.iter(tag(NS_SAML, "Attribute")):
            if attribute.get("Name") == ids.ATTR_INTERMEDIATE_SUBJECT:
                name_id = etree.Element(tag(NS_SAML, "NameID"), nsmap={"saml": NS_SAML},
                                        NameQualifier="urn:etoegang:1.9:EntityConcernedID:RSIN")
                name_id.text = "100126704"
                recipient = Recipient(world.keys.saml_key.public_key(),
                                      world.means.settings.sp_entity_id)
                value = attribute[0]
                value.replace(value[0], encrypt_element(name_id, [recipient]))

    response = await _chain_login_with(world, retype)
    assert response.status_code == 400 and not world.flow.completed
    assert "intermediary is not identified by KvK number" in caplog.text


async def test_pseudonym_same_for_same_mandating_organisation(world: Any) -> None:
    await world.login(company="90000001")
    await world.login(company="90000001")
    await world.login(company="90000003")
    first, second, third = world.flow.completed
    assert first.subject == second.subject != third.subject


async def test_level_below_requested_refused(world: Any) -> None:
    response = await world.login(Level.SUBSTANTIAL, level="loa2plus")
    assert response.status_code == 400
    assert isinstance(world.flow.failed[0], LevelTooLow)
    assert not world.flow.completed


async def test_unknown_level_refused(world: Any) -> None:
    _, page = await world.to_simulator(Level.LOW)
    location = await world.artifact_for(page, level="loa3")

    def loa1(response: Any) -> Any:
        from conformance.digid.signing import sign_after_issuer

        assertion = response.find(tag(NS_SAML, "Assertion"))
        ref = assertion.find(f".//{tag(NS_SAML, 'AuthnContextClassRef')}")
        ref.text = "urn:etoegang:core:assurance-class:loa1"
        response.remove(assertion)
        for signature in assertion.findall("{http://www.w3.org/2000/09/xmldsig#}Signature"):
            assertion.remove(signature)
        sim = world.simulator
        response.append(sign_after_issuer(assertion, sim.settings.key, sim.settings.cert_pem))
        return response

    world.tamper(location, loa1)
    response = await world.finish(location)
    assert response.status_code == 400
    assert not world.flow.completed


async def test_cancel(world: Any) -> None:
    _, page = await world.to_simulator()
    response = await world.finish(await world.artifact_for(page, action="cancel"))
    assert response.status_code == 400
    assert isinstance(world.flow.failed[0], LoginCancelled)


async def test_legal_subject_type_not_allowed(world_factory: Any) -> None:
    world = await world_factory(allowed_legal_subject_types=["RSIN"])
    response = await world.login(company="90000001")
    assert response.status_code == 400
    assert isinstance(world.flow.failed[0], IdentifierNotAllowed)


async def test_authn_request_shape(world: Any) -> None:
    transaction, page = await world.to_simulator(Level.HIGH, force_authn=True)
    assert page.status_code == 200
    assert "Simulator — geen echte eHerkenning" in page.text
    location = world.browser  # the request went through; re-create it to inspect
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    from starlette.applications import Starlette
    from starlette.requests import Request

    started = await world.means.start(Request({**scope, "app": Starlette()}), transaction,
                                      world.flow)
    query = urlsplit(started.headers["location"]).query
    message = verify_redirect_query(query, load_certificates([world.keys.saml_cert_pem]))
    request = parse_xml(message.xml)
    assert request.get("AssertionConsumerServiceIndex") == "0"
    assert request.get("AttributeConsumingServiceIndex") == "1"
    assert request.get("AssertionConsumerServiceURL") is None
    assert request.get("ProtocolBinding") is None
    assert request.get("ForceAuthn") == "true"
    assert request.get("Destination") == world.means.settings.hm_sso_url
    requested = request.find(tag(NS_SAMLP, "RequestedAuthnContext"))
    assert requested.get("Comparison") == "minimum"
    assert requested.findtext(tag(NS_SAML, "AuthnContextClassRef")) == (
        "urn:etoegang:core:assurance-class:loa4")
    assert location is not None


async def test_metadata_names_service(world: Any) -> None:
    response = await world.browser.get("/means/eherkenning/metadata")
    root = parse_xml(response.content)
    service = root.find(f".//{tag(NS_MD, 'AttributeConsumingService')}")
    assert service.get("index") == "1"
    requested = service.find(tag(NS_MD, "RequestedAttribute"))
    assert requested.get("Name") == world.means.settings.service_id
    assert root.find(f".//{tag(NS_MD, 'NameIDFormat')}") is None
    uses = {k.get("use") for k in root.iter(tag(NS_MD, "KeyDescriptor"))}
    assert uses == {"signing", "encryption"}


async def test_simulator_english_page(world: Any) -> None:
    _, page = await world.to_simulator()
    from support import parse_form

    _, fields = parse_form(page.text)
    english = await world.browser.get(
        f"/sim/eherkenning/sso?request_key={fields['request_key']}&lang=en")
    assert "Simulator — not the real eHerkenning" in english.text
    assert '<html lang="en">' in english.text
