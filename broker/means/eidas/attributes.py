"""The natural person in a verified eIDAS assertion (eIDAS SAML Attribute Profile v1.2 §2.2).

``broker.saml.response.validate_response`` checks the message and returns the facts every SAML
means needs, but not the AttributeStatement. The attributes are read here from a freshly
verified copy of the one Assertion, never from the received tree, so an attribute smuggled in
next to the signed content (XSW, attack catalogue §3.1) cannot be read. Repeated attributes are
refused (catalogue §3.2, "attribute repeated with conflicting values").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from lxml import etree

from broker.means.eidas.profile import (
    ATTRNAME_URI,
    DATE_OF_BIRTH,
    FAMILY_NAME,
    GIVEN_NAME,
    MANDATORY,
    NS_EIDAS,
    PERSON_IDENTIFIER,
    InvalidPersonIdentifier,
    person_identifier_country,
)
from broker.saml.signature import verify_enveloped
from broker.saml.xml import NS_SAML, NS_SAMLP, SamlError, full_text, tag

MAX_NAME_LENGTH = 256
_LATIN_SCRIPT = "LatinScript"  # eIDAS: a non-Latin original carries LatinScript="false"


@dataclass(frozen=True)
class EidasPerson:
    """The mandatory natural-person attributes; ``person_identifier`` is never a BSN."""

    person_identifier: str
    country: str
    family_name: str
    given_name: str
    birthdate: str  # YYYY-MM-DD

    def attributes(self) -> dict[str, str]:
        return {
            "family_name": self.family_name,
            "given_name": self.given_name,
            "birthdate": self.birthdate,
            "country": self.country,
        }


def signed_response_parts(
    response: etree._Element, certificates: Sequence[x509.Certificate], assertion_id: str
) -> tuple[etree._Element, etree._Element]:
    """The verified Response and its verified Assertion (the one ``validate_response`` read)."""
    signed_response = verify_enveloped(response, certificates)
    assertions = signed_response.findall(tag(NS_SAML, "Assertion"))
    received = response.findall(tag(NS_SAML, "Assertion"))
    if len(assertions) != 1 or len(received) != 1:
        raise SamlError("Precies één assertion verwacht.", "expected exactly one Assertion")
    # Verified in the received tree, where the ancestors' namespace declarations a PrefixList
    # names are still in scope; the signed Response must carry the same Assertion.
    assertion = verify_enveloped(received[0], certificates)
    if assertions[0].get("ID") != assertion.get("ID"):
        raise SamlError("Andere assertion dan gecontroleerd.", "Assertion ID changed")
    if assertion.get("ID") != assertion_id:
        raise SamlError("Andere assertion dan gecontroleerd.", "Assertion ID changed")
    if signed_response.tag != tag(NS_SAMLP, "Response"):
        raise SamlError("Geen SAML Response.", "message is not a samlp:Response")
    return signed_response, assertion


def _values(attribute: etree._Element) -> list[str]:
    """The value to use: Latin-script values only (a transliteration accompanies originals)."""
    values = [
        full_text(value)
        for value in attribute.findall(tag(NS_SAML, "AttributeValue"))
        if not _is_false(value.get(_LATIN_SCRIPT) or value.get(tag(NS_EIDAS, _LATIN_SCRIPT)))
    ]
    return values


def _is_false(flag: str | None) -> bool:
    """An xs:boolean false: "false" or "0" (XML Schema Part 2 §3.2.2.1), whitespace collapsed."""
    return flag is not None and flag.strip() in ("false", "0")


def _collect(assertion: etree._Element) -> dict[str, str]:
    statements = assertion.findall(tag(NS_SAML, "AttributeStatement"))
    if len(statements) != 1:
        raise SamlError("Eén AttributeStatement verwacht.", "expected one AttributeStatement")
    found: dict[str, str] = {}
    wanted = {spec.name for spec in MANDATORY}
    for attribute in statements[0].findall(tag(NS_SAML, "Attribute")):
        name = attribute.get("Name") or ""
        if name in found:
            raise SamlError("Attribuut komt twee keer voor.", "attribute repeated")
        if name not in wanted:
            continue  # optional attributes (address, gender, ...) are not passed on
        if attribute.get("NameFormat") not in (None, ATTRNAME_URI):
            raise SamlError("Onverwacht attribuutformaat.", "attribute NameFormat is not uri")
        values = _values(attribute)
        if len(values) != 1:
            raise SamlError("Attribuut heeft niet precies één waarde.",
                            "attribute must have exactly one (Latin-script) value")
        found[name] = values[0]
    missing = wanted - found.keys()
    if missing:
        friendly = sorted(spec.friendly_name for spec in MANDATORY if spec.name in missing)
        raise SamlError("Verplicht eIDAS-attribuut ontbreekt.",
                        "mandatory eIDAS attribute missing: " + ", ".join(friendly))
    return found


def _name(value: str, what: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH or not cleaned.isprintable():
        raise SamlError(f"Ongeldige {what}.", f"{what} is empty, too long or not printable")
    return cleaned


def _birthdate(value: str, today: dt.date) -> str:
    text = value.strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        born = dt.date.fromisoformat(text)  # with len 10: exactly YYYY-MM-DD
    except ValueError:
        raise SamlError("Ongeldige geboortedatum.", "DateOfBirth is not YYYY-MM-DD") from None
    if born > today:
        raise SamlError("Ongeldige geboortedatum.", "DateOfBirth is in the future")
    return text


def read_person(assertion: etree._Element, today: dt.date | None = None) -> EidasPerson:
    """The mandatory attributes of a verified Assertion; ``SamlError`` when one is unusable."""
    found = _collect(assertion)
    identifier = found[PERSON_IDENTIFIER].strip()
    try:
        country = person_identifier_country(identifier)
    except InvalidPersonIdentifier as exc:
        raise SamlError("Ongeldige PersonIdentifier.", str(exc)) from None
    return EidasPerson(
        person_identifier=identifier,
        country=country,
        family_name=_name(found[FAMILY_NAME], "CurrentFamilyName"),
        given_name=_name(found[GIVEN_NAME], "CurrentGivenName"),
        birthdate=_birthdate(found[DATE_OF_BIRTH], today or dt.datetime.now(dt.UTC).date()),
    )
