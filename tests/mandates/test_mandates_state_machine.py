"""Property test (attack-catalogue §6, last item): random grant/accept/reject/revoke/expire/
time-advance/use sequences; invariant "an allowed decision ⇒ a valid basis covering service
and level at that instant", checked against an independent in-memory model."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from mandates_world import AUDIT, PERMIT, T0, TAX

from broker.assurance import Level
from broker.identifiers import PartyId
from broker.register.database import create_engine_for, migrate
from mandates.errors import MandateRefused
from mandates.legal_cache import LegalRelationCache
from mandates.lifecycle import MandateLifecycle
from mandates.models import MandateState
from mandates.resolution import Resolver

PEOPLE = [PartyId("bsn", v) for v in ("999990305", "999990317", "999990329")]
LEVELS = list(Level)
SERVICES = [TAX, PERMIT]


class MandateMachine(RuleBasedStateMachine):
    mandates = Bundle("mandates")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = TemporaryDirectory()
        url = f"sqlite:///{Path(self.tmp.name) / 'm.db'}"
        migrate(url)
        self.engine = create_engine_for(url)
        self.lifecycle = MandateLifecycle(self.engine, AUDIT)
        self.resolver = Resolver(self.engine, LegalRelationCache(self.engine, []), AUDIT)
        self.now = T0
        # model: id -> (principal, agent, services, from, until, level, state)
        self.model: dict[str, dict[str, object]] = {}

    def teardown(self) -> None:
        self.engine.dispose()
        self.tmp.cleanup()

    @rule(
        target=mandates,
        principal=st.sampled_from(PEOPLE),
        agent=st.sampled_from(PEOPLE),
        services=st.lists(st.sampled_from(SERVICES), min_size=1, max_size=2),
        level=st.sampled_from(LEVELS),
        start=st.integers(0, 5),
        days=st.integers(1, 10),
    )
    def grant(
        self,
        principal: PartyId,
        agent: PartyId,
        services: list,
        level: Level,
        start: int,
        days: int,
    ) -> str:
        valid_from = self.now + dt.timedelta(days=start)
        valid_until = valid_from + dt.timedelta(days=days)
        try:
            view = self.lifecycle.grant(
                principal=principal,
                principal_level=level,
                agent=agent,
                services=services,
                valid_from=valid_from,
                valid_until=valid_until,
                now=self.now,
            )
        except MandateRefused:
            assert principal == agent or any(level < s.min_level for s in services)
            return "none"
        self.model[view.id] = {
            "principal": principal,
            "agent": agent,
            "services": {s.service_id for s in services},
            "from": valid_from,
            "until": valid_until,
            "level": level,
            "state": MandateState.REQUESTED,
        }
        return view.id

    def _step(self, action: str, mandate_id: str, who: str) -> None:
        if mandate_id not in self.model:
            return
        record = self.model[mandate_id]
        party = record[who]
        assert isinstance(party, PartyId)
        try:
            view = getattr(self.lifecycle, action)(mandate_id, by=party, now=self.now)
        except MandateRefused as exc:
            if exc.code == "already_ended":
                record["state"] = MandateState.EXPIRED
            return
        record["state"] = view.state

    @rule(mandate_id=mandates)
    def accept(self, mandate_id: str) -> None:
        self._step("accept", mandate_id, "agent")

    @rule(mandate_id=mandates)
    def reject(self, mandate_id: str) -> None:
        self._step("reject", mandate_id, "agent")

    @rule(mandate_id=mandates, who=st.sampled_from(["principal", "agent"]))
    def revoke(self, mandate_id: str, who: str) -> None:
        self._step("revoke", mandate_id, who)

    @rule()
    def expire(self) -> None:
        self.lifecycle.expire_due(self.now)
        for record in self.model.values():
            live = record["state"] in (MandateState.REQUESTED, MandateState.ACTIVE)
            if live and record["until"] <= self.now:  # type: ignore[operator]
                record["state"] = MandateState.EXPIRED

    @rule(hours=st.integers(1, 72))
    def advance(self, hours: int) -> None:
        self.now += dt.timedelta(hours=hours)

    @rule(
        agent=st.sampled_from(PEOPLE),
        principal=st.sampled_from(PEOPLE),
        service=st.sampled_from(SERVICES),
        level=st.sampled_from(LEVELS),
    )
    def use(self, agent: PartyId, principal: PartyId, service: object, level: Level) -> None:
        decision = asyncio.run(
            self.resolver.decide(agent, level, service, principal, self.now)  # type: ignore[arg-type]
        )
        covering = [
            (mid, r)
            for mid, r in self.model.items()
            if r["agent"] == agent
            and r["principal"] == principal
            and r["state"] == MandateState.ACTIVE
            and r["from"] <= self.now < r["until"]  # type: ignore[operator]
            and service.service_id in r["services"]  # type: ignore[attr-defined,operator]
            and min(level, r["level"]) >= service.min_level  # type: ignore[attr-defined,type-var]
        ]
        if agent == principal:
            assert decision.allowed == (level >= service.min_level)  # type: ignore[attr-defined]
            return
        if decision.allowed:
            assert decision.basis is not None
            assert decision.basis.ids[0] in {mid for mid, _ in covering}
            assert decision.effective_level is not None
            assert decision.effective_level >= service.min_level  # type: ignore[attr-defined]
        else:
            assert not covering, (decision.code, covering)

    @invariant()
    def states_agree(self) -> None:
        for mandate_id, record in list(self.model.items())[-3:]:
            view = self.lifecycle.get(mandate_id, by=record["principal"])  # type: ignore[arg-type]
            assert view.state == record["state"]


MandateMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestMandateMachine = MandateMachine.TestCase
