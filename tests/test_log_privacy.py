"""No BSN, SAML assertion or token in the log lines written during a login, at DEBUG."""

from __future__ import annotations

import logging

import pytest
from broker_harness import BrokerFixture
from representation.representation_support import JAN, RP, add_rp, login

from broker.log_privacy import protect_logs, without_query


async def test_a_login_logs_no_bsn_and_no_assertion_at_debug(
    broker: BrokerFixture, caplog: pytest.LogCaptureFixture
) -> None:
    rp = add_rp(broker)
    caplog.set_level(logging.DEBUG)
    # The DigiD login asks BRP API Gezag and the curatele register about JAN.
    page, _ = await login(broker.browser(), rp, JAN)
    assert page.status_code in (200, 303)
    assert any(r.name == "httpx" and "/sim/ccbr/" in r.getMessage() for r in caplog.records)
    assert JAN not in caplog.text
    assert "Canonicalized" not in caplog.text and "<saml:Assertion" not in caplog.text


def test_incoming_request_lines_lose_their_query(caplog: pytest.LogCaptureFixture) -> None:
    protect_logs()
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000",
        "GET",
        f"{RP}?code=secret-code&state=s",
        "1.1",
        303,
    )
    assert "secret-code" not in caplog.text
    assert f'"GET {RP}?… HTTP/1.1" 303' in caplog.text


def test_without_query() -> None:
    assert without_query("/logout?id_token_hint=eyJ") == "/logout?…"
    assert without_query("https://a.example/x#frag") == "https://a.example/x"
    assert without_query("/healthz") == "/healthz"
