"""Every SAML message the broker and its simulators put on the wire is valid against the
official schemas (SAML 2.0 core and metadata, XML-DSig, XML-Enc, SOAP 1.1, eIDAS extensions):
what a peer's schema-validating parser sees first. The broker sends no LogoutRequest."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from saml_traffic import SAML_MEANS, Traffic, record_traffic, schema_error

from broker.saml.xml import NS_DS, NS_SAML, NS_SAMLP, NS_SOAP11, tag

ARTIFACT_MEANS = ("digid", "eherkenning")


@pytest.fixture(scope="module")
async def traffic(tmp_path_factory: pytest.TempPathFactory, key_dir: Path) -> Traffic:
    return await record_traffic(tmp_path_factory.mktemp("saml-traffic"), key_dir)


def assert_valid(documents: list[bytes] | list[etree._Element]) -> None:
    assert documents, "no message recorded"
    errors = [error for document in documents if (error := schema_error(document)) is not None]
    assert errors == []


@pytest.mark.parametrize("means", SAML_MEANS)
def test_broker_metadata_is_schema_valid(traffic: Traffic, means: str) -> None:
    assert_valid([traffic.sp_metadata[means]])


@pytest.mark.parametrize("means", SAML_MEANS)
def test_broker_authn_requests_are_schema_valid(traffic: Traffic, means: str) -> None:
    requests = traffic.authn_requests[means]
    assert len(requests) == 2  # the login and the cancel
    assert {etree.fromstring(r).tag for r in requests} == {tag(NS_SAMLP, "AuthnRequest")}
    assert_valid(requests)


@pytest.mark.parametrize("means", ARTIFACT_MEANS)
def test_broker_artifact_resolves_are_schema_valid(traffic: Traffic, means: str) -> None:
    resolves = traffic.artifact_resolves[means]
    assert len(resolves) == 2
    assert {etree.fromstring(r)[0][0].tag for r in resolves} == {tag(NS_SAMLP, "ArtifactResolve")}
    assert_valid(resolves)


@pytest.mark.parametrize("means", SAML_MEANS)
def test_simulator_metadata_is_schema_valid(traffic: Traffic, means: str) -> None:
    assert_valid([traffic.idp_metadata[means]])


@pytest.mark.parametrize("means", SAML_MEANS)
def test_simulator_answers_are_schema_valid(traffic: Traffic, means: str) -> None:
    """Login and cancel; at the artifact endpoints also a used artifact, an unknown SP and an
    unreadable request."""
    answers = traffic.answers[means]
    assert len(answers) == (5 if means in ARTIFACT_MEANS else 2)
    assert_valid(answers)


def test_simulator_answers_carry_assertions(traffic: Traffic) -> None:
    """The validated answers include the signed assertions, not just status messages."""
    for means in SAML_MEANS:
        login = etree.fromstring(traffic.answers[means][0])
        assertion = next(login.iter(tag(NS_SAML, "Assertion")))
        assert assertion.find(tag(NS_DS, "Signature")) is not None, means


def test_decrypted_eherkenning_identifiers_are_schema_valid(traffic: Traffic) -> None:
    """What the EncryptedIDs hold is checked too: the schema sees only ciphertext there."""
    assert {e.tag for e in traffic.decrypted_ids} == {tag(NS_SAML, "NameID")}
    assert_valid(traffic.decrypted_ids)


def test_schema_check_catches_misplaced_elements(traffic: Traffic) -> None:
    """The check sees ordering inside messages and inside the SOAP Body, and eIDAS values."""
    request = etree.fromstring(traffic.authn_requests["eidas"][0])
    request.insert(0, next(request.iter(tag(NS_DS, "Signature"))))  # before saml:Issuer
    assert schema_error(request) is not None

    envelope = etree.fromstring(traffic.artifact_resolves["digid"][0])
    body = next(envelope.iter(tag(NS_SOAP11, "Body")))
    resolve = next(body.iter(tag(NS_SAMLP, "ArtifactResolve")))
    resolve.insert(0, next(resolve.iter(tag(NS_SAMLP, "Artifact"))))  # before saml:Issuer
    assert schema_error(envelope) is not None

    request = etree.fromstring(traffic.authn_requests["eidas"][0])
    next(request.iter("{http://eidas.europa.eu/saml-extensions}SPType")).text = "semi-public"
    assert schema_error(request) is not None
