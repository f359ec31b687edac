"""Who may act for whom, for which service, at which level — the heart of the broker.

Rules (domain.md "Resolution"), each applied in ``_judge_path`` / ``_judge_relation``:

- a basis counts only when valid at the instant: start ≤ now < end, accepted (``active``),
  not revoked; a minor still under 18 in Europe/Amsterdam time (``mandates.majority``);
- the service must be in the basis's scope: every mandate on the path lists it (scopes are
  never united across mandates), or the legal kind covers the service's legal domain
  (``mandates.catalogue.LEGAL_KIND_COVERS``), and the service allows that kind;
- effective level = min(agent's achieved level, every grant level on the path); below the
  service minimum ⇒ refused: "step up" when logging in higher would help, "mandate level too
  low" when the mandate itself was granted too low;
- a source that is down ⇒ refused with a clear message, never granted from stale data;
- every decision, allowed or denied, is audited.

The module knows nothing about HTTP or the broker's register: it takes ``ServiceTerms`` and
parties, reads the mandate tables and asks ``LegalRelationCache``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import anyio
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from broker.assurance import Level
from broker.identifiers import PartyId
from mandates.audit import AuditEntry, AuditSettings, TraceContext, write_audit
from mandates.catalogue import (
    LEGAL_KIND_COVERS,
    LEGAL_KINDS,
    MINOR_KINDS,
    RepresentationKind,
    ServiceTerms,
)
from mandates.legal_cache import CachedRelation, LegalRelationCache
from mandates.majority import is_minor
from mandates.models import Mandate, MandateService, MandateState, Party
from mandates.party_ids import is_organisation
from mandates.party_store import find_party_id, party_id
from mandates.reasons import texts
from mandates.rules import DEFAULT_RULES, MandateRules, effective_level

SELF = "self"
# When several bases fail, tell the person the most useful reason (lower = more useful).
_DENIAL_RANK = {
    "step_up": 0,
    "mandate_level_too_low": 1,
    "source_unavailable": 2,
    "domain_not_covered": 3,
    "minor_came_of_age": 4,
    "no_automatic_representation": 5,
    "service_not_representable": 6,
    "no_basis": 7,
}


@dataclass(frozen=True, slots=True)
class Basis:
    """Why an agent may act: the mandates on the path (principal's first) or one legal
    relation, and what it covers."""

    kind: RepresentationKind
    ids: tuple[str, ...]
    scope: tuple[str, ...]  # service ids (mandates) or legal domain parts (legal kinds)
    via: tuple[PartyId, ...] = ()  # intermediaries of a chain, principal side first
    granted_level: Level | None = None
    source: str | None = None
    source_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Option:
    """Someone the actor may choose to act for (or themself, ``kind == "self"``).
    ``step_up_to`` is set when the choice needs a higher login first."""

    party: PartyId
    kind: str
    basis: Basis | None = None
    step_up_to: Level | None = None


class OptionList(list[Option]):
    """Options, plus the sources that could not be asked (the page can say "we could not
    check your children right now")."""

    unavailable: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    actor: PartyId
    represented: PartyId
    service_id: str
    code: str
    basis: Basis | None = None
    effective_level: Level | None = None
    step_up_to: Level | None = None

    @property
    def reason_nl(self) -> str:
        return texts(self.code)[0]

    @property
    def reason_en(self) -> str:
        return texts(self.code)[1]

    @property
    def is_self(self) -> bool:
        return self.actor == self.represented


@dataclass(frozen=True, slots=True)
class _Link:
    mandate_id: str
    principal: PartyId
    granted_level: Level
    onward: bool


@dataclass(frozen=True, slots=True)
class _Verdict:
    code: str
    basis: Basis | None = None
    level: Level | None = None
    step_up_to: Level | None = None

    @property
    def allowed(self) -> bool:
        return self.code in ("mandate_valid", "legal_valid")


@dataclass
class _Candidates:
    paths: list[list[_Link]] = field(default_factory=list)  # agent side first
    relations: list[CachedRelation] = field(default_factory=list)
    unavailable: frozenset[str] = frozenset()


class Resolver:
    """Answers ``options`` and ``decide`` against the mandate tables and the legal cache."""

    def __init__(
        self,
        engine: Engine,
        cache: LegalRelationCache,
        audit: AuditSettings,
        rules: MandateRules = DEFAULT_RULES,
    ) -> None:
        self.engine = engine
        self.cache = cache
        self.audit = audit
        self.rules = rules

    async def options(
        self,
        actor: PartyId,
        achieved_level: Level,
        service: ServiceTerms,
        now: dt.datetime,
        trace: TraceContext | None = None,
    ) -> OptionList:
        """Self first, then persons by mandate, children, persons under curatele/bewind/
        mentorschap, then organisations. Only choices ``decide`` would allow (possibly after
        a step-up) are listed."""
        now = now.astimezone(dt.UTC)
        found = await self._candidates(actor, service, None, now)
        self_verdict = _judge_self(achieved_level, service)
        result = OptionList([Option(actor, SELF, step_up_to=self_verdict.step_up_to)])
        result.unavailable = found.unavailable
        by_mandate: list[Option] = []
        seen: set[tuple[PartyId, str]] = set()
        for path in found.paths:
            verdict = await self._judge_path(path, achieved_level, service)
            principal = path[-1].principal
            if verdict.basis is None or (principal, "mandate") in seen:
                continue
            if verdict.allowed or verdict.code == "step_up":
                seen.add((principal, "mandate"))
                by_mandate.append(
                    Option(principal, verdict.basis.kind, verdict.basis, verdict.step_up_to)
                )
        legal: list[Option] = []
        for relation in found.relations:
            verdict = _judge_relation(relation, achieved_level, service, now)
            party = relation.record.represented
            if verdict.basis is None or (party, "legal") in seen:
                continue
            if verdict.allowed or verdict.code == "step_up":
                seen.add((party, "legal"))
                legal.append(Option(party, verdict.basis.kind, verdict.basis, verdict.step_up_to))
        result.extend(o for o in by_mandate if not is_organisation(o.party))
        result.extend(o for o in legal if o.kind in {k.value for k in MINOR_KINDS})
        result.extend(o for o in legal if o.kind not in {k.value for k in MINOR_KINDS})
        result.extend(o for o in by_mandate if is_organisation(o.party))
        await anyio.to_thread.run_sync(
            self._write_audit,
            AuditEntry(
                action="representation.options",
                decision="listed",
                reason="options",
                subject=actor,
                service_id=service.service_id,
                status="Error" if found.unavailable else "Ok",
            ),
            actor,
            now,
            trace,
        )
        return result

    async def decide(
        self,
        actor: PartyId,
        achieved_level: Level,
        service: ServiceTerms,
        represented: PartyId | None,
        now: dt.datetime,
        trace: TraceContext | None = None,
    ) -> Decision:
        """Whether ``actor`` may use ``service`` for ``represented`` (None: for themself) at
        ``now``. The choice is re-checked from scratch: nothing the actor chose earlier is
        trusted (attack-catalogue §6 "Principal selection tampering")."""
        now = now.astimezone(dt.UTC)
        target = represented or actor
        if target == actor:
            verdict = _judge_self(achieved_level, service)
        else:
            verdict = await self._decide_for(actor, achieved_level, service, target, now)
        decision = Decision(
            allowed=verdict.allowed or verdict.code == SELF,
            actor=actor,
            represented=target,
            service_id=service.service_id,
            code=verdict.code,
            basis=verdict.basis,
            effective_level=verdict.level,
            step_up_to=verdict.step_up_to,
        )
        await anyio.to_thread.run_sync(
            self._write_audit,
            AuditEntry(
                action="representation.decided",
                decision="allowed" if decision.allowed else "denied",
                reason=decision.code,
                subject=target,
                service_id=service.service_id,
                basis_kind=None if decision.basis is None else decision.basis.kind.value,
                basis_id=None if decision.basis is None else ",".join(decision.basis.ids)[:80],
                effective_level=None
                if decision.effective_level is None
                else int(decision.effective_level),
                status="Error" if decision.code == "source_unavailable" else "Ok",
            ),
            actor,
            now,
            trace,
        )
        return decision

    async def _decide_for(
        self,
        actor: PartyId,
        achieved_level: Level,
        service: ServiceTerms,
        represented: PartyId,
        now: dt.datetime,
    ) -> _Verdict:
        if not service.representation:
            return _Verdict("service_not_representable")
        found = await self._candidates(actor, service, represented, now)
        verdicts = [await self._judge_path(path, achieved_level, service) for path in found.paths]
        for verdict in verdicts:
            if verdict.allowed:
                return verdict
        # A valid mandate answers without the legal sources; only now are they consulted.
        legal_found = await self._legal(actor, service, now)
        verdicts += [
            _judge_relation(relation, achieved_level, service, now)
            for relation in legal_found.relations
            if relation.record.represented == represented
        ]
        for verdict in verdicts:
            if verdict.allowed:
                return verdict
        if legal_found.unavailable:
            verdicts.append(_Verdict("source_unavailable"))
        if not verdicts:
            return _Verdict("no_basis")
        return min(verdicts, key=lambda v: _DENIAL_RANK[v.code])

    async def _candidates(
        self,
        actor: PartyId,
        service: ServiceTerms,
        represented: PartyId | None,
        now: dt.datetime,
    ) -> _Candidates:
        paths: list[list[_Link]] = []
        if service.representation & {RepresentationKind.VOLUNTARY, RepresentationKind.CHAIN}:
            paths = await anyio.to_thread.run_sync(
                self._mandate_paths, actor, service.service_id, now
            )
            if represented is not None:
                paths = [path for path in paths if path[-1].principal == represented]
        if represented is not None:
            return _Candidates(paths=paths)
        legal = await self._legal(actor, service, now)
        return _Candidates(paths, legal.relations, legal.unavailable)

    async def _legal(self, actor: PartyId, service: ServiceTerms, now: dt.datetime) -> _Candidates:
        kinds = frozenset(service.representation & LEGAL_KINDS)
        if not kinds:
            return _Candidates()
        answer = await self.cache.relations_of(actor, kinds, now)
        return _Candidates(relations=answer.relations, unavailable=answer.unavailable)

    def _mandate_paths(
        self, actor: PartyId, service_id: str, now: dt.datetime
    ) -> list[list[_Link]]:
        """Mandate paths from ``actor`` up to each principal, every link active, valid at
        ``now`` and listing the service; links beyond the first must be ``onward``. The walk
        is bounded by ``max_chain_depth`` and never revisits a party, so a loop in the data
        cannot make it spin."""
        with Session(self.engine) as session:
            actor_id = find_party_id(session, actor)
            if actor_id is None:
                return []
            done: list[list[_Link]] = []
            frontier: list[tuple[int, list[_Link]]] = [(actor_id, [])]
            visited = {actor_id}
            for depth in range(1, self.rules.max_chain_depth + 1):
                agents = {agent_id for agent_id, _ in frontier}
                query = (
                    select(Mandate, Party)
                    .join(MandateService, col(MandateService.mandate_id) == col(Mandate.id))
                    .join(Party, col(Party.id) == col(Mandate.principal_id))
                    .where(
                        col(Mandate.agent_id).in_(agents),
                        Mandate.state == MandateState.ACTIVE.value,
                        Mandate.valid_from <= now,
                        Mandate.valid_until > now,
                        MandateService.service_id == service_id,
                    )
                )
                if depth > 1:
                    query = query.where(col(Mandate.onward).is_(True))
                rows = session.exec(query).all()
                paths_by_agent = dict(frontier)
                next_frontier: list[tuple[int, list[_Link]]] = []
                for mandate, principal in rows:
                    assert principal.id is not None
                    if principal.id in visited:
                        continue
                    link = _Link(
                        mandate.id,
                        PartyId(principal.kind, principal.value),
                        Level(mandate.granted_level),
                        mandate.onward,
                    )
                    path = [*paths_by_agent[mandate.agent_id], link]
                    done.append(path)
                    if principal.kind in ("kvk", "rsin"):
                        next_frontier.append((principal.id, path))
                visited |= {agent_id for agent_id, _ in next_frontier}
                frontier = next_frontier
                if not frontier:
                    break
            return done

    async def _judge_path(
        self, path: list[_Link], achieved: Level, service: ServiceTerms
    ) -> _Verdict:
        kind = RepresentationKind.VOLUNTARY if len(path) == 1 else RepresentationKind.CHAIN
        if not service.allows(kind):
            return _Verdict("service_not_representable")
        ids = [link.mandate_id for link in path]
        scope = await anyio.to_thread.run_sync(self._common_scope, ids)
        granted = [link.granted_level for link in path]
        basis = Basis(
            kind=kind,
            ids=tuple(link.mandate_id for link in reversed(path)),
            scope=scope,
            via=tuple(link.principal for link in reversed(path[:-1])),
            granted_level=min(granted),
        )
        return _level_verdict(
            "mandate_valid", basis, effective_level(achieved, granted), min(granted), service
        )

    def _common_scope(self, mandate_ids: list[str]) -> tuple[str, ...]:
        """The services every mandate on the path lists (each hop attenuates the next)."""
        with Session(self.engine) as session:
            common: set[str] | None = None
            for mandate_id in mandate_ids:
                services = set(
                    session.exec(
                        select(MandateService.service_id).where(
                            MandateService.mandate_id == mandate_id
                        )
                    ).all()
                )
                common = services if common is None else common & services
            return tuple(sorted(common or ()))

    def _write_audit(
        self, entry: AuditEntry, actor: PartyId, now: dt.datetime, trace: TraceContext | None
    ) -> None:
        with Session(self.engine) as session, session.begin():
            actor_id = party_id(session, actor)
            subject_id = None if entry.subject is None else party_id(session, entry.subject)
            write_audit(
                session,
                self.audit,
                AuditEntry(
                    action=entry.action,
                    decision=entry.decision,
                    reason=entry.reason,
                    actor_id=actor_id,
                    subject=entry.subject,
                    subject_id=subject_id,
                    service_id=entry.service_id,
                    basis_kind=entry.basis_kind,
                    basis_id=entry.basis_id,
                    effective_level=entry.effective_level,
                    status=entry.status,
                ),
                now,
                trace,
            )


def _judge_self(achieved: Level, service: ServiceTerms) -> _Verdict:
    if achieved < service.min_level:
        return _Verdict("self_level_too_low", level=achieved, step_up_to=service.min_level)
    return _Verdict(SELF, level=achieved)


def _level_verdict(
    ok_code: str, basis: Basis, level: Level, ceiling: Level, service: ServiceTerms
) -> _Verdict:
    """``ceiling`` is the most a new login could reach (the grant level for mandates)."""
    if level >= service.min_level:
        return _Verdict(ok_code, basis, level)
    if ceiling < service.min_level:
        return _Verdict("mandate_level_too_low", basis, level)
    return _Verdict("step_up", basis, level, step_up_to=service.min_level)


def _judge_relation(
    relation: CachedRelation, achieved: Level, service: ServiceTerms, now: dt.datetime
) -> _Verdict:
    record = relation.record
    if not service.allows(record.kind):
        return _Verdict("service_not_representable")
    if record.blocked:
        return _Verdict("no_automatic_representation")
    if record.valid_from is not None and now < record.valid_from:
        return _Verdict("no_basis")
    if record.valid_until is not None and now >= record.valid_until:
        return _Verdict("no_basis")
    if record.kind in MINOR_KINDS:
        if record.minor_birth_date is None:
            return _Verdict("no_automatic_representation")
        if not is_minor(record.minor_birth_date, now):
            return _Verdict("minor_came_of_age")
    if not service.domain_covered_by(record.kind):
        return _Verdict("domain_not_covered")
    basis = Basis(
        kind=record.kind,
        ids=(f"legal:{relation.id}",),
        scope=tuple(sorted(LEGAL_KIND_COVERS[record.kind])),
        source=record.source,
        source_ref=record.source_ref,
    )
    return _level_verdict("legal_valid", basis, achieved, Level.HIGH, service)
