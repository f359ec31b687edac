"""The SAML messages the simulator writes, following the broker's DigiD message contract.

Shapes (element order matters to schema-validating SPs):

* ``samlp:Response`` — ID, InResponseTo (AuthnRequest ID), Destination (ACS URL), IssueInstant,
  Issuer, Status, and on success one signed ``saml:Assertion``. The Response itself is not signed:
  it travels inside the signed ArtifactResponse over the back channel, as with DigiD.
* ``saml:Assertion`` — Issuer, Signature, Subject (NameID ``s00000000:<bsn>``, bearer
  SubjectConfirmation), Conditions with the SP as Audience, AuthnStatement with the DigiD class
  ref of the level the user picked.
* ``samlp:ArtifactResponse`` — signed, Status Success, and the Response when the artifact was
  still there (an empty ArtifactResponse otherwise, SAML Bindings §3.6.5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from broker.assurance import Level
from conformance.digid.samlxml import NSMAP, SAML, SAMLP, SOAP11, new_id, q, saml_time
from conformance.digid.signing import sign_after_issuer

STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
STATUS_REQUESTER = "urn:oasis:names:tc:SAML:2.0:status:Requester"
STATUS_RESPONDER = "urn:oasis:names:tc:SAML:2.0:status:Responder"
STATUS_AUTHN_FAILED = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"
STATUS_REQUEST_DENIED = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"
STATUS_VERSION_MISMATCH = "urn:oasis:names:tc:SAML:2.0:status:VersionMismatch"
CANCELLED_MESSAGE = "Authentication cancelled"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
BSN_SECTOR = "s00000000"


@dataclass(frozen=True)
class Signer:
    """The IdP's identity and key, as every message builder needs them."""

    entity_id: str
    key: rsa.RSAPrivateKey
    cert_pem: bytes


@dataclass(frozen=True)
class Outcome:
    """What the user did on the login page, and for which AuthnRequest."""

    sp_entity_id: str
    request_id: str
    acs_url: str
    bsn: str | None  # None: cancelled
    level: Level | None


def _issuer(parent: etree._Element, entity_id: str) -> None:
    etree.SubElement(parent, q(SAML, "Issuer")).text = entity_id


def _status(
    parent: etree._Element, code: str, sub_code: str | None = None, message: str | None = None
) -> None:
    status = etree.SubElement(parent, q(SAMLP, "Status"))
    top = etree.SubElement(status, q(SAMLP, "StatusCode"), Value=code)
    if sub_code is not None:
        etree.SubElement(top, q(SAMLP, "StatusCode"), Value=sub_code)
    if message is not None:
        etree.SubElement(status, q(SAMLP, "StatusMessage")).text = message


def build_assertion(
    signer: Signer,
    outcome: Outcome,
    now: dt.datetime,
    *,
    confirmation_validity: dt.timedelta,
    conditions_validity: dt.timedelta,
) -> etree._Element:
    """A signed assertion for a successful login."""
    if outcome.bsn is None or outcome.level is None:
        raise ValueError("an assertion needs a BSN and a level")
    assertion = etree.Element(
        q(SAML, "Assertion"),
        nsmap={"saml": SAML},
        ID=new_id(),
        IssueInstant=saml_time(now),
        Version="2.0",
    )
    _issuer(assertion, signer.entity_id)
    subject = etree.SubElement(assertion, q(SAML, "Subject"))
    etree.SubElement(subject, q(SAML, "NameID")).text = f"{BSN_SECTOR}:{outcome.bsn}"
    confirmation = etree.SubElement(subject, q(SAML, "SubjectConfirmation"), Method=BEARER)
    etree.SubElement(
        confirmation,
        q(SAML, "SubjectConfirmationData"),
        InResponseTo=outcome.request_id,
        NotOnOrAfter=saml_time(now + confirmation_validity),
        Recipient=outcome.acs_url,
    )
    conditions = etree.SubElement(
        assertion,
        q(SAML, "Conditions"),
        NotBefore=saml_time(now),
        NotOnOrAfter=saml_time(now + conditions_validity),
    )
    restriction = etree.SubElement(conditions, q(SAML, "AudienceRestriction"))
    etree.SubElement(restriction, q(SAML, "Audience")).text = outcome.sp_entity_id
    statement = etree.SubElement(
        assertion, q(SAML, "AuthnStatement"), AuthnInstant=saml_time(now), SessionIndex=new_id()
    )
    context = etree.SubElement(statement, q(SAML, "AuthnContext"))
    etree.SubElement(context, q(SAML, "AuthnContextClassRef")).text = outcome.level.digid_class_ref
    return sign_after_issuer(assertion, signer.key, signer.cert_pem)


def build_response(
    signer: Signer,
    outcome: Outcome,
    now: dt.datetime,
    *,
    confirmation_validity: dt.timedelta,
    conditions_validity: dt.timedelta,
) -> etree._Element:
    """The samlp:Response for a login (with assertion) or a cancel (AuthnFailed, no assertion)."""
    response = etree.Element(
        q(SAMLP, "Response"),
        nsmap={"samlp": SAMLP, "saml": SAML},
        ID=new_id(),
        InResponseTo=outcome.request_id,
        Destination=outcome.acs_url,
        IssueInstant=saml_time(now),
        Version="2.0",
    )
    _issuer(response, signer.entity_id)
    if outcome.bsn is None:
        _status(response, STATUS_RESPONDER, STATUS_AUTHN_FAILED, CANCELLED_MESSAGE)
        return response
    _status(response, STATUS_SUCCESS)
    response.append(
        build_assertion(
            signer,
            outcome,
            now,
            confirmation_validity=confirmation_validity,
            conditions_validity=conditions_validity,
        )
    )
    return response


def build_artifact_response(
    signer: Signer,
    in_response_to: str | None,
    now: dt.datetime,
    *,
    message: etree._Element | None = None,
    status: tuple[str, str | None] = (STATUS_SUCCESS, None),
) -> etree._Element:
    """A signed ArtifactResponse; ``message`` is None for an unknown or already used artifact."""
    attributes = {"ID": new_id()}
    if in_response_to:
        attributes["InResponseTo"] = in_response_to
    attributes.update(IssueInstant=saml_time(now), Version="2.0")
    artifact_response = etree.Element(q(SAMLP, "ArtifactResponse"), attributes, nsmap=NSMAP)
    _issuer(artifact_response, signer.entity_id)
    _status(artifact_response, status[0], status[1])
    if message is not None:
        artifact_response.append(message)
    return sign_after_issuer(artifact_response, signer.key, signer.cert_pem)


def soap_envelope(payload: etree._Element) -> bytes:
    envelope = etree.Element(q(SOAP11, "Envelope"), nsmap={"soap": SOAP11})
    body = etree.SubElement(envelope, q(SOAP11, "Body"))
    body.append(payload)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def soap_fault(reason: str) -> bytes:
    """A SOAP 1.1 Client fault, for requests too broken to answer with SAML."""
    envelope = etree.Element(q(SOAP11, "Envelope"), nsmap={"soap": SOAP11})
    body = etree.SubElement(envelope, q(SOAP11, "Body"))
    fault = etree.SubElement(body, q(SOAP11, "Fault"))
    etree.SubElement(fault, "faultcode").text = "soap:Client"
    etree.SubElement(fault, "faultstring").text = reason
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
