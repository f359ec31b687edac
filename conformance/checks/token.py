"""The token endpoint and the ID token (NL GOV profile §1.3-1.4; RFC 7636; RFC 7523; RFC 8725).

These need a registered client with its private key and a deployment that runs the DigiD
simulator (``/sim/digid/metadata``): each check logs in through it like a browser would.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from conformance.checks.discovery import jwks
from conformance.checks.flow import (
    assertion_claims,
    auth_request,
    b64url,
    client_key,
    expect_error,
    login,
    session,
    token_request,
    unsigned_jwt,
)
from conformance.checks.registry import Context, Fail, check

MAX_ID_TOKEN_LIFETIME = 300


async def verify_id_token(ctx: Context, id_token: str, nonce: str) -> dict[str, Any]:
    client = ctx.need_client(key=True)
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as exc:
        raise Fail(f"the ID token is not a JWT: {exc}") from None
    alg = header.get("alg")
    offered = (await ctx.metadata()).get("id_token_signing_alg_values_supported") or []
    if not isinstance(alg, str) or alg.lower() == "none" or alg.startswith("HS"):
        raise Fail(f"the ID token is not signed with an asymmetric algorithm (alg={alg!r})")
    if alg not in offered:
        raise Fail(f"the ID token alg {alg} is not in id_token_signing_alg_values_supported")
    matching = [k for k in await jwks(ctx) if k.get("kid") == header.get("kid")]
    if len(matching) != 1:
        raise Fail(f"kid {header.get('kid')!r} does not name exactly one key in the JWKS")
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            jwt.PyJWK(matching[0], algorithm=alg).key,
            algorithms=[alg],
            audience=client.client_id,
            issuer=ctx.issuer,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            leeway=60,
        )
    except jwt.PyJWTError as exc:
        raise Fail(f"the ID token does not verify: {exc.__class__.__name__}: {exc}") from None
    problems = []
    if claims.get("nonce") != nonce:
        problems.append("nonce does not match the request")
    acr = claims.get("acr")
    supported = (await ctx.metadata()).get("acr_values_supported")
    if not isinstance(acr, str):
        problems.append("no acr")
    elif isinstance(supported, list) and acr not in supported:
        problems.append(f"acr {acr!r} is not in acr_values_supported")
    lifetime = claims["exp"] - claims["iat"]
    if lifetime > MAX_ID_TOKEN_LIFETIME:
        problems.append(f"lifetime {lifetime}s exceeds {MAX_ID_TOKEN_LIFETIME}s")
    if "amr" in claims:
        problems.append("amr present (OPs MUST NOT emit amr)")
    if problems:
        raise Fail("; ".join(problems))
    return claims


@check(
    "id-token-verifies-iss-aud-nonce-acr-exp-no-amr",
    "NL GOV §1.4; OIDC Core §3.1.3.7",
    needs_client=True,
)
async def id_token(ctx: Context) -> str | None:
    current = await session(ctx)
    raw = current.tokens.get("id_token")
    if not isinstance(raw, str):
        raise Fail("the token response has no id_token")
    claims = await verify_id_token(ctx, raw, current.request.nonce)
    header = jwt.get_unverified_header(raw)
    return f"{header['alg']}, acr {claims['acr']}, lifetime {claims['exp'] - claims['iat']}s"


@check(
    "authorization-code-single-use",
    "NL GOV §1.3 (code single use); RFC 6749 §4.1.2; RFC 9700 §4.5",
    needs_client=True,
)
async def code_twice(ctx: Context) -> str | None:
    request = await auth_request(ctx)
    code = await login(ctx, request)
    first = await token_request(ctx, code, request.verifier)
    if first.status_code != 200:
        raise Fail(f"the first redemption failed: {first.status_code} {first.text[:200]}")
    detail = expect_error(await token_request(ctx, code, request.verifier), "invalid_grant")
    access_token = first.json().get("access_token")
    userinfo = (await ctx.metadata()).get("userinfo_endpoint")
    if isinstance(access_token, str) and isinstance(userinfo, str):
        response = await ctx.get(userinfo, headers={"Authorization": f"Bearer {access_token}"})
        if response.status_code == 200:
            detail += "; note: the first access token was not revoked (RFC 6749 §4.1.2 SHOULD)"
        else:
            detail += "; first access token revoked"
    return detail


@check(
    "wrong-code-verifier-refused",
    "RFC 7636 §4.6; NL GOV §1.2-1.3; RFC 9700 §2.1.1",
    needs_client=True,
)
async def wrong_verifier(ctx: Context) -> str | None:
    request = await auth_request(ctx)
    code = await login(ctx, request)
    wrong = secrets.token_urlsafe(48)
    return expect_error(await token_request(ctx, code, wrong), "invalid_grant")


async def _spare_code(ctx: Context) -> tuple[str, str]:
    """A valid, unredeemed code for the client-authentication checks (which must fail first)."""

    async def make() -> tuple[str, str]:
        request = await auth_request(ctx)
        return await login(ctx, request), request.verifier

    result: tuple[str, str] = await ctx.memo("spare-code", make)
    return result


@check(
    "client-assertion-alg-none-refused",
    "RFC 7523 §3; RFC 8725 §3.1; NL GOV §1.3",
    needs_client=True,
)
async def assertion_none(ctx: Context) -> str | None:
    code, verifier = await _spare_code(ctx)
    _, _, kid = client_key(ctx)
    header = {"alg": "none", "typ": "JWT", **({"kid": kid} if kid else {})}
    forged = unsigned_jwt(header, assertion_claims(ctx)) + "."
    response = await token_request(ctx, code, verifier, client_assertion=forged)
    return expect_error(response, "invalid_client")


@check(
    "client-assertion-hs256-with-public-key-refused",
    "RFC 8725 §3.1-3.2 (algorithm confusion); RFC 7523 §3",
    needs_client=True,
)
async def assertion_hs256(ctx: Context) -> str | None:
    code, verifier = await _spare_code(ctx)
    key, _, kid = client_key(ctx)
    public = key.public_key() if hasattr(key, "public_key") else key
    secret = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", **({"kid": kid} if kid else {})}
    signing_input = unsigned_jwt(header, assertion_claims(ctx))
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    forged = signing_input + "." + b64url(mac)
    response = await token_request(ctx, code, verifier, client_assertion=forged)
    return expect_error(response, "invalid_client")


@check(
    "client-assertion-wrong-audience-refused",
    "RFC 7523 §3 (3); OIDC Core §9",
    needs_client=True,
)
async def assertion_wrong_aud(ctx: Context) -> str | None:
    code, verifier = await _spare_code(ctx)
    key, alg, kid = client_key(ctx)
    claims = assertion_claims(ctx, audience="https://another-provider.invalid")
    forged = jwt.encode(claims, key, algorithm=alg, headers={"kid": kid} if kid else None)
    response = await token_request(ctx, code, verifier, client_assertion=forged)
    return expect_error(response, "invalid_client")
