"""The samlp:Response the simulated HM returns (eTD DV-HM response, ``nl-login-means.md``
§3.4, simplified to one HM-signed assertion; a real HM nests AD and MR assertions as advice).

* Subject: ``saml:EncryptedID`` with the ActingSubjectID, a DV-specific pseudonym that depends
  on the DV, the (fixed) test employee and the organisation that mandated them — the same for
  a chain mandate through the same intermediary (§3.4 [SECONDARY]).
* AttributeStatement: ServiceID, ServiceUUID, LegalSubjectID (EncryptedID: KvKnr, and the RSIN
  when the company has one), the represented company's name and KvK number, the branch
  (ServiceRestriction Vestigingsnr) when there is one, and for a chain mandate the
  intermediary's KvK number (IntermediateSubjectID, EncryptedID) and name.
* Every EncryptedID is encrypted to the DV's encryption certificate with RSA-OAEP and AES-GCM,
  with ``Recipient`` = the DV's entity id (SAML errata E43).
* Cancel: Status Responder/AuthnFailed, no assertion.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from broker.means.eherkenning import identifiers as ids
from broker.saml.encryption import Recipient, encrypt_element
from conformance.digid.messages import (
    BEARER,
    CANCELLED_MESSAGE,
    STATUS_AUTHN_FAILED,
    STATUS_RESPONDER,
    STATUS_SUCCESS,
    Signer,
)
from conformance.digid.samlxml import SAML, SAMLP, new_id, q, saml_time
from conformance.digid.signing import sign_after_issuer
from conformance.eherkenning.companies import Company

TEST_EMPLOYEE = "medewerker-1"


@dataclass(frozen=True)
class Outcome:
    """What the tester chose, and for which AuthnRequest."""

    sp_entity_id: str
    request_id: str
    acs_url: str
    service_id: str
    service_uuid: str
    encryption_certificate: bytes
    company: Company | None  # None: cancelled
    intermediary: Company | None = None
    level_uri: str = ""


def pseudonym(hm_entity_id: str, outcome: Outcome) -> str:
    """A stable, DV-specific pseudonym for the test employee of the mandating organisation."""
    assert outcome.company is not None
    mandating = outcome.intermediary or outcome.company
    seed = f"{hm_entity_id}|{outcome.sp_entity_id}|{TEST_EMPLOYEE}|{mandating.kvk}"
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def _status(parent: etree._Element, code: str, sub_code: str | None = None,
            message: str | None = None) -> None:
    status = etree.SubElement(parent, q(SAMLP, "Status"))
    top = etree.SubElement(status, q(SAMLP, "StatusCode"), Value=code)
    if sub_code is not None:
        etree.SubElement(top, q(SAMLP, "StatusCode"), Value=sub_code)
    if message is not None:
        etree.SubElement(status, q(SAMLP, "StatusMessage")).text = message


class _Encryptor:
    def __init__(self, outcome: Outcome) -> None:
        public_key = x509.load_pem_x509_certificate(outcome.encryption_certificate).public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise ValueError("the DV's encryption certificate must hold an RSA key")
        self.recipient = Recipient(public_key, outcome.sp_entity_id)

    def encrypted_id(self, qualifier: str, value: str) -> etree._Element:
        name_id = etree.Element(q(SAML, "NameID"), nsmap={"saml": SAML},
                                NameQualifier=qualifier)
        name_id.text = value
        return encrypt_element(name_id, [self.recipient])


def _attribute(statement: etree._Element, name: str,
               values: list[str | etree._Element]) -> None:
    attribute = etree.SubElement(statement, q(SAML, "Attribute"), Name=name)
    for value in values:
        holder = etree.SubElement(attribute, q(SAML, "AttributeValue"))
        if isinstance(value, str):
            holder.text = value
        else:
            holder.append(value)


def build_assertion(
    signer: Signer, outcome: Outcome, now: dt.datetime, *,
    confirmation_validity: dt.timedelta, conditions_validity: dt.timedelta,
) -> etree._Element:
    """A signed assertion for a successful login."""
    company = outcome.company
    if company is None:
        raise ValueError("an assertion needs a company")
    encryptor = _Encryptor(outcome)
    assertion = etree.Element(q(SAML, "Assertion"), nsmap={"saml": SAML}, ID=new_id(),
                              IssueInstant=saml_time(now), Version="2.0")
    etree.SubElement(assertion, q(SAML, "Issuer")).text = signer.entity_id
    subject = etree.SubElement(assertion, q(SAML, "Subject"))
    subject.append(encryptor.encrypted_id(ids.QUALIFIER_PSEUDO,
                                          pseudonym(signer.entity_id, outcome)))
    confirmation = etree.SubElement(subject, q(SAML, "SubjectConfirmation"), Method=BEARER)
    etree.SubElement(confirmation, q(SAML, "SubjectConfirmationData"),
                     InResponseTo=outcome.request_id,
                     NotOnOrAfter=saml_time(now + confirmation_validity),
                     Recipient=outcome.acs_url)
    conditions = etree.SubElement(assertion, q(SAML, "Conditions"), NotBefore=saml_time(now),
                                  NotOnOrAfter=saml_time(now + conditions_validity))
    restriction = etree.SubElement(conditions, q(SAML, "AudienceRestriction"))
    etree.SubElement(restriction, q(SAML, "Audience")).text = outcome.sp_entity_id
    statement = etree.SubElement(assertion, q(SAML, "AuthnStatement"),
                                 AuthnInstant=saml_time(now), SessionIndex=new_id())
    context = etree.SubElement(statement, q(SAML, "AuthnContext"))
    etree.SubElement(context, q(SAML, "AuthnContextClassRef")).text = outcome.level_uri

    attributes = etree.SubElement(assertion, q(SAML, "AttributeStatement"))
    _attribute(attributes, ids.ATTR_SERVICE_ID, [outcome.service_id])
    _attribute(attributes, ids.ATTR_SERVICE_UUID, [outcome.service_uuid])
    legal: list[str | etree._Element] = [encryptor.encrypted_id(ids.QUALIFIER_KVK, company.kvk)]
    if company.rsin:
        legal.append(encryptor.encrypted_id(ids.QUALIFIER_RSIN, company.rsin))
    _attribute(attributes, ids.ATTR_LEGAL_SUBJECT, legal)
    _attribute(attributes, ids.ATTR_REPRESENTED_NAME, [company.name])
    _attribute(attributes, ids.ATTR_REPRESENTED_KVK, [company.kvk])
    if company.branch:
        _attribute(attributes, ids.ATTR_BRANCH, [company.branch])
    if outcome.intermediary is not None:
        _attribute(attributes, ids.ATTR_INTERMEDIATE_SUBJECT, [
            encryptor.encrypted_id(ids.QUALIFIER_KVK, outcome.intermediary.kvk)
        ])
        _attribute(attributes, ids.ATTR_INTERMEDIATE_NAME, [outcome.intermediary.name])
    return sign_after_issuer(assertion, signer.key, signer.cert_pem)


def build_response(
    signer: Signer, outcome: Outcome, now: dt.datetime, *,
    confirmation_validity: dt.timedelta, conditions_validity: dt.timedelta,
) -> etree._Element:
    """The samlp:Response for a login (with assertion) or a cancel (AuthnFailed)."""
    response = etree.Element(q(SAMLP, "Response"), nsmap={"samlp": SAMLP, "saml": SAML},
                             ID=new_id(), InResponseTo=outcome.request_id,
                             Destination=outcome.acs_url, IssueInstant=saml_time(now),
                             Version="2.0")
    etree.SubElement(response, q(SAML, "Issuer")).text = signer.entity_id
    if outcome.company is None:
        _status(response, STATUS_RESPONDER, STATUS_AUTHN_FAILED, CANCELLED_MESSAGE)
        return response
    _status(response, STATUS_SUCCESS)
    response.append(build_assertion(signer, outcome, now,
                                    confirmation_validity=confirmation_validity,
                                    conditions_validity=conditions_validity))
    return response
