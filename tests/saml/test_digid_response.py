"""DigiD answer rules (SAML Core, Web SSO profile, nl-login-means §2.1), one test per rule."""

from __future__ import annotations

import time
from typing import Any

import pytest
from lxml import etree

from broker.assurance import Level
from broker.errors import LevelTooLow, LoginCancelled
from broker.saml.artifact import build_artifact
from broker.saml.response import SamlStatusError
from broker.saml.timing import format_instant, parse_instant
from broker.saml.xml import (
    NS_SAML,
    STATUS_AUTHN_FAILED,
    STATUS_REQUESTER,
    STATUS_RESPONDER,
    SamlError,
    tag,
)


async def test_valid_response_gives_authentication(world: Any) -> None:
    auth = await world.login()
    assert auth.means == "digid"
    assert auth.subject_kind == "bsn"
    assert auth.subject == "999999990"
    assert auth.level == Level.SUBSTANTIAL
    assert auth.upstream_session == "_session-1"
    assert auth.auth_time > 0


async def test_session_not_on_or_after_limits_single_sign_on(world: Any) -> None:
    """Profiles §4.1.4.3: the login carries the IdP's session limit; a passed one is refused."""
    auth = await world.login(world.answer(session_not_on_or_after=120))
    assert auth.reusable_until is not None
    assert abs(auth.reusable_until - (time.time() + 120)) <= 2
    assert (await world.login(world.answer(assertion_id="_other"))).reusable_until is None
    with pytest.raises(SamlError, match="SessionNotOnOrAfter"):
        await world.login(world.answer(assertion_id="_late", session_not_on_or_after=-120))


async def test_higher_level_than_requested_accepted(world: Any) -> None:
    auth = await world.login(world.answer(class_ref=Level.HIGH.digid_class_ref))
    assert auth.level == Level.HIGH


async def test_level_below_requested_refused(world: Any) -> None:
    # Refused as authentication; the flow turns LevelTooLow into its step-up page.
    with pytest.raises(LevelTooLow):
        await world.login(world.answer(class_ref=Level.LOW.digid_class_ref))


async def test_unknown_authn_context_class_ref_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="unknown AuthnContextClassRef"):
        await world.login(world.answer(
            class_ref="urn:oasis:names:tc:SAML:2.0:ac:classes:Password"))


async def test_replayed_artifact_refused(world: Any) -> None:
    artifact = world.idp.issue(world.answer())
    await world.means.authenticate(world.transaction, artifact)
    world.idp.pending[artifact] = world.answer()  # even if the IdP would answer again
    with pytest.raises(SamlError, match="replayed artifact"):
        await world.means.authenticate(world.transaction, artifact)


async def test_replayed_assertion_refused(world: Any) -> None:
    await world.login(world.answer(assertion_id="_same"))
    with pytest.raises(SamlError, match="replayed assertion"):
        await world.login(world.answer(assertion_id="_same"))


async def test_unknown_artifact_gives_empty_answer_and_is_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="empty ArtifactResponse"):
        await world.means.authenticate(world.transaction, build_artifact(world.means.settings
                                                                         .idp_entity_id))


async def test_artifact_source_id_mismatch_refused_before_resolution(world: Any) -> None:
    with pytest.raises(SamlError, match="SourceID"):
        await world.means.authenticate(world.transaction,
                                       build_artifact("https://evil.example/idp"))
    assert world.idp.requests == []


async def test_wrong_audience_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="Audience"):
        await world.login(world.answer(audience="https://other-sp.example"))


async def test_wrong_recipient_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="Recipient"):
        await world.login(world.answer(recipient="https://other-sp.example/acs"))


async def test_wrong_destination_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="Destination"):
        await world.login(world.answer(destination="https://other-sp.example/acs"))


async def test_missing_destination_accepted(world: Any) -> None:
    assert (await world.login(world.answer(destination=None))).subject == "999999990"


async def test_wrong_response_in_response_to_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="Response InResponseTo"):
        await world.login(world.answer(response_in_response_to="_other-request"))


async def test_wrong_confirmation_in_response_to_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="confirmation InResponseTo"):
        await world.login(world.answer(confirmation_in_response_to="_other-request"))


async def test_wrong_artifact_response_in_response_to_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="ArtifactResponse InResponseTo"):
        await world.login(world.answer(outer_in_response_to="_other-resolve"))


async def test_wrong_response_issuer_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="Issuer"):
        await world.login(world.answer(issuer="https://evil.example/idp"))


async def test_wrong_assertion_issuer_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="Issuer"):
        await world.login(world.answer(assertion_issuer="https://evil.example/idp"))


async def test_expired_conditions_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="Conditions NotOnOrAfter"):
        await world.login(world.answer(not_on_or_after=-120))


async def test_expired_confirmation_not_on_or_after_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="SubjectConfirmationData NotOnOrAfter"):
        await world.login(world.answer(confirmation_not_on_or_after=-120))


async def test_expiry_within_clock_skew_accepted(world: Any) -> None:
    auth = await world.login(world.answer(not_on_or_after=-20, confirmation_not_on_or_after=-20))
    assert auth.subject == "999999990"


async def test_not_before_in_future_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="NotBefore"):
        await world.login(world.answer(not_before=600))


async def test_not_before_within_clock_skew_accepted(world: Any) -> None:
    assert (await world.login(world.answer(not_before=30))).subject == "999999990"


async def test_subject_confirmation_not_bearer_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="bearer"):
        await world.login(world.answer(method="urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"))


async def test_comment_injection_in_name_id_reads_full_text(world: Any) -> None:
    # Signed for "s00000000:9999999901" (10 digits); a comment is slipped in after signing so
    # that a first-text-node reader would see the valid BSN 999999990 (CVE-2017-11427).
    def inject(response: etree._Element) -> etree._Element:
        name_id = response.find(f".//{tag(NS_SAML, 'NameID')}")
        name_id.text = "s00000000:999999990"
        comment = etree.Comment("")
        comment.tail = "1"
        name_id.append(comment)
        return response

    with pytest.raises(SamlError, match="elfproef"):
        await world.login(world.answer(name_id="s00000000:9999999901", tamper_response=inject))


async def test_wrong_sector_code_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="sector code"):
        await world.login(world.answer(name_id="s00000001:999999990"))


async def test_bad_elfproef_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="elfproef"):
        await world.login(world.answer(name_id="s00000000:123456789"))


async def test_name_id_without_sector_code_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="sectorcode"):
        await world.login(world.answer(name_id="999999990"))


async def test_cancel_status_is_login_cancelled(world: Any) -> None:
    with pytest.raises(LoginCancelled):
        await world.login(world.answer(
            status_code=STATUS_RESPONDER, status_sub_code=STATUS_AUTHN_FAILED,
            status_message="Authentication cancelled", with_assertion=False))


async def test_other_failure_status_refused(world: Any) -> None:
    with pytest.raises(SamlStatusError) as caught:
        await world.login(world.answer(status_code=STATUS_REQUESTER, with_assertion=False))
    assert not isinstance(caught.value, LoginCancelled)


async def test_failure_status_with_assertion_refused(world: Any) -> None:
    with pytest.raises(SamlStatusError):
        await world.login(world.answer(status_code=STATUS_REQUESTER))


async def test_success_without_assertion_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="exactly one Assertion"):
        await world.login(world.answer(with_assertion=False))


async def test_signed_response_and_signed_assertion_accepted(world: Any) -> None:
    assert (await world.login(world.answer(sign_response=True))).subject == "999999990"


async def test_doctype_in_artifact_response_refused(world: Any) -> None:
    body = (b'<!DOCTYPE s [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&e;'
            b"</s:Body></s:Envelope>")
    with pytest.raises(SamlError, match="DOCTYPE"):
        await world.login(world.answer(raw_body=body))


async def test_second_pinned_certificate_accepted(world_factory: Any, attacker_keys: Any,
                                                  idp_keys: Any) -> None:
    # During a DigiD certificate rollover both certificates are configured.
    world = await world_factory(idp_certificates=[attacker_keys.cert_pem, idp_keys.cert_pem])
    assert (await world.login()).subject == "999999990"


def _without_issue_instant(response: etree._Element) -> etree._Element:
    del response.attrib["IssueInstant"]
    return response


async def test_response_without_issue_instant_refused(world: Any) -> None:
    # SAML Core §3.2.2: IssueInstant is required on every response.
    with pytest.raises(SamlError, match="Response IssueInstant is missing"):
        await world.login(world.answer(tamper_response=_without_issue_instant))


async def test_artifact_response_without_issue_instant_refused(world: Any, kit: Any,
                                                               idp_keys: Any) -> None:
    def tamper(outer: etree._Element) -> etree._Element:
        unsigned = kit.strip_signature(outer)
        del unsigned.attrib["IssueInstant"]
        return kit.sign_enveloped(unsigned, idp_keys.key, idp_keys.cert_pem)

    with pytest.raises(SamlError, match="IssueInstant is missing"):
        await world.login(world.answer(tamper_outer=tamper))


def _issued(seconds_ago: float) -> Any:
    def tamper(element: etree._Element) -> etree._Element:
        element.set("IssueInstant", format_instant(time.time() - seconds_ago))
        return element

    return tamper


async def test_stale_response_and_artifact_response_refused(
    world: Any, kit: Any, idp_keys: Any
) -> None:
    # Messages are answered within seconds; one issued 20 minutes ago is stale even when the
    # assertion inside it is fresh.
    with pytest.raises(SamlError, match="Response IssueInstant is too old"):
        await world.login(world.answer(tamper_response=_issued(1200)))

    def stale_outer(outer: etree._Element) -> etree._Element:
        unsigned = _issued(1200)(kit.strip_signature(outer))
        return kit.sign_enveloped(unsigned, idp_keys.key, idp_keys.cert_pem)

    with pytest.raises(SamlError, match="IssueInstant is too old"):
        await world.login(world.answer(assertion_id="_outer", tamper_outer=stale_outer))
    # Within ten minutes (plus the skew) it is still accepted.
    await world.login(world.answer(assertion_id="_recent", tamper_response=_issued(590)))


@pytest.mark.parametrize(
    "value",
    ["2026-01-01", "20260101T000000Z", "2026-W01-1T00:00:00Z", "2026-01-01 00:00:00Z",
     "2026-01-01T00:00Z", "2026-01-01T00:00:00,5Z", "٢٠٢٦-01-01T00:00:00Z"],
)
def test_time_that_is_no_xs_date_time_refused(value: str) -> None:
    # SAML Core §1.3.3: SAML times are xs:dateTime; ISO 8601 has forms that are not.
    with pytest.raises(SamlError, match="not a dateTime"):
        parse_instant(value, "IssueInstant")


@pytest.mark.parametrize(
    ("value", "epoch"),
    [("2026-01-01T00:00:00Z", 1767225600.0), ("2026-01-01T00:00:00.1234567Z", 1767225600.123456),
     ("2026-01-01T00:00:00.5", 1767225600.5), (" 2026-01-01T01:00:00+00:00 ", 1767229200.0)],
)
def test_xs_date_time_forms_read(value: str, epoch: float) -> None:
    assert parse_instant(value, "IssueInstant") == pytest.approx(epoch)


FAULT = (b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
         b"<faultcode>s:Client</faultcode><faultstring>bad request</faultstring></s:Fault>"
         b"</s:Body></s:Envelope>")


async def test_soap_fault_with_http_500_is_named(world: Any) -> None:
    # SOAP 1.1 §6.2: a fault comes with HTTP 500; the log should say it was a SOAP fault and
    # its code, not only the HTTP status.
    artifact = world.idp.issue(world.answer())

    async def fault(request: Any) -> Any:
        from starlette.responses import Response

        return Response(FAULT, status_code=500, media_type="text/xml")

    world.idp.resolve = fault
    world.http._transport.app = world.idp.app()
    with pytest.raises(SamlError, match=r"SOAP Fault received \(s:Client\)"):
        await world.means.authenticate(world.transaction, artifact)


async def test_soap_fault_with_http_200_is_named(world: Any) -> None:
    with pytest.raises(SamlError, match=r"SOAP Fault received \(s:Client\)"):
        await world.login(world.answer(raw_body=FAULT))
