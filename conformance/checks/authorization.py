"""The authorization endpoint (RFC 6749 §4.1.2.1; NL GOV profile §1.1-1.2; RFC 9207)."""

from __future__ import annotations

import secrets

from conformance.checks.flow import auth_request, authorize, is_redirect, to_redirect_uri
from conformance.checks.registry import Context, Fail, check

ATTACKER = "https://attacker.invalid/cb"


@check(
    "unknown-client-gets-error-page-no-redirect",
    "RFC 6749 §4.1.2.1; RFC 9700 §4.1; OIDC Core §3.1.2.6",
)
async def unknown_client(ctx: Context) -> str | None:
    params = {
        "client_id": "conformance-unknown-" + secrets.token_hex(6),
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": ATTACKER,
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }
    response = await authorize(ctx, params)
    if is_redirect(response):
        raise Fail(f"redirected ({response.status_code}) to {response.headers.get('location')}")
    if response.status_code < 400:
        raise Fail(f"answered {response.status_code} instead of an error page")
    return f"error page {response.status_code}"


@check(
    "unregistered-redirect-uri-gets-no-redirect",
    "NL GOV §1.2 (exact match); RFC 9700 §4.1.3; RFC 6749 §4.1.2.1",
    needs_client=True,
)
async def wrong_redirect(ctx: Context) -> str | None:
    client = ctx.need_client()
    variants = [ATTACKER, client.redirect_uri + "/x", client.redirect_uri + "?x=1"]
    statuses = []
    for uri in variants:
        response = await authorize(ctx, (await auth_request(ctx, redirect_uri=uri)).params)
        if is_redirect(response):
            raise Fail(f"redirect_uri {uri!r}: redirected to {response.headers.get('location')}")
        statuses.append(str(response.status_code))
    return f"{len(variants)} variants, error pages {'/'.join(statuses)}"


async def _error_redirect(
    ctx: Context, expected: str, *, expect_state: bool = True, **overrides: str | None
) -> str:
    client = ctx.need_client()
    request = await auth_request(ctx, **overrides)
    response = await authorize(ctx, request.params)
    query = to_redirect_uri(response, client.redirect_uri)
    if query is None:
        where = response.headers.get("location") or "no redirect"
        raise Fail(f"expected a redirect to the redirect URI, got {response.status_code} ({where})")
    problems = []
    if "code" in query:
        problems.append("a code was issued")
    if query.get("error") != expected:
        problems.append(f"error={query.get('error')!r}, expected {expected!r}")
    if query.get("iss") != ctx.issuer:
        problems.append(f"iss={query.get('iss')!r}, expected {ctx.issuer!r} (RFC 9207)")
    if expect_state and query.get("state") != request.state:
        problems.append("state not echoed")
    if problems:
        raise Fail("; ".join(problems))
    return f"{query['error']} with iss"


@check(
    "missing-state-refused-at-redirect-uri",
    "NL GOV §1.2 (state REQUIRED); RFC 6749 §4.1.2.1; RFC 9207 §2",
    needs_client=True,
)
async def missing_state(ctx: Context) -> str | None:
    return await _error_redirect(ctx, "invalid_request", expect_state=False, state=None)


@check(
    "missing-nonce-refused-at-redirect-uri",
    "NL GOV §1.2 (nonce REQUIRED); RFC 6749 §4.1.2.1; RFC 9207 §2",
    needs_client=True,
)
async def missing_nonce(ctx: Context) -> str | None:
    return await _error_redirect(ctx, "invalid_request", nonce=None)


@check(
    "missing-pkce-refused-at-redirect-uri",
    "NL GOV §1.2 (code_challenge REQUIRED); RFC 7636 §4.4.1; RFC 9700 §2.1.1",
    needs_client=True,
)
async def missing_pkce(ctx: Context) -> str | None:
    return await _error_redirect(
        ctx, "invalid_request", code_challenge=None, code_challenge_method=None
    )


@check(
    "plain-pkce-refused-at-redirect-uri",
    "NL GOV §1.2 (S256 only); RFC 7636 §4.4.1; RFC 9700 §4.8",
    needs_client=True,
)
async def plain_pkce(ctx: Context) -> str | None:
    return await _error_redirect(
        ctx,
        "invalid_request",
        code_challenge=secrets.token_urlsafe(48)[:43],
        code_challenge_method="plain",
    )


@check(
    "response-type-token-refused-at-redirect-uri",
    "NL GOV §1.1 (code flow only); RFC 6749 §4.1.2.1 (unsupported_response_type)",
    needs_client=True,
)
async def response_type_token(ctx: Context) -> str | None:
    return await _error_redirect(ctx, "unsupported_response_type", response_type="token")
