"""The invariants of voluntary mandates, in one place.

Lifecycle (domain.md "Kinds of representation" 1): ``requested -> active`` when the agent
accepts, ``requested -> rejected`` when the agent refuses, ``active|requested -> revoked`` by
principal or agent, ``active|requested -> expired`` by time. Grant rules: the principal is
logged in at least at every service's minimum level; every service allows representation; no
self-mandate; a real period (until > from, not in the past, bounded globally and by each
service's own maximum); chains bounded and
loop-free. Resolution uses ``usable_at`` and ``effective_level`` from here too, so the grant
side and the use side cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from broker.assurance import Level
from broker.identifiers import PartyId
from mandates.catalogue import RepresentationKind, ServiceTerms
from mandates.errors import MandateNotFound, MandateRefused
from mandates.majority import AMSTERDAM
from mandates.models import MandateState
from mandates.party_ids import is_organisation


@dataclass(frozen=True, slots=True)
class MandateRules:
    """Tunable bounds. ``max_chain_depth`` counts mandate links from the principal to the
    person acting: a direct mandate is 1, organisation -> intermediary -> employee is 2
    (domain.md: "depth ≤ 2 by default")."""

    max_duration: dt.timedelta = dt.timedelta(days=5 * 365 + 1)
    max_chain_depth: int = 2
    # A start "now" typed on a slightly slow clock must not be refused as "in the past".
    start_tolerance: dt.timedelta = dt.timedelta(minutes=5)
    # A mandate planned ahead starts within a year; later than that is a typing error.
    max_start_ahead: dt.timedelta = dt.timedelta(days=366)
    # Graph walks stop here: a register that deep is an attack or a bug, not a real chain.
    max_walk: int = 10_000


DEFAULT_RULES = MandateRules()


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    sources: frozenset[MandateState]
    target: MandateState
    roles: frozenset[str]  # "principal", "agent", "system"
    state_error: str


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(
        "accept",
        frozenset({MandateState.REQUESTED}),
        MandateState.ACTIVE,
        frozenset({"agent"}),
        "not_pending",
    ),
    "reject": Transition(
        "reject",
        frozenset({MandateState.REQUESTED}),
        MandateState.REJECTED,
        frozenset({"agent"}),
        "not_pending",
    ),
    "revoke": Transition(
        "revoke",
        frozenset({MandateState.REQUESTED, MandateState.ACTIVE}),
        MandateState.REVOKED,
        frozenset({"principal", "agent"}),
        "not_revocable",
    ),
    "expire": Transition(
        "expire",
        frozenset({MandateState.REQUESTED, MandateState.ACTIVE}),
        MandateState.EXPIRED,
        frozenset({"system"}),
        "not_revocable",
    ),
}
LIVE_STATES = frozenset({MandateState.REQUESTED, MandateState.ACTIVE})


def check_grant(
    *,
    principal: PartyId,
    principal_level: Level,
    agent: PartyId,
    services: Sequence[ServiceTerms],
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    onward: bool,
    now: dt.datetime,
    rules: MandateRules = DEFAULT_RULES,
) -> None:
    """Refuse a grant that breaks a rule (chain shape is checked by ``check_chain``)."""
    if not services:
        raise MandateRefused("no_services")
    if principal == agent:
        raise MandateRefused("self_mandate")
    kind = RepresentationKind.CHAIN if onward else RepresentationKind.VOLUNTARY
    if not all(service.allows(kind) for service in services):
        raise MandateRefused("service_not_mandatable")
    # domain.md: "the principal must be logged in at least at the level the services need".
    if any(principal_level < service.min_level for service in services):
        raise MandateRefused("principal_level_too_low")
    if valid_until <= valid_from or valid_from < now - rules.start_tolerance:
        raise MandateRefused("invalid_period")
    if valid_from > now + rules.max_start_ahead:
        raise MandateRefused("start_too_far_ahead")
    if valid_until - valid_from > rules.max_duration:
        raise MandateRefused("period_too_long")
    limits = [s.max_mandate_days for s in services if s.max_mandate_days is not None]
    if limits and counted_days(valid_from, valid_until) > min(limits):
        raise MandateRefused("period_too_long_for_service")
    if onward and not is_organisation(agent):
        raise MandateRefused("onward_needs_organisation")


def counted_days(valid_from: dt.datetime, valid_until: dt.datetime) -> int:
    """The Dutch calendar days a mandate counts on, the first and the last included (its end
    is exclusive). Days, not hours: a period across a clock change is not an hour too long."""
    first = valid_from.astimezone(AMSTERDAM).date()
    last = (valid_until - dt.timedelta(microseconds=1)).astimezone(AMSTERDAM).date()
    return (last - first).days + 1


def check_chain(
    *, depth_above_principal: int, loops: bool, onward: bool, rules: MandateRules = DEFAULT_RULES
) -> None:
    """A new link P -> A: ``depth_above_principal`` is the longest live onward chain that ends
    at P; ``loops`` says whether P is reachable from A along live onward links. An onward link
    needs room for one more hop (A's own agent) within ``max_chain_depth``."""
    if loops:
        raise MandateRefused("chain_loop")
    length = depth_above_principal + 1 + (1 if onward else 0)
    if length > rules.max_chain_depth:
        raise MandateRefused("chain_too_deep")


def check_transition(action: str, state: MandateState, role: str | None) -> MandateState:
    """The state after ``action`` by ``role``; refuses the wrong actor before the wrong state,
    so an outsider learns nothing about the state of someone else's mandate."""
    transition = TRANSITIONS[action]
    if role not in transition.roles:
        if role is None:
            raise MandateNotFound()
        raise MandateRefused("not_the_agent" if transition.roles == {"agent"} else "not_a_party")
    if state not in transition.sources:
        raise MandateRefused(transition.state_error)
    return transition.target


def usable_at(
    state: str, valid_from: dt.datetime, valid_until: dt.datetime, now: dt.datetime
) -> bool:
    """domain.md: valid at that instant means start ≤ now < end, accepted, not revoked."""
    return state == MandateState.ACTIVE and valid_from <= now < valid_until


def effective_level(achieved: Level, granted: Sequence[Level]) -> Level:
    """min(agent's achieved level, every grant level on the path) — domain.md "Resolution"."""
    return min([achieved, *granted])
