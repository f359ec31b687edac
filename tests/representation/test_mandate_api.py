"""The management API with the login flow: grant, accept, act, revoke (back-channel logout),
and the refusals (no session, CSRF, IDOR, mass assignment); the service-provider check."""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import urlencode

import httpx
import pytest
from broker_harness import BrokerFixture
from representation_support import (
    API_HEADERS,
    INGRID,
    RP,
    WIM,
    LogoutReceiver,
    Rp,
    add_rp,
    authorize_url,
    choose,
    free_bsn,
    grant,
    login,
    option_for,
    options,
    redeem,
)
from sqlmodel import Session, select
from support import ISSUER, Browser

from broker import store as broker_store
from broker.assurance import Level
from broker.flow import mandate_uses
from broker.flow import session as broker_session
from mandates.models import AuditRecord

PRINCIPAL = free_bsn(1000)
AGENT = free_bsn(2000)
STRANGER = free_bsn(3000)


async def _session(broker: BrokerFixture, rp: Rp, bsn: str, level: str = "substantieel") -> Browser:
    """A browser with a broker session for ``bsn`` (logged in through the broker)."""
    browser = broker.browser()
    back, _ = await login(browser, rp, bsn, level=level)
    assert back.status_code == 303 and "code=" in back.headers["location"], back.text[:300]
    return browser


async def _active_mandate(broker: BrokerFixture, rp: Rp) -> tuple[str, Browser, Browser]:
    principal = await _session(broker, rp, PRINCIPAL)
    granted = await grant(principal, AGENT, rp.service_id)
    assert granted.status_code == 201, granted.text
    body = granted.json()
    assert body["state"] == "requested" and body["role"] == "principal"
    assert body["granted_acr"] == Level.SUBSTANTIAL.acr
    mandate_id = body["id"]

    agent = await _session(broker, rp, AGENT)
    listed = (await agent.client.get("/api/v1/mandates")).json()
    assert [m["id"] for m in listed["received"]] == [mandate_id]
    assert listed["given"] == []
    accepted = await agent.client.post(f"/api/v1/mandates/{mandate_id}/accept", headers=API_HEADERS)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "active"
    return mandate_id, principal, agent


async def test_agent_acts_with_accepted_mandate(broker: BrokerFixture) -> None:
    rp = add_rp(broker)
    mandate_id, _, agent = await _active_mandate(broker, rp)
    url, request = authorize_url(rp, prompt="login")
    page = await agent.follow(await agent.client.get(url), stop_at=RP)
    # prompt=login: a fresh DigiD login (at midden), then the choice.
    from support import parse_form

    action, fields = parse_form(page.text)
    fields.update(bsn=AGENT, level="midden", action="login")
    page = await agent.follow(
        await agent.client.post(str(page.url.join(action)), data=fields), stop_at=RP
    )
    assert "Iemand die mij heeft gemachtigd" in page.text and "machtiging" in page.text
    back = await choose(agent, page, option_for(page, PRINCIPAL))
    claims, _ = await redeem(broker, agent, rp, request, back)
    assert claims["sub"] == AGENT
    assert claims["represents"]["sub"] == PRINCIPAL
    assert claims["representation"] == {
        "kind": "voluntary",
        "basis": [mandate_id],
        "scope": [rp.service_id],
        "source": "mandate_register",
    }
    # Effective level = min(agent's midden, granted at substantieel) = low.
    assert claims["acr"] == Level.LOW.acr


async def test_revocation_logs_out_and_ends_the_offer(broker: BrokerFixture) -> None:
    rp = add_rp(broker, backchannel=True)
    receiver = LogoutReceiver(broker)
    mandate_id, principal, agent = await _active_mandate(broker, rp)
    url, request = authorize_url(rp)
    page = await agent.follow(await agent.client.get(url), stop_at=RP)  # SSO: straight to choice
    back = await choose(agent, page, option_for(page, PRINCIPAL))
    claims, _ = await redeem(broker, agent, rp, request, back)
    assert claims["representation"]["basis"] == [mandate_id]
    receiver.tokens.clear()  # earlier logins in these sessions told nothing

    revoked = await principal.client.post(
        f"/api/v1/mandates/{mandate_id}/revoke", headers=API_HEADERS
    )
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    logout = receiver.claims()
    assert any(t["sid"] == claims["sid"] and t["aud"] == rp.client_id for t in logout), logout
    assert all(t["iss"] == ISSUER for t in logout)

    # The agent's broker session is gone: the next authorize goes to DigiD again, and after
    # that login the principal is no longer offered (only "for myself": no page at all).
    again = await agent.follow(await agent.client.get(authorize_url(rp)[0]), stop_at=RP)
    assert "/sim/digid" in str(again.url)
    back, _ = await login(agent, rp, AGENT)
    assert back.status_code == 303 and "code=" in back.headers["location"]


async def test_api_requires_session_and_csrf(broker: BrokerFixture) -> None:
    rp = add_rp(broker)
    anonymous = broker.browser()
    assert (await anonymous.client.get("/api/v1/mandates")).status_code == 401
    refused = await grant(anonymous, AGENT, rp.service_id)
    assert refused.status_code == 401 and refused.json()["error"] == "login_required"

    principal = await _session(broker, rp, PRINCIPAL)
    body = {
        "agent": {"kind": "bsn", "value": AGENT},
        "services": [rp.service_id],
        "valid_until": (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat(),
    }
    no_header = await principal.client.post("/api/v1/mandates", json=body)
    assert no_header.status_code == 403 and no_header.json()["error"] == "csrf"
    foreign = await principal.client.post(
        "/api/v1/mandates", json=body, headers={**API_HEADERS, "Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    as_form = await principal.client.post(
        "/api/v1/mandates", data={"agent": AGENT}, headers=API_HEADERS
    )
    assert as_form.status_code == 415


async def test_mass_assignment_refused(broker: BrokerFixture) -> None:
    rp = add_rp(broker)
    principal = await _session(broker, rp, PRINCIPAL)
    for extra in (
        {"state": "active"},
        {"principal": {"kind": "bsn", "value": STRANGER}},
        {"id": "00000000-0000-0000-0000-000000000000"},
        {"granted_level": 4},
    ):
        refused = await grant(principal, AGENT, rp.service_id, **extra)
        assert refused.status_code == 422, (extra, refused.text)
        assert STRANGER not in refused.text  # input is never echoed
    granted = await grant(principal, AGENT, rp.service_id)
    mandate_id = granted.json()["id"]
    agent = await _session(broker, rp, AGENT)
    pushed = await agent.client.post(
        f"/api/v1/mandates/{mandate_id}/accept",
        json={"state": "active", "valid_until": "2099-01-01T00:00:00Z"},
        headers=API_HEADERS,
    )
    assert pushed.status_code == 422
    # The principal cannot accept on the agent's behalf (workflow skipping).
    skipped = await principal.client.post(
        f"/api/v1/mandates/{mandate_id}/accept", headers=API_HEADERS
    )
    assert skipped.status_code == 400 and skipped.json()["error"] == "not_the_agent"
    view = await principal.client.get(f"/api/v1/mandates/{mandate_id}")
    assert view.json()["state"] == "requested"


async def test_other_persons_mandate_is_not_found(broker: BrokerFixture) -> None:
    rp = add_rp(broker)
    mandate_id, _, _ = await _active_mandate(broker, rp)
    stranger = await _session(broker, rp, STRANGER)
    for method, path in (
        ("GET", f"/api/v1/mandates/{mandate_id}"),
        ("POST", f"/api/v1/mandates/{mandate_id}/revoke"),
        ("POST", f"/api/v1/mandates/{mandate_id}/accept"),
        ("POST", f"/api/v1/mandates/{mandate_id}/reject"),
        ("GET", "/api/v1/mandates/00000000-0000-0000-0000-000000000000"),
    ):
        response = await stranger.client.request(method, path, headers=API_HEADERS)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["error"] == "unknown_mandate"
    mine = (await stranger.client.get("/api/v1/mandates")).json()
    assert mine == {"given": [], "received": []}


async def test_openapi_document(broker: BrokerFixture) -> None:
    response = await broker.browser().client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    grant_schema = document["components"]["schemas"]["GrantRequest"]
    assert grant_schema["additionalProperties"] is False
    assert {"/mandates", "/mandates/{mandate_id}/revoke", "/check"} <= set(document["paths"])


async def _check(broker: BrokerFixture, rp: Rp, **fields: str) -> httpx.Response:
    return await broker.browser().client.post(
        "/api/v1/check",
        content=urlencode(
            {
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": rp.key.assertion(rp.client_id, ISSUER),
                **fields,
            }
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


async def test_service_provider_check(broker: BrokerFixture) -> None:
    financial = add_rp(broker, legal_domain="financial")
    personal = add_rp(broker, legal_domain="personal")
    ask = {"actor_type": "bsn", "actor": INGRID, "represented_type": "bsn", "represented": WIM}
    allowed = await _check(broker, financial, service_id=financial.service_id, **ask)
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["allowed"] is True
    assert allowed.json()["representation"]["kind"] == "beschermingsbewind"

    # The bewind exists, but a personal-domain service has no right to learn of it: the
    # answer is the same as for two strangers; the audit keeps the real reason.
    refused = await _check(broker, personal, service_id=personal.service_id, **ask)
    strangers = {"actor_type": "bsn", "actor": STRANGER, "represented_type": "bsn"}
    unrelated = await _check(
        broker, personal, service_id=personal.service_id, represented=WIM, **strangers
    )
    assert refused.status_code == unrelated.status_code == 200
    assert refused.json() == unrelated.json()
    assert refused.json()["allowed"] is False and refused.json()["reason"] == "no_basis"
    assert refused.json()["representation"] is None
    with Session(broker.state.engine) as session:
        reasons = session.exec(
            select(AuditRecord.reason).where(AuditRecord.action == "representation.checked")
        ).all()
    assert "domain_not_covered" in reasons
    # A parameter sent twice is refused, not guessed at.
    twice = await broker.browser().client.post(
        "/api/v1/check",
        content=urlencode(
            {
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": financial.key.assertion(financial.client_id, ISSUER),
                "service_id": financial.service_id,
                **ask,
            }
        )
        + "&represented="
        + INGRID,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert twice.status_code == 400 and twice.json()["error"] == "duplicate_parameter"

    # Another client's service is unknown to this client.
    other = await _check(broker, financial, service_id=personal.service_id, **ask)
    assert other.status_code == 404
    # No client assertion: the OAuth error of the token endpoint.
    anonymous = await broker.browser().client.post(
        "/api/v1/check",
        data={"service_id": financial.service_id, **ask},
    )
    assert anonymous.status_code == 401
    # A client that may not receive BSNs may not ask about BSNs either.
    unentitled = add_rp(broker, bsn_entitled=False, legal_domain="financial")
    denied = await _check(broker, unentitled, service_id=unentitled.service_id, **ask)
    assert denied.status_code == 403
    extra = await _check(broker, financial, service_id=financial.service_id, state="x", **ask)
    assert extra.status_code == 422


async def test_required_scope_lists_only_representation(broker: BrokerFixture) -> None:
    from broker.flow.representation import REPRESENT_REQUIRED

    rp = add_rp(broker, legal_domain="financial")
    browser = broker.browser()
    page, _ = await login(browser, rp, INGRID, REPRESENT_REQUIRED)
    assert "Voor mijzelf" not in options(page)
    assert len(options(page)) == 1


async def test_grant_body_edge_values(broker: BrokerFixture) -> None:
    rp = add_rp(broker)
    principal = await _session(broker, rp, PRINCIPAL)
    # Offsets that push the instant outside the calendar: a refusal, not a server error.
    for field, value in (
        ("valid_until", "9999-12-31T23:59:59-14:00"),
        ("valid_from", "0001-01-01T00:00:00+14:00"),
    ):
        refused = await grant(principal, AGENT, rp.service_id, **{field: value})
        assert refused.status_code == 400, (field, refused.text)
        assert refused.json()["error"] == "invalid_period"
    # Wrong JSON types are refused, not coerced into a yes.
    for onward in ("yes", "true", 1):
        wrong = await grant(principal, AGENT, rp.service_id, onward=onward)
        assert wrong.status_code == 422, (onward, wrong.text)


async def test_a_check_is_audited_but_is_not_a_use(broker: BrokerFixture) -> None:
    """A service provider asking is no act on Wim's behalf: his "who acted for me" page stays
    empty, while the question itself is in the audit trail."""
    from broker.identifiers import PartyId
    from portal.history import uses_for

    financial = add_rp(broker, legal_domain="financial")
    ask = {"actor_type": "bsn", "actor": INGRID, "represented_type": "bsn", "represented": WIM}
    allowed = await _check(broker, financial, service_id=financial.service_id, **ask)
    assert allowed.json()["allowed"] is True
    assert uses_for(broker.state.engine, PartyId("bsn", WIM)) == []
    with Session(broker.state.engine) as session:
        actions = session.exec(
            select(AuditRecord.action).where(AuditRecord.service_id == financial.service_id)
        ).all()
    assert actions == ["representation.checked"]


async def test_openapi_document_describes_what_the_api_does(broker: BrokerFixture) -> None:
    rp = add_rp(broker, legal_domain="financial")
    document = (await broker.browser().client.get("/api/v1/openapi.json")).json()
    paths, schemas = document["paths"], document["components"]["schemas"]

    def documented(path: str, method: str, response: httpx.Response) -> None:
        responses = paths[path][method]["responses"]
        assert str(response.status_code) in responses, (path, response.status_code)

    principal = await _session(broker, rp, PRINCIPAL)
    huge = await principal.client.post(
        "/api/v1/mandates",
        content=b"{" + b" " * 20_000 + b"}",
        headers={**API_HEADERS, "Content-Type": "application/json"},
    )
    documented("/mandates", "post", huge)
    as_text = await principal.client.post(
        "/api/v1/mandates", content=b"{}", headers={**API_HEADERS, "Content-Type": "text/plain"}
    )
    documented("/mandates", "post", as_text)
    unknown = await grant(principal, AGENT, "00000000-0000-0000-0000-000000000000")
    documented("/mandates", "post", unknown)
    invalid = await grant(principal, AGENT, rp.service_id, onward="x")
    assert set(invalid.json()) <= set(schemas["ErrorResponse"]["properties"])
    mandate_id = (await grant(principal, AGENT, rp.service_id)).json()["id"]
    as_text = await principal.client.post(
        f"/api/v1/mandates/{mandate_id}/revoke",
        content=b"{}",
        headers={**API_HEADERS, "Content-Type": "text/plain"},
    )
    documented("/mandates/{mandate_id}/revoke", "post", as_text)

    # The /check form: the schema admits the client assertion the endpoint requires.
    form = paths["/check"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    check_schema = schemas[form["schema"]["$ref"].rsplit("/", 1)[1]]
    fields = {
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": rp.key.assertion(rp.client_id, ISSUER),
        "service_id": rp.service_id,
        "actor_type": "bsn",
        "actor": INGRID,
        "represented_type": "bsn",
        "represented": WIM,
    }
    assert set(fields) <= set(check_schema["properties"])
    assert set(check_schema["required"]) <= set(fields)
    answer = await broker.browser().client.post(
        "/api/v1/check",
        content=urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200 and answer.json()["allowed"] is True
    wrong_type = await broker.browser().client.post("/api/v1/check", content=b"x")
    documented("/check", "post", wrong_type)


class _Clock:
    """Moves the broker's session and store clocks forward (nothing else in the process)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset


async def test_revocation_reaches_a_session_kept_alive_by_other_logins(
    broker: BrokerFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agent acts for the principal, then keeps the broker session alive by logging in for
    themself at another client; a revocation long after the first login still ends the
    session and tells the first client. A session resting on a mandate lives no longer than
    the record that lets a revocation find it."""
    clock = _Clock()
    for module in (broker_store, broker_session, mandate_uses):
        monkeypatch.setattr(module, "time", clock)
    rp = add_rp(broker, backchannel=True)
    other = add_rp(broker)
    receiver = LogoutReceiver(broker)
    mandate_id, _, agent = await _active_mandate(broker, rp)
    url, request = authorize_url(rp)
    page = await agent.follow(await agent.client.get(url), stop_at=RP)
    claims, _ = await redeem(
        broker, agent, rp, request, await choose(agent, page, option_for(page, PRINCIPAL))
    )
    receiver.tokens.clear()

    for _ in range(3):  # 30 minutes of single sign-on for themself, every 10 minutes
        clock.offset += 600
        own = authorize_url(other, "toegang:represent:none")[0]  # for themself, no choice
        back = await agent.follow(await agent.client.get(own), stop_at=RP)
        assert back.status_code == 303 and "code=" in back.headers["location"], back.text[:200]
    clock.offset += 600
    principal = await _session(broker, rp, PRINCIPAL)  # theirs idled out meanwhile
    revoked = await principal.client.post(
        f"/api/v1/mandates/{mandate_id}/revoke", headers=API_HEADERS
    )
    assert revoked.status_code == 200
    assert any(t["sid"] == claims["sid"] for t in receiver.claims())
    assert (await agent.client.get("/api/v1/mandates")).status_code == 401


async def test_a_session_resting_on_a_mandate_ends_with_its_record(
    broker: BrokerFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept alive by use, a session that a representation rests on still ends 12 hours after
    that login, when its mandate-use record expires (a revocation could no longer find it)."""
    clock = _Clock()
    for module in (broker_store, broker_session, mandate_uses):
        monkeypatch.setattr(module, "time", clock)
    rp = add_rp(broker)
    _, _, agent = await _active_mandate(broker, rp)
    url, request = authorize_url(rp)
    page = await agent.follow(await agent.client.get(url), stop_at=RP)
    back = await choose(agent, page, option_for(page, PRINCIPAL))
    await redeem(broker, agent, rp, request, back)
    own = authorize_url(rp, "toegang:represent:none")[0]  # single sign-on, for themself
    for _ in range(12 * 6 - 1):
        clock.offset += 600
        back = await agent.follow(await agent.client.get(own), stop_at=RP)
        assert back.status_code == 303 and "code=" in back.headers["location"]
    clock.offset += 600
    again = await agent.follow(await agent.client.get(own), stop_at=RP)
    assert "/sim/digid" in str(again.url)  # the session ended: log in again
