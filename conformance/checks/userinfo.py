"""The UserInfo endpoint (NL GOV profile §1.8; OIDC Core §5.3; RFC 6750; RFC 8725 §2.8)."""

from __future__ import annotations

import jwt

from conformance.checks.flow import session
from conformance.checks.registry import Context, Fail, check


@check(
    "userinfo-answers-access-token-with-sub",
    "NL GOV §1.8; OIDC Core §5.3.2",
    needs_client=True,
)
async def userinfo_works(ctx: Context) -> str | None:
    current = await session(ctx)
    endpoint = await ctx.endpoint("userinfo_endpoint")
    token = current.tokens.get("access_token")
    if not isinstance(token, str):
        raise Fail("the token response has no access_token")
    response = await ctx.get(endpoint, headers={"Authorization": f"Bearer {token}"})
    if response.status_code != 200:
        raise Fail(f"answered {response.status_code}: {response.text[:200]}")
    if response.headers.get("content-type", "").startswith("application/jwt"):
        sub = jwt.decode(response.text, options={"verify_signature": False}).get("sub")
        kind = "signed JWT"
    else:
        sub = response.json().get("sub")
        kind = "JSON"
    id_sub = jwt.decode(current.tokens["id_token"], options={"verify_signature": False})["sub"]
    if sub != id_sub:
        raise Fail("userinfo sub differs from the ID token's sub")
    return kind


@check(
    "userinfo-refuses-id-token",
    "RFC 8725 §2.8, §3.11 (token type confusion); RFC 6750 §3.1",
    needs_client=True,
)
async def userinfo_refuses_id_token(ctx: Context) -> str | None:
    current = await session(ctx)
    endpoint = await ctx.endpoint("userinfo_endpoint")
    response = await ctx.get(
        endpoint, headers={"Authorization": f"Bearer {current.tokens.get('id_token')}"}
    )
    if response.status_code < 400:
        raise Fail(f"the ID token was accepted as an access token ({response.status_code})")
    return f"{response.status_code}"
