"""Typed party identifiers: a BSN and a KvK number with the same digits are different parties."""

from __future__ import annotations

from dataclasses import dataclass

SUB_ID_TYPE_BSN = "urn:nl-eid-gdi:1.0:id:BSN"
SUB_ID_TYPE_PSEUDONYM = "urn:nl-eid-gdi:1.0:id:Pseudonym"
SUB_ID_TYPE_KVK = "urn:nl-eid-gdi:1.0:id:KvKnr"
SUB_ID_TYPE_RSIN = "urn:nl-eid-gdi:1.0:id:RSIN"


class InvalidIdentifier(ValueError):
    """An identifier that fails its format or check digit."""


def elfproef(number: str) -> bool:
    """BSN check: sum(d_i * w_i) with weights 9..2 and -1 for the last digit is divisible by 11."""
    if len(number) != 9 or not number.isascii() or not number.isdigit():
        return False
    # Unrolled: bulk imports check two BSNs per line.
    a, b, c, d, e, f, g, h, i = map(int, number)
    total = 9 * a + 8 * b + 7 * c + 6 * d + 5 * e + 4 * f + 3 * g + 2 * h - i
    return total % 11 == 0 and number != "000000000"


@dataclass(frozen=True, slots=True)
class PartyId:
    """An identifier with its namespace (``bsn``, ``kvk``, ``rsin``, ``eidas``, ...)."""

    kind: str
    value: str

    @classmethod
    def bsn(cls, value: str) -> PartyId:
        if not elfproef(value):
            raise InvalidIdentifier("not a valid BSN (9 digits, elfproef)")
        return cls("bsn", value)

    def __str__(self) -> str:  # never used in logs for BSNs: see broker.logging
        return f"{self.kind}:{self.value}"
