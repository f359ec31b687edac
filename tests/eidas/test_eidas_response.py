"""The checks on the node's Response (attack catalogue §3): each test changes one thing."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from eidas_world import World, encode
from lxml import etree

from broker.assurance import Level
from broker.errors import LoginCancelled
from broker.means.eidas.profile import (
    DATE_OF_BIRTH,
    FAMILY_NAME,
    GIVEN_NAME,
    PERSON_IDENTIFIER,
    InvalidPersonIdentifier,
    person_identifier_country,
)
from broker.saml.xml import SamlError
from conformance.digid.samlxml import SAML, SAMLP, q
from conformance.eidas.persons import BY_ID, TestPerson


async def _refused(world: World, transaction: Any, message: etree._Element | bytes) -> str:
    with pytest.raises(SamlError) as info:
        await world.means.authenticate(transaction, encode(message))
    assert not isinstance(info.value, LoginCancelled)
    return info.value.message_en


async def test_valid_response_accepted(world: World) -> None:
    transaction, _ = await world.started()
    auth = await world.means.authenticate(
        transaction, encode(world.response(world.answer(transaction)))
    )
    assert auth.subject_kind == "eidas" and auth.subject.startswith("DE/NL/")
    assert auth.level == Level.SUBSTANTIAL


def _person(**changes: str) -> TestPerson:
    return replace(BY_ID["de-mueller"], **changes)


@pytest.mark.parametrize(
    "identifier",
    ["DE/DE/123", "de/NL/123", "XX/NL/123", "DE/NL/12 34", "DE/NL/", "DENL123",
     "DE/NL/abcé", "DE/NL/a\tb", "US/NL/123", "DE/NL/" + "a" * 260],
)
async def test_malformed_person_identifier_refused(world: World, identifier: str) -> None:
    transaction, _ = await world.started()
    answer = world.answer(transaction, person=_person(person_identifier=identifier))
    assert "PersonIdentifier" in await _refused(world, transaction, world.response(answer))


@pytest.mark.parametrize("value", ["1968-4-23", "23-04-1968", "1968-02-30", "2999-01-01", ""])
async def test_bad_birthdate_refused(world: World, value: str) -> None:
    transaction, _ = await world.started()
    answer = world.answer(transaction, person=_person(birthdate=value))
    assert "DateOfBirth" in await _refused(world, transaction, world.response(answer))


@pytest.mark.parametrize("name", [PERSON_IDENTIFIER, FAMILY_NAME, GIVEN_NAME, DATE_OF_BIRTH])
async def test_missing_mandatory_attribute_refused(world: World, name: str) -> None:
    transaction, _ = await world.started()
    response = world.response(world.answer(transaction))

    def drop(assertion: etree._Element) -> None:
        for attribute in assertion.iter(q(SAML, "Attribute")):
            if attribute.get("Name") == name:
                attribute.getparent().remove(attribute)

    message = await _refused(world, transaction, world.resign_assertion(response, drop))
    assert "mandatory eIDAS attribute missing" in message


async def test_repeated_attribute_refused(world: World) -> None:
    transaction, _ = await world.started()
    response = world.response(world.answer(transaction))

    def repeat(assertion: etree._Element) -> None:
        statement = assertion.find(q(SAML, "AttributeStatement"))
        duplicate = copy.deepcopy(statement[0])
        duplicate[0].text = "DE/NL/someone-else"
        statement.append(duplicate)

    assert "repeated" in await _refused(
        world, transaction, world.resign_assertion(response, repeat)
    )


def test_person_identifier_rules() -> None:
    assert person_identifier_country("ES/NL/02635542Y") == "ES"
    assert person_identifier_country("EL/NL/abc") == "EL"
    assert person_identifier_country("NL/NL/999999990") == "NL"
    with pytest.raises(InvalidPersonIdentifier):
        person_identifier_country("ES/AT/02635542Y")


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("sp_entity_id", "https://other.example/metadata", "Audience"),
        ("acs_url", "https://other.example/acs", "Recipient"),
        ("request_id", "_other", "InResponseTo"),
    ],
)
async def test_wrong_audience_recipient_request(
    world: World, field: str, value: str, reason: str
) -> None:
    transaction, _ = await world.started()
    answer = replace(world.answer(transaction), **{field: value})
    response = world.response(answer)
    if field == "acs_url":  # keep the Response Destination right: only Recipient is wrong
        response.set("Destination", world.means.settings.acs_url)
        response = world.sign(response)
    assert reason in await _refused(world, transaction, response)


async def test_wrong_destination(world: World) -> None:
    transaction, _ = await world.started()
    response = world.response(world.answer(transaction))
    response.set("Destination", "https://other.example/acs")
    assert "Destination" in await _refused(world, transaction, world.sign(response))


async def test_missing_destination(world: World) -> None:
    transaction, _ = await world.started()
    response = world.response(world.answer(transaction))
    del response.attrib["Destination"]
    assert "Destination" in await _refused(world, transaction, world.sign(response))


async def test_expired(world: World) -> None:
    transaction, _ = await world.started()
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    # An hour-old answer: the message is stale before its assertion's windows are read.
    assert "IssueInstant is too old" in await _refused(
        world, transaction, world.response(world.answer(transaction), now=old)
    )


async def test_replay_refused(world: World) -> None:
    transaction, _ = await world.started()
    encoded = encode(world.response(world.answer(transaction)))
    await world.means.authenticate(transaction, encoded)
    with pytest.raises(SamlError, match="replayed"):
        await world.means.authenticate(transaction, encoded)


async def test_level_below_requested(world: World) -> None:
    transaction, _ = await world.started(Level.HIGH)
    answer = world.answer(transaction, level=Level.SUBSTANTIAL)
    assert "below" in await _refused(world, transaction, world.response(answer))


@pytest.mark.parametrize("flag", ["false", "0"])
async def test_non_latin_original_is_skipped(world: World, flag: str) -> None:
    """eIDAS: a non-Latin original carries LatinScript="false" (an xs:boolean, so also "0")
    next to its transliteration; the transliteration is the value read."""
    transaction, _ = await world.started()
    response = world.response(world.answer(transaction))

    def add_original(assertion: etree._Element) -> None:
        for attribute in assertion.iter(q(SAML, "Attribute")):
            if attribute.get("Name") == FAMILY_NAME:
                original = copy.deepcopy(attribute.find(q(SAML, "AttributeValue")))
                original.text = "Μύλλερ"
                original.set("LatinScript", flag)
                attribute.insert(0, original)

    auth = await world.means.authenticate(
        transaction, encode(world.resign_assertion(response, add_original))
    )
    assert auth.attributes["family_name"] == BY_ID["de-mueller"].family_name


async def test_level_uri_compared_exactly(world: World) -> None:
    """An AuthnContextClassRef is an anyURI: a case variant of an eIDAS LoA is an unknown LoA."""
    transaction, _ = await world.started()
    response = world.response(world.answer(transaction, level=Level.HIGH))

    def shout(assertion: etree._Element) -> None:
        for class_ref in assertion.iter(q(SAML, "AuthnContextClassRef")):
            class_ref.text = (class_ref.text or "").upper()

    message = await _refused(world, transaction, world.resign_assertion(response, shout))
    assert "unknown eIDAS LoA" in message


async def test_cancel_status(world: World) -> None:
    transaction, _ = await world.started()
    answer = world.answer(transaction, person=None, level=None)
    answer = replace(answer, person=None)
    with pytest.raises(LoginCancelled):
        await world.means.authenticate(transaction, encode(world.response(answer)))


async def test_other_error_status_is_not_cancel(world: World) -> None:
    transaction, _ = await world.started()
    response = world.response(replace(world.answer(transaction), person=None))
    code = response.find(f"{q(SAMLP, 'Status')}/{q(SAMLP, 'StatusCode')}")
    code[0].set("Value", "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext")
    await _refused(world, transaction, world.sign(response))


async def test_wrong_issuer(world: World) -> None:
    transaction, _ = await world.started()
    response = world.response(world.answer(transaction))
    response.find(q(SAML, "Issuer")).text = "https://other-node.example/metadata"
    assert "Issuer" in await _refused(world, transaction, world.sign(response))


async def test_not_base64(world: World) -> None:
    transaction, _ = await world.started()
    with pytest.raises(SamlError, match="base64"):
        await world.means.authenticate(transaction, "!!!")
