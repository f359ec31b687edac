"""Granting, accepting, rejecting, revoking and expiring voluntary mandates.

Every step runs in one database transaction that locks the mandate row (``FOR UPDATE`` on
PostgreSQL; SQLite serialises writers) and writes its audit record in the same transaction, so
a revocation and a resolution racing each other see either the old or the new state, never a
mix (attack-catalogue §6 "Revocation race"). The rules themselves live in ``mandates.rules``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from broker.assurance import Level
from broker.identifiers import PartyId
from mandates.audit import AuditEntry, AuditSettings, TraceContext, write_audit
from mandates.catalogue import RepresentationKind, ServiceTerms
from mandates.errors import MandateNotFound, MandateRefused
from mandates.models import Mandate, MandateService, MandateState, as_utc
from mandates.party_store import find_party_id, party_id, party_of
from mandates.rules import (
    DEFAULT_RULES,
    LIVE_STATES,
    MandateRules,
    check_chain,
    check_grant,
    check_transition,
)


@dataclass(frozen=True, slots=True)
class MandateView:
    """A mandate as callers see it (no ORM object escapes a session)."""

    id: str
    principal: PartyId
    agent: PartyId
    services: tuple[str, ...]
    valid_from: dt.datetime
    valid_until: dt.datetime
    granted_level: Level
    state: MandateState
    onward: bool


class MandateLifecycle:
    """The mandate register's write side."""

    def __init__(
        self, engine: Engine, audit: AuditSettings, rules: MandateRules = DEFAULT_RULES
    ) -> None:
        self.engine = engine
        self.audit = audit
        self.rules = rules

    def grant(
        self,
        *,
        principal: PartyId,
        principal_level: Level,
        agent: PartyId,
        services: Sequence[ServiceTerms],
        valid_from: dt.datetime,
        valid_until: dt.datetime,
        now: dt.datetime,
        onward: bool = False,
        trace: TraceContext | None = None,
    ) -> MandateView:
        """The principal (logged in at ``principal_level``) asks ``agent`` to act for them; the
        mandate waits in ``requested`` until the agent accepts."""
        valid_from, valid_until, now = _utc(valid_from), _utc(valid_until), _utc(now)
        unique = list({service.service_id: service for service in services}.values())
        check_grant(
            principal=principal,
            principal_level=principal_level,
            agent=agent,
            services=unique,
            valid_from=valid_from,
            valid_until=valid_until,
            onward=onward,
            now=now,
            rules=self.rules,
        )
        with Session(self.engine) as session, session.begin():
            principal_id = party_id(session, principal)
            agent_id = party_id(session, agent)
            check_chain(
                depth_above_principal=self._depth_above(session, principal_id, now),
                loops=onward and self._reaches(session, agent_id, principal_id, now),
                onward=onward,
                rules=self.rules,
            )
            mandate = Mandate(
                id=str(uuid.uuid4()),
                principal_id=principal_id,
                agent_id=agent_id,
                onward=onward,
                valid_from=valid_from,
                valid_until=valid_until,
                granted_level=int(principal_level),
                state=MandateState.REQUESTED,
                created_by=principal_id,
                created_at=now,
            )
            session.add(mandate)
            session.flush()
            for service in unique:
                session.add(MandateService(mandate_id=mandate.id, service_id=service.service_id))
            write_audit(
                session,
                self.audit,
                AuditEntry(
                    action="mandate.granted",
                    decision="done",
                    reason="requested",
                    actor_id=principal_id,
                    subject=principal,
                    subject_id=principal_id,
                    basis_kind=RepresentationKind.CHAIN if onward else RepresentationKind.VOLUNTARY,
                    basis_id=mandate.id,
                    effective_level=int(principal_level),
                ),
                now,
                trace,
            )
            session.flush()
            return _view(session, mandate)

    def accept(
        self, mandate_id: str, *, by: PartyId, now: dt.datetime, trace: TraceContext | None = None
    ) -> MandateView:
        """The agent, logged in themselves, accepts (domain.md: ``requested -> active``)."""
        return self._transition("accept", mandate_id, by, _utc(now), trace)

    def reject(
        self, mandate_id: str, *, by: PartyId, now: dt.datetime, trace: TraceContext | None = None
    ) -> MandateView:
        return self._transition("reject", mandate_id, by, _utc(now), trace)

    def revoke(
        self, mandate_id: str, *, by: PartyId, now: dt.datetime, trace: TraceContext | None = None
    ) -> MandateView:
        """Principal or agent ends the mandate; it stops counting for the next resolution."""
        return self._transition("revoke", mandate_id, by, _utc(now), trace)

    def expire_due(self, now: dt.datetime, trace: TraceContext | None = None) -> int:
        """Move every live mandate whose end has passed to ``expired``; returns the count.

        Bookkeeping only: resolution checks the period itself, so a late sweep never lets an
        ended mandate through.
        """
        now = _utc(now)
        with Session(self.engine) as session, session.begin():
            due = session.exec(
                select(Mandate)
                .where(col(Mandate.state).in_(list(LIVE_STATES)), Mandate.valid_until <= now)
                .with_for_update(skip_locked=True)
            ).all()
            for mandate in due:
                mandate.state = check_transition("expire", MandateState(mandate.state), "system")
                mandate.changed_at = now
                write_audit(
                    session,
                    self.audit,
                    AuditEntry(
                        action="mandate.expired",
                        decision="done",
                        reason="expired",
                        subject=party_of(session, mandate.principal_id),
                        subject_id=mandate.principal_id,
                        basis_kind=_kind(mandate),
                        basis_id=mandate.id,
                    ),
                    now,
                    trace,
                )
            return len(due)

    def get(self, mandate_id: str, *, by: PartyId) -> MandateView:
        """A mandate for its principal or agent only; anyone else gets "unknown" (IDOR)."""
        with Session(self.engine) as session:
            mandate = session.get(Mandate, mandate_id)
            by_id = find_party_id(session, by)
            if mandate is None or by_id not in (mandate.principal_id, mandate.agent_id):
                raise MandateNotFound()
            return _view(session, mandate)

    def mandates_of(self, party: PartyId) -> list[MandateView]:
        """Every mandate ``party`` gave or received, newest first (the person's own overview)."""
        with Session(self.engine) as session:
            pid = find_party_id(session, party)
            if pid is None:
                return []
            rows = session.exec(
                select(Mandate)
                .where((Mandate.principal_id == pid) | (Mandate.agent_id == pid))
                .order_by(col(Mandate.created_at).desc())
            ).all()
            return [_view(session, row) for row in rows]

    def _transition(
        self,
        action: str,
        mandate_id: str,
        by: PartyId,
        now: dt.datetime,
        trace: TraceContext | None,
    ) -> MandateView:
        too_late = False
        with Session(self.engine) as session, session.begin():
            mandate = session.exec(
                select(Mandate).where(Mandate.id == mandate_id).with_for_update()
            ).first()
            if mandate is None:
                raise MandateNotFound()
            by_id = find_party_id(session, by)
            role = _role(mandate, by_id)
            state = MandateState(mandate.state)
            if action == "accept" and role == "agent" and state in LIVE_STATES:
                too_late = as_utc(mandate.valid_until) <= now
            if too_late:
                # Too late to accept: record the expiry the sweep would have made, then refuse
                # (after the commit, so the bookkeeping is kept).
                mandate.state = MandateState.EXPIRED
                mandate.changed_at = now
                self._audit(session, mandate, "mandate.expired", None, now, trace)
            else:
                mandate.state = check_transition(action, state, role)
                mandate.changed_by = by_id
                mandate.changed_at = now
                self._audit(session, mandate, f"mandate.{mandate.state}", by_id, now, trace)
            session.flush()
            view = _view(session, mandate)
        if too_late:
            raise MandateRefused("already_ended")
        return view

    def _audit(
        self,
        session: Session,
        mandate: Mandate,
        action: str,
        actor_id: int | None,
        now: dt.datetime,
        trace: TraceContext | None,
    ) -> None:
        write_audit(
            session,
            self.audit,
            AuditEntry(
                action=action,
                decision="done",
                reason=str(mandate.state),
                actor_id=actor_id,
                subject=party_of(session, mandate.principal_id),
                subject_id=mandate.principal_id,
                basis_kind=_kind(mandate),
                basis_id=mandate.id,
            ),
            now,
            trace,
        )

    def _depth_above(self, session: Session, principal_id: int, now: dt.datetime) -> int:
        """Longest live onward chain ending at ``principal_id`` (0: P is nobody's
        intermediary). Breadth-first by level, bounded by the rules, so a hostile register
        cannot make this walk unbounded."""
        depth = 0
        frontier = {principal_id}
        seen = set(frontier)
        while frontier and depth <= self.rules.max_chain_depth:
            above = set(
                session.exec(
                    select(Mandate.principal_id).where(
                        col(Mandate.agent_id).in_(frontier),
                        col(Mandate.onward).is_(True),
                        col(Mandate.state).in_(list(LIVE_STATES)),
                        Mandate.valid_until > now,
                    )
                ).all()
            )
            if not above:
                break
            depth += 1
            frontier = above - seen
            seen |= above
            if len(seen) > self.rules.max_walk:
                break
        return depth

    def _reaches(self, session: Session, start_id: int, target_id: int, now: dt.datetime) -> bool:
        """Whether ``target_id`` is reachable from ``start_id`` along live onward links (the
        new link target -> start would then close a loop)."""
        frontier = {start_id}
        seen = set(frontier)
        while frontier:
            below = set(
                session.exec(
                    select(Mandate.agent_id).where(
                        col(Mandate.principal_id).in_(frontier),
                        col(Mandate.onward).is_(True),
                        col(Mandate.state).in_(list(LIVE_STATES)),
                        Mandate.valid_until > now,
                    )
                ).all()
            )
            if target_id in below:
                return True
            frontier = below - seen
            seen |= below
            if len(seen) > self.rules.max_walk:
                return True  # refuse rather than walk forever: treat as a loop
        return False


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        # 9999-12-31T23:00-14:00 and the like: an instant outside the calendar is no period.
        raise MandateRefused("invalid_period") from None


def _role(mandate: Mandate, by_id: int | None) -> str | None:
    if by_id is None:
        return None
    if by_id == mandate.agent_id:
        return "agent"
    if by_id == mandate.principal_id:
        return "principal"
    return None


def _kind(mandate: Mandate) -> str:
    return RepresentationKind.CHAIN if mandate.onward else RepresentationKind.VOLUNTARY


def _view(session: Session, mandate: Mandate) -> MandateView:
    services = session.exec(
        select(MandateService.service_id)
        .where(MandateService.mandate_id == mandate.id)
        .order_by(col(MandateService.service_id))
    ).all()
    return MandateView(
        id=mandate.id,
        principal=party_of(session, mandate.principal_id),
        agent=party_of(session, mandate.agent_id),
        services=tuple(services),
        valid_from=as_utc(mandate.valid_from),
        valid_until=as_utc(mandate.valid_until),
        granted_level=Level(mandate.granted_level),
        state=MandateState(mandate.state),
        onward=mandate.onward,
    )


__all__ = ["MandateLifecycle", "MandateView"]
