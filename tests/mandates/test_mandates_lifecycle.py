"""Lifecycle invariants, one by one (domain.md "Kinds of representation" 1)."""

from __future__ import annotations

import datetime as dt

import pytest
from mandates_world import AUDIT, PERMIT, SELF_ONLY, T0, TAX
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from broker.assurance import Level
from broker.identifiers import InvalidIdentifier, PartyId
from mandates.errors import MandateNotFound, MandateRefused
from mandates.lifecycle import MandateLifecycle
from mandates.models import AuditRecord, MandateState
from mandates.reasons import REASONS
from mandates.rules import MandateRules

P = PartyId("bsn", "999990007")
A = PartyId("bsn", "999990019")
X = PartyId("bsn", "999990020")
DAY = dt.timedelta(days=1)


def grant(lc: MandateLifecycle, **kw: object) -> str:
    args: dict[str, object] = {
        "principal": P,
        "principal_level": Level.SUBSTANTIAL,
        "agent": A,
        "services": [TAX],
        "valid_from": T0,
        "valid_until": T0 + 30 * DAY,
        "now": T0,
    }
    args.update(kw)
    return lc.grant(**args).id  # type: ignore[arg-type]


def refused(code: str, fn: object, *args: object, **kw: object) -> None:
    with pytest.raises(MandateRefused) as info:
        fn(*args, **kw)  # type: ignore[operator]
    assert info.value.code == code
    assert info.value.message_nl and info.value.message_en


def test_grant_then_accept_then_revoke(lifecycle: MandateLifecycle) -> None:
    mandate_id = grant(lifecycle)
    assert lifecycle.get(mandate_id, by=P).state is MandateState.REQUESTED
    assert lifecycle.accept(mandate_id, by=A, now=T0).state is MandateState.ACTIVE
    assert lifecycle.revoke(mandate_id, by=P, now=T0 + DAY).state is MandateState.REVOKED


def test_principal_level_must_cover_every_service(lifecycle: MandateLifecycle) -> None:
    refused(
        "principal_level_too_low",
        grant,
        lifecycle,
        principal_level=Level.LOW,
        services=[PERMIT, TAX],
    )


def test_service_must_allow_representation(lifecycle: MandateLifecycle) -> None:
    refused("service_not_mandatable", grant, lifecycle, services=[SELF_ONLY])


def test_no_services(lifecycle: MandateLifecycle) -> None:
    refused("no_services", grant, lifecycle, services=[])


def test_no_self_mandate(lifecycle: MandateLifecycle) -> None:
    refused("self_mandate", grant, lifecycle, agent=P)


def test_period_must_be_real(lifecycle: MandateLifecycle) -> None:
    refused("invalid_period", grant, lifecycle, valid_until=T0)
    refused("invalid_period", grant, lifecycle, valid_from=T0 + DAY, valid_until=T0)
    refused("invalid_period", grant, lifecycle, valid_from=T0 - DAY)

def test_start_within_a_year(lifecycle: MandateLifecycle) -> None:
    """Planned ahead, yes; a start in 9999 is a typing error, told as such."""
    far = T0 + 400 * DAY
    refused("start_too_far_ahead", grant, lifecycle, valid_from=far, valid_until=far + DAY)
    soon = T0 + 300 * DAY
    mandate = lifecycle.get(grant(lifecycle, valid_from=soon, valid_until=soon + DAY), by=P)
    assert mandate.valid_from == soon


def test_instants_outside_the_calendar_are_refused(lifecycle: MandateLifecycle) -> None:
    """An offset can push a representable local time past datetime's range in UTC."""
    edge = dt.timezone(dt.timedelta(hours=-14))
    refused("invalid_period", grant, lifecycle, valid_until=dt.datetime.max.replace(tzinfo=edge))
    early = dt.timezone(dt.timedelta(hours=14))
    refused("invalid_period", grant, lifecycle, valid_from=dt.datetime.min.replace(tzinfo=early))


def test_max_duration(lifecycle: MandateLifecycle) -> None:
    refused("period_too_long", grant, lifecycle, valid_until=T0 + 6 * 365 * DAY)


def test_namespaces_and_identifiers_are_checked(lifecycle: MandateLifecycle) -> None:
    with pytest.raises(InvalidIdentifier):
        grant(lifecycle, agent=PartyId("bsn", "123456789"))
    # Same digits, other namespace: another party, so not a self-mandate.
    grant(lifecycle, principal=PartyId("rsin", "999990007"), agent=PartyId("bsn", "999990007"))


def test_only_the_agent_accepts_or_rejects(lifecycle: MandateLifecycle) -> None:
    mandate_id = grant(lifecycle)
    refused("not_the_agent", lifecycle.accept, mandate_id, by=P, now=T0)
    refused("not_the_agent", lifecycle.reject, mandate_id, by=P, now=T0)
    with pytest.raises(MandateNotFound):
        lifecycle.accept(mandate_id, by=X, now=T0)
    assert lifecycle.reject(mandate_id, by=A, now=T0).state is MandateState.REJECTED
    refused("not_pending", lifecycle.accept, mandate_id, by=A, now=T0)


def test_accept_only_when_requested(lifecycle: MandateLifecycle) -> None:
    mandate_id = grant(lifecycle)
    lifecycle.accept(mandate_id, by=A, now=T0)
    refused("not_pending", lifecycle.accept, mandate_id, by=A, now=T0)
    refused("not_pending", lifecycle.reject, mandate_id, by=A, now=T0)


def test_revoke_by_either_party_only_when_live(lifecycle: MandateLifecycle) -> None:
    first = grant(lifecycle)
    assert lifecycle.revoke(first, by=A, now=T0).state is MandateState.REVOKED
    refused("not_revocable", lifecycle.revoke, first, by=P, now=T0)
    second = grant(lifecycle)
    with pytest.raises(MandateNotFound):
        lifecycle.revoke(second, by=X, now=T0)


def test_unknown_and_foreign_mandates_look_the_same(lifecycle: MandateLifecycle) -> None:
    mandate_id = grant(lifecycle)
    for target in (mandate_id, "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(MandateNotFound):
            lifecycle.get(target, by=X)


def test_expire_by_time(lifecycle: MandateLifecycle) -> None:
    active = grant(lifecycle)
    lifecycle.accept(active, by=A, now=T0)
    pending = grant(lifecycle, valid_until=T0 + 2 * DAY)
    assert lifecycle.expire_due(T0 + DAY) == 0
    assert lifecycle.expire_due(T0 + 31 * DAY) == 2
    assert lifecycle.get(active, by=P).state is MandateState.EXPIRED
    assert lifecycle.get(pending, by=P).state is MandateState.EXPIRED


def test_accept_too_late_expires(lifecycle: MandateLifecycle) -> None:
    mandate_id = grant(lifecycle, valid_until=T0 + DAY)
    refused("already_ended", lifecycle.accept, mandate_id, by=A, now=T0 + DAY)
    assert lifecycle.get(mandate_id, by=P).state is MandateState.EXPIRED


def test_chain_rules(engine: Engine) -> None:
    org, mid, emp = PartyId("kvk", "11111111"), PartyId("kvk", "22222222"), A
    lc = MandateLifecycle(engine, AUDIT)
    refused("onward_needs_organisation", grant, lc, principal=org, agent=emp, onward=True)
    grant(lc, principal=org, agent=mid, onward=True)
    grant(lc, principal=mid, agent=emp)
    # mid is already an intermediary: passing on again would make depth 3.
    third = PartyId("kvk", "33333333")
    refused("chain_too_deep", grant, lc, principal=mid, agent=third, onward=True)
    # A loop org -> mid -> org is refused (with a generous depth, the loop rule speaks).
    deep = MandateLifecycle(engine, AUDIT, MandateRules(max_chain_depth=100))
    refused("chain_loop", grant, deep, principal=mid, agent=org, onward=True)
    grant(deep, principal=mid, agent=third, onward=True)
    refused("chain_loop", grant, deep, principal=third, agent=org, onward=True)


def test_every_transition_is_audited_without_raw_bsn(engine: Engine) -> None:
    lc = MandateLifecycle(engine, AUDIT)
    mandate_id = grant(lc)
    lc.accept(mandate_id, by=A, now=T0)
    lc.revoke(mandate_id, by=P, now=T0)
    with Session(engine) as session:
        rows = session.exec(select(AuditRecord).order_by(AuditRecord.id)).all()  # type: ignore[arg-type]
    assert [r.action for r in rows] == ["mandate.granted", "mandate.active", "mandate.revoked"]
    for row in rows:
        assert row.basis_id == mandate_id
        assert P.value not in (row.data_subject_ref or "")
        assert row.data_subject_id_type == "BSN"
        assert len(row.trace_id) == 32 and len(row.span_id) == 16
        assert row.processing_activity_id.startswith("urn:")


def test_audit_is_append_only(engine: Engine) -> None:
    grant(MandateLifecycle(engine, AUDIT))
    for statement in (
        "UPDATE representation_audit SET reason = 'x'",
        "DELETE FROM representation_audit",
    ):
        with pytest.raises(DBAPIError), engine.begin() as connection:
            connection.execute(text(statement))


def test_every_reason_has_both_languages() -> None:
    for code, (nl, en) in REASONS.items():
        assert nl and en and nl != en, code
