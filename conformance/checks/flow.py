"""Shared protocol steps: authorization requests, a browser-like login through the DigiD
simulator over real HTTP (cookies kept by the client), and token requests."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt

from conformance.checks.registry import Context, Fail, Skip

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
REPRESENT_NONE = "toegang:represent:none"
SIMULATOR_METADATA = "/sim/digid/metadata"
TEST_BSN = "999999990"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class AuthRequest:
    params: dict[str, str]
    verifier: str
    state: str
    nonce: str


async def scope(ctx: Context) -> str:
    """``openid`` (plus the client's --scope); skip this broker's representation step if offered."""
    client = ctx.need_client()
    scopes = ["openid", *(client.scope.split() if client.scope else [])]
    supported = (await ctx.metadata()).get("scopes_supported") or []
    if REPRESENT_NONE in supported and REPRESENT_NONE not in scopes:
        scopes.append(REPRESENT_NONE)
    return " ".join(dict.fromkeys(scopes))


async def auth_request(ctx: Context, **overrides: str | None) -> AuthRequest:
    """A correct NL GOV authorization request of the client; ``None`` removes a parameter."""
    client = ctx.need_client()
    verifier = secrets.token_urlsafe(48)
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    params: dict[str, str | None] = {
        "client_id": client.client_id,
        "response_type": "code",
        "scope": await scope(ctx),
        "redirect_uri": client.redirect_uri,
        "state": state,
        "nonce": nonce,
        "code_challenge": b64url(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    clean = {k: v for k, v in params.items() if v is not None}
    return AuthRequest(clean, verifier, state, nonce)


async def authorize(ctx: Context, params: dict[str, str]) -> httpx.Response:
    endpoint = await ctx.endpoint("authorization_endpoint")
    return await ctx.get(endpoint + ("&" if "?" in endpoint else "?") + urlencode(params))


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def is_redirect(response: httpx.Response) -> bool:
    return response.is_redirect or "location" in response.headers


def to_redirect_uri(response: httpx.Response, redirect_uri: str) -> dict[str, str] | None:
    """The query of a redirect to ``redirect_uri`` (same scheme, host, path), else None."""
    if not is_redirect(response):
        return None
    location = str(response.url.join(response.headers.get("location", "")))
    target, expected = urlsplit(location), urlsplit(redirect_uri)
    if (target.scheme, target.netloc, target.path) != (
        expected.scheme,
        expected.netloc,
        expected.path,
    ):
        return None
    return query_of(location)


async def simulator_present(ctx: Context) -> bool:
    async def probe() -> bool:
        try:
            response = await ctx.get(ctx.issuer + SIMULATOR_METADATA)
        except Fail:
            return False
        return response.status_code == 200

    present: bool = await ctx.memo("simulator", probe)
    return present


def _fields(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]*)"', tag)
        if name and (kind is None or kind.group(1) in ("hidden", "text")):
            fields[name.group(1)] = value.group(1).replace("&amp;", "&") if value else ""
    return fields


def _post_form(html: str) -> tuple[str, dict[str, str]]:
    match = re.search(r'<form[^>]*method="post"[^>]*>', html, re.IGNORECASE)
    if not match:
        raise Fail("expected a POST form on the page")
    action = re.search(r'action="([^"]*)"', match.group(0))
    body = html[match.end() :].split("</form>")[0]
    return (action.group(1).replace("&amp;", "&") if action else ""), _fields(body)


async def _follow(ctx: Context, response: httpx.Response, stop_at: str) -> httpx.Response:
    for _ in range(15):
        if not is_redirect(response):
            return response
        location = str(response.url.join(response.headers["location"]))
        if to_redirect_uri(response, stop_at) is not None:
            return response
        response = await ctx.get(location)
    raise Fail("too many redirects")


async def login(ctx: Context, request: AuthRequest) -> str:
    """Authorize → (chooser) → DigiD simulator → back to the redirect URI; returns the code."""
    client = ctx.need_client(key=True)
    if not await simulator_present(ctx):
        raise Skip(f"the deployment runs no DigiD simulator ({SIMULATOR_METADATA})")
    ctx.http.cookies.clear()  # a fresh browser: no single sign-on from an earlier login
    stop = client.redirect_uri
    response = await _follow(ctx, await authorize(ctx, request.params), stop)
    if response.status_code == 200 and "/means/digid" in response.text:
        action = re.search(r'action="([^"]*/means/digid)"', response.text)
        if action is None:
            raise Fail("DigiD is not offered on the chooser page")
        _, fields = _post_form(response.text)
        target = str(response.url.join(action.group(1).replace("&amp;", "&")))
        response = await _follow(
            ctx, await ctx.post(target, data={"csrf": fields.get("csrf", "")}), stop
        )
    if response.status_code == 200 and 'name="bsn"' in response.text:
        action_url, fields = _post_form(response.text)
        fields.update(bsn=TEST_BSN, level="substantieel", action="login")
        target = str(response.url.join(action_url)) if action_url else str(response.url)
        response = await _follow(ctx, await ctx.post(target, data=fields), stop)
    query = to_redirect_uri(response, stop)
    if query is None:
        raise Fail(
            f"login through the DigiD simulator did not return to the redirect URI "
            f"(last answer {response.status_code} at {response.url})"
        )
    if "code" not in query:
        raise Fail(f"login returned without a code: {query}")
    if query.get("state") != request.state:
        raise Fail("login returned a different state")
    return query["code"]


def client_key(ctx: Context) -> tuple[Any, str, str | None]:
    """The client's private key object, its algorithm and kid."""
    client = ctx.need_client(key=True)
    assert client.jwk is not None
    alg = client.jwk.get("alg") or ("ES256" if client.jwk.get("kty") == "EC" else "RS256")
    try:
        key = jwt.PyJWK(client.jwk, algorithm=alg).key
    except jwt.PyJWTError as exc:
        raise Fail(f"the client key cannot be used: {exc}") from None
    return key, alg, client.jwk.get("kid")


def assertion_claims(ctx: Context, audience: str | None = None) -> dict[str, Any]:
    client = ctx.need_client(key=True)
    now = int(time.time())
    return {
        "iss": client.client_id,
        "sub": client.client_id,
        "aud": audience or ctx.issuer,
        "jti": secrets.token_urlsafe(16),
        "iat": now,
        "exp": now + 60,
    }


def assertion(ctx: Context, audience: str | None = None) -> str:
    key, alg, kid = client_key(ctx)
    headers = {"kid": kid} if kid else None
    return jwt.encode(assertion_claims(ctx, audience), key, algorithm=alg, headers=headers)


def unsigned_jwt(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return ".".join(
        b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )


async def token_request(
    ctx: Context, code: str, verifier: str, *, client_assertion: str | None = None
) -> httpx.Response:
    client = ctx.need_client(key=True)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": client.redirect_uri,
        "code_verifier": verifier,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion or assertion(ctx),
    }
    return await ctx.post(await ctx.endpoint("token_endpoint"), data=data)


def oauth_error(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else None


def expect_error(response: httpx.Response, expected: str) -> str:
    error = oauth_error(response)
    if response.status_code == 200:
        raise Fail("the token endpoint issued tokens")
    if error != expected:
        raise Fail(f"answered {response.status_code} error={error!r}, expected {expected!r}")
    if response.status_code not in (400, 401):
        raise Fail(f"answered {response.status_code} with {expected}, expected 400 or 401")
    return f"{response.status_code} {error}"


@dataclass
class Session:
    request: AuthRequest
    code: str
    tokens: dict[str, Any]


async def session(ctx: Context) -> Session:
    """One complete login and code redemption, shared by the ID token and userinfo checks."""

    async def make() -> Session:
        request = await auth_request(ctx)
        code = await login(ctx, request)
        response = await token_request(ctx, code, request.verifier)
        if response.status_code != 200:
            raise Fail(f"the token request failed: {response.status_code} {response.text[:300]}")
        tokens = response.json()
        if not isinstance(tokens, dict):
            raise Fail("the token response is not a JSON object")
        return Session(request, code, tokens)

    result: Session = await ctx.memo("session", make)
    return result
