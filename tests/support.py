"""Test helpers: a broker app in-process, a relying party that drives it, the DigiD simulator.

Everything runs through the ASGI app with httpx (no sockets) unless a test needs a browser.
The broker's own outgoing calls (client JWKS, back-channel logout, the demo SP's token call)
are routed back into the app through ``LoopbackTransport``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.types import ASGIApp

ISSUER = "http://127.0.0.1:8000"


class LoopbackTransport(httpx.AsyncBaseTransport):
    """Routes requests to ASGI apps by origin; the app can be attached after creation."""

    def __init__(self) -> None:
        self.apps: dict[str, ASGIApp] = {}
        self.requests: list[httpx.Request] = []

    def attach(self, origin: str, app: ASGIApp) -> None:
        self.apps[origin] = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        origin = f"{request.url.scheme}://{request.url.netloc.decode()}"
        app = self.apps.get(origin)
        if app is None:
            raise httpx.ConnectError(f"no app at {origin}", request=request)
        return await httpx.ASGITransport(app=app).handle_async_request(request)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, b64url(hashlib.sha256(verifier.encode()).digest())


@dataclass
class ClientKey:
    kid: str
    private: Any
    alg: str

    @classmethod
    def rsa(cls, alg: str = "RS256") -> ClientKey:
        return cls(
            secrets.token_hex(4),
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            alg,
        )

    @classmethod
    def ec(cls) -> ClientKey:
        return cls(secrets.token_hex(4), ec.generate_private_key(ec.SECP256R1()), "ES256")

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(
            jwt.algorithms.get_default_algorithms()[self.alg].to_jwk(self.private.public_key())
        )
        jwk.update(kid=self.kid, use="sig")
        return jwk

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk()]}

    def assertion(self, client_id: str, audience: str, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "jti": secrets.token_urlsafe(12),
            "iat": now,
            "exp": now + 60,
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.private, algorithm=self.alg, headers={"kid": self.kid})


@dataclass
class AuthRequest:
    params: dict[str, str]
    verifier: str
    state: str
    nonce: str


def auth_params(client_id: str, redirect_uri: str, **extra: str | None) -> AuthRequest:
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    params: dict[str, str | None] = {
        "client_id": client_id,
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": redirect_uri,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(extra)
    return AuthRequest({k: v for k, v in params.items() if v is not None}, verifier, state, nonce)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def form_fields(html: str) -> dict[str, str]:
    """Hidden and text inputs with their values (enough to submit the simulator's form)."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]*)"', tag)
        if name and (kind is None or kind.group(1) in ("hidden", "text")):
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


@dataclass
class Browser:
    """A cookie-keeping client that follows redirects by hand, so tests can stop anywhere."""

    client: httpx.AsyncClient
    history: list[httpx.Response] = field(default_factory=list)

    async def follow(
        self, response: httpx.Response, stop_at: str | None = None, limit: int = 10
    ) -> httpx.Response:
        for _ in range(limit):
            self.history.append(response)
            if response.status_code not in (302, 303, 307):
                return response
            location = response.headers["location"]
            if stop_at and location.startswith(stop_at):
                return response
            response = await self.client.get(location)
        raise AssertionError("too many redirects")


def parse_form(html: str) -> tuple[str, dict[str, str]]:
    """The first POST form's action and its hidden/text fields."""
    match = re.search(r'<form[^>]*method="post"[^>]*>', html, re.IGNORECASE)
    assert match, "no POST form on the page"
    action = re.search(r'action="([^"]*)"', match.group(0))
    body = html[match.end() :]
    return (action.group(1).replace("&amp;", "&") if action else ""), form_fields(
        body.split("</form>")[0]
    )


async def choose_means(
    browser: Browser, response: httpx.Response, means: str, *, stop_at: str = "https://rp.example"
) -> httpx.Response:
    """On the chooser page, take ``means``; any other page is returned as it is."""
    if "/login/" not in str(response.url):
        return response
    action_url = re.search(rf'action="(/login/[^"]*/means/{means})"', response.text)
    assert action_url, f"{means} not offered on the chooser"
    _, fields = parse_form(response.text)
    return await browser.follow(
        await browser.client.post(action_url.group(1), data={"csrf": fields["csrf"]}),
        stop_at=stop_at,
    )


async def digid_login(
    browser: Browser,
    authorize_url: str,
    *,
    bsn: str = "999999990",
    level: str = "substantieel",
    action: str = "login",
    stop_at: str = "https://rp.example",
) -> httpx.Response:
    """Authorize → (chooser) → DigiD simulator form → artifact → the client's redirect_uri."""
    response = await browser.follow(await browser.client.get(authorize_url), stop_at=stop_at)
    if response.status_code in (302, 303):
        return response
    response = await choose_means(browser, response, "digid", stop_at=stop_at)
    assert response.status_code == 200, response.text[:500]
    form_action, fields = parse_form(response.text)
    fields.update(bsn=bsn, level=level, action=action)
    target = str(response.url.join(form_action)) if form_action else str(response.url)
    return await browser.follow(await browser.client.post(target, data=fields), stop_at=stop_at)


@asynccontextmanager
async def silent_peer() -> AsyncIterator[tuple[int, list[asyncio.StreamWriter]]]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers (a hung Redis, say);
    yields its port and the connections it accepted."""
    accepted: list[asyncio.StreamWriter] = []

    async def silent(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], accepted
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()


@dataclass
class Streamed:
    status: int
    headers: dict[bytes, bytes]
    body: bytes
    read: int  # how many body chunks the app asked for


async def stream_post(
    app: ASGIApp, path: str, *, declared: bool, chunks: int = 10_000, chunk: bytes = b""
) -> Streamed:
    """POST a body of ``chunks`` × ``chunk`` (16 KiB of one field by default: 160 MB) straight
    to the ASGI app, with or without a Content-Length; tells how many chunks the app read
    before it answered."""
    chunk = chunk or b"a" * (16 * 1024)
    read = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": read < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"content-type", b"application/x-www-form-urlencoded")]
    if declared:
        headers.append((b"content-length", str(chunks * len(chunk)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    return Streamed(
        sent[0]["status"],
        dict(sent[0]["headers"]),
        b"".join(m.get("body", b"") for m in sent[1:]),
        read,
    )
