"""SD-JWT VC verification: the happy path and attack-catalogue §5.1/§5.2 refusals."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from wallet_support import *  # noqa: F403 - the shared pytest fixtures
from wallet_support import NL_PID, NOW

from wallet_adapters.errors import (
    DisclosureError,
    HolderBindingError,
    MalformedInput,
    PolicyError,
    SignatureInvalid,
    UntrustedIssuer,
    ValidityError,
    WalletVerificationError,
)
from wallet_adapters.sd_jwt_vc import SdJwtVcPolicy, verify_sd_jwt_vc, x5c_resolver
from wallet_adapters.testing import (
    HolderFault,
    IssuerFault,
    TestHolder,
    TestPerson,
    TestPidIssuer,
    TestPki,
)
from wallet_adapters.trust import x5c_value

NONCE = "n-0S6_WzA2Mj-fresh-nonce"
PID_CLAIMS = ["family_name", "given_name", "birthdate", "bsn"]


def present(
    issuer: TestPidIssuer,
    holder: TestHolder,
    person: TestPerson,
    client_id: str,
    *,
    issuer_faults: frozenset[IssuerFault] = frozenset(),
    holder_faults: frozenset[HolderFault] = frozenset(),
    nonce: str = NONCE,
    aud: str | None = None,
    **issue_kw: object,
) -> str:
    issued = issuer.issue_sd_jwt_vc(person, holder.public_key, now=NOW, faults=issuer_faults,
                                    **issue_kw)  # type: ignore[arg-type]
    return holder.present_sd_jwt(issued, PID_CLAIMS, nonce=nonce, audience=aud or client_id,
                                 now=NOW, faults=holder_faults)


def test_valid_presentation(issuer: TestPidIssuer, holder: TestHolder, person: TestPerson,
                            client_id: str, sd_policy: SdJwtVcPolicy) -> None:
    result = verify_sd_jwt_vc(present(issuer, holder, person, client_id), sd_policy,
                              nonce=NONCE, audience=client_id, now=NOW)
    assert result.vct == NL_PID and result.key_bound
    assert result.claims["bsn"] == "999999990"
    assert result.claims["birthdate"] == "1965-03-01"
    assert "address" not in result.claims and "_sd" not in result.claims
    assert result.issuer_certificate is not None


def test_recursive_and_array_disclosures(issuer: TestPidIssuer, holder: TestHolder,
                                         person: TestPerson, client_id: str,
                                         sd_policy: SdJwtVcPolicy) -> None:
    issued = issuer.issue_sd_jwt_vc(person, holder.public_key, now=NOW)
    text = holder.present_sd_jwt(issued, ["address", "address.locality", "nationalities"],
                                 nonce=NONCE, audience=client_id, now=NOW)
    result = verify_sd_jwt_vc(text, sd_policy, nonce=NONCE, audience=client_id, now=NOW)
    assert result.claims["address"] == {"country": "NL", "locality": "Den Haag"}
    assert result.claims["nationalities"] == ["NL"]


def _refused(text: str, policy: SdJwtVcPolicy, client_id: str, exc: type[Exception],
             *, nonce: str = NONCE, now: dt.datetime = NOW, code: str | None = None) -> None:
    with pytest.raises(exc) as info:
        verify_sd_jwt_vc(text, policy, nonce=nonce, audience=client_id, now=now)
    assert isinstance(info.value, WalletVerificationError)
    if code is not None:
        assert info.value.code == code


# §5.1 replay / audience --------------------------------------------------------
def test_replay_into_other_session_refused(issuer: TestPidIssuer, holder: TestHolder,
                                           person: TestPerson, client_id: str,
                                           sd_policy: SdJwtVcPolicy) -> None:
    text = present(issuer, holder, person, client_id, nonce="nonce-of-session-A")
    _refused(text, sd_policy, client_id, HolderBindingError, nonce="nonce-of-session-B",
             code="nonce")


def test_bare_client_id_audience_refused(issuer: TestPidIssuer, holder: TestHolder,
                                         person: TestPerson, client_id: str,
                                         sd_policy: SdJwtVcPolicy) -> None:
    bare = client_id.split(":", 1)[1]
    _refused(present(issuer, holder, person, client_id, aud=bare), sd_policy, client_id,
             HolderBindingError, code="aud")


def test_other_verifier_audience_refused(issuer: TestPidIssuer, holder: TestHolder,
                                         person: TestPerson, client_id: str,
                                         sd_policy: SdJwtVcPolicy) -> None:
    text = present(issuer, holder, person, client_id, aud="x509_san_dns:evil.example")
    _refused(text, sd_policy, client_id, HolderBindingError, code="aud")


# §5.2 issuer JWT ----------------------------------------------------------------
@pytest.mark.parametrize(("fault", "exc"), [
    (IssuerFault.ALG_NONE, SignatureInvalid),
    (IssuerFault.BAD_SIGNATURE, SignatureInvalid),
    (IssuerFault.WEAK_SD_ALG, DisclosureError),
    (IssuerFault.DUPLICATE_DIGEST, DisclosureError),
    (IssuerFault.RESERVED_CLAIM_NAME, DisclosureError),
    (IssuerFault.NAME_COLLISION, DisclosureError),
    (IssuerFault.LEGACY_TYP, PolicyError),
    (IssuerFault.SD_EXP, PolicyError),
    (IssuerFault.NO_CNF, PolicyError),
    (IssuerFault.NO_X5C, UntrustedIssuer),
    (IssuerFault.MALFORMED_DISCLOSURE, DisclosureError),
])
def test_issuer_side_faults_refused(fault: IssuerFault, exc: type[Exception],
                                    issuer: TestPidIssuer, holder: TestHolder,
                                    person: TestPerson, client_id: str,
                                    sd_policy: SdJwtVcPolicy) -> None:
    issued = issuer.issue_sd_jwt_vc(person, holder.public_key, now=NOW, faults=frozenset({fault}))
    disclose = [*PID_CLAIMS, "exp", "_sd", "malformed"]
    text = holder.present_sd_jwt(issued, disclose, nonce=NONCE, audience=client_id, now=NOW)
    _refused(text, sd_policy, client_id, exc)


def test_legacy_typ_accepted_only_by_policy(issuer: TestPidIssuer, holder: TestHolder,
                                            person: TestPerson, client_id: str,
                                            sd_policy: SdJwtVcPolicy) -> None:
    text = present(issuer, holder, person, client_id,
                   issuer_faults=frozenset({IssuerFault.LEGACY_TYP}))
    lenient = dataclasses.replace(sd_policy, accept_legacy_typ=True)
    assert verify_sd_jwt_vc(text, lenient, nonce=NONCE, audience=client_id, now=NOW).key_bound


def test_untrusted_issuer_refused(rogue_pki: TestPki, holder: TestHolder, person: TestPerson,
                                  client_id: str, sd_policy: SdJwtVcPolicy) -> None:
    rogue = TestPidIssuer(rogue_pki)
    text = present(rogue, holder, person, client_id)
    _refused(text, sd_policy, client_id, UntrustedIssuer)


def test_self_asserted_x5c_with_foreign_key_refused(issuer: TestPidIssuer, rogue_pki: TestPki,
                                                    holder: TestHolder, person: TestPerson,
                                                    client_id: str,
                                                    sd_policy: SdJwtVcPolicy) -> None:
    # Trusted certificate in x5c, but signed with an attacker key.
    text = present(issuer, holder, person, client_id, signing_key=rogue_pki.issuer_key)
    _refused(text, sd_policy, client_id, SignatureInvalid)
    # Self-made chain whose leaf claims the trusted issuer's name.
    text = present(issuer, holder, person, client_id, signing_key=rogue_pki.issuer_key,
                   x5c=x5c_value([rogue_pki.issuer_cert, rogue_pki.root]))
    _refused(text, sd_policy, client_id, UntrustedIssuer)


def test_vct_not_allowed_refused(issuer: TestPidIssuer, holder: TestHolder, person: TestPerson,
                                 client_id: str, sd_policy: SdJwtVcPolicy) -> None:
    text = present(issuer, holder, person, client_id, vct="urn:example:diploma:1")
    _refused(text, sd_policy, client_id, PolicyError, code="vct")


def test_expired_credential_refused(issuer: TestPidIssuer, holder: TestHolder,
                                    person: TestPerson, client_id: str,
                                    sd_policy: SdJwtVcPolicy) -> None:
    text = present(issuer, holder, person, client_id, lifetime=dt.timedelta(days=1))
    issued_later = NOW + dt.timedelta(days=2)
    with pytest.raises(ValidityError):
        verify_sd_jwt_vc(text, sd_policy, nonce=NONCE, audience=client_id, now=issued_later)


def test_not_yet_valid_refused(issuer: TestPidIssuer, holder: TestHolder, person: TestPerson,
                               client_id: str, sd_policy: SdJwtVcPolicy) -> None:
    issued = issuer.issue_sd_jwt_vc(person, holder.public_key, now=NOW + dt.timedelta(hours=2))
    text = holder.present_sd_jwt(issued, PID_CLAIMS, nonce=NONCE, audience=client_id, now=NOW)
    _refused(text, sd_policy, client_id, ValidityError)


def test_expired_issuer_certificate_refused(holder: TestHolder, person: TestPerson,
                                            client_id: str) -> None:
    short = TestPki.create("Short", now=NOW, issuer_validity=dt.timedelta(hours=1))
    issuer = TestPidIssuer(short)
    policy = SdJwtVcPolicy(key_resolver=x5c_resolver(short.trust_list()),
                           allowed_vcts=frozenset({NL_PID}))
    later = NOW + dt.timedelta(hours=2)
    issued = issuer.issue_sd_jwt_vc(person, holder.public_key, now=later)
    text = holder.present_sd_jwt(issued, PID_CLAIMS, nonce=NONCE, audience=client_id, now=later)
    _refused(text, policy, client_id, UntrustedIssuer, now=later)


# §5.2 disclosures / KB-JWT -------------------------------------------------------
@pytest.mark.parametrize(("fault", "exc", "code"), [
    (HolderFault.WRONG_NONCE, HolderBindingError, "nonce"),
    (HolderFault.WRONG_AUD, HolderBindingError, "aud"),
    (HolderFault.TAMPERED_DISCLOSURE, DisclosureError, "unreferenced"),
    (HolderFault.EXTRA_DISCLOSURE, DisclosureError, "unreferenced"),
    (HolderFault.DUPLICATE_DISCLOSURE, DisclosureError, "duplicate_digest"),
    (HolderFault.MISSING_KB, HolderBindingError, "missing_kb"),
    (HolderFault.KB_WRONG_TYP, HolderBindingError, None),
    (HolderFault.KB_WRONG_KEY, HolderBindingError, None),
    (HolderFault.KB_ALG_NONE, HolderBindingError, None),
    (HolderFault.KB_STALE, HolderBindingError, "iat"),
    (HolderFault.KB_FUTURE, HolderBindingError, "iat"),
    (HolderFault.SD_HASH_DROPPED_DISCLOSURE, HolderBindingError, "sd_hash"),
])
def test_holder_side_faults_refused(fault: HolderFault, exc: type[Exception], code: str | None,
                                    issuer: TestPidIssuer, holder: TestHolder,
                                    person: TestPerson, client_id: str,
                                    sd_policy: SdJwtVcPolicy) -> None:
    text = present(issuer, holder, person, client_id, holder_faults=frozenset({fault}))
    _refused(text, sd_policy, client_id, exc, code=code)


def test_reordered_disclosures_break_sd_hash(issuer: TestPidIssuer, holder: TestHolder,
                                             person: TestPerson, client_id: str,
                                             sd_policy: SdJwtVcPolicy) -> None:
    text = present(issuer, holder, person, client_id)
    parts = text.split("~")
    swapped = "~".join([parts[0], parts[2], parts[1], *parts[3:]])
    _refused(swapped, sd_policy, client_id, HolderBindingError, code="sd_hash")


def test_kb_required_by_policy_not_by_presence(issuer: TestPidIssuer, holder: TestHolder,
                                               person: TestPerson, client_id: str,
                                               sd_policy: SdJwtVcPolicy) -> None:
    text = present(issuer, holder, person, client_id,
                   holder_faults=frozenset({HolderFault.MISSING_KB}))
    waived = dataclasses.replace(sd_policy, require_key_binding=False)
    result = verify_sd_jwt_vc(text, waived, nonce=None, audience=None, now=NOW)
    assert not result.key_bound


@pytest.mark.parametrize("garbage", [
    "", "~", "a~b~", "not-a-jwt~", "x.y.z~", "eyJ9.eyJ9.AA~", "~" * 10_000,
    "eyJhbGciOiJFUzI1NiJ9." + "A" * 600_000 + ".AA~",
])
def test_malformed_sd_jwt_typed_error(garbage: str, sd_policy: SdJwtVcPolicy,
                                      client_id: str) -> None:
    with pytest.raises(WalletVerificationError):
        verify_sd_jwt_vc(garbage, sd_policy, nonce=NONCE, audience=client_id, now=NOW)


def test_malformed_types_in_payload_typed_error(sd_policy: SdJwtVcPolicy, client_id: str,
                                                issuer: TestPidIssuer) -> None:
    from wallet_adapters.jws import sign_compact
    from wallet_adapters.trust import x5c_value as x5c

    for payload in ({"_sd": "notalist"}, {"_sd": [1, 2]}, {"a": [{"...": 5}]},
                    {"vct": NL_PID, "exp": "tomorrow"}):
        token = sign_compact({"typ": "dc+sd-jwt", "x5c": x5c([issuer.pki.issuer_cert])},
                             payload, issuer.pki.issuer_key)
        with pytest.raises(WalletVerificationError):
            verify_sd_jwt_vc(token + "~", sd_policy, nonce=NONCE, audience=client_id, now=NOW)
    assert MalformedInput.code == "malformed"
