"""The eIDAS SAML profile as the broker uses it: names, URIs and the PersonIdentifier rules.

Sources (reference ``nl-login-means.md`` §4 and the eIDAS SAML Attribute Profile v1.2 §2.2):

* natural-person attributes use ``NameFormat`` ``urn:oasis:names:tc:SAML:2.0:attrname-format:uri``;
  the mandatory set is PersonIdentifier, CurrentFamilyName (FriendlyName FamilyName),
  CurrentGivenName (FirstName) and DateOfBirth (``YYYY-MM-DD``);
* request extensions live in ``http://eidas.europa.eu/saml-extensions``: ``eidas:SPType``
  (``public`` for the broker's government services) and ``eidas:RequestedAttributes`` with
  ``eidas:RequestedAttribute`` (``Name``, ``FriendlyName``, ``NameFormat``, ``isRequired``).
  [SECONDARY: checked against public eIDAS-node client code and the Estonian RIA connector
  walk-through, which also shows ``NameIDPolicy`` ``unspecified`` and ``Comparison="minimum"``.]
* PersonIdentifier is ``<issuing country>/<destination country>/<string>``, no whitespace; the
  sending member state decides the string. It is never a BSN, even when it looks like one
  (``domain.md``: identifiers are namespaced by type).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

NS_EIDAS: Final = "http://eidas.europa.eu/saml-extensions"
NS_NATURAL: Final = "http://eidas.europa.eu/attributes/naturalperson"
NS_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
ATTRNAME_URI: Final = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
NAMEID_UNSPECIFIED: Final = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
BINDING_HTTP_POST: Final = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
SP_TYPE_PUBLIC: Final = "public"
STATUS_REQUEST_DENIED: Final = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"

PERSON_IDENTIFIER: Final = NS_NATURAL + "/PersonIdentifier"
FAMILY_NAME: Final = NS_NATURAL + "/CurrentFamilyName"
GIVEN_NAME: Final = NS_NATURAL + "/CurrentGivenName"
DATE_OF_BIRTH: Final = NS_NATURAL + "/DateOfBirth"


@dataclass(frozen=True)
class AttributeSpec:
    """One requested natural-person attribute: its URI, FriendlyName and value type name."""

    name: str
    friendly_name: str
    xsi_type: str


MANDATORY: Final[tuple[AttributeSpec, ...]] = (
    AttributeSpec(PERSON_IDENTIFIER, "PersonIdentifier", "PersonIdentifierType"),
    AttributeSpec(FAMILY_NAME, "FamilyName", "CurrentFamilyNameType"),
    AttributeSpec(GIVEN_NAME, "FirstName", "CurrentGivenNameType"),
    AttributeSpec(DATE_OF_BIRTH, "DateOfBirth", "DateOfBirthType"),
)

# Countries that run eIDAS nodes: EU member states and the EEA. eIDAS writes Greece as "EL"
# (EU country-code convention), so both EL and the ISO code GR are accepted.
EIDAS_COUNTRIES: Final = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR",
    "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL",
    "NO", "PL", "PT", "RO", "SE", "SI", "SK",
})
DESTINATION_COUNTRY: Final = "NL"
MAX_PERSON_IDENTIFIER: Final = 256
_PERSON_IDENTIFIER = re.compile(r"([A-Z]{2})/([A-Z]{2})/([\x21-\x7e]+)")


class InvalidPersonIdentifier(ValueError):
    """A PersonIdentifier that does not follow the Attribute Profile format for NL."""


def person_identifier_country(value: str) -> str:
    """The issuing country of a PersonIdentifier meant for NL; raise when malformed.

    Only printable ASCII without whitespace is accepted for the unique part: the profile forbids
    whitespace, and refusing control and non-ASCII characters keeps look-alike identifiers out.
    """
    if len(value) > MAX_PERSON_IDENTIFIER:
        raise InvalidPersonIdentifier("PersonIdentifier too long")
    match = _PERSON_IDENTIFIER.fullmatch(value)
    if match is None:
        raise InvalidPersonIdentifier("PersonIdentifier is not CC/CC/identifier")
    origin, destination, _ = match.groups()
    if origin not in EIDAS_COUNTRIES:
        raise InvalidPersonIdentifier("PersonIdentifier origin is not an eIDAS country")
    if destination != DESTINATION_COUNTRY:
        raise InvalidPersonIdentifier("PersonIdentifier is not meant for NL")
    return origin
