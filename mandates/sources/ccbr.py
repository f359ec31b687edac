"""Client of a curatele/bewind/mentorschap register (CCBR-like JSON API of our own design).

The public Centraal Curatele- en Bewindregister has no machine API we could read
(nl-login-means.md §5.1), so the broker defines the small interface a feed must offer:

``GET /api/v1/maatregelen?bsn=<9 digits>`` ⇒ ``{"maatregelen": [Maatregel]}`` with every
measure in which that person is the subject *or* a representative, where ``Maatregel`` is::

    {"id": "CCBR-2024-000001",
     "soort": "curatele" | "beschermingsbewind" | "mentorschap",
     "betrokkene": {"bsn": "..."},
     "vertegenwoordigers": [{"bsn": "..."} | {"kvk": "..."}],
     "ingangsdatum": "YYYY-MM-DD",
     "einddatum": "YYYY-MM-DD" | null}

``einddatum`` is the first day on which the measure no longer applies (exclusive), dates are
Dutch calendar days (Europe/Amsterdam). 503 (or any failure) ⇒ ``SourceUnavailable``.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import httpx

from broker.identifiers import InvalidIdentifier, PartyId
from mandates.catalogue import RepresentationKind
from mandates.majority import AMSTERDAM
from mandates.party_ids import checked
from mandates.sources.base import LegalRelationRecord, SourceUnavailable

PATH = "/api/v1/maatregelen"
SOURCE = "ccbr"
KINDS = {
    "curatele": RepresentationKind.CURATELE,
    "beschermingsbewind": RepresentationKind.BESCHERMINGSBEWIND,
    "mentorschap": RepresentationKind.MENTORSCHAP,
}


class InvalidMeasure(ValueError):
    """A measure that does not follow the interface; the reason is for an operator."""


@functools.lru_cache(maxsize=4096)
def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight in Amsterdam as UTC; cached, as a bulk import meets the same dates again and
    again."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM).astimezone(dt.UTC)


def _date(value: Any, field: str) -> dt.date:
    if not isinstance(value, str):
        raise InvalidMeasure(f"{field} missing")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidMeasure(f"{field} is not a date (YYYY-MM-DD)") from None


def _party(value: Any, field: str) -> PartyId:
    if not isinstance(value, dict) or len(value) != 1:
        raise InvalidMeasure(f"{field} must hold exactly one of bsn, kvk")
    ((kind, number),) = value.items()
    if kind not in ("bsn", "kvk") or not isinstance(number, str):
        raise InvalidMeasure(f"{field} must hold exactly one of bsn, kvk")
    try:
        return checked(PartyId(kind, number))
    except InvalidIdentifier:
        raise InvalidMeasure(f"{field}: invalid {kind}") from None


def records_from_measure(measure: Any, source: str = SOURCE) -> list[LegalRelationRecord]:
    """Validate one ``Maatregel``: one record per representative, or ``InvalidMeasure``."""
    if not isinstance(measure, dict):
        raise InvalidMeasure("a measure must be an object")
    ident = measure.get("id")
    if not isinstance(ident, str) or not 1 <= len(ident) <= 100:
        raise InvalidMeasure("id missing or longer than 100 characters")
    kind = KINDS.get(measure.get("soort", ""))
    if kind is None:
        raise InvalidMeasure("soort must be curatele, beschermingsbewind or mentorschap")
    subject = _party(measure.get("betrokkene"), "betrokkene")
    if subject.kind != "bsn":
        raise InvalidMeasure("betrokkene must be a person (bsn)")
    start = _date(measure.get("ingangsdatum"), "ingangsdatum")
    end_value = measure.get("einddatum")
    end = None if end_value is None else _date(end_value, "einddatum")
    if end is not None and end <= start:
        raise InvalidMeasure("einddatum must be after ingangsdatum")
    representatives = measure.get("vertegenwoordigers")
    if not isinstance(representatives, list) or not 1 <= len(representatives) <= 5:
        raise InvalidMeasure("vertegenwoordigers must list 1 to 5 representatives")
    records = []
    for index, value in enumerate(representatives):
        representative = _party(value, f"vertegenwoordigers[{index}]")
        if representative == subject:
            raise InvalidMeasure("a person cannot represent themself")
        records.append(
            LegalRelationRecord(
                kind=kind,
                representative=representative,
                represented=subject,
                source=source,
                source_ref=ident,
                source_type=kind.value,
                valid_from=start_of_day(start),
                valid_until=None if end is None else start_of_day(end),
            )
        )
    return records


class CcbrClient:
    """Asks the register which measures name a person as representative."""

    name = SOURCE
    kinds = frozenset(
        {
            RepresentationKind.CURATELE,
            RepresentationKind.BESCHERMINGSBEWIND,
            RepresentationKind.MENTORSCHAP,
        }
    )

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
        self.headers = {"Accept": "application/json", **(headers or {})}

    async def maatregelen(self, party: PartyId) -> list[Any]:
        """Raw measures naming ``party``; any failure is ``SourceUnavailable``."""
        try:
            response = await self.http.get(
                self.url,
                params={party.kind: party.value},
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
            measures = response.json()["maatregelen"]
            if not isinstance(measures, list):
                raise TypeError("maatregelen is not a list")
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceUnavailable(SOURCE, "unreadable response") from exc
        return measures

    async def relations_of(self, representative: PartyId) -> list[LegalRelationRecord]:
        if representative.kind not in ("bsn", "kvk"):
            return []
        records: list[LegalRelationRecord] = []
        for measure in await self.maatregelen(representative):
            try:
                found = records_from_measure(measure)
            except InvalidMeasure as exc:
                # A register answer we cannot read is not an answer: refuse, do not skip.
                raise SourceUnavailable(SOURCE, f"invalid measure: {exc}") from exc
            records.extend(r for r in found if r.representative == representative)
        return records
