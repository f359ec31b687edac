""" "Wie heeft namens mij gehandeld?": every allowed use of a representation for a person, read
from the mandates audit trail (``mandates.models.AuditRecord``).

A use is a ``representation.decided`` record with decision ``allowed`` whose subject (the
represented party) is the person and whose actor is someone else. Only the person's own party
id is queried: nobody can read another person's history through this page.

One mandate's own history (``events_of``) is its ``mandate.*`` records plus the uses resting on
it, read by the principal's party id (the subject of both, so the subject index serves it);
the caller has already checked that the person is a party to the mandate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, and_, or_
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


@dataclass(frozen=True, slots=True)
class Event:
    at: dt.datetime
    what: str  # granted | active (accepted) | rejected | revoked | expired | used
    actor: PartyId | None
    service_id: str | None


def events_of(engine: Engine, mandate_id: str, principal: PartyId) -> list[Event]:
    """Newest first, at most :data:`MAX_ROWS`."""
    with Session(engine) as session:
        subject = find_party_id(session, principal)
        rows = session.exec(
            select(AuditRecord, Party)
            .join(Party, col(Party.id) == col(AuditRecord.actor_id), isouter=True)
            .where(
                AuditRecord.subject_id == subject,
                or_(
                    and_(
                        col(AuditRecord.action).startswith("mandate."),
                        col(AuditRecord.basis_id) == mandate_id,
                    ),
                    and_(
                        col(AuditRecord.action) == "representation.decided",
                        col(AuditRecord.decision) == "allowed",
                        col(AuditRecord.basis_id).contains(mandate_id),
                    ),
                ),
            )
            .order_by(col(AuditRecord.at).desc(), col(AuditRecord.id).desc())
            .limit(MAX_ROWS)
        ).all()
        return [
            Event(
                at=as_utc(record.at),
                what=record.action.removeprefix("mandate.")
                if record.action.startswith("mandate.")
                else "used",
                actor=None if actor is None else PartyId(actor.kind, actor.value),
                service_id=record.service_id,
            )
            for record, actor in rows
        ]


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
