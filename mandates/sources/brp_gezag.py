"""Client of the BRP API Gezag (Haal Centraal, RvIG/VNG), version 2.

``POST /api/v1/opvragenBevoegdheidTotGezag`` with header ``Accept-Gezag-Version: 2`` and body
``{"burgerservicenummer": [...]}`` (1 to 30 BSNs); answer ``{"personen": [{"burgerservicenummer",
"gezag": [Gezagsrelatie]}]}``; 503 when the source is unavailable (nl-login-means.md §5.2;
schema: BRP-API/brp-api-gezag src/main/resources/brp-api-gezag-2.0.yaml).

Mapping: ``GezamenlijkOuderlijkGezag`` / ``EenhoofdigOuderlijkGezag`` / ``GezamenlijkGezag`` ⇒
parental authority for each named parent or third; ``Voogdij`` ⇒ guardianship for each named
guardian; ``TijdelijkGeenGezag`` / ``GezagNietTeBepalen`` (and any type we do not know) ⇒ a
*blocked* relation of the asking parent to that child, so resolution can say why it refuses;
``inOnderzoek: true`` is kept and also blocks (domain.md: no automatic representation).
"""

from __future__ import annotations

from typing import Any

import httpx

from broker.identifiers import PartyId
from mandates.catalogue import RepresentationKind
from mandates.majority import parse_gba_date
from mandates.sources.base import LegalRelationRecord, SourceUnavailable

PATH = "/api/v1/opvragenBevoegdheidTotGezag"
VERSION_HEADER = "Accept-Gezag-Version"
VERSION = "2"
SOURCE = "brp_gezag"

_PARENTAL = ("GezamenlijkOuderlijkGezag", "EenhoofdigOuderlijkGezag", "GezamenlijkGezag")


class BrpGezagClient:
    """Asks the BRP which minors a person has authority over."""

    name = SOURCE
    kinds = frozenset({RepresentationKind.PARENTAL_AUTHORITY, RepresentationKind.GUARDIANSHIP})

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        *,
        timeout: float = 5.0,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.http = http
        self.url = base_url.rstrip("/") + PATH
        self.timeout = timeout
        self.headers = {VERSION_HEADER: VERSION, "Accept": "application/json", **(headers or {})}

    async def opvragen(self, bsns: list[str]) -> list[dict[str, Any]]:
        """The raw ``personen`` list for up to 30 BSNs; any failure is ``SourceUnavailable``."""
        if not 1 <= len(bsns) <= 30:
            raise ValueError("the BRP API Gezag takes 1 to 30 BSNs per request")
        try:
            response = await self.http.post(
                self.url,
                json={"burgerservicenummer": bsns},
                headers=self.headers,
                timeout=self.timeout,
            )
        except httpx.TimeoutException as exc:
            raise SourceUnavailable(SOURCE, "timeout") from exc
        except httpx.TransportError as exc:
            raise SourceUnavailable(SOURCE, f"connection failed: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise SourceUnavailable(SOURCE, f"HTTP {response.status_code}")
        try:
            body = response.json()
            personen = body["personen"]
            if not isinstance(personen, list):
                raise TypeError("personen is not a list")
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceUnavailable(SOURCE, "unreadable response") from exc
        return personen

    async def relations_of(self, representative: PartyId) -> list[LegalRelationRecord]:
        if representative.kind != "bsn":
            return []  # the BRP knows natural persons by BSN only
        personen = await self.opvragen([representative.value])
        records: list[LegalRelationRecord] = []
        for persoon in personen:
            if not isinstance(persoon, dict) or persoon.get("burgerservicenummer") != (
                representative.value
            ):
                continue
            for relatie in persoon.get("gezag") or []:
                try:
                    record = relation_for(representative.value, relatie)
                except (KeyError, TypeError, ValueError) as exc:
                    raise SourceUnavailable(SOURCE, "unreadable Gezagsrelatie") from exc
                if record is not None:
                    records.append(record)
        return records


def _bsns(people: Any) -> set[str]:
    found: set[str] = set()
    for person in people or []:
        if isinstance(person, dict) and isinstance(person.get("burgerservicenummer"), str):
            found.add(person["burgerservicenummer"])
    return found


def relation_for(bsn: str, relatie: dict[str, Any]) -> LegalRelationRecord | None:
    """The relation of ``bsn`` (the asking person) in one ``Gezagsrelatie``, or None when
    that person is not its holder (the other parent's sole authority, or ``bsn`` is the
    minor)."""
    kind_name = relatie["type"]
    minderjarige = relatie["minderjarige"]
    minor_bsn = minderjarige["burgerservicenummer"]
    if minor_bsn == bsn:
        return None  # authority *over* the asking person, not *by* them
    if kind_name == "GezamenlijkOuderlijkGezag":
        holders = _bsns(relatie.get("ouders"))
    elif kind_name == "EenhoofdigOuderlijkGezag":
        holders = _bsns([relatie.get("ouder")])
    elif kind_name == "GezamenlijkGezag":
        holders = _bsns([relatie.get("ouder"), relatie.get("derde")])
    elif kind_name == "Voogdij":
        holders = _bsns(relatie.get("derden"))
    else:
        # TijdelijkGeenGezag, GezagNietTeBepalen or a type this client does not know: the
        # person asked about their children and this child has no usable authority.
        holders = {bsn}
    if bsn not in holders:
        return None
    kind = (
        RepresentationKind.GUARDIANSHIP
        if kind_name == "Voogdij"
        else RepresentationKind.PARENTAL_AUTHORITY
    )
    geboorte = minderjarige.get("geboorte") or {}
    return LegalRelationRecord(
        kind=kind,
        representative=PartyId("bsn", bsn),
        represented=PartyId("bsn", minor_bsn),
        source=SOURCE,
        source_ref=f"{minor_bsn}:{kind_name}"[:120],
        source_type=kind_name if kind_name in (*_PARENTAL, "Voogdij") else _blocked(kind_name),
        in_onderzoek=bool(relatie.get("inOnderzoek", False)),
        minor_birth_date=parse_gba_date(geboorte.get("datum")),
    )


def _blocked(kind_name: str) -> str:
    """Known blocking types keep their name; unknown ones are recorded as not determinable."""
    if kind_name in ("TijdelijkGeenGezag", "GezagNietTeBepalen"):
        return kind_name
    return "GezagNietTeBepalen"
