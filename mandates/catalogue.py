"""What resolution needs to know about a service, independent of the broker's register.

The register (``broker.register``) owns the catalogue; the broker hands resolution a
``ServiceTerms`` so this package never imports the register and stays testable on its own.
Rules: ``docs/domain.md`` "Services (the catalogue)" and "Kinds of representation".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from broker.assurance import Level


class RepresentationKind(StrEnum):
    """Every way one party may act for another (domain.md "Kinds of representation")."""

    VOLUNTARY = "voluntary"  # vrijwillige machtiging, one hop
    CHAIN = "chain"  # ketenmachtiging: organisation -> intermediary -> employee
    PARENTAL_AUTHORITY = "parental_authority"  # ouderlijk gezag (BRP)
    GUARDIANSHIP = "guardianship"  # voogdij (BRP)
    CURATELE = "curatele"  # CCBR: financial and personal
    BESCHERMINGSBEWIND = "beschermingsbewind"  # CCBR: financial only
    MENTORSCHAP = "mentorschap"  # CCBR: personal only


LEGAL_KINDS = frozenset(
    {
        RepresentationKind.PARENTAL_AUTHORITY,
        RepresentationKind.GUARDIANSHIP,
        RepresentationKind.CURATELE,
        RepresentationKind.BESCHERMINGSBEWIND,
        RepresentationKind.MENTORSCHAP,
    }
)
MINOR_KINDS = frozenset({RepresentationKind.PARENTAL_AUTHORITY, RepresentationKind.GUARDIANSHIP})


class LegalDomain(StrEnum):
    FINANCIAL = "financial"
    PERSONAL = "personal"
    BOTH = "both"

    @property
    def parts(self) -> frozenset[str]:
        if self is LegalDomain.BOTH:
            return frozenset({"financial", "personal"})
        return frozenset({self.value})


# Which matters each legal kind covers (domain.md: bewind => financial only, mentorschap =>
# personal only, curatele and parental authority => both; guardianship replaces parental
# authority, nl-login-means.md §5.1, so it covers both too).
LEGAL_KIND_COVERS: dict[RepresentationKind, frozenset[str]] = {
    RepresentationKind.PARENTAL_AUTHORITY: frozenset({"financial", "personal"}),
    RepresentationKind.GUARDIANSHIP: frozenset({"financial", "personal"}),
    RepresentationKind.CURATELE: frozenset({"financial", "personal"}),
    RepresentationKind.BESCHERMINGSBEWIND: frozenset({"financial"}),
    RepresentationKind.MENTORSCHAP: frozenset({"personal"}),
}


@dataclass(frozen=True, slots=True)
class ServiceTerms:
    """A service as resolution sees it.

    ``representation`` lists the kinds the catalogue allows for this service (empty: only the
    person themself may use it). ``legal_domain`` None means the domain is not recorded, and
    then no legal representation can be shown to cover it: refuse rather than guess.
    ``max_mandate_days`` bounds how many calendar days a mandate for it may count (None: the
    register's global maximum only).
    """

    service_id: str
    min_level: Level
    representation: frozenset[RepresentationKind] = frozenset()
    legal_domain: LegalDomain | None = None
    max_mandate_days: int | None = None

    def allows(self, kind: RepresentationKind) -> bool:
        return kind in self.representation

    def domain_covered_by(self, kind: RepresentationKind) -> bool:
        """A legal kind covers the service only if it covers every part of its domain."""
        if self.legal_domain is None:
            return False
        return self.legal_domain.parts <= LEGAL_KIND_COVERS.get(kind, frozenset())
