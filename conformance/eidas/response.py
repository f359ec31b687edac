"""The Response the simulated node posts back: signed Response around one signed Assertion.

Shape (SAML Core §3.3.3, §2.3.3; eIDAS SAML Attribute Profile v1.2 §2.2 for the attributes):
Response(ID, InResponseTo, Destination=ACS, IssueInstant) → Issuer, Signature, Status, and on
success Assertion → Issuer, Signature, Subject (persistent NameID = PersonIdentifier, bearer
confirmation with Recipient and InResponseTo), Conditions (AudienceRestriction = SP entity id),
AuthnStatement (eIDAS LoA as AuthnContextClassRef), AttributeStatement (the four mandatory
natural-person attributes, ``NameFormat`` uri, eIDAS value types). A cancel is
``Requester``/``RequestDenied`` without an Assertion, as eIDAS nodes answer refused consent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from broker.assurance import Level
from broker.means.eidas.profile import (
    ATTRNAME_URI,
    MANDATORY,
    NS_NATURAL,
    NS_XSI,
    STATUS_REQUEST_DENIED,
)
from conformance.digid.samlxml import SAML, SAMLP, new_id, q, saml_time
from conformance.digid.signing import sign_after_issuer
from conformance.eidas.persons import TestPerson

STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
STATUS_REQUESTER = "urn:oasis:names:tc:SAML:2.0:status:Requester"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
CANCELLED_MESSAGE = "202007 - Citizen cancelled or refused consent"


@dataclass(frozen=True)
class NodeSigner:
    entity_id: str
    key: rsa.RSAPrivateKey
    cert_pem: bytes


@dataclass(frozen=True)
class Answer:
    """What the tester chose, for which request: ``person`` None means cancel."""

    sp_entity_id: str
    request_id: str
    acs_url: str
    person: TestPerson | None
    level: Level | None


def _values(person: TestPerson) -> dict[str, str]:
    return {
        MANDATORY[0].name: person.person_identifier,
        MANDATORY[1].name: person.family_name,
        MANDATORY[2].name: person.given_name,
        MANDATORY[3].name: person.birthdate,
    }


def build_assertion(
    signer: NodeSigner, answer: Answer, now: dt.datetime, validity: dt.timedelta
) -> etree._Element:
    person, level = answer.person, answer.level
    if person is None or level is None:
        raise ValueError("an assertion needs a person and a level")
    assertion = etree.Element(
        q(SAML, "Assertion"),
        nsmap={"saml": SAML, "xsi": NS_XSI, "eidas-natural": NS_NATURAL},
        ID=new_id(),
        IssueInstant=saml_time(now),
        Version="2.0",
    )
    etree.SubElement(assertion, q(SAML, "Issuer")).text = signer.entity_id
    subject = etree.SubElement(assertion, q(SAML, "Subject"))
    name_id = etree.SubElement(
        subject, q(SAML, "NameID"), Format=NAMEID_PERSISTENT, NameQualifier=signer.entity_id
    )
    name_id.text = person.person_identifier
    confirmation = etree.SubElement(subject, q(SAML, "SubjectConfirmation"), Method=BEARER)
    etree.SubElement(
        confirmation,
        q(SAML, "SubjectConfirmationData"),
        InResponseTo=answer.request_id,
        NotOnOrAfter=saml_time(now + validity),
        Recipient=answer.acs_url,
    )
    conditions = etree.SubElement(
        assertion, q(SAML, "Conditions"),
        NotBefore=saml_time(now), NotOnOrAfter=saml_time(now + validity),
    )
    restriction = etree.SubElement(conditions, q(SAML, "AudienceRestriction"))
    etree.SubElement(restriction, q(SAML, "Audience")).text = answer.sp_entity_id
    statement = etree.SubElement(
        assertion, q(SAML, "AuthnStatement"), AuthnInstant=saml_time(now), SessionIndex=new_id()
    )
    context = etree.SubElement(statement, q(SAML, "AuthnContext"))
    etree.SubElement(context, q(SAML, "AuthnContextClassRef")).text = level.eidas
    attributes = etree.SubElement(assertion, q(SAML, "AttributeStatement"))
    values = _values(person)
    for spec in MANDATORY:
        attribute = etree.SubElement(
            attributes, q(SAML, "Attribute"),
            FriendlyName=spec.friendly_name, Name=spec.name, NameFormat=ATTRNAME_URI,
        )
        value = etree.SubElement(attribute, q(SAML, "AttributeValue"))
        value.set(q(NS_XSI, "type"), f"eidas-natural:{spec.xsi_type}")
        value.text = values[spec.name]
    return sign_after_issuer(assertion, signer.key, signer.cert_pem)


def build_response(
    signer: NodeSigner, answer: Answer, now: dt.datetime, validity: dt.timedelta
) -> etree._Element:
    """The signed samlp:Response for a login (with signed Assertion) or a cancel."""
    response = etree.Element(
        q(SAMLP, "Response"),
        nsmap={"samlp": SAMLP, "saml": SAML},
        ID=new_id(),
        InResponseTo=answer.request_id,
        Destination=answer.acs_url,
        IssueInstant=saml_time(now),
        Version="2.0",
    )
    etree.SubElement(response, q(SAML, "Issuer")).text = signer.entity_id
    status = etree.SubElement(response, q(SAMLP, "Status"))
    if answer.person is None:
        top = etree.SubElement(status, q(SAMLP, "StatusCode"), Value=STATUS_REQUESTER)
        etree.SubElement(top, q(SAMLP, "StatusCode"), Value=STATUS_REQUEST_DENIED)
        etree.SubElement(status, q(SAMLP, "StatusMessage")).text = CANCELLED_MESSAGE
    else:
        etree.SubElement(status, q(SAMLP, "StatusCode"), Value=STATUS_SUCCESS)
        response.append(build_assertion(signer, answer, now, validity))
    return sign_after_issuer(response, signer.key, signer.cert_pem)
