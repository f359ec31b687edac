"""A tiny broker stand-in for the upstream OIDC means: a FlowControl, an app, token tampering.

The means and the simulator are mounted in one Starlette app the way the broker mounts them
(``/means/<name>`` and ``/sim/oidc/<name>``); ``/start`` opens a transaction like the flow does.
Outgoing calls of the means go through ``TamperingTransport`` back into the app, so a test can
rewrite the ID token the simulator returns and watch the means refuse it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from support import ISSUER, Browser, LoopbackTransport, parse_form

from broker.assurance import Level
from broker.errors import BrokerError, LoginCancelled
from broker.flow.model import Authentication, LoginRequest, Transaction
from broker.keys import KeyRing
from broker.means.oidc_upstream import OidcUpstreamConfig, OidcUpstreamMeans, build_oidc_upstream
from broker.store import MemoryStore, Store
from conformance.oidc_provider import OidcSimulator

COOKIE = "tb"
Tamper = Callable[[dict[str, Any], dict[str, Any], OidcSimulator], str]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(value: dict[str, Any]) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def _unb64(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def split_token(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return _unb64(header), _unb64(payload)


def hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    """An HMAC token made by hand (PyJWT rightly refuses a PEM public key as HMAC secret)."""
    signing_input = f"{b64json(header)}.{b64json(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


class TamperingTransport(LoopbackTransport):
    """Loopback that can rewrite the id_token in token responses."""

    def __init__(self) -> None:
        super().__init__()
        self.tamper: Tamper | None = None
        self.simulator: OidcSimulator | None = None
        self.token_requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if not request.url.path.endswith("/token") or request.method != "POST":
            return response
        self.token_requests.append(request)
        if self.tamper is None or response.status_code != 200:
            return response
        await response.aread()
        body = response.json()
        header, claims = split_token(body["id_token"])
        assert self.simulator is not None
        body["id_token"] = self.tamper(header, claims, self.simulator)
        return httpx.Response(200, json=body, request=request)


@dataclass
class TestFlow:
    """The FlowControl a means sees, recording what the means reported."""

    store: Store
    completed: list[Authentication] = field(default_factory=list)
    failed: list[BrokerError] = field(default_factory=list)

    async def load(self, request: Request, transaction_id: str) -> Transaction:
        data = await self.store.get("tx:" + transaction_id) if transaction_id else None
        if data is None:
            raise BrokerError("onbekend", "unknown transaction")
        transaction = Transaction.from_json(data)
        if request.cookies.get(COOKIE) != transaction.browser_binding:
            raise BrokerError("andere browser", "transaction of another browser")
        return transaction

    async def save(self, transaction: Transaction) -> None:
        await self.store.put("tx:" + transaction.id, transaction.to_json(), 600)

    async def complete(
        self, request: Request, transaction: Transaction, authentication: Authentication
    ) -> Response:
        self.completed.append(authentication)
        await self.store.delete("tx:" + transaction.id)
        return JSONResponse({"result": "ok", "authentication": authentication.to_json()})

    async def fail(
        self, request: Request, transaction: Transaction, error: BrokerError
    ) -> Response:
        self.failed.append(error)
        await self.store.delete("tx:" + transaction.id)
        kind = "cancelled" if isinstance(error, LoginCancelled) else "error"
        return JSONResponse({"result": kind, "code": error.code, "message": error.message_en})


@dataclass
class Env:
    app: Starlette
    means: OidcUpstreamMeans
    simulator: OidcSimulator
    flow: TestFlow
    transport: TamperingTransport
    http: httpx.AsyncClient
    store: MemoryStore

    def browser(self) -> Browser:
        return Browser(httpx.AsyncClient(transport=self.transport, base_url=ISSUER))

    async def to_callback(
        self,
        browser: Browser,
        *,
        level: str = "substantial",
        user: str = "anna",
        action: str = "login",
        required: str = "substantial",
        **start: str,
    ) -> httpx.Response:
        """Start a login, fill in the simulator's form, stop at the redirect to our callback."""
        response = await browser.client.get("/start", params={"level": required, **start})
        assert response.status_code == 303, response.text
        page = await browser.client.get(response.headers["location"])
        assert page.status_code == 200, page.text[:300]
        action_url, fields = parse_form(page.text)
        fields.update(user=user, level=level, action=action)
        answer = await browser.client.post(action_url, data=fields)
        assert answer.status_code == 303, answer.text[:300]
        assert answer.headers["location"].startswith(f"{ISSUER}/means/{self.means.name}/callback")
        response_: httpx.Response = answer
        return response_

    async def login(self, browser: Browser | None = None, **kwargs: Any) -> httpx.Response:
        browser = browser or self.browser()
        callback = await self.to_callback(browser, **kwargs)
        response: httpx.Response = await browser.client.get(callback.headers["location"])
        return response


def build_env(keys: KeyRing, **config: Any) -> Env:
    settings = {
        "name": "sim",
        "label_nl": "Testmiddel",
        "label_en": "Test means",
        "simulator": True,
        **config,
    }
    store = MemoryStore()
    transport = TamperingTransport()
    http = httpx.AsyncClient(transport=transport)
    means, mounts = build_oidc_upstream(OidcUpstreamConfig(**settings), ISSUER, keys, store, http)
    flow = TestFlow(store)
    means.bind(flow)

    async def start(request: Request) -> Response:
        required = Level.from_name(request.query_params.get("level", "substantial"))
        max_age = request.query_params.get("max_age")
        login = LoginRequest(
            client_id="rp",
            service_id="svc",
            required_level=required,
            protocol="oidc",
            protocol_params={},
            force_authn=request.query_params.get("force_authn") == "1",
            max_age=int(max_age) if max_age else None,
        )
        binding = request.cookies.get(COOKIE) or secrets.token_urlsafe(16)
        transaction = Transaction(
            id=secrets.token_urlsafe(16),
            request=login,
            created=int(time.time()),
            browser_binding=binding,
        )
        response = await means.start(request, transaction, flow)
        response.set_cookie(COOKIE, binding)
        return response

    async def broker_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BrokerError)
        return PlainTextResponse(exc.message_en, status_code=exc.status)

    app = Starlette(
        routes=[
            Route("/start", start),
            Mount(f"/means/{means.name}", routes=means.routes()),
            *mounts,
        ],
        exception_handlers={BrokerError: broker_error},
    )
    transport.attach(ISSUER, app)
    simulator: OidcSimulator = mounts[0].app.state.simulator  # type: ignore[attr-defined]
    transport.simulator = simulator
    return Env(app, means, simulator, flow, transport, http, store)


def resign(
    header: dict[str, Any], claims: dict[str, Any], simulator: OidcSimulator, **overrides: Any
) -> str:
    """The simulator's token with claims changed (None deletes), signed by the simulator."""
    claims = {**claims, **overrides}
    claims = {k: v for k, v in claims.items() if v is not None}
    # PyJWS, not jwt.encode: the latter refuses to build some malformed claims (iss lists).
    return jwt.PyJWS().encode(
        json.dumps(claims).encode(),
        simulator.key,
        algorithm=header["alg"],
        headers={"kid": header["kid"]},
    )
