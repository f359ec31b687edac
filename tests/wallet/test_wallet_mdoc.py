"""mdoc DeviceResponse verification with OpenID4VP device auth; attack-catalogue §5.4."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from collections.abc import Callable

import cbor2
import pytest
from wallet_support import *  # noqa: F403 - the shared pytest fixtures
from wallet_support import NL_PID, NOW, RESPONSE_URI

from wallet_adapters.errors import (
    HolderBindingError,
    MalformedInput,
    PolicyError,
    SignatureInvalid,
    UntrustedIssuer,
    ValidityError,
    WalletVerificationError,
)
from wallet_adapters.mdoc.session_transcript import openid4vp_session_transcript
from wallet_adapters.mdoc.verifier import MdocPolicy, verify_device_response
from wallet_adapters.testing import HolderFault, TestHolder, TestPerson, TestPidIssuer, TestPki

NONCE = "mdoc-nonce-0123456789abcdef"
WANTED = {NL_PID: ["family_name", "given_name", "birthdate", "bsn"]}


def _present(issuer: TestPidIssuer, holder: TestHolder, person: TestPerson, transcript: bytes,
             faults: frozenset[HolderFault] = frozenset(), **kw: object) -> str:
    issued = issuer.issue_mdoc(person, holder.public_key, now=NOW, **kw)  # type: ignore[arg-type]
    return holder.present_mdoc(issued, WANTED, session_transcript=transcript, faults=faults)


def test_valid_mdoc(issuer: TestPidIssuer, holder: TestHolder, person: TestPerson,
                    transcript: Callable[[str], bytes], mdoc_policy: MdocPolicy) -> None:
    st = transcript(NONCE)
    [result] = verify_device_response(_present(issuer, holder, person, st), mdoc_policy,
                                      session_transcript=st, now=NOW)
    assert result.device_authenticated
    assert result.claims[NL_PID] == {"family_name": "De Bruijn", "given_name": "Willeke Liselotte",
                                     "birthdate": dt.date(1965, 3, 1), "bsn": "999999990"}


def test_eu_pid_mdoc(issuer: TestPidIssuer, holder: TestHolder, person: TestPerson,
                     transcript: Callable[[str], bytes], mdoc_policy: MdocPolicy) -> None:
    st = transcript(NONCE)
    issued = issuer.issue_mdoc(person, holder.public_key, now=NOW,
                               doctype="eu.europa.ec.eudi.pid.1")
    text = holder.present_mdoc(issued, None, session_transcript=st)
    [result] = verify_device_response(text, mdoc_policy, session_transcript=st, now=NOW)
    assert result.claims["eu.europa.ec.eudi.pid.1"]["personal_administrative_number"] == (
        "999999990"
    )


@pytest.mark.parametrize("which", ["nonce", "client_id", "response_uri", "thumbprint"])
def test_wrong_session_transcript_refused(which: str, issuer: TestPidIssuer, holder: TestHolder,
                                          person: TestPerson, client_id: str,
                                          mdoc_policy: MdocPolicy) -> None:
    good = (client_id, NONCE, b"\x01" * 32, RESPONSE_URI)
    bad = {
        "nonce": (client_id, "other-nonce", b"\x01" * 32, RESPONSE_URI),
        "client_id": ("x509_san_dns:evil.example", NONCE, b"\x01" * 32, RESPONSE_URI),
        "response_uri": (client_id, NONCE, b"\x01" * 32, "https://evil.example/r"),
        "thumbprint": (client_id, NONCE, None, RESPONSE_URI),
    }[which]
    text = _present(issuer, holder, person, openid4vp_session_transcript(*bad))
    with pytest.raises(HolderBindingError):
        verify_device_response(text, mdoc_policy,
                               session_transcript=openid4vp_session_transcript(*good), now=NOW)


@pytest.mark.parametrize(("fault", "exc"), [
    (HolderFault.WRONG_TRANSCRIPT, HolderBindingError),
    (HolderFault.TAMPERED_ELEMENT, PolicyError),
    (HolderFault.UNLISTED_ELEMENT, PolicyError),
    (HolderFault.DEVICE_KEY_MISMATCH, HolderBindingError),
    (HolderFault.DEVICE_MAC, HolderBindingError),
    (HolderFault.ZERO_SIGNATURE, HolderBindingError),
    (HolderFault.DEVICE_SIGNED_ELEMENT, PolicyError),
    (HolderFault.WRONG_DOCTYPE_IN_DOCUMENT, PolicyError),
])
def test_holder_faults_refused(fault: HolderFault, exc: type[Exception], issuer: TestPidIssuer,
                               holder: TestHolder, person: TestPerson,
                               transcript: Callable[[str], bytes],
                               mdoc_policy: MdocPolicy) -> None:
    st = transcript(NONCE)
    text = _present(issuer, holder, person, st, frozenset({fault}))
    with pytest.raises(exc):
        verify_device_response(text, mdoc_policy, session_transcript=st, now=NOW)


def test_untrusted_document_signer_refused(rogue_pki: TestPki, holder: TestHolder,
                                           person: TestPerson, transcript: Callable[[str], bytes],
                                           mdoc_policy: MdocPolicy) -> None:
    st = transcript(NONCE)
    text = _present(TestPidIssuer(rogue_pki), holder, person, st)
    with pytest.raises(UntrustedIssuer):
        verify_device_response(text, mdoc_policy, session_transcript=st, now=NOW)


def test_trusted_x5chain_foreign_key_refused(issuer: TestPidIssuer, rogue_pki: TestPki,
                                             holder: TestHolder, person: TestPerson,
                                             transcript: Callable[[str], bytes],
                                             mdoc_policy: MdocPolicy) -> None:
    st = transcript(NONCE)
    text = _present(issuer, holder, person, st, signing_key=rogue_pki.issuer_key)
    with pytest.raises(SignatureInvalid):
        verify_device_response(text, mdoc_policy, session_transcript=st, now=NOW)


def test_expired_and_not_yet_valid_mso_refused(issuer: TestPidIssuer, holder: TestHolder,
                                               person: TestPerson,
                                               transcript: Callable[[str], bytes],
                                               mdoc_policy: MdocPolicy) -> None:
    st = transcript(NONCE)
    text = _present(issuer, holder, person, st, lifetime=dt.timedelta(hours=1))
    with pytest.raises(ValidityError):
        verify_device_response(text, mdoc_policy, session_transcript=st,
                               now=NOW + dt.timedelta(hours=3))
    with pytest.raises(ValidityError):
        verify_device_response(text, mdoc_policy, session_transcript=st,
                               now=NOW - dt.timedelta(hours=3))


def test_doctype_policy(issuer: TestPidIssuer, holder: TestHolder, person: TestPerson,
                        transcript: Callable[[str], bytes], mdoc_policy: MdocPolicy) -> None:
    st = transcript(NONCE)
    text = _present(issuer, holder, person, st, mso_doctype="org.iso.18013.5.1.mDL")
    with pytest.raises(PolicyError):
        verify_device_response(text, mdoc_policy, session_transcript=st, now=NOW)
    only_eu = dataclasses.replace(mdoc_policy,
                                  allowed_doctypes=frozenset({"eu.europa.ec.eudi.pid.1"}))
    with pytest.raises(PolicyError):
        verify_device_response(_present(issuer, holder, person, st), only_eu,
                               session_transcript=st, now=NOW)


def test_unexpected_digest_algorithm_refused(issuer: TestPidIssuer, holder: TestHolder,
                                             person: TestPerson,
                                             transcript: Callable[[str], bytes],
                                             mdoc_policy: MdocPolicy) -> None:
    st = transcript(NONCE)
    text = _present(issuer, holder, person, st, digest_algorithm="SHA-512")
    with pytest.raises(PolicyError):
        verify_device_response(text, mdoc_policy, session_transcript=st, now=NOW)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize("blob", [
    b"", b"\xff", b"\xa0", cbor2.dumps([1, 2, 3]), b"\x81" * 5000 + b"\x00",
    b"\x5b" + (2**60).to_bytes(8, "big") + b"abc",  # claims a 2^60-byte string
    b"\x9f\x01\xff",  # indefinite length
    cbor2.dumps({"version": "1.0", "status": 0, "documents": [{"docType": 1}]}),
    cbor2.dumps({"version": "1.0", "status": 0, "documents": [
        {"docType": NL_PID, "issuerSigned": {"issuerAuth": [b"", {}, None, b""]}}]}),
    cbor2.dumps({"version": "1.0", "status": 0, "documents": [
        {"docType": NL_PID, "issuerSigned": {"issuerAuth": [b"\xa1\x01\x26", {33: b"x"},
                                                            b"", b"\x00" * 64]}}]}),
    cbor2.dumps({"version": "1.0", "status": 10}),
    b"\x00" * (2 * 1024 * 1024),
])
def test_malformed_device_response_typed_error(blob: bytes, mdoc_policy: MdocPolicy,
                                               transcript: Callable[[str], bytes]) -> None:
    for form in (blob, _b64(blob)):
        with pytest.raises(WalletVerificationError):
            verify_device_response(form, mdoc_policy, session_transcript=transcript(NONCE),
                                   now=NOW)


def test_not_base64_typed_error(mdoc_policy: MdocPolicy,
                                transcript: Callable[[str], bytes]) -> None:
    with pytest.raises(MalformedInput):
        verify_device_response("@@@", mdoc_policy, session_transcript=transcript(NONCE), now=NOW)
