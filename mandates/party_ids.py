"""Party identifiers accepted by the mandate register, always namespaced by kind.

domain.md "Parties and identifiers": a BSN and a KvK number with the same digits are different
parties (attack-catalogue §6 "Identity namespace confusion"), so every lookup uses the pair
(kind, value), never the value alone.
"""

from __future__ import annotations

import re

from broker.identifiers import InvalidIdentifier, PartyId, elfproef

PARTY_KINDS = ("bsn", "kvk", "rsin", "eidas")
ORGANISATION_KINDS = frozenset({"kvk", "rsin"})
NATURAL_PERSON_KINDS = frozenset({"bsn", "eidas"})

_KVK = re.compile(r"^[0-9]{8}$")
# eIDAS PersonIdentifier: <issuing country>/<receiving country>/<unique id>.
_EIDAS = re.compile(r"^[A-Z]{2}/[A-Z]{2}/[A-Za-z0-9+/=:._-]{1,200}$")


def checked(party: PartyId) -> PartyId:
    """``party`` if its value is well-formed for its kind, else ``InvalidIdentifier``."""
    if party.kind == "bsn":
        ok = elfproef(party.value)
    elif party.kind == "rsin":
        # An RSIN has the BSN format and passes the same elfproef.
        ok = elfproef(party.value)
    elif party.kind == "kvk":
        ok = bool(_KVK.match(party.value))
    elif party.kind == "eidas":
        ok = bool(_EIDAS.match(party.value))
    else:
        raise InvalidIdentifier(f"unknown party kind {party.kind!r}")
    if not ok:
        raise InvalidIdentifier(f"not a valid {party.kind} identifier")
    return party


def is_organisation(party: PartyId) -> bool:
    return party.kind in ORGANISATION_KINDS
