"""What every legal-representation source delivers, and how it fails.

domain.md: sources are pluggable adapters with a clear failure mode: when a source is down,
representation that depends on it is refused with a clear message, never silently granted.
Every transport problem, refusal or unreadable answer is therefore ``SourceUnavailable``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from broker.identifiers import PartyId
from mandates.catalogue import RepresentationKind

# BRP answers that name no usable authority (nl-login-means.md §5.2, domain.md).
NO_AUTOMATIC_REPRESENTATION = frozenset({"TijdelijkGeenGezag", "GezagNietTeBepalen"})


class SourceUnavailable(Exception):
    """The source could not give a trustworthy answer (down, timeout, 503, bad response)."""

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.source = source
        self.detail = detail


@dataclass(frozen=True, slots=True)
class LegalRelationRecord:
    """One statement of a register: ``representative`` may (or, when ``blocked``, may not
    automatically) represent ``represented`` as ``kind``."""

    kind: RepresentationKind
    representative: PartyId
    represented: PartyId
    source: str
    source_ref: str
    source_type: str
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    in_onderzoek: bool = False
    minor_birth_date: dt.date | None = None

    @property
    def blocked(self) -> bool:
        """No automatic representation: the register says so, or the data is under
        investigation (``inOnderzoek``)."""
        return self.in_onderzoek or self.source_type in NO_AUTOMATIC_REPRESENTATION


class LegalSource(Protocol):
    """A live register queried per representative."""

    @property
    def name(self) -> str: ...

    @property
    def kinds(self) -> frozenset[RepresentationKind]: ...

    async def relations_of(self, representative: PartyId) -> list[LegalRelationRecord]:
        """Every relation in which ``representative`` represents someone (or is refused
        automatic representation of their own child)."""
        ...
