"""The local cache of legal relations: fresh answers from live sources, with a max age.

A source's answer for a representative (including "nothing") is kept with its retrieval time.
Within ``max_age`` the cache answers; after that the source is asked again, and if it is down
the stale rows of that source are *not* used (domain.md: representation that depends on a
source that is down is refused, never silently granted). Rows from an operator import
(``mandates.sources.ccbr_import``) have no live source; they are used as long as their own
validity dates say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import anyio
from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from broker.identifiers import PartyId
from mandates.catalogue import RepresentationKind
from mandates.models import LegalRelation, LegalSourceFetch, Party, as_utc
from mandates.party_store import find_party_id, party_id
from mandates.sources.base import LegalRelationRecord, LegalSource, SourceUnavailable


@dataclass(frozen=True, slots=True)
class CachedRelation:
    id: int
    record: LegalRelationRecord
    retrieved_at: dt.datetime


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    relations: list[CachedRelation]
    unavailable: frozenset[str]  # names of live sources that could not answer


def record_row(
    record: LegalRelationRecord, ids: tuple[int, int], now: dt.datetime
) -> LegalRelation:
    representative_id, represented_id = ids
    return LegalRelation(
        kind=record.kind.value,
        representative_id=representative_id,
        represented_id=represented_id,
        source=record.source,
        source_ref=record.source_ref,
        source_type=record.source_type,
        retrieved_at=now,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        in_onderzoek=record.in_onderzoek,
        minor_birth_date=record.minor_birth_date,
    )


class LegalRelationCache:
    def __init__(
        self,
        engine: Engine,
        sources: Sequence[LegalSource],
        max_age: dt.timedelta = dt.timedelta(minutes=15),
    ) -> None:
        self.engine = engine
        self.sources = list(sources)
        self.max_age = max_age

    async def relations_of(
        self,
        representative: PartyId,
        kinds: frozenset[RepresentationKind],
        now: dt.datetime,
    ) -> CachedAnswer:
        """Relations in which ``representative`` represents someone, for the given kinds,
        refreshing each live source whose cached answer is missing or too old."""
        wanted = [source for source in self.sources if source.kinds & kinds]
        live_names = {source.name for source in self.sources}
        unavailable: set[str] = set()
        for source in wanted:
            fresh = await anyio.to_thread.run_sync(self._is_fresh, source.name, representative, now)
            if fresh:
                continue
            try:
                records = await source.relations_of(representative)
            except SourceUnavailable:
                unavailable.add(source.name)
                continue
            await anyio.to_thread.run_sync(self._store, source.name, representative, records, now)
        used = {source.name for source in wanted} - unavailable
        relations = await anyio.to_thread.run_sync(self._read, representative, kinds)
        return CachedAnswer(
            relations=[
                relation
                for relation in relations
                if relation.record.source in used or relation.record.source not in live_names
            ],
            unavailable=frozenset(unavailable),
        )

    def _is_fresh(self, source: str, representative: PartyId, now: dt.datetime) -> bool:
        with Session(self.engine) as session:
            pid = find_party_id(session, representative)
            if pid is None:
                return False
            fetch = session.get(LegalSourceFetch, (source, pid))
            if fetch is None:
                return False
            age = now - as_utc(fetch.retrieved_at)
            return dt.timedelta(0) <= age < self.max_age

    def _store(
        self,
        source: str,
        representative: PartyId,
        records: list[LegalRelationRecord],
        now: dt.datetime,
    ) -> None:
        """Replace this source's rows for ``representative`` and stamp the retrieval time."""
        try:
            with Session(self.engine) as session, session.begin():
                rep_id = party_id(session, representative)
                session.exec(
                    delete(LegalRelation).where(
                        col(LegalRelation.source) == source,
                        col(LegalRelation.representative_id) == rep_id,
                    )
                )
                seen: set[str] = set()
                for record in records:
                    if record.source_ref in seen:
                        continue
                    seen.add(record.source_ref)
                    ids = (rep_id, party_id(session, record.represented))
                    session.add(record_row(record, ids, now))
                fetch = session.get(LegalSourceFetch, (source, rep_id))
                if fetch is None:
                    session.add(LegalSourceFetch(source=source, party_id=rep_id, retrieved_at=now))
                else:
                    fetch.retrieved_at = now
        except IntegrityError:
            # A concurrent refresh for the same person won; its rows are as fresh as ours.
            return

    def _read(
        self, representative: PartyId, kinds: frozenset[RepresentationKind]
    ) -> list[CachedRelation]:
        with Session(self.engine) as session:
            pid = find_party_id(session, representative)
            if pid is None:
                return []
            rows = session.exec(
                select(LegalRelation, Party)
                .join(Party, col(Party.id) == col(LegalRelation.represented_id))
                .where(
                    LegalRelation.representative_id == pid,
                    col(LegalRelation.kind).in_([kind.value for kind in kinds]),
                )
                .order_by(col(LegalRelation.id))
            ).all()
            return [
                CachedRelation(
                    id=relation.id or 0,
                    retrieved_at=as_utc(relation.retrieved_at),
                    record=LegalRelationRecord(
                        kind=RepresentationKind(relation.kind),
                        representative=representative,
                        represented=PartyId(party.kind, party.value),
                        source=relation.source,
                        source_ref=relation.source_ref,
                        source_type=relation.source_type,
                        valid_from=None
                        if relation.valid_from is None
                        else as_utc(relation.valid_from),
                        valid_until=(
                            None if relation.valid_until is None else as_utc(relation.valid_until)
                        ),
                        in_onderzoek=relation.in_onderzoek,
                        minor_birth_date=relation.minor_birth_date,
                    ),
                )
                for relation, party in rows
            ]
