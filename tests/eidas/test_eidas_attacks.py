"""The SAML attack set (``conformance.digid.attacks``) against the eIDAS means, posted by the
browser to ``/acs/continue`` as the node's answer would be. The node signs the Response around
whatever the attack changed inside it; envelope attacks edit that signed Response itself."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from eidas_world import World, encode
from lxml import etree

from broker.means.eidas.profile import PERSON_IDENTIFIER
from broker.saml.xml import NS_SAML, tag
from conformance.digid.attacks import (
    ATTACKS,
    COMMENT_INJECTION,
    Attack,
    Scope,
    Signer,
    Target,
    assert_refused,
)
from conformance.eidas.persons import BY_ID

LOGGER = "toegang.means.eidas"
PERSON = BY_ID["de-mueller"]


def _person_identifier(assertion: etree._Element) -> etree._Element:
    for attribute in assertion.iter(tag(NS_SAML, "Attribute")):
        if attribute.get("Name") == PERSON_IDENTIFIER:
            return attribute[0]
    raise AssertionError("no PersonIdentifier attribute")


def _target(world: World) -> Target:
    node = world.simulator.signer
    return Target(
        _person_identifier, "DE/NL/victim", Signer(node.key, node.cert_pem), world.attacker
    )


async def _login(world: World, attack: Attack | None) -> Any:
    transaction, _ = await world.started()
    response = world.response(world.answer(transaction, PERSON))
    message: etree._Element | bytes = response
    if attack is not None:
        target = _target(world)
        if attack.scope is Scope.INSIDE:
            message = world.sign(attack.apply(response, target))
        elif attack.scope is Scope.ENVELOPE:
            message = attack.apply(response, target)
        else:
            assert attack.raw is not None
            message = attack.raw(etree.tostring(response))
    async with world.client(transaction.browser_binding) as browser:
        return await browser.post(
            "/means/eidas/acs/continue",
            data={"SAMLResponse": encode(message), "RelayState": transaction.id},
        )


def _assert_genuine(world: World, response: Any) -> None:
    assert response.status_code == 200, response.text
    assert not world.flow.failed
    [authentication] = world.flow.completed
    assert authentication.subject_kind == "eidas"
    assert authentication.subject == PERSON.person_identifier


async def test_untampered_answer_accepted(world: World) -> None:
    _assert_genuine(world, await _login(world, None))


async def test_comment_in_identity_reads_the_signed_value(world: World) -> None:
    _assert_genuine(world, await _login(world, COMMENT_INJECTION))


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack.name)
async def test_attack_refused(
    world: World, attack: Attack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    response = await _login(world, attack)
    logged = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert_refused(attack, response.status_code, len(world.flow.completed), logged)
    assert world.flow.failed[-1].message_en.startswith("Your European (eIDAS) login could not")
