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
parties, reads the mandate tables and asks ``LegalRelationCache``. A decision or an option list
costs one worker-thread hop on one connection (path query, cached legal relations when no
mandate allows, the audit INSERT) unless a live legal source must be asked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import anyio
from sqlalchemy import Connection, Engine, Select, TextClause, and_, bindparam, insert, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased
from sqlmodel import Session

from broker.assurance import Level
from broker.identifiers import PartyId
from mandates.audit import AuditEntry, AuditSettings, TraceContext, audit_values
from mandates.catalogue import (
    LEGAL_KIND_COVERS,
    LEGAL_KINDS,
    MINOR_KINDS,
    RepresentationKind,
    ServiceTerms,
)
from mandates.hot_engine import HotStatement, hot_engine, retry_stale
from mandates.legal_cache import CachedAnswer, CachedRelation, LegalRelationCache, Snapshot
from mandates.majority import is_minor
from mandates.models import AuditRecord, Mandate, MandateService, MandateState, Party
from mandates.party_ids import checked, is_organisation
from mandates.party_store import PartyIdCache, party_id
from mandates.reasons import texts
from mandates.rules import DEFAULT_RULES, MandateRules, effective_level

SELF = "self"
# Audit actions of a decision: a use in a login, or a service provider's question (/check).
DECIDED = "representation.decided"
CHECKED = "representation.checked"
# When several bases fail, tell the person the most useful reason (lower = more useful).
_DENIAL_RANK = {
    "step_up": 0,
    "mandate_level_too_low": 1,
    "source_unavailable": 2,
    "domain_not_covered": 3,
    "minor_came_of_age": 4,
    "no_automatic_representation": 5,
    "service_not_representable": 6,
    "service_not_in_mandate": 7,
    "no_basis": 8,
}
# Refusals ``options`` lists as "exists, but not for this service": the basis is in force, it
# just does not reach this service (or not at this level). Relations outside their validity
# dates (``no_basis``) are history, not shown.
_NOT_APPLICABLE = frozenset(
    {
        "mandate_level_too_low",
        "domain_not_covered",
        "minor_came_of_age",
        "no_automatic_representation",
        "service_not_representable",
        "service_not_in_mandate",
    }
)


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


@dataclass(frozen=True, slots=True)
class NotApplicable:
    """A party the actor does represent, but not for this service (``code`` in
    ``mandates.reasons``): shown so a bewindvoerder at a care service learns why the ward is
    not a choice, instead of the ward silently missing."""

    party: PartyId
    kind: str
    code: str


class OptionList(list[Option]):
    """Options, plus the sources that could not be asked (the page can say "we could not
    check your children right now") and the relations that do not apply to this service."""

    unavailable: frozenset[str] = frozenset()
    not_applicable: tuple[NotApplicable, ...] = ()


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
    principal_row: int = 0
    services: frozenset[str] = frozenset()  # every service the mandate lists


_M = Mandate.__table__  # type: ignore[attr-defined]
_MS = MandateService.__table__  # type: ignore[attr-defined]
_P = Party.__table__  # type: ignore[attr-defined]
_AUDIT = AuditRecord.__table__  # type: ignore[attr-defined]
_INSERT_AUDIT = HotStatement(
    insert(_AUDIT), column_keys=[c.name for c in _AUDIT.columns if c.name != "id"]
)
_WANTED = aliased(_MS, name="wanted")
_LISTED = aliased(_MS, name="listed")
_AGENT = aliased(_P, name="agent")
_PRINCIPAL = aliased(_P, name="principal")
# One statement per chain depth: the valid mandates of the agents that list the service, with
# their principal and every service they list (the scope, so judging needs no further query).
_PATH_COLUMNS = (
    _M.c.id,
    _M.c.agent_id,
    _M.c.principal_id,
    _M.c.granted_level,
    _M.c.onward,
    _PRINCIPAL.c.kind,
    _PRINCIPAL.c.value,
    _LISTED.c.service_id,
)


def _path_query(first: bool, onward_only: bool, any_service: bool = False) -> Select[Any]:
    query = select(*_PATH_COLUMNS).select_from(_M)
    if not any_service:
        query = query.join(
            _WANTED,
            and_(
                _WANTED.c.mandate_id == _M.c.id,
                _WANTED.c.service_id == bindparam("service_id"),
            ),
        )
    query = (
        query.join(_PRINCIPAL, _PRINCIPAL.c.id == _M.c.principal_id)
        .join(_LISTED, _LISTED.c.mandate_id == _M.c.id)
        .where(
            _M.c.state == MandateState.ACTIVE.value,
            _M.c.valid_from <= bindparam("now"),
            _M.c.valid_until > bindparam("now"),
        )
    )
    if first:
        # Depth 1 names the actor by identifier: no separate party-id lookup.
        query = query.join(_AGENT, _AGENT.c.id == _M.c.agent_id).where(
            _AGENT.c.kind == bindparam("agent_kind"),
            _AGENT.c.value == bindparam("agent_value"),
        )
    else:
        query = query.where(_M.c.agent_id.in_(bindparam("agents", expanding=True)))
    if onward_only:
        query = query.where(_M.c.onward.is_(True))
    return query


_FIRST_HOP = HotStatement(_path_query(first=True, onward_only=False))
# For ``options``: the actor's own mandates whatever they list, so the page can say which do
# not cover this service (same index, no extra round trip).
_FIRST_HOP_ANY = HotStatement(_path_query(first=True, onward_only=False, any_service=True))
_NEXT_HOP = _path_query(first=False, onward_only=True)


@dataclass(frozen=True, slots=True)
class _Verdict:
    code: str
    basis: Basis | None = None
    level: Level | None = None
    step_up_to: Level | None = None

    @property
    def allowed(self) -> bool:
        return self.code in ("mandate_valid", "legal_valid")


class Resolver:
    """Answers ``options`` and ``decide`` against the mandate tables and the legal cache."""

    def __init__(
        self,
        engine: Engine,
        cache: LegalRelationCache,
        audit: AuditSettings,
        rules: MandateRules = DEFAULT_RULES,
    ) -> None:
        if cache.engine is not engine:
            # The legal cache is read on the resolver's connections (one hop per decision).
            raise ValueError("the resolver and its legal-relation cache must share one engine")
        self.engine = engine
        self.cache = cache
        self.audit = audit
        self.rules = rules
        self.party_ids = PartyIdCache()
        # Single-statement reads and the one-INSERT audit: no BEGIN/COMMIT round trips, and
        # prepared statements survive (see mandates.hot_engine).
        self._autocommit = hot_engine(engine)

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
        a step-up) are listed; bases that exist but do not reach this service go to
        ``not_applicable`` with their reason (legal kinds the service does not allow at all
        are not asked for, so they are not among them)."""
        now = now.astimezone(dt.UTC)
        # One worker hop and one connection when the legal cache is fresh: the mandate
        # paths, the cached relations, the list, its audit INSERT.
        listed = await anyio.to_thread.run_sync(
            retry_stale, self._options_locally, actor, achieved_level, service, now, trace
        )
        if isinstance(listed, OptionList):
            return listed
        paths, snapshot = listed
        found = self._remember(actor, await self.cache.complete(snapshot, now))
        result = _option_list(paths, found, actor, achieved_level, service, now)
        await anyio.to_thread.run_sync(
            retry_stale, self._write_audit, _listed_entry(actor, service, found), actor, now, trace
        )
        return result

    def _options_locally(
        self,
        actor: PartyId,
        achieved_level: Level,
        service: ServiceTerms,
        now: dt.datetime,
        trace: TraceContext | None,
    ) -> OptionList | tuple[list[list[_Link]], Snapshot]:
        """The audited list when the legal cache holds a fresh answer; else the paths and the
        snapshot, for ``options`` to ask the stale sources."""
        with self._autocommit.connect() as conn:
            paths = self._walk(conn, actor, service.service_id, now, any_service=True)
            snapshot = self._snapshot(conn, actor, service, now)
            if snapshot.stale:
                return paths, snapshot
            found = self._remember(actor, snapshot.answer)
            result = _option_list(paths, found, actor, achieved_level, service, now)
            self._write_audit(_listed_entry(actor, service, found), actor, now, trace, conn)
        return result

    async def decide(
        self,
        actor: PartyId,
        achieved_level: Level,
        service: ServiceTerms,
        represented: PartyId | None,
        now: dt.datetime,
        trace: TraceContext | None = None,
        *,
        action: str = DECIDED,
    ) -> Decision:
        """Whether ``actor`` may use ``service`` for ``represented`` (None: for themself) at
        ``now``. The choice is re-checked from scratch: nothing the actor chose earlier is
        trusted (attack-catalogue §6 "Principal selection tampering"). ``action`` names the
        audit record: ``DECIDED`` for a use in a login, ``CHECKED`` when a service provider
        only asks (not a use: the represented person's history leaves it out)."""
        now = now.astimezone(dt.UTC)
        target = represented or actor
        if target == actor:
            decision = _decision(actor, target, service, _judge_self(achieved_level, service))
        else:
            # One worker hop and one connection unless a live source must be asked.
            decided = await anyio.to_thread.run_sync(
                retry_stale,
                self._decide_locally,
                actor,
                achieved_level,
                service,
                target,
                now,
                trace,
                action,
            )
            if isinstance(decided, Decision):
                return decided
            paths, snapshot = decided
            # No mandate allows: only now are the live legal sources asked.
            found = self._remember(actor, await self.cache.complete(snapshot, now))
            verdict = _verdict_for(paths, found, achieved_level, service, target, now)
            decision = _decision(actor, target, service, verdict)
        await anyio.to_thread.run_sync(
            retry_stale, self._write_audit, _decided_entry(decision, action), actor, now, trace
        )
        return decision

    def _decide_locally(
        self,
        actor: PartyId,
        achieved_level: Level,
        service: ServiceTerms,
        represented: PartyId,
        now: dt.datetime,
        trace: TraceContext | None,
        action: str = DECIDED,
    ) -> Decision | tuple[list[list[_Link]], Snapshot]:
        """The audited decision from the mandate tables and, when no mandate allows, the
        legal cache; or the paths and a snapshot with stale sources, for ``decide`` to ask."""
        with self._autocommit.connect() as conn:
            paths: list[list[_Link]] = []
            if service.representation & {RepresentationKind.VOLUNTARY, RepresentationKind.CHAIN}:
                paths = [
                    path
                    for path in self._walk(conn, actor, service.service_id, now)
                    if path[-1].principal == represented
                ]
            verdict = next(
                (v for v in (_judge_path(p, achieved_level, service) for p in paths) if v.allowed),
                None,
            )
            if verdict is None:
                # A valid mandate answers without the legal relations; only now are they read.
                snapshot = self._snapshot(conn, actor, service, now)
                if snapshot.stale:
                    return paths, snapshot
                found = self._remember(actor, snapshot.answer)
                verdict = _verdict_for(paths, found, achieved_level, service, represented, now)
            decision = _decision(actor, represented, service, verdict)
            self._write_audit(_decided_entry(decision, action), actor, now, trace, conn)
        return decision

    def _snapshot(
        self, conn: Connection, actor: PartyId, service: ServiceTerms, now: dt.datetime
    ) -> Snapshot:
        kinds = frozenset(service.representation & LEGAL_KINDS)
        if not kinds:
            return Snapshot(actor, kinds, frozenset(), CachedAnswer([], frozenset()))
        return self.cache.snapshot(conn, actor, kinds, now)

    def _remember(self, actor: PartyId, answer: CachedAnswer) -> CachedAnswer:
        """Keep both parties' ids of each relation, so the audit INSERT needs no lookup."""
        for relation in answer.relations:
            self.party_ids.put(actor, relation.representative_id)
            self.party_ids.put(relation.record.represented, relation.represented_id)
        return answer

    def _walk(
        self,
        conn: Connection,
        actor: PartyId,
        service_id: str,
        now: dt.datetime,
        any_service: bool = False,
    ) -> list[list[_Link]]:
        """Mandate paths from ``actor`` up to each principal, every link active, valid at
        ``now`` and listing the service; links beyond the first must be ``onward``. The walk
        is bounded by ``max_chain_depth`` and never revisits a party, so a loop in the data
        cannot make it spin. One indexed query per depth; a person holding no mandate from an
        organisation costs exactly one. ``any_service`` also returns the actor's own mandates
        that do not list the service (one-link paths, never extended into a chain)."""
        done: list[list[_Link]] = []
        frontier: dict[int, list[_Link]] = {}
        visited: set[int] = set()
        for depth in range(1, self.rules.max_chain_depth + 1):
            if depth == 1:
                rows = (_FIRST_HOP_ANY if any_service else _FIRST_HOP).run(
                    conn,
                    {
                        "service_id": service_id,
                        "now": now,
                        "agent_kind": actor.kind,
                        "agent_value": actor.value,
                    },
                )
                if not rows:
                    return done
                actor_id = rows[0].agent_id
                self.party_ids.put(actor, actor_id)
                frontier = {actor_id: []}
                visited = {actor_id}
            else:
                rows = list(
                    conn.execute(
                        _NEXT_HOP,
                        {"service_id": service_id, "now": now, "agents": sorted(frontier)},
                    ).all()
                )
            services: dict[str, set[str]] = {}
            hops: dict[str, tuple[int, int, PartyId, int, bool]] = {}
            for row in rows:
                services.setdefault(row.id, set()).add(row.service_id)
                hops[row.id] = (
                    row.agent_id,
                    row.principal_id,
                    PartyId(row.kind, row.value),
                    row.granted_level,
                    row.onward,
                )
            next_frontier: dict[int, list[_Link]] = {}
            for mandate_id, (agent_id, principal_id, principal, level, onward) in sorted(
                hops.items()
            ):
                if principal_id in visited:
                    continue
                link = _Link(
                    mandate_id,
                    principal,
                    Level(level),
                    onward,
                    principal_id,
                    frozenset(services[mandate_id]),
                )
                path = [*frontier[agent_id], link]
                done.append(path)
                self.party_ids.put(principal, principal_id)
                if principal.kind in ("kvk", "rsin") and service_id in link.services:
                    next_frontier[principal_id] = path
            visited |= set(next_frontier)
            frontier = next_frontier
            if not frontier:
                break
        return done

    def _write_audit(
        self,
        entry: AuditEntry,
        actor: PartyId,
        now: dt.datetime,
        trace: TraceContext | None,
        conn: Connection | None = None,
    ) -> None:
        """One INSERT when the party ids are known (from the path query or the cache), on
        ``conn`` when given; else, on PostgreSQL, one statement that also registers unseen
        parties."""
        ids: dict[PartyId, int] = {}
        parties = (
            [actor]
            if entry.subject is None or entry.subject == actor
            else [
                actor,
                entry.subject,
            ]
        )
        for party in parties:
            if party not in ids and (cached := self.party_ids.get(party)) is not None:
                ids[party] = cached
        values = audit_values(self.audit, entry, now, trace)
        if all(party in ids for party in parties):
            values["actor_id"] = ids[actor]
            values["subject_id"] = None if entry.subject is None else ids[entry.subject]
            if conn is not None:
                _INSERT_AUDIT.run(conn, values)
                conn.commit()
                return
            with self._autocommit.connect() as own:
                _INSERT_AUDIT.run(own, values)
                own.commit()
            return
        if conn is not None:
            conn.commit()  # the caller's reads end before another connection writes
        if self.engine.dialect.name == "postgresql":
            for party in parties:
                checked(party)
            with self._autocommit.connect() as own:
                row = own.execute(_upsert_and_audit(len(parties)), _bind(parties, values)).one()
                own.commit()
            self.party_ids.put(actor, row.actor_id)
            if entry.subject is not None:
                self.party_ids.put(entry.subject, row.subject_id)
            return
        with Session(self.engine) as session, session.begin():
            for party in parties:
                if party not in ids:
                    ids[party] = party_id(session, party)
                    self.party_ids.put(party, ids[party])
            values["actor_id"] = ids[actor]
            values["subject_id"] = None if entry.subject is None else ids[entry.subject]
            session.connection().execute(insert(_AUDIT), values)


def _option_list(
    paths: list[list[_Link]],
    found: CachedAnswer,
    actor: PartyId,
    achieved: Level,
    service: ServiceTerms,
    now: dt.datetime,
) -> OptionList:
    """``Resolver.options`` from what was read: each basis judged as ``decide`` would."""
    result = OptionList([Option(actor, SELF, step_up_to=_judge_self(achieved, service).step_up_to)])
    result.unavailable = found.unavailable
    by_mandate: list[Option] = []
    seen: set[tuple[PartyId, str]] = set()
    refused: dict[tuple[PartyId, str], NotApplicable] = {}

    def refuse(key: tuple[PartyId, str], entry: NotApplicable) -> None:
        # Several bases for one party: keep the most useful reason.
        known = refused.get(key)
        if known is None or _DENIAL_RANK[entry.code] < _DENIAL_RANK[known.code]:
            refused[key] = entry

    for path in paths:
        verdict = _judge_path(path, achieved, service)
        principal = path[-1].principal
        if verdict.code in _NOT_APPLICABLE:
            kind = _path_kind(path).value
            refuse((principal, "mandate"), NotApplicable(principal, kind, verdict.code))
        if verdict.basis is None or (principal, "mandate") in seen:
            continue
        if verdict.allowed or verdict.code == "step_up":
            seen.add((principal, "mandate"))
            by_mandate.append(
                Option(principal, verdict.basis.kind, verdict.basis, verdict.step_up_to)
            )
    legal: list[Option] = []
    for relation in found.relations:
        verdict = _judge_relation(relation, achieved, service, now)
        party = relation.record.represented
        if verdict.code in _NOT_APPLICABLE:
            kind = relation.record.kind.value
            refuse((party, "legal"), NotApplicable(party, kind, verdict.code))
        if verdict.basis is None or (party, "legal") in seen:
            continue
        if verdict.allowed or verdict.code == "step_up":
            seen.add((party, "legal"))
            legal.append(Option(party, verdict.basis.kind, verdict.basis, verdict.step_up_to))
    offered = {o.party for o in (*by_mandate, *legal)}
    result.not_applicable = tuple(entry for entry in refused.values() if entry.party not in offered)
    minors = {k.value for k in MINOR_KINDS}
    result.extend(o for o in by_mandate if not is_organisation(o.party))
    result.extend(o for o in legal if o.kind in minors)
    result.extend(o for o in legal if o.kind not in minors)
    result.extend(o for o in by_mandate if is_organisation(o.party))
    return result


def _verdict_for(
    paths: list[list[_Link]],
    found: CachedAnswer,
    achieved: Level,
    service: ServiceTerms,
    represented: PartyId,
    now: dt.datetime,
) -> _Verdict:
    """The decision's verdict: the first basis that allows, else the most useful refusal."""
    if not service.representation:
        return _Verdict("service_not_representable")
    verdicts = [_judge_path(path, achieved, service) for path in paths]
    verdicts += [
        _judge_relation(relation, achieved, service, now)
        for relation in found.relations
        if relation.record.represented == represented
    ]
    for verdict in verdicts:
        if verdict.allowed:
            return verdict
    if found.unavailable:
        verdicts.append(_Verdict("source_unavailable"))
    if not verdicts:
        return _Verdict("no_basis")
    return min(verdicts, key=lambda v: _DENIAL_RANK[v.code])


def _listed_entry(actor: PartyId, service: ServiceTerms, found: CachedAnswer) -> AuditEntry:
    return AuditEntry(
        action="representation.options",
        decision="listed",
        reason="options",
        subject=actor,
        service_id=service.service_id,
        status="Error" if found.unavailable else "Ok",
    )


def _decision(
    actor: PartyId, represented: PartyId, service: ServiceTerms, verdict: _Verdict
) -> Decision:
    return Decision(
        allowed=verdict.allowed or verdict.code == SELF,
        actor=actor,
        represented=represented,
        service_id=service.service_id,
        code=verdict.code,
        basis=verdict.basis,
        effective_level=verdict.level,
        step_up_to=verdict.step_up_to,
    )


def _decided_entry(decision: Decision, action: str = DECIDED) -> AuditEntry:
    return AuditEntry(
        action=action,
        decision="allowed" if decision.allowed else "denied",
        reason=decision.code,
        subject=decision.represented,
        service_id=decision.service_id,
        basis_kind=None if decision.basis is None else decision.basis.kind.value,
        basis_id=None if decision.basis is None else ",".join(decision.basis.ids)[:80],
        effective_level=None if decision.effective_level is None else int(decision.effective_level),
        status="Error" if decision.code == "source_unavailable" else "Ok",
    )


_PG = postgresql.dialect()  # type: ignore[no-untyped-call]
_AUDIT_COLUMNS = tuple(c.name for c in _AUDIT.columns if c.name != "id")


def _upsert_and_audit(parties: int) -> TextClause:
    """PostgreSQL: register unseen parties and write the audit row in one round trip."""
    pairs = ", ".join(f"(:k{i}, :v{i})" for i in range(parties))
    subject = "1" if parties == 2 else "0"
    columns = ", ".join(_AUDIT_COLUMNS)
    selected = ", ".join(
        {
            "actor_id": "(SELECT id FROM ids WHERE kind = :k0 AND value = :v0 LIMIT 1)",
            "subject_id": f"(SELECT id FROM ids WHERE kind = :k{subject} "  # noqa: S608
            f"AND value = :v{subject} LIMIT 1)",
        }.get(name, f"CAST(:{name} AS {_AUDIT.c[name].type.compile(dialect=_PG)})")
        for name in _AUDIT_COLUMNS
    )
    return text(
        f"WITH new AS (INSERT INTO parties (kind, value) VALUES {pairs} "  # noqa: S608
        "ON CONFLICT (kind, value) DO NOTHING RETURNING id, kind, value), "
        "ids AS (SELECT id, kind, value FROM new UNION ALL "
        f"SELECT id, kind, value FROM parties WHERE (kind, value) IN ({pairs})) "
        f"INSERT INTO representation_audit ({columns}) SELECT {selected} "
        "RETURNING actor_id, subject_id"
    )


def _bind(parties: list[PartyId], values: dict[str, object]) -> dict[str, object]:
    params = {k: v for k, v in values.items() if k not in ("actor_id", "subject_id")}
    for i, party in enumerate(parties):
        params[f"k{i}"], params[f"v{i}"] = party.kind, party.value
    return params


def _path_kind(path: list[_Link]) -> RepresentationKind:
    return RepresentationKind.VOLUNTARY if len(path) == 1 else RepresentationKind.CHAIN


def _judge_path(path: list[_Link], achieved: Level, service: ServiceTerms) -> _Verdict:
    kind = _path_kind(path)
    # The services every mandate on the path lists (each hop attenuates the next).
    common = frozenset.intersection(*(link.services for link in path))
    if service.service_id not in common:
        return _Verdict("service_not_in_mandate")
    if not service.allows(kind):
        return _Verdict("service_not_representable")
    granted = [link.granted_level for link in path]
    basis = Basis(
        kind=kind,
        ids=tuple(link.mandate_id for link in reversed(path)),
        scope=tuple(sorted(common)),
        via=tuple(link.principal for link in reversed(path[:-1])),
        granted_level=min(granted),
    )
    return _level_verdict(
        "mandate_valid", basis, effective_level(achieved, granted), min(granted), service
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
