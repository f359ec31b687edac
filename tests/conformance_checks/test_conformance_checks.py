"""`toegang conformance`: the black-box checks against the real broker (in-process) and
against a deliberately broken provider."""

from __future__ import annotations

import argparse
import io
import json
from typing import Any

import httpx
import pytest
from broker_harness import BrokerFixture
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from support import ISSUER, LoopbackTransport

from conformance.checks import FAIL, PASS, SKIP, ClientConfig, Result, load_all, run_checks
from conformance.checks.cli import UsageError, client_from_args, report

DEMO_REDIRECT = ISSUER + "/demo-sp/callback"


def demo_client(broker: BrokerFixture, *, key: bool = True) -> ClientConfig:
    path = broker.config.keys.directory / "demo-sp.jwk.json"
    jwk = json.loads(path.read_text()) if key else None
    return ClientConfig("demo-sp", DEMO_REDIRECT, jwk)


def by_name(results: list[Result]) -> dict[str, Result]:
    return {r.name: r for r in results}


async def test_every_check_passes_against_the_broker(broker: BrokerFixture) -> None:
    async with httpx.AsyncClient(transport=broker.transport) as http:
        results = await run_checks(ISSUER, http=http, client=demo_client(broker))
    not_passed = [(r.name, r.status, r.detail) for r in results if r.status != PASS]
    assert not_passed == []
    assert len(results) == len(load_all()) >= 20
    # The full logins really went through the DigiD simulator and the token endpoint.
    paths = [r.url.path for r in broker.transport.requests]
    assert paths.count("/token") == 7  # session, reuse (2), verifier, 3 assertions
    assert any(p.startswith("/sim/digid/") for p in paths)


async def test_without_a_client_only_the_client_free_checks_run(broker: BrokerFixture) -> None:
    async with httpx.AsyncClient(transport=broker.transport) as http:
        results = await run_checks(ISSUER, http=http)
    checks = {c.name: c for c in load_all()}
    for result in results:
        expected = SKIP if checks[result.name].needs_client else PASS
        assert result.status == expected, (result.name, result.detail)


async def test_without_the_key_the_login_checks_are_skipped(broker: BrokerFixture) -> None:
    async with httpx.AsyncClient(transport=broker.transport) as http:
        results = by_name(
            await run_checks(ISSUER, http=http, client=demo_client(broker, key=False))
        )
    assert results["missing-nonce-refused-at-redirect-uri"].status == PASS
    assert results["unregistered-redirect-uri-gets-no-redirect"].status == PASS
    assert results["authorization-code-single-use"].status == SKIP
    assert "--client-key" in results["authorization-code-single-use"].detail


# -- a broken provider -------------------------------------------------------------------------

BROKEN = "http://127.0.0.1:9999"
PRIVATE_JWK = {"kty": "RSA", "kid": "k1", "n": "AQAB", "e": "AQAB", "d": "c2VjcmV0"}


def broken_app() -> Starlette:
    metadata: dict[str, Any] = {
        "issuer": BROKEN + "/",  # not the URL
        "authorization_endpoint": BROKEN + "/authorize",
        "token_endpoint": "http://op.invalid/token",  # plain http, not loopback
        "jwks_uri": BROKEN + "/jwks",
        "response_types_supported": ["code", "token"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "id_token_signing_alg_values_supported": ["RS256", "none"],
        "subject_types_supported": ["public"],
    }

    async def discovery(request: Request) -> Response:
        return JSONResponse(metadata)

    async def jwks(request: Request) -> Response:
        return JSONResponse({"keys": [PRIVATE_JWK, {"kty": "RSA", "n": "AQAB", "e": "AQAB"}]})

    async def authorize(request: Request) -> Response:
        # Redirects anyone anywhere: the open-redirector bug.
        return RedirectResponse(request.query_params["redirect_uri"] + "?error=x", 303)

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", discovery),
            Route("/jwks", jwks),
            Route("/authorize", authorize),
        ]
    )


async def test_a_broken_provider_fails_the_right_checks() -> None:
    transport = LoopbackTransport()
    transport.attach(BROKEN, broken_app())
    async with httpx.AsyncClient(transport=transport) as http:
        results = by_name(await run_checks(BROKEN, http=http))
    failed = {name for name, r in results.items() if r.status == FAIL}
    assert failed == {
        "discovery-at-both-well-known-paths-and-equal",
        "discovery-required-metadata-present",
        "discovery-issuer-equals-url",
        "only-code-response-type",
        "pkce-s256-only",
        "no-none-algorithm",
        "signing-rs256-and-ps256-offered",
        "jwks-reachable-kids-no-private-members",
        "unknown-client-gets-error-page-no-redirect",
        "tls-required-unless-loopback",
    }
    jwks_detail = results["jwks-reachable-kids-no-private-members"].detail
    assert "['d']" in jwks_detail and "no kid" in jwks_detail
    assert "token" in results["only-code-response-type"].detail
    assert "token_endpoint" in results["tls-required-unless-loopback"].detail
    assert all(r.status == SKIP for r in results.values() if r.name not in failed)


async def test_a_provider_that_redirects_blindly_fails_the_client_checks() -> None:
    """Errors sent anywhere, without iss or the right error code: each request rule fails."""
    transport = LoopbackTransport()
    transport.attach(BROKEN, broken_app())
    client = ClientConfig("rp", "https://rp.invalid/cb", None)
    async with httpx.AsyncClient(transport=transport) as http:
        results = by_name(await run_checks(BROKEN, http=http, client=client))
    for name in (
        "unregistered-redirect-uri-gets-no-redirect",
        "missing-state-refused-at-redirect-uri",
        "missing-nonce-refused-at-redirect-uri",
        "missing-pkce-refused-at-redirect-uri",
        "plain-pkce-refused-at-redirect-uri",
        "response-type-token-refused-at-redirect-uri",
    ):
        assert results[name].status == FAIL, name
    assert "RFC 9207" in results["missing-nonce-refused-at-redirect-uri"].detail
    assert "attacker.invalid" in results["unregistered-redirect-uri-gets-no-redirect"].detail
    assert (
        "'unsupported_response_type'"
        in results["response-type-token-refused-at-redirect-uri"].detail
    )
    assert results["authorization-code-single-use"].status == SKIP


async def test_an_unreachable_provider_fails_instead_of_crashing() -> None:
    async with httpx.AsyncClient(transport=LoopbackTransport()) as http:
        results = await run_checks("http://127.0.0.1:9", http=http)
    assert results[0].status == FAIL and "ConnectError" in results[0].detail
    # Only the report-only scheme check can pass: a loopback issuer may use plain http.
    passed = [r.name for r in results if r.status == PASS]
    assert passed == ["tls-required-unless-loopback"]
    assert {r.status for r in results if r.status != PASS} == {FAIL, SKIP}


# -- the command line --------------------------------------------------------------------------


def _args(**kwargs: Any) -> argparse.Namespace:
    base = {"issuer": ISSUER + "/", "client_id": None, "client_key": None, "redirect_uri": None}
    base.update(scope=None, json=False)
    base.update(kwargs)
    return argparse.Namespace(**base)


def test_client_arguments(tmp_path: Any) -> None:
    assert client_from_args(_args()) is None
    demo = client_from_args(_args(client_id="demo-sp"))
    assert demo is not None and demo.redirect_uri == DEMO_REDIRECT and demo.jwk is None
    with pytest.raises(UsageError, match="--redirect-uri"):
        client_from_args(_args(client_id="other"))
    public = tmp_path / "public.json"
    public.write_text(json.dumps({"kty": "RSA", "n": "AQAB", "e": "AQAB"}))
    with pytest.raises(UsageError, match="not a private JWK"):
        client_from_args(_args(client_id="demo-sp", client_key=str(public)))


def test_report_lines_and_summary() -> None:
    results = [
        Result("a-rule", "RFC 1 §2", PASS),
        Result("b-rule", "RFC 3 §4", FAIL, "why"),
        Result("c", "X §1", SKIP, "no client"),
    ]
    out = io.StringIO()
    report(results, ISSUER, out, as_json=False)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("PASS  a-rule") and "[RFC 1 §2]" in lines[0]
    assert lines[1].startswith("FAIL  b-rule") and lines[2].strip() == "why"
    assert lines[-1] == "1 passed, 1 failed, 1 skipped"
    out = io.StringIO()
    report(results[:1], ISSUER, out, as_json=False)
    assert out.getvalue().splitlines()[-1] == "1 passed, 0 failed"
    out = io.StringIO()
    report(results, ISSUER, out, as_json=True)
    body = json.loads(out.getvalue())
    assert (body["passed"], body["failed"], body["skipped"]) == (1, 1, 1)
    assert body["results"][1] == {
        "name": "b-rule",
        "section": "RFC 3 §4",
        "status": "FAIL",
        "detail": "why",
    }
