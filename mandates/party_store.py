"""Map a namespaced party identifier to its row id, creating the row on first sight."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from broker.identifiers import PartyId
from mandates.models import Party
from mandates.party_ids import checked


def find_party_id(session: Session, party: PartyId) -> int | None:
    """The row id of ``party``, or None when the register has never seen it."""
    return session.exec(
        select(Party.id).where(Party.kind == party.kind, Party.value == party.value)
    ).first()


def party_id(session: Session, party: PartyId) -> int:
    """The row id of ``party``; inserts it (validated) when new.

    Two requests may see a new party at once: the unique (kind, value) constraint decides and
    the loser re-reads inside a savepoint, so the caller's transaction survives.
    """
    found = find_party_id(session, party)
    if found is not None:
        return found
    checked(party)
    try:
        with session.begin_nested():
            row = Party(kind=party.kind, value=party.value)
            session.add(row)
            session.flush()
            assert row.id is not None
            return row.id
    except IntegrityError:
        found = find_party_id(session, party)
        if found is None:
            raise
        return found


def party_of(session: Session, row_id: int) -> PartyId:
    row = session.get(Party, row_id)
    if row is None:
        raise LookupError(f"no party {row_id}")
    return PartyId(row.kind, row.value)


class PartyIdCache:
    """Process-local map (kind, value) → row id for the hot path.

    Party rows are never deleted nor renumbered, so a known id stays right; only ids read from
    the database are kept (never a guess). Bounded: when full it starts over, which costs one
    lookup per party again and nothing else.
    """

    def __init__(self, max_size: int = 100_000) -> None:
        self.max_size = max_size
        self._ids: dict[tuple[str, str], int] = {}

    def get(self, party: PartyId) -> int | None:
        return self._ids.get((party.kind, party.value))

    def put(self, party: PartyId, row_id: int) -> None:
        if len(self._ids) >= self.max_size:
            self._ids = {}
        self._ids[(party.kind, party.value)] = row_id
