"""eTD names and identifier rules (``nl-login-means.md`` §0.2, §3.4, §3.5).

The identifier's type is the ``NameQualifier`` of the decrypted ``saml:NameID`` (§3.4). Versions
in the URNs differ per attribute (1.9, 1.11, 1.12, 1.13), so types are matched on the part after
the version, and only the types listed here are understood; anything else is refused.
"""

from __future__ import annotations

import re

from broker.identifiers import elfproef

ATTR_SERVICE_ID = "urn:etoegang:core:ServiceID"
ATTR_SERVICE_UUID = "urn:etoegang:core:ServiceUUID"
ATTR_ACTING_SUBJECT = "urn:etoegang:core:ActingSubjectID"
ATTR_LEGAL_SUBJECT = "urn:etoegang:core:LegalSubjectID"
# Chain mandates: the Afsprakenstelsel names the element for the intermediary
# IntermediateSubjectID, next to LegalSubjectID and ActingSubjectID, and says intermediaries are
# identified by KvK number ("Identificerende kenmerken",
# https://afsprakenstelsel.etoegang.nl/Startpagina/v2/identificerende-kenmerken). The full names
# of the two siblings, urn:etoegang:core:ActingSubjectID and ...:LegalSubjectID, are in ST-SAML
# 1.0 (github.com/Logius-standaarden/st-saml-spec, spec/messages_dv_rd.md, "Attribute type
# conversion eTD"); the same urn:etoegang:core: prefix for IntermediateSubjectID is inferred
# from them [UNVERIFIED: prefix only]. The same page gives the backward-compatible plain
# attribute urn:etoegang:<versie>:IntermediateEntityID:KvK, which is read too.
ATTR_INTERMEDIATE_SUBJECT = "urn:etoegang:core:IntermediateSubjectID"
ATTR_REPRESENTED_NAME = "urn:etoegang:1.11:attribute-represented:CompanyName"
ATTR_REPRESENTED_KVK = "urn:etoegang:1.11:attribute-represented:KvKnr"
ATTR_INTERMEDIATE_NAME = "urn:etoegang:1.13:attribute-intermediate:CompanyName"
ATTR_BRANCH = "urn:etoegang:1.9:ServiceRestriction:Vestigingsnr"

QUALIFIER_KVK = "urn:etoegang:1.9:EntityConcernedID:KvKnr"
QUALIFIER_RSIN = "urn:etoegang:1.9:EntityConcernedID:RSIN"
QUALIFIER_BSN = "urn:etoegang:1.12:EntityConcernedID:BSN"
QUALIFIER_PSEUDO = "urn:etoegang:1.9:EntityConcernedID:Pseudo"
QUALIFIER_PSEUDO_ID = "urn:etoegang:1.12:EntityConcernedID:PseudoID"

_ENTITY_CONCERNED = re.compile(r"urn:etoegang:1\.\d{1,2}:EntityConcernedID:(KvKnr|RSIN|BSN)")
# The acting person: a DV-specific pseudonym, typed by the NameQualifier of its EncryptedID
# (Afsprakenstelsel, "Identificerende kenmerken": "Het type identificerend kenmerk wordt als
# NameQualifier van dit EncryptedID gecommuniceerd"). ``Pseudo`` (1.9), the pseudonym derived
# per DV, user and mandating organisation [SECONDARY: connect.digidentity.com/eHerkenning/
# Identificatie, which gives no URN], and the BSNk ``PseudoID`` (1.12), which the
# Afsprakenstelsel allows for an ActingSubjectID with representation only where ASTA is in place
# (.../Startpagina/v1/urn-etoegang-1-12-entityconcernedid-pseudoid). Both are opaque.
_ACTING_PSEUDONYM = re.compile(r"urn:etoegang:1\.\d{1,2}:EntityConcernedID:(Pseudo|PseudoID)")
# ``KvK`` per the Afsprakenstelsel; ``KvKnr`` as Amsterdam's mijn-amsterdam reads it [SECONDARY].
_INTERMEDIATE = re.compile(r"urn:etoegang:1\.\d{1,2}:IntermediateEntityID:KvK(nr)?")
_OPAQUE = re.compile(r"[\x21-\x7e]{1,4096}")  # printable ASCII, no spaces (base64, hex, ...)


def legal_subject_type(qualifier: str | None) -> str | None:
    """``KvKnr``, ``RSIN`` or ``BSN`` for a LegalSubjectID NameQualifier; None if unknown."""
    match = _ENTITY_CONCERNED.fullmatch(qualifier or "")
    return match.group(1) if match else None


def is_acting_pseudonym(qualifier: str | None) -> bool:
    return _ACTING_PSEUDONYM.fullmatch(qualifier or "") is not None


def is_intermediate_kvk_attribute(name: str | None) -> bool:
    """The backward-compatible plain attribute that names an intermediary's KvK number."""
    return _INTERMEDIATE.fullmatch(name or "") is not None


def valid_kvk(value: str) -> bool:
    """A KvK number has 8 digits (domain.md); it carries no check digit."""
    return len(value) == 8 and value.isascii() and value.isdigit()


def valid_rsin(value: str) -> bool:
    """An RSIN has 9 digits and passes the same elfproef as a BSN."""
    return elfproef(value)


def valid_branch(value: str) -> bool:
    """A vestigingsnummer (branch number) has 12 digits."""
    return len(value) == 12 and value.isascii() and value.isdigit()


def valid_opaque(value: str) -> bool:
    """Pseudonyms and BSNk values are opaque: bounded printable ASCII without whitespace."""
    return _OPAQUE.fullmatch(value) is not None
