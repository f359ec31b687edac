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
from sqlalchemy import Connection, Engine, bindparam, delete
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from broker.identifiers import PartyId
from mandates.catalogue import RepresentationKind
from mandates.hot_engine import HotStatement, hot_engine, retry_stale
from mandates.models import LegalRelation, LegalSourceFetch, Party, as_utc
from mandates.party_store import party_id
from mandates.sources.base import LegalRelationRecord, LegalSource, SourceUnavailable

_LR = LegalRelation.__table__  # type: ignore[attr-defined]
_REPRESENTATIVE = Party.__table__.alias("representative")  # type: ignore[attr-defined]
_REPRESENTED = Party.__table__.alias("represented")  # type: ignore[attr-defined]
_FETCH = LegalSourceFetch.__table__  # type: ignore[attr-defined]
# One statement per read: the representative is named by identifier, not looked up first.
# Kinds are filtered in Python (a person represents few others), which keeps the statement
# free of IN-lists so it runs prepared on the hot path (mandates.hot_engine.HotStatement).
_READ = HotStatement(
    sa_select(
        _LR,
        _REPRESENTED.c.kind.label("represented_kind"),
        _REPRESENTED.c.value.label("represented_value"),
    )
    .join(_REPRESENTED, _REPRESENTED.c.id == _LR.c.represented_id)
    .join(_REPRESENTATIVE, _REPRESENTATIVE.c.id == _LR.c.representative_id)
    .where(
        _REPRESENTATIVE.c.kind == bindparam("kind"),
        _REPRESENTATIVE.c.value == bindparam("value"),
    )
    .order_by(_LR.c.id)
)
_FETCHED = HotStatement(
    sa_select(_FETCH.c.source, _FETCH.c.retrieved_at)
    .join(_REPRESENTATIVE, _REPRESENTATIVE.c.id == _FETCH.c.party_id)
    .where(
        _REPRESENTATIVE.c.kind == bindparam("kind"),
        _REPRESENTATIVE.c.value == bindparam("value"),
    )
)


@dataclass(frozen=True, slots=True)
class CachedRelation:
    id: int
    record: LegalRelationRecord
    retrieved_at: dt.datetime
    # parties.id of both sides, so resolution can audit without looking the parties up again.
    representative_id: int
    represented_id: int


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


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The cached relations of a representative and the live sources whose answer is missing
    or older than ``max_age`` (``stale``); ``answer`` is final only when nothing is stale
    (``LegalRelationCache.complete`` asks the stale sources)."""

    representative: PartyId
    kinds: frozenset[RepresentationKind]
    stale: frozenset[str]
    answer: CachedAnswer


class LegalRelationCache:
    def __init__(
        self,
        engine: Engine,
        sources: Sequence[LegalSource],
        max_age: dt.timedelta = dt.timedelta(minutes=15),
    ) -> None:
        self.engine = engine
        self._reads = hot_engine(engine)  # single-statement reads (mandates.hot_engine)
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
        snapshot = await anyio.to_thread.run_sync(
            retry_stale, self._snapshot_once, representative, kinds, now
        )
        return await self.complete(snapshot, now)

    def snapshot(
        self,
        conn: Connection,
        representative: PartyId,
        kinds: frozenset[RepresentationKind],
        now: dt.datetime,
    ) -> Snapshot:
        """What the cache holds for ``representative``, read on ``conn`` (a connection of
        this cache's engine) without asking any source: callers fold it into a worker hop
        they make anyway. ``Snapshot.answer`` is the final answer when nothing is stale."""
        wanted = [source for source in self.sources if source.kinds & kinds]
        named = {"kind": representative.kind, "value": representative.value}
        fetched = (
            {row.source: as_utc(row.retrieved_at) for row in _FETCHED.run(conn, named)}
            if wanted
            else {}
        )
        stale = frozenset(
            source.name
            for source in wanted
            if (retrieved := fetched.get(source.name)) is None
            or not dt.timedelta(0) <= now - retrieved < self.max_age
        )
        relations = self._relations(conn, representative, kinds)
        return Snapshot(representative, kinds, stale, self._answer(kinds, relations, set()))

    async def complete(self, snapshot: Snapshot, now: dt.datetime) -> CachedAnswer:
        """The answer for ``snapshot``: its stale sources asked again (a source that is down
        is named in ``unavailable`` and its stale rows are left out)."""
        if not snapshot.stale:
            return snapshot.answer
        representative, kinds = snapshot.representative, snapshot.kinds
        unavailable: set[str] = set()
        refreshed = False
        for source in self.sources:
            if source.name not in snapshot.stale:
                continue
            try:
                records = await source.relations_of(representative)
            except SourceUnavailable:
                unavailable.add(source.name)
                continue
            await anyio.to_thread.run_sync(self._store, source.name, representative, records, now)
            refreshed = True
        relations = snapshot.answer.relations
        if refreshed:
            relations = await anyio.to_thread.run_sync(
                retry_stale, self._read, representative, kinds
            )
        return self._answer(kinds, relations, unavailable)

    def _answer(
        self,
        kinds: frozenset[RepresentationKind],
        relations: list[CachedRelation],
        unavailable: set[str],
    ) -> CachedAnswer:
        """Rows of live sources that were not asked (or could not answer) are left out;
        imported rows (no live source) always count."""
        live = {source.name for source in self.sources}
        used = {source.name for source in self.sources if source.kinds & kinds} - unavailable
        return CachedAnswer(
            relations=[
                relation
                for relation in relations
                if relation.record.source in used or relation.record.source not in live
            ],
            unavailable=frozenset(unavailable),
        )

    def _snapshot_once(
        self, representative: PartyId, kinds: frozenset[RepresentationKind], now: dt.datetime
    ) -> Snapshot:
        with self._reads.connect() as conn:
            return self.snapshot(conn, representative, kinds, now)

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
        with self._reads.connect() as conn:
            return self._relations(conn, representative, kinds)

    @staticmethod
    def _relations(
        conn: Connection, representative: PartyId, kinds: frozenset[RepresentationKind]
    ) -> list[CachedRelation]:
        rows = _READ.run(conn, {"kind": representative.kind, "value": representative.value})
        wanted = {kind.value for kind in kinds}
        return [
            CachedRelation(
                id=row.id,
                retrieved_at=as_utc(row.retrieved_at),
                representative_id=row.representative_id,
                represented_id=row.represented_id,
                record=LegalRelationRecord(
                    kind=RepresentationKind(row.kind),
                    representative=representative,
                    represented=PartyId(row.represented_kind, row.represented_value),
                    source=row.source,
                    source_ref=row.source_ref,
                    source_type=row.source_type,
                    valid_from=None if row.valid_from is None else as_utc(row.valid_from),
                    valid_until=None if row.valid_until is None else as_utc(row.valid_until),
                    in_onderzoek=row.in_onderzoek,
                    minor_birth_date=row.minor_birth_date,
                ),
            )
            for row in rows
            if row.kind in wanted
        ]
