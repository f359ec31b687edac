"""The SAML attack set of tests/saml applied to the eHerkenning means, through the simulator:
each test changes the stored samlp:Response (or the flow) in one way and expects refusal."""

from __future__ import annotations

import copy
from typing import Any

from lxml import etree

from broker.keys import self_signed_certificate
from broker.saml.xml import NS_DS, NS_SAML, tag
from conformance.digid.samlxml import new_id
from conformance.digid.signing import sign_after_issuer


def _assertion(response: etree._Element) -> etree._Element:
    found = response.find(tag(NS_SAML, "Assertion"))
    assert found is not None
    return found


def _unsigned(element: etree._Element) -> etree._Element:
    copied = copy.deepcopy(element)
    for signature in copied.findall(tag(NS_DS, "Signature")):
        copied.remove(signature)
    return copied


async def _refused(world: Any, edit: Any) -> None:
    _, page = await world.to_simulator()
    location = await world.artifact_for(page)
    world.tamper(location, edit)
    response = await world.finish(location)
    assert response.status_code == 400, response.text
    assert not world.flow.completed
    assert world.flow.failed[-1].message_en.startswith("Your eHerkenning login could not")


def _resign(world: Any, change: Any) -> Any:
    def edit(response: etree._Element) -> etree._Element:
        assertion = _unsigned(_assertion(response))
        change(assertion)
        response.remove(_assertion(response))
        sim = world.simulator.settings
        response.append(sign_after_issuer(assertion, sim.key, sim.cert_pem))
        return response
    return edit


async def test_assertion_signature_removed(world: Any) -> None:
    def edit(response: etree._Element) -> etree._Element:
        original = _assertion(response)
        response.replace(original, _unsigned(original))
        return response
    await _refused(world, edit)


async def test_foreign_certificate(world: Any) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = self_signed_certificate(key, "eHerkenning simulator (test only)")

    def edit(response: etree._Element) -> etree._Element:
        original = _assertion(response)
        response.replace(original, sign_after_issuer(_unsigned(original), key, cert))
        return response
    await _refused(world, edit)


async def test_xsw3_forged_assertion_before_original(world: Any) -> None:
    def edit(response: etree._Element) -> etree._Element:
        original = _assertion(response)
        forged = _unsigned(original)
        forged.set("ID", new_id())
        original.addprevious(forged)
        return response
    await _refused(world, edit)


async def test_xsw4_original_inside_forged(world: Any) -> None:
    def edit(response: etree._Element) -> etree._Element:
        original = _assertion(response)
        forged = _unsigned(original)
        forged.set("ID", new_id())
        response.remove(original)
        forged.append(original)
        response.append(forged)
        return response
    await _refused(world, edit)


async def test_xsw8_copy_in_ds_object(world: Any) -> None:
    def edit(response: etree._Element) -> etree._Element:
        original = _assertion(response)
        signature = original.find(tag(NS_DS, "Signature"))
        holder = etree.SubElement(signature, tag(NS_DS, "Object"))
        holder.append(_unsigned(original))
        return response
    await _refused(world, edit)


async def test_content_changed_after_signing(world: Any) -> None:
    def edit(response: etree._Element) -> etree._Element:
        audience = _assertion(response).find(f".//{tag(NS_SAML, 'Audience')}")
        audience.text = "urn:etoegang:DV:1:entities:1"
        return response
    await _refused(world, edit)


async def test_wrong_audience(world: Any) -> None:
    def change(assertion: etree._Element) -> None:
        assertion.find(f".//{tag(NS_SAML, 'Audience')}").text = "urn:etoegang:DV:1:entities:1"
    await _refused(world, _resign(world, change))


async def test_expired(world: Any) -> None:
    def change(assertion: etree._Element) -> None:
        conditions = assertion.find(tag(NS_SAML, "Conditions"))
        conditions.set("NotBefore", "2020-01-01T00:00:00Z")
        conditions.set("NotOnOrAfter", "2020-01-01T00:05:00Z")
    await _refused(world, _resign(world, change))


async def test_foreign_service_id(world: Any) -> None:
    def change(assertion: etree._Element) -> None:
        for attribute in assertion.iter(tag(NS_SAML, "Attribute")):
            if attribute.get("Name") == "urn:etoegang:core:ServiceID":
                attribute[0].text = "urn:etoegang:DV:1:services:99"
    await _refused(world, _resign(world, change))


async def test_replayed_artifact(world: Any) -> None:
    _, page = await world.to_simulator()
    location = await world.artifact_for(page)
    first = await world.finish(location)
    assert first.status_code == 200
    second = await world.finish(location)
    assert second.status_code == 400
    assert len(world.flow.completed) == 1


async def test_missing_artifact(world: Any) -> None:
    transaction, _ = await world.to_simulator()
    response = await world.browser.get(
        f"/means/eherkenning/acs?RelayState={transaction.id}")
    assert response.status_code == 400
