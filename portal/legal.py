"""Legal representation in both directions, for the person's own overview.

*Whom I represent* comes from the broker's legal-relation cache (``mandates.legal_cache``), the
same answer a login would use, with the time each source was asked. *Who represents me* is not
in that cache (it is keyed by representative), so the registers are asked about the person
directly: the BRP API Gezag names the holders of authority over a minor, the curatele/bewind
register the representatives of the measure's subject. Only the logged-in person's own number
is ever sent, so nobody sees another person's relations. A source that cannot answer is named
on the page; nothing stale is shown for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import anyio

from broker.identifiers import PartyId
from mandates.catalogue import LEGAL_KINDS, MINOR_KINDS, RepresentationKind
from mandates.legal_cache import CachedAnswer, LegalRelationCache
from mandates.majority import AMSTERDAM, is_minor
from mandates.sources.base import LegalRelationRecord, LegalSource, SourceUnavailable
from mandates.sources.brp_gezag import BrpGezagClient, relation_for
from mandates.sources.ccbr import CcbrClient, InvalidMeasure, records_from_measure


@dataclass(frozen=True, slots=True)
class LegalLink:
    """One legal relation seen from the person: ``other`` is the represented party (when the
    person represents) or the representative (when the person is represented)."""

    kind: RepresentationKind
    other: PartyId
    source: str
    retrieved_at: dt.datetime
    state: str  # valid | blocked | ended | of_age

    @property
    def retrieved(self) -> str:
        """When the register said so, in Dutch time (the overview's "retrieved on")."""
        return self.retrieved_at.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


@dataclass(frozen=True, slots=True)
class LegalOverview:
    represented_by_me: list[LegalLink] = field(default_factory=list)
    representing_me: list[LegalLink] = field(default_factory=list)
    unavailable: frozenset[str] = frozenset()


def state_of(record: LegalRelationRecord, now: dt.datetime) -> str:
    """Whether the relation counts now, in the words the overview uses (the resolution rules
    of ``mandates.resolution._judge_relation``, without a service)."""
    if record.blocked:
        return "blocked"
    if (record.valid_until is not None and now >= record.valid_until) or (
        record.valid_from is not None and now < record.valid_from
    ):
        return "ended"
    if record.kind in MINOR_KINDS and (
        record.minor_birth_date is None or not is_minor(record.minor_birth_date, now)
    ):
        return "blocked" if record.minor_birth_date is None else "of_age"
    return "valid"


async def legal_overview(cache: LegalRelationCache, me: PartyId, now: dt.datetime) -> LegalOverview:
    """Both directions at once: the overview waits for the slowest register, not their sum."""
    answers: dict[str, list[LegalRelationRecord] | None] = {}
    found: list[CachedAnswer] = []

    async def ask(source: LegalSource) -> None:
        try:
            answers[source.name] = await _about(source, me)
        except SourceUnavailable:
            answers[source.name] = None

    async def ask_cache() -> None:
        found.append(await cache.relations_of(me, LEGAL_KINDS, now))

    async with anyio.create_task_group() as group:
        group.start_soon(ask_cache)
        for source in cache.sources:
            group.start_soon(ask, source)
    (mine,) = found
    represented_by_me = [
        LegalLink(
            kind=relation.record.kind,
            other=relation.record.represented,
            source=relation.record.source,
            retrieved_at=relation.retrieved_at,
            state=state_of(relation.record, now),
        )
        for relation in mine.relations
    ]
    representing_me = [
        LegalLink(r.kind, r.representative, r.source, now, state_of(r, now))
        for source in cache.sources
        for r in answers[source.name] or []
    ]
    unavailable = mine.unavailable | {name for name, got in answers.items() if got is None}
    return LegalOverview(represented_by_me, representing_me, unavailable)


async def _about(source: LegalSource, me: PartyId) -> list[LegalRelationRecord]:
    """The relations in which ``me`` is the one represented, as ``source`` states them."""
    if me.kind != "bsn":
        return []
    if isinstance(source, BrpGezagClient):
        found: list[LegalRelationRecord] = []
        for persoon in await source.opvragen([me.value]):
            if not isinstance(persoon, dict) or persoon.get("burgerservicenummer") != me.value:
                continue
            for relatie in persoon.get("gezag") or []:
                try:
                    if relatie["minderjarige"]["burgerservicenummer"] != me.value:
                        continue
                    holders = [relation_for(bsn, relatie) for bsn in _named(relatie)]
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    raise SourceUnavailable(source.name, "unreadable Gezagsrelatie") from exc
                found.extend(record for record in holders if record is not None)
        return found
    if isinstance(source, CcbrClient):
        records: list[LegalRelationRecord] = []
        for measure in await source.maatregelen(me):
            try:
                records.extend(r for r in records_from_measure(measure) if r.represented == me)
            except InvalidMeasure as exc:
                raise SourceUnavailable(source.name, f"invalid measure: {exc}") from exc
        return records
    return []


def _named(relatie: dict[str, Any]) -> Iterable[str]:
    """Every BSN a ``Gezagsrelatie`` names as parent or third party (``relation_for`` then
    decides who of them holds authority)."""
    people = [*(relatie.get("ouders") or []), *(relatie.get("derden") or [])]
    people += [relatie[key] for key in ("ouder", "derde") if relatie.get(key)]
    return sorted(
        {
            p["burgerservicenummer"]
            for p in people
            if isinstance(p, dict) and isinstance(p.get("burgerservicenummer"), str)
        }
    )
