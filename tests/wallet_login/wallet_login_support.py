"""A small broker stand-in for the wallet means: a FlowControl, an app, page helpers.

The means and the test wallet are mounted the way the broker mounts them (``/means/wallet`` and
``/sim/wallet``); ``/start`` opens a transaction like the flow does. Outgoing calls (the test
wallet fetching the request object and posting its answer) go through ``LoopbackTransport`` back
into the app, and are recorded there, so a test can replay or alter them.

Not a ``conftest.py`` (see tests/wallet/wallet_support.py for why); ``conftest.py`` in this
directory star-imports the fixtures from here.
"""

from __future__ import annotations

import html
import re
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from support import ISSUER, Browser, LoopbackTransport, parse_form

from broker.assurance import Level
from broker.errors import BrokerError, LoginCancelled
from broker.flow.model import Authentication, LoginRequest, Transaction
from broker.keys import KeyRing
from broker.means.wallet import WalletConfig, WalletMeans, build_wallet
from broker.pages.routes import static_mount
from broker.pages.security import SecurityHeadersMiddleware
from broker.store import MemoryStore, Store
from conformance.wallet import TestWallet

COOKIE = "tb"
RESPONSE_PATH = "/means/wallet/response"


@dataclass
class TestFlow:
    """The FlowControl a means sees, recording what the means reported."""

    __test__ = False

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
class WalletPage:
    """What a test needs from the wallet page."""

    url: str
    request_id: str
    html: str

    def links(self) -> list[str]:
        return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', self.html)]

    def link(self, prefix: str) -> str:
        found = [h for h in self.links() if h.startswith(prefix)]
        assert found, f"no link starting with {prefix!r}"
        return found[0]

    @property
    def same_device_wallet(self) -> str:
        return self.link(ISSUER_SIM + "/authorize")

    @property
    def cross_device_wallet(self) -> str:
        found = [h for h in self.links() if h.startswith(ISSUER_SIM + "/authorize")]
        assert len(found) == 2, "no cross-device test wallet link"
        return found[1]

    @property
    def csrf(self) -> str:
        match = re.search(r'name="csrf" value="([^"]+)"', self.html)
        assert match
        return match.group(1)

    @property
    def transaction(self) -> str:
        match = re.search(r'name="transaction" value="([^"]+)"', self.html)
        assert match
        return match.group(1)


ISSUER_SIM = f"{ISSUER}/sim/wallet"


@dataclass
class Env:
    app: Starlette
    means: WalletMeans
    wallet: TestWallet
    flow: TestFlow
    transport: LoopbackTransport
    http: httpx.AsyncClient
    store: MemoryStore

    def browser(self) -> Browser:
        return Browser(httpx.AsyncClient(transport=self.transport, base_url=ISSUER))

    async def start(self, browser: Browser, level: str = "high") -> WalletPage:
        response = await browser.client.get("/start", params={"level": level})
        assert response.status_code == 303, response.text
        location = response.headers["location"]
        page = await browser.client.get(location)
        assert page.status_code == 200, page.text[:500]
        return WalletPage(location, location.rstrip("/").rsplit("/", 1)[1], page.text)

    async def consent(self, wallet_browser: Browser, link: str) -> httpx.Response:
        page = await wallet_browser.client.get(link)
        assert page.status_code == 200, page.text[:800]
        return page

    async def share(
        self,
        wallet_browser: Browser,
        link: str,
        *,
        person: str = "999999990",
        fmt: str = "dc+sd-jwt",
        fault: str = "",
        action: str = "share",
        enc: str | None = None,
    ) -> httpx.Response:
        """Open the test wallet at ``link``, fill in its form, return its answer (not followed)."""
        page = await self.consent(wallet_browser, link)
        action_url, fields = parse_form(page.text)
        fields.update(person=person, format=fmt, fault=fault, action=action)
        if enc is not None:
            fields["enc"] = enc
        return await wallet_browser.client.post(str(page.url.join(action_url)), data=fields)

    def posted_responses(self) -> list[httpx.Request]:
        return [
            r for r in self.transport.requests if r.method == "POST" and r.url.path == RESPONSE_PATH
        ]

    async def login(
        self,
        *,
        level: str = "high",
        fmt: str = "dc+sd-jwt",
        fault: str = "",
        person: str = "999999990",
    ) -> tuple[Browser, WalletPage, httpx.Response]:
        """Same device: start, answer in the test wallet, follow its redirect to /done."""
        browser = self.browser()
        page = await self.start(browser, level)
        answer = await self.share(
            browser, page.same_device_wallet, fmt=fmt, fault=fault, person=person
        )
        if answer.status_code == 303:
            answer = await browser.client.get(answer.headers["location"])
        return browser, page, answer


def build_env(
    tmp_path: Path,
    keys: KeyRing,
    *,
    issuer: str = ISSUER,
    http: httpx.AsyncClient | None = None,
    **config: Any,
) -> Env:
    store = MemoryStore()
    transport = LoopbackTransport()
    http = http or httpx.AsyncClient(transport=transport)
    means, mounts = build_wallet(
        WalletConfig(**config), issuer, keys, store, http, tmp_path / "wallet-keys"
    )
    flow = TestFlow(store)
    means.bind(flow)

    async def start(request: Request) -> Response:
        login = LoginRequest(
            client_id="rp",
            service_id="svc",
            required_level=Level.from_name(request.query_params.get("level", "high")),
            protocol="oidc",
            protocol_params={},
        )
        binding = request.cookies.get(COOKIE) or secrets.token_urlsafe(16)
        transaction = Transaction(
            id=secrets.token_urlsafe(16),
            request=login,
            created=int(time.time()),
            browser_binding=binding,
            means_state={"service": {"nl": "Testdienst", "en": "Test service"}},
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
            Mount("/means/wallet", routes=means.routes()),
            *mounts,
            static_mount(),
        ],
        middleware=[Middleware(SecurityHeadersMiddleware)],
        exception_handlers={BrokerError: broker_error},
    )
    transport.attach(issuer, app)
    wallet: TestWallet = mounts[0].app.state.wallet  # type: ignore[attr-defined]
    return Env(app, means, wallet, flow, transport, http, store)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture(scope="session")
def wallet_keys(key_dir: Path) -> KeyRing:
    return KeyRing.load(key_dir)


@pytest.fixture
async def env(tmp_path: Path, wallet_keys: KeyRing) -> AsyncIterator[Env]:
    built = build_env(tmp_path, wallet_keys)
    yield built
    await built.http.aclose()


__all__ = ["Env", "TestFlow", "WalletPage", "build_env", "env", "query_of", "wallet_keys"]
