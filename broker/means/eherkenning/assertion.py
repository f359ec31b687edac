"""What a verified eHerkenning assertion says: who acts, for which organisation, through whom.

Input is the *signed* Assertion returned by ``broker.saml.response`` (never the received tree,
catalogue §3.1); every identifier in it is a ``saml:EncryptedID`` decrypted with the SP key
(``nl-login-means.md`` §3.4). Scheme rules checked here:

* ActingSubjectID (the subject) is a DV-specific pseudonym (§3.4); a BSN as acting subject is
  not supported by this broker and refused;
* LegalSubjectID holds KvKnr, RSIN or BSN (BSNk-encrypted); the service's allowed types
  (catalogue ECTA, §3.2) decide what may be received; a BSN needs at least substantial (§3.2);
* KvK numbers have 8 digits, RSINs 9 digits and the elfproef, branch numbers 12 digits;
* the ServiceID (and ServiceUUID, when configured) must be ours (§3.1, §3.2);
* a chain mandate (ketenmachtiging, §3.5) names one intermediary by KvK number, which must
  differ from the represented organisation;
* attributes appear once (catalogue §3.2, "attribute repeated").
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from broker.assurance import Level
from broker.errors import LoginMeansError
from broker.means.eherkenning import identifiers as ids
from broker.saml.encryption import decrypt_element
from broker.saml.xml import NS_SAML, SamlError, child, full_text, require_child, tag


class IdentifierNotAllowed(LoginMeansError):
    """eHerkenning delivered an identifier type this service may not receive (§3.2 ECTA)."""

    def __init__(self) -> None:
        super().__init__(
            "Deze dienst kan uw organisatie niet ontvangen met het identificerend kenmerk dat "
            "eHerkenning meestuurde.",
            "This service cannot receive your organisation with the identifier eHerkenning sent.",
        )


@dataclass(frozen=True)
class Organisation:
    """An organisation as eHerkenning names it."""

    kind: str  # "kvk", "rsin" or "bsn-encrypted"
    value: str
    attributes: dict[str, str]


@dataclass(frozen=True)
class EherkenningFacts:
    """The decrypted, checked content of one assertion."""

    acting_subject: str
    acting_type: str  # NameQualifier of the pseudonym
    legal_subject_type: str  # "KvKnr", "RSIN" or "BSN"
    represented: Organisation
    intermediary: Organisation | None
    service_id: str
    service_uuid: str | None

    def represents(self) -> list[dict[str, Any]]:
        """``Authentication.represents``: intermediary first for a chain (flow/model.py)."""
        chain: list[dict[str, Any]] = []
        if self.intermediary is not None:
            chain.append({"kind": self.intermediary.kind, "value": self.intermediary.value,
                          "role": "intermediary", "attributes": dict(self.intermediary.attributes)})
        chain.append({"kind": self.represented.kind, "value": self.represented.value,
                      "attributes": dict(self.represented.attributes)})
        return chain

    def attributes(self) -> dict[str, str]:
        """Flat ``Authentication.attributes`` (only what was delivered)."""
        values = {
            "service_id": self.service_id,
            "service_uuid": self.service_uuid,
            "legal_subject_type": self.legal_subject_type,
            "company_name": self.represented.attributes.get("name"),
            "kvk": self.represented.value if self.represented.kind == "kvk" else None,
            "rsin": self.represented.attributes.get("rsin")
            or (self.represented.value if self.represented.kind == "rsin" else None),
            "branch": self.represented.attributes.get("branch"),
            "intermediary_kvk": self.intermediary.value if self.intermediary else None,
            "intermediary_name": self.intermediary.attributes.get("name")
            if self.intermediary else None,
        }
        return {k: v for k, v in values.items() if v is not None}


def _refuse(reason: str) -> SamlError:
    return SamlError("Het antwoord van eHerkenning is ongeldig.", reason)


class _Reader:
    def __init__(self, key: rsa.RSAPrivateKey, recipient: str) -> None:
        self.key = key
        self.recipient = recipient

    def name_id(self, container: etree._Element) -> tuple[str | None, str]:
        """Decrypt an EncryptedID; return (NameQualifier, value)."""
        decrypted = decrypt_element(container, self.key, recipient=self.recipient)
        if decrypted.tag != tag(NS_SAML, "NameID"):
            raise _refuse("EncryptedID does not hold a NameID")
        return decrypted.get("NameQualifier"), full_text(decrypted).strip()

    def attributes(self, assertion: etree._Element) -> dict[str, list[etree._Element]]:
        """Attribute name -> AttributeValue elements; EncryptedAttribute decrypted (§3.4)."""
        statement = child(assertion, NS_SAML, "AttributeStatement")
        if statement is None:
            raise _refuse("AttributeStatement missing")
        found: dict[str, list[etree._Element]] = {}
        for item in statement:
            if not isinstance(item.tag, str):
                continue
            if item.tag == tag(NS_SAML, "EncryptedAttribute"):
                item = decrypt_element(item, self.key, recipient=self.recipient)
            if item.tag != tag(NS_SAML, "Attribute"):
                raise _refuse("unexpected element in AttributeStatement")
            name = item.get("Name") or ""
            if name in found:
                raise _refuse("attribute repeated")
            found[name] = item.findall(tag(NS_SAML, "AttributeValue"))
        return found

    def encrypted_ids(self, values: list[etree._Element]) -> list[tuple[str | None, str]]:
        """Each AttributeValue must hold exactly one EncryptedID (§3.4)."""
        result = []
        for value in values:
            children = [c for c in value if isinstance(c.tag, str)]
            if len(children) != 1 or children[0].tag != tag(NS_SAML, "EncryptedID"):
                raise _refuse("identifier attribute value is not an EncryptedID")
            result.append(self.name_id(children[0]))
        return result


def _plain(found: dict[str, list[etree._Element]], name: str) -> str | None:
    values = found.get(name)
    if values is None:
        return None
    if len(values) != 1 or any(isinstance(c.tag, str) for c in values[0]):
        raise _refuse("attribute must have one plain value")
    return full_text(values[0]).strip()


def read_assertion(
    assertion: etree._Element,
    *,
    key: rsa.RSAPrivateKey,
    sp_entity_id: str,
    service_id: str,
    service_uuid: str | None,
    allowed_legal_subject_types: Collection[str],
    level: Level,
) -> EherkenningFacts:
    """Decrypt and check the identifiers and attributes of a verified assertion.

    Raises ``SamlError`` for a malformed or undecryptable answer and ``IdentifierNotAllowed``
    for an identifier type this service may not receive.
    """
    reader = _Reader(key, sp_entity_id)
    subject = require_child(assertion, NS_SAML, "Subject")
    acting_type, acting = reader.name_id(require_child(subject, NS_SAML, "EncryptedID"))
    if not ids.is_acting_pseudonym(acting_type) or not ids.valid_opaque(acting):
        raise _refuse("ActingSubjectID is not a pseudonym")
    assert acting_type is not None
    found = reader.attributes(assertion)
    if ids.ATTR_ACTING_SUBJECT in found:
        again = reader.encrypted_ids(found[ids.ATTR_ACTING_SUBJECT])
        if again != [(acting_type, acting)]:
            raise _refuse("ActingSubjectID attribute differs from the subject")

    delivered_service = _plain(found, ids.ATTR_SERVICE_ID)
    if delivered_service != service_id:
        raise _refuse("ServiceID missing or not ours")
    delivered_uuid = _plain(found, ids.ATTR_SERVICE_UUID)
    if service_uuid is not None and delivered_uuid not in (None, service_uuid):
        raise _refuse("ServiceUUID not ours")

    legal_type, represented = _legal_subject(
        reader, found, allowed_legal_subject_types, level
    )
    intermediary = _intermediary(reader, found)
    if intermediary is not None and intermediary.value == represented.value:
        raise _refuse("intermediary is the represented organisation")
    return EherkenningFacts(
        acting_subject=acting,
        acting_type=acting_type,
        legal_subject_type=legal_type,
        represented=represented,
        intermediary=intermediary,
        service_id=service_id,
        service_uuid=delivered_uuid or service_uuid,
    )


def _legal_subject(
    reader: _Reader,
    found: dict[str, list[etree._Element]],
    allowed: Collection[str],
    level: Level,
) -> tuple[str, Organisation]:
    """LegalSubjectID: KvK number, possibly also RSIN (§3.4); BSN only where allowed."""
    values = found.get(ids.ATTR_LEGAL_SUBJECT)
    if not values:
        raise _refuse("LegalSubjectID missing")
    by_type: dict[str, str] = {}
    for qualifier, value in reader.encrypted_ids(values):
        kind = ids.legal_subject_type(qualifier)
        if kind is None:
            raise _refuse("unknown LegalSubjectID type")
        if kind in by_type:
            raise _refuse("LegalSubjectID type repeated")
        if kind not in allowed:
            raise IdentifierNotAllowed()
        by_type[kind] = value
    if "BSN" in by_type and len(by_type) > 1:
        raise _refuse("LegalSubjectID mixes BSN with organisation numbers")
    attributes: dict[str, str] = {}
    name = _plain(found, ids.ATTR_REPRESENTED_NAME)
    if name:
        attributes["name"] = name
    branch = _plain(found, ids.ATTR_BRANCH)
    if branch is not None:
        if not ids.valid_branch(branch):
            raise _refuse("branch number is not 12 digits")
        attributes["branch"] = branch
    if "BSN" in by_type:
        if level < Level.SUBSTANTIAL:  # §3.2: a BSN service needs at least substantial
            raise IdentifierNotAllowed()
        if not ids.valid_opaque(by_type["BSN"]):
            raise _refuse("BSN value is not a BSNk value")
        return "BSN", Organisation("bsn-encrypted", by_type["BSN"], attributes)
    rsin = by_type.get("RSIN")
    if rsin is not None and not ids.valid_rsin(rsin):
        raise _refuse("RSIN fails the elfproef")
    kvk = by_type.get("KvKnr")
    represented_kvk = _plain(found, ids.ATTR_REPRESENTED_KVK)
    if kvk is None:
        assert rsin is not None
        if represented_kvk is not None:
            raise _refuse("represented KvKnr without a KvK LegalSubjectID")
        return "RSIN", Organisation("rsin", rsin, attributes)
    if not ids.valid_kvk(kvk):
        raise _refuse("KvK number is not 8 digits")
    if represented_kvk is not None and represented_kvk != kvk:
        raise _refuse("represented KvKnr differs from LegalSubjectID")
    if rsin is not None:
        attributes["rsin"] = rsin
    return "KvKnr", Organisation("kvk", kvk, attributes)


def _intermediary(reader: _Reader, found: dict[str, list[etree._Element]]) -> Organisation | None:
    """The intermediary of a chain mandate (§3.4, §3.5): one KvK number, in the encrypted
    IntermediateSubjectID (typed ``EntityConcernedID:KvKnr``), in the backward-compatible plain
    ``IntermediateEntityID:KvK`` attribute, or in both when they agree (``identifiers``)."""
    kvks: list[str] = []
    if ids.ATTR_INTERMEDIATE_SUBJECT in found:
        for qualifier, value in reader.encrypted_ids(found[ids.ATTR_INTERMEDIATE_SUBJECT]):
            if ids.legal_subject_type(qualifier) != "KvKnr":
                raise _refuse("intermediary is not identified by KvK number")
            kvks.append(value)
    for attribute in found:
        if ids.is_intermediate_kvk_attribute(attribute):
            plain = _plain(found, attribute)
            assert plain is not None
            kvks.append(plain)
    name = _plain(found, ids.ATTR_INTERMEDIATE_NAME)
    if not kvks:
        if name is not None:
            raise _refuse("intermediary name without intermediary")
        return None
    if len(set(kvks)) != 1:
        raise _refuse("more than one intermediary")
    if not ids.valid_kvk(kvks[0]):
        raise _refuse("intermediary KvK number is not 8 digits")
    return Organisation("kvk", kvks[0], {"name": name} if name else {})
