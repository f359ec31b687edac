"""The checks a service provider owes an IdP's answer (SAML Core §3.2.2, §2.3–2.7; SAML Profiles
§4.1.4.2–4.1.4.3 Web Browser SSO; SAML Bindings §3.6 artifact resolution).

Order matters: the whole document is screened for wrapping tricks first, then each signature is
verified, and every later read happens on the signed copy only (catalogue §3.1). Scheme rules
(sector codes, levels) stay with the login means; this module gives it the verified facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from lxml import etree

from broker.saml import soap
from broker.saml.signature import check_unique_ids, reject_ds_object, verify_enveloped
from broker.saml.timing import (
    check_issued,
    check_not_before,
    check_not_on_or_after,
    now,
    parse_instant,
)
from broker.saml.xml import (
    CM_BEARER,
    NS_DS,
    NS_SAML,
    NS_SAMLP,
    STATUS_SUCCESS,
    SamlError,
    child,
    full_text,
    require_child,
    tag,
)


class SamlStatusError(SamlError):
    """The IdP answered with a non-Success status (SAML Core §3.2.2.2)."""

    def __init__(self, status_code: str, sub_code: str | None, status_message: str | None) -> None:
        super().__init__(
            "De inlogdienst meldde een fout.", f"SAML status {status_code} / {sub_code}"
        )
        self.status_code = status_code
        self.sub_code = sub_code
        self.status_message = status_message


@dataclass(frozen=True)
class Expectations:
    """What the SP knows before it reads an answer: who may answer, to whom, to which request."""

    idp_entity_id: str
    sp_entity_id: str
    acs_url: str
    authn_request_id: str
    certificates: Sequence[x509.Certificate]
    clock_skew: int = 60
    require_response_signature: bool = False
    at: float | None = None  # evaluation time (epoch); None = now


@dataclass(frozen=True)
class VerifiedAssertion:
    """Facts read from the signed Assertion only; ``name_id`` may hold personal data."""

    assertion_id: str
    issuer: str
    name_id: str
    name_id_format: str | None
    authn_context_class_ref: str
    authn_instant: float
    session_index: str | None
    valid_until: float  # latest NotOnOrAfter: how long to remember the ID against replay
    # AuthnStatement SessionNotOnOrAfter (Profiles §4.1.4.3): single sign-on ends by then.
    session_not_on_or_after: float | None = None


def _check_version(element: etree._Element) -> None:
    if element.get("Version") != "2.0":  # SAML Core §3.2.2 / §2.3.3
        raise SamlError("Onbekende SAML-versie.", "Version must be 2.0")


def _check_issuer(element: etree._Element, expected: str, *, required: bool = True) -> None:
    issuer = child(element, NS_SAML, "Issuer")
    if issuer is None:
        if required:
            raise SamlError("Uitgever ontbreekt.", "Issuer missing")
        return
    fmt = issuer.get("Format")
    if fmt not in (None, "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"):
        raise SamlError("Onverwachte uitgever.", "Issuer Format is not entity")
    if full_text(issuer).strip() != expected:
        raise SamlError("Onverwachte uitgever.", "Issuer is not the expected IdP")


def read_status(message: etree._Element) -> None:
    """Raise ``SamlStatusError`` unless the top-level StatusCode is Success (Core §3.2.2.2)."""
    status = require_child(message, NS_SAMLP, "Status")
    code = require_child(status, NS_SAMLP, "StatusCode")
    value = code.get("Value") or ""
    if value == STATUS_SUCCESS:
        return
    nested = child(code, NS_SAMLP, "StatusCode")
    text = child(status, NS_SAMLP, "StatusMessage")
    raise SamlStatusError(
        value, nested.get("Value") if nested is not None else None,
        full_text(text) if text is not None else None,
    )


def open_artifact_response(
    body: bytes,
    *,
    resolve_id: str,
    idp_entity_id: str,
    certificates: Sequence[x509.Certificate],
    clock_skew: int = 60,
    at: float | None = None,
) -> etree._Element | None:
    """Verify a SOAP-wrapped ``samlp:ArtifactResponse`` and return the message it carries.

    The ArtifactResponse must be signed by a pinned certificate and answer ``resolve_id``
    (Bindings §3.6.3). ``None`` means the IdP had nothing for the artifact (Bindings §3.6.6:
    unknown or already used): the caller treats that as a failed login.
    """
    received = soap.unwrap(body)
    document = received.getroottree().getroot()
    check_unique_ids(document)
    reject_ds_object(document)
    if received.tag != tag(NS_SAMLP, "ArtifactResponse"):
        raise SamlError("Geen ArtifactResponse.", "SOAP Body is not an ArtifactResponse")
    signed = verify_enveloped(received, certificates)
    _check_version(signed)
    if signed.get("InResponseTo") != resolve_id:
        raise SamlError("Antwoord op een ander verzoek.", "ArtifactResponse InResponseTo mismatch")
    _check_issuer(signed, idp_entity_id)
    check_issued(signed.get("IssueInstant"), "IssueInstant", skew=clock_skew, at=at)
    read_status(signed)
    known = {tag(NS_SAML, "Issuer"), tag(NS_DS, "Signature"), tag(NS_SAMLP, "Extensions"),
             tag(NS_SAMLP, "Status")}
    payload = [c for c in signed if isinstance(c.tag, str) and c.tag not in known]
    if len(payload) > 1:
        raise SamlError("Meer dan één bericht in ArtifactResponse.", "several messages in payload")
    if not payload:
        return None
    # The received element, whose digest just matched, rather than its re-parsed copy: that copy
    # lost the namespace declarations a nested signature's PrefixList names (Exclusive C14N §3).
    # Readers use full_text, so comments (the only difference c14n hides) change nothing read.
    (message,) = [c for c in received if isinstance(c.tag, str) and c.tag not in known]
    if message.tag != payload[0].tag or message.get("ID") != payload[0].get("ID"):
        raise SamlError("Ander bericht dan ondertekend.", "payload differs from the signed one")
    return message


def _check_subject(
    assertion: etree._Element, exp: Expectations, at: float, *, encrypted_id: bool = False
) -> tuple[str, str | None, float]:
    """NameID plus the bearer confirmation (Profiles §4.1.4.2); returns the confirmation limit.

    With ``encrypted_id`` the subject must be one ``saml:EncryptedID`` instead (eHerkenning,
    ``nl-login-means.md`` §3.4); the name returned is then empty and the caller decrypts it.
    """
    subject = require_child(assertion, NS_SAML, "Subject")
    plain = ("BaseID", "NameID") if encrypted_id else ("BaseID", "EncryptedID")
    if any(child(subject, NS_SAML, name) is not None for name in plain):
        raise SamlError(
            "Onverwachte subject-identificatie.",
            f"only {'an EncryptedID' if encrypted_id else 'a plain NameID'} is supported",
        )
    if encrypted_id:
        require_child(subject, NS_SAML, "EncryptedID")
        name_text, name_format = "", None
    else:
        name_id = require_child(subject, NS_SAML, "NameID")
        name_text, name_format = full_text(name_id).strip(), name_id.get("Format")
    confirmations = subject.findall(tag(NS_SAML, "SubjectConfirmation"))
    if len(confirmations) != 1 or confirmations[0].get("Method") != CM_BEARER:
        raise SamlError("Onverwachte bevestigingsmethode.", "need exactly one bearer confirmation")
    data = require_child(confirmations[0], NS_SAML, "SubjectConfirmationData")
    if data.get("Recipient") != exp.acs_url:
        raise SamlError("Assertion voor een andere ontvanger.", "Recipient is not our ACS URL")
    if data.get("InResponseTo") != exp.authn_request_id:
        raise SamlError("Assertion voor een ander verzoek.", "confirmation InResponseTo mismatch")
    if data.get("NotBefore") is not None:  # Profiles §4.1.4.2: "MUST NOT contain a NotBefore"
        raise SamlError("Onverwachte bevestigingsgegevens.",
                        "bearer SubjectConfirmationData must not carry NotBefore")
    limit = check_not_on_or_after(data.get("NotOnOrAfter"), "SubjectConfirmationData NotOnOrAfter",
                                  skew=exp.clock_skew, at=at, required=True)
    assert limit is not None
    return name_text, name_format, limit


def _check_conditions(assertion: etree._Element, exp: Expectations, at: float) -> float | None:
    """Time window and audience (Core §2.5.1); unknown conditions make the assertion invalid."""
    conditions = require_child(assertion, NS_SAML, "Conditions")
    check_not_before(conditions.get("NotBefore"), "Conditions NotBefore", skew=exp.clock_skew,
                     at=at)
    limit = check_not_on_or_after(conditions.get("NotOnOrAfter"), "Conditions NotOnOrAfter",
                                  skew=exp.clock_skew, at=at)
    restrictions = 0
    for condition in conditions:
        if not isinstance(condition.tag, str):
            continue
        if condition.tag == tag(NS_SAML, "AudienceRestriction"):
            restrictions += 1
            audiences = [full_text(a).strip() for a in condition.findall(tag(NS_SAML, "Audience"))]
            if exp.sp_entity_id not in audiences:  # Core §2.5.1.4: every restriction must hold
                raise SamlError("Assertion voor een andere dienst.", "Audience is not our entityID")
        elif condition.tag in (tag(NS_SAML, "OneTimeUse"), tag(NS_SAML, "ProxyRestriction")):
            continue  # one-time use is enforced for every assertion anyway
        else:
            raise SamlError("Onbekende voorwaarde in de assertion.", "unknown Condition")
    if restrictions == 0:  # Profiles §4.1.4.2: MUST contain an AudienceRestriction
        raise SamlError("Assertion zonder doelgroep.", "AudienceRestriction missing")
    return limit


def validate_response(response: etree._Element, exp: Expectations) -> VerifiedAssertion:
    """Check a ``samlp:Response`` (already taken from a verified ArtifactResponse) and its one
    signed Assertion; return what the signed Assertion says.

    Raises ``SamlStatusError`` for a non-Success status and ``SamlError`` for anything else.
    """
    return _validate_response(response, exp, encrypted_id=False)[0]


def validate_response_encrypted_subject(
    response: etree._Element, exp: Expectations
) -> tuple[VerifiedAssertion, etree._Element]:
    """Like ``validate_response``, for schemes whose subject is a ``saml:EncryptedID``
    (eHerkenning, ``nl-login-means.md`` §3.4): the same checks, ``name_id`` left empty, and the
    verified (signed) Assertion returned so the caller can decrypt and read attributes from it
    and from nothing else (catalogue §3.1).
    """
    return _validate_response(response, exp, encrypted_id=True)


def _validate_response(
    response: etree._Element, exp: Expectations, *, encrypted_id: bool
) -> tuple[VerifiedAssertion, etree._Element]:
    at = now() if exp.at is None else exp.at
    document = response.getroottree().getroot()
    check_unique_ids(document)
    reject_ds_object(document)
    if response.tag != tag(NS_SAMLP, "Response"):
        raise SamlError("Geen SAML Response.", "message is not a samlp:Response")
    received = response
    if response.find(tag(NS_DS, "Signature")) is not None:
        response = verify_enveloped(response, exp.certificates)
    elif exp.require_response_signature:
        raise SamlError("Het SAML-antwoord is niet ondertekend.", "Response is not signed")
    _check_version(response)
    if response.get("InResponseTo") != exp.authn_request_id:
        raise SamlError("Antwoord op een ander verzoek.", "Response InResponseTo mismatch")
    destination = response.get("Destination")
    if destination is not None and destination != exp.acs_url:  # Core §3.2.2
        raise SamlError("Antwoord voor een ander adres.", "Response Destination mismatch")
    _check_issuer(response, exp.idp_entity_id)
    check_issued(response.get("IssueInstant"), "Response IssueInstant", skew=exp.clock_skew, at=at)
    read_status(response)

    # Exactly one Assertion in the whole message, as a direct child (XSW3/4/7, CVE-2022-41912).
    everywhere = list(response.iter(tag(NS_SAML, "Assertion"), tag(NS_SAML, "EncryptedAssertion")))
    direct = response.findall(tag(NS_SAML, "Assertion"))
    if len(everywhere) != 1 or len(direct) != 1:
        raise SamlError("Het SAML-antwoord moet precies één assertion bevatten.",
                        "expected exactly one Assertion")
    # Verified where it was received: the signed Response's re-parsed copy lacks declarations
    # of the ancestors that the Assertion's PrefixList may name (Exclusive C14N §3).
    (received_assertion,) = received.findall(tag(NS_SAML, "Assertion"))
    assertion = verify_enveloped(received_assertion, exp.certificates)  # signature required
    if assertion.get("ID") != direct[0].get("ID"):
        raise SamlError("Andere assertion dan ondertekend.", "Assertion is not the signed one")
    _check_version(assertion)
    assertion_id = assertion.get("ID") or ""
    _check_issuer(assertion, exp.idp_entity_id)
    check_not_before(assertion.get("IssueInstant"), "Assertion IssueInstant", skew=exp.clock_skew,
                     at=at, required=True)  # Core §2.3.3: IssueInstant [Required]
    name_id, name_format, confirmation_limit = _check_subject(
        assertion, exp, at, encrypted_id=encrypted_id
    )
    conditions_limit = _check_conditions(assertion, exp, at)

    statements = assertion.findall(tag(NS_SAML, "AuthnStatement"))
    if len(statements) != 1:
        raise SamlError("Het SAML-antwoord moet één AuthnStatement bevatten.",
                        "expected exactly one AuthnStatement")
    statement = statements[0]
    authn_instant = parse_instant(statement.get("AuthnInstant"), "AuthnInstant")
    check_not_before(statement.get("AuthnInstant"), "AuthnInstant", skew=exp.clock_skew, at=at)
    session_limit = check_not_on_or_after(statement.get("SessionNotOnOrAfter"),
                                          "SessionNotOnOrAfter", skew=exp.clock_skew, at=at)
    context = require_child(statement, NS_SAML, "AuthnContext")
    class_ref = require_child(context, NS_SAML, "AuthnContextClassRef")
    limits = [confirmation_limit] + ([conditions_limit] if conditions_limit is not None else [])
    verified = VerifiedAssertion(
        assertion_id=assertion_id,
        issuer=exp.idp_entity_id,
        name_id=name_id,
        name_id_format=name_format,
        authn_context_class_ref=full_text(class_ref).strip(),
        authn_instant=authn_instant,
        session_index=statement.get("SessionIndex"),
        valid_until=max(limits),
        session_not_on_or_after=session_limit,
    )
    return verified, assertion
