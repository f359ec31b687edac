""" "Wie heeft namens mij gehandeld?": every allowed use of a representation for a person, read
from the mandates audit trail (``mandates.models.AuditRecord``).

A use is a ``representation.decided`` record with decision ``allowed`` whose subject (the
represented party) is the person and whose actor is someone else. Only the person's own party
id is queried: nobody can read another person's history through this page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from broker.identifiers import PartyId
from mandates.models import AuditRecord, Party, as_utc
from mandates.party_store import find_party_id

MAX_ROWS = 500


@dataclass(frozen=True, slots=True)
class Use:
    at: dt.datetime
    actor: PartyId | None
    service_id: str | None
    basis_kind: str | None
    basis_id: str | None


def uses_for(engine: Engine, person: PartyId) -> list[Use]:
    """Newest first, at most :data:`MAX_ROWS`."""
    with Session(engine) as session:
        me = find_party_id(session, person)
        if me is None:
            return []
        rows = session.exec(
            select(AuditRecord, Party)
            .join(Party, col(Party.id) == col(AuditRecord.actor_id), isouter=True)
            .where(
                AuditRecord.subject_id == me,
                AuditRecord.action == "representation.decided",
                AuditRecord.decision == "allowed",
                col(AuditRecord.actor_id) != me,
            )
            .order_by(col(AuditRecord.at).desc(), col(AuditRecord.id).desc())
            .limit(MAX_ROWS)
        ).all()
        return [
            Use(
                at=as_utc(record.at),
                actor=None if actor is None else PartyId(actor.kind, actor.value),
                service_id=record.service_id,
                basis_kind=record.basis_kind,
                basis_id=record.basis_id,
            )
            for record, actor in rows
        ]
