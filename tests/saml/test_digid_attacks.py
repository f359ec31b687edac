"""The SAML attack set (``conformance.digid.attacks``) against the DigiD means, through the ACS
over HTTP and the back channel. Every attack ends in the flow's failure page with the reason in
the log; the untampered control and comment injection log in with the genuine BSN."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from conformance.digid.attacks import (
    ATTACKS,
    COMMENT_INJECTION,
    Attack,
    Scope,
    Target,
    assert_refused,
)

LOGGER = "toegang.means.digid"


async def _login(world: Any, attack: Attack | None, target: Target) -> httpx.Response:
    changes: dict[str, Any] = {}
    if attack is not None:
        if attack.scope is Scope.INSIDE:
            changes["tamper_response"] = lambda response: attack.apply(response, target)
        elif attack.scope is Scope.ENVELOPE:
            changes["tamper_outer"] = lambda outer: attack.apply(outer, target)
        else:
            changes["tamper_body"] = attack.raw
    artifact = world.idp.issue(world.answer(**changes))
    params = {"SAMLart": artifact, "RelayState": world.transaction.id}
    transport = httpx.ASGITransport(app=world.app())
    async with httpx.AsyncClient(transport=transport, base_url="https://toegang.example") as c:
        return await c.get("/means/digid/acs?" + urlencode(params))


def _assert_genuine(world: Any, response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert not world.flow.failed
    [authentication] = world.flow.completed
    assert authentication.subject_kind == "bsn" and authentication.subject == "999999990"


async def test_untampered_answer_accepted(world: Any, attack_target: Target) -> None:
    _assert_genuine(world, await _login(world, None, attack_target))


async def test_comment_in_identity_reads_the_signed_value(
    world: Any, attack_target: Target
) -> None:
    _assert_genuine(world, await _login(world, COMMENT_INJECTION, attack_target))


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack.name)
async def test_attack_refused(
    world: Any, attack_target: Target, attack: Attack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    response = await _login(world, attack, attack_target)
    logged = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert_refused(attack, response.status_code, len(world.flow.completed), logged)
    assert world.flow.failed[-1].message_en.startswith("Your DigiD login could not")
