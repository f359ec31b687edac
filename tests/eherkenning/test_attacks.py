"""The SAML attack set (``conformance.digid.attacks``) against the eHerkenning means, end to end:
simulator login, artifact to the ACS, back channel. Every attack ends in the flow's failure
page with the reason in the log; the untampered control and comment injection log in."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any
from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from broker.flow.model import Authentication
from broker.keys import self_signed_certificate
from broker.means.eherkenning import identifiers as ids
from broker.saml.artifact import build_artifact
from broker.saml.xml import NS_SAML, tag
from conformance.digid.attacks import (
    ATTACKS,
    COMMENT_INJECTION,
    Attack,
    Scope,
    Signer,
    Target,
    assert_refused,
    edit_soap_payload,
    strip_signature,
)
from conformance.digid.resolve import StoredArtifact
from conformance.digid.signing import sign_after_issuer

LOGGER = "toegang.means.eherkenning"
COMPANY_KVK = "90000001"


@pytest.fixture(scope="module")
def attacker() -> Signer:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return Signer(key, self_signed_certificate(key, "eHerkenning simulator (test only)"))


def _represented_kvk(assertion: etree._Element) -> etree._Element:
    for attribute in assertion.iter(tag(NS_SAML, "Attribute")):
        if attribute.get("Name") == ids.ATTR_REPRESENTED_KVK:
            return attribute[0]
    raise AssertionError("no represented KvKnr attribute")


def _target(world: Any, attacker: Signer) -> Target:
    sim = world.simulator.settings
    return Target(_represented_kvk, "90000099", Signer(sim.key, sim.cert_pem), attacker)


async def _login(world: Any, attack: Attack | None, attacker: Signer) -> Any:
    _, page = await world.to_simulator()
    location = await world.artifact_for(page, company=COMPANY_KVK)
    if attack is not None:
        target = _target(world, attacker)
        if attack.scope is Scope.INSIDE:
            world.tamper(location, lambda response: attack.apply(response, target))
        elif attack.scope is Scope.ENVELOPE:
            world.transport.edit_artifact_answer = lambda body: edit_soap_payload(
                body, lambda message: attack.apply(message, target)
            )
        else:
            world.transport.edit_artifact_answer = attack.raw
    return await world.finish(location)


def _assert_genuine(world: Any, response: Any) -> None:
    assert response.status_code == 200, response.text
    assert not world.flow.failed
    [authentication] = world.flow.completed
    assert isinstance(authentication, Authentication)
    assert authentication.subject_kind == "eherkenning-pseudo" and authentication.subject
    assert authentication.attributes["kvk"] == COMPANY_KVK


async def test_untampered_answer_accepted(world: Any, attacker: Signer) -> None:
    _assert_genuine(world, await _login(world, None, attacker))


async def test_comment_in_identity_reads_the_signed_value(world: Any, attacker: Signer) -> None:
    _assert_genuine(world, await _login(world, COMMENT_INJECTION, attacker))


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack.name)
async def test_attack_refused(
    world: Any, attacker: Signer, attack: Attack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    response = await _login(world, attack, attacker)
    logged = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert_refused(attack, response.status_code, len(world.flow.completed), logged)
    assert world.flow.failed[-1].message_en.startswith("Your eHerkenning login could not")


async def test_foreign_service_id_refused(world: Any) -> None:
    def edit(response: etree._Element) -> etree._Element:
        assertion = response.find(tag(NS_SAML, "Assertion"))
        for attribute in assertion.iter(tag(NS_SAML, "Attribute")):
            if attribute.get("Name") == ids.ATTR_SERVICE_ID:
                attribute[0].text = "urn:etoegang:DV:1:services:99"
        sim = world.simulator.settings
        response.replace(
            assertion, sign_after_issuer(strip_signature(assertion), sim.key, sim.cert_pem)
        )
        return response

    _, page = await world.to_simulator()
    location = await world.artifact_for(page)
    world.tamper(location, edit)
    response = await world.finish(location)
    assert response.status_code == 400 and not world.flow.completed


async def test_replayed_artifact_refused(world: Any) -> None:
    _, page = await world.to_simulator()
    location = await world.artifact_for(page)
    first = await world.finish(location)
    assert first.status_code == 200
    second = await world.finish(location)
    assert second.status_code == 400
    assert len(world.flow.completed) == 1


async def test_replayed_assertion_refused(world: Any, caplog: pytest.LogCaptureFixture) -> None:
    """The same signed answer behind a second, fresh artifact for the same transaction."""
    caplog.set_level(logging.WARNING, logger=LOGGER)
    _, page = await world.to_simulator()
    location = await world.artifact_for(page)
    kept: list[etree._Element] = []

    def keep(response: etree._Element) -> etree._Element:
        kept.append(copy.deepcopy(response))
        return response

    world.tamper(location, keep)
    assert (await world.finish(location)).status_code == 200
    artifact = build_artifact(world.simulator.settings.entity_id)
    world.simulator.artifacts.put(
        artifact, StoredArtifact(world.means.settings.sp_entity_id, kept[0])
    )
    again = re.sub(r"SAMLart=[^&]+", "SAMLart=" + quote(artifact, safe=""), location)
    assert (await world.finish(again)).status_code == 400
    assert len(world.flow.completed) == 1
    assert "replayed assertion" in caplog.text


async def test_missing_artifact_refused(world: Any) -> None:
    transaction, _ = await world.to_simulator()
    response = await world.browser.get(f"/means/eherkenning/acs?RelayState={transaction.id}")
    assert response.status_code == 400
