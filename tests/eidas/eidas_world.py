"""The eIDAS test world: an in-process world with the means mounted at /means/eidas and
the node simulator at /sim/eidas (built by ``build_eidas``), a recording flow, and helpers that
build node Responses so each attack test changes exactly one thing and re-signs.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount

from broker.assurance import Level
from broker.errors import BrokerError
from broker.flow.model import Authentication, LoginRequest, Transaction
from broker.keys import KeyRing, self_signed_certificate
from broker.means.eidas import EidasConfig, EidasMeans, build_eidas
from broker.store import MemoryStore, Store
from conformance.digid.attacks import Signer
from conformance.digid.samlxml import DS, SAML, q
from conformance.digid.signing import sign_after_issuer
from conformance.eidas import EidasNodeSimulator
from conformance.eidas.persons import BY_ID, TestPerson
from conformance.eidas.response import Answer, NodeSigner, build_response

ISSUER = "http://127.0.0.1:8000"
COOKIE = "binding"


KeyPair = Signer  # a private key and its certificate


def _keypair(name: str) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return KeyPair(key, self_signed_certificate(key, name))


@pytest.fixture(scope="session")
def sp_keys() -> KeyPair:
    return _keypair("Toegang test SP")


@pytest.fixture(scope="session")
def attacker_keys() -> KeyPair:
    return _keypair("eIDAS node simulator (test only)")  # clones the node's subject


@pytest.fixture(scope="session")
def sim_keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("eidas-keys")


@dataclass
class RecordingFlow:
    """A FlowControl: transactions in memory, bound to a cookie like the real flow."""

    store: Store
    transactions: dict[str, Transaction] = field(default_factory=dict)
    completed: list[Authentication] = field(default_factory=list)
    failed: list[BrokerError] = field(default_factory=list)

    async def load(self, request: Request, transaction_id: str) -> Transaction:
        transaction = self.transactions.get(transaction_id)
        if transaction is None or request.cookies.get(COOKIE) != transaction.browser_binding:
            raise BrokerError("Onbekend.", "unknown transaction or other browser")
        return Transaction.from_json(transaction.to_json())

    async def save(self, transaction: Transaction) -> None:
        self.transactions[transaction.id] = Transaction.from_json(transaction.to_json())

    async def complete(
        self, request: Request, transaction: Transaction, authentication: Authentication
    ) -> Response:
        self.completed.append(authentication)
        return JSONResponse({"result": "ok", "authentication": authentication.to_json()})

    async def fail(
        self, request: Request, transaction: Transaction, error: BrokerError
    ) -> Response:
        self.failed.append(error)
        return JSONResponse({"result": "error", "error": error.message_en}, status_code=400)


@dataclass
class World:
    means: EidasMeans
    simulator: EidasNodeSimulator
    flow: RecordingFlow
    store: MemoryStore
    app: Starlette
    attacker: KeyPair

    def client(self, binding: str | None = None) -> httpx.AsyncClient:
        cookies = {COOKIE: binding} if binding else None
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url=ISSUER, cookies=cookies
        )

    def new_transaction(self, level: Level = Level.SUBSTANTIAL) -> Transaction:
        login = LoginRequest(
            client_id="client", service_id="service", required_level=level, protocol="oidc",
            protocol_params={},
        )
        return Transaction(
            id=secrets.token_urlsafe(32), request=login, created=int(time.time()),
            browser_binding=secrets.token_hex(16),
        )

    async def started(self, level: Level = Level.SUBSTANTIAL) -> tuple[Transaction, str]:
        """A transaction after ``start``: (saved transaction, the start page HTML)."""
        transaction = self.new_transaction(level)
        request = Request({"type": "http", "method": "GET", "path": "/", "headers": [],
                           "query_string": b"", "app": self.app})
        response = await self.means.start(request, transaction, self.flow)
        body = bytes(response.body).decode()
        return self.flow.transactions[transaction.id], body

    def answer(
        self,
        transaction: Transaction,
        person: TestPerson | None = None,
        level: Level = Level.SUBSTANTIAL,
        **overrides: Any,
    ) -> Answer:
        state = transaction.means_state["eidas"]
        answer = Answer(
            self.means.settings.sp_entity_id, state["request_id"], self.means.settings.acs_url,
            person or BY_ID["de-mueller"], level,
        )
        return replace(answer, **overrides)

    def response(
        self, answer: Answer, *, now: dt.datetime | None = None, signer: KeyPair | None = None
    ) -> etree._Element:
        node = self.simulator.signer
        key, cert = (signer.key, signer.cert_pem) if signer else (node.key, node.cert_pem)
        return build_response(
            NodeSigner(node.entity_id, key, cert), answer, now or dt.datetime.now(dt.UTC),
            dt.timedelta(minutes=5),
        )

    def sign(self, element: etree._Element, signer: KeyPair | None = None) -> etree._Element:
        """Strip ``element``'s own signature and sign it again (after a deliberate change)."""
        strip_signature(element)
        if signer is None:
            node = self.simulator.signer
            return sign_after_issuer(element, node.key, node.cert_pem)
        return sign_after_issuer(element, signer.key, signer.cert_pem)

    def resign_assertion(
        self, response: etree._Element, change: Any, signer: KeyPair | None = None
    ) -> etree._Element:
        """Apply ``change(assertion)``, re-sign the assertion, then the response."""
        assertion = response.find(q(SAML, "Assertion"))
        assert assertion is not None
        change(assertion)
        signed = self.sign(assertion, signer)
        response.replace(assertion, signed)
        return self.sign(response, signer)


def strip_signature(element: etree._Element) -> None:
    for signature in element.findall(q(DS, "Signature")):
        element.remove(signature)


def encode(element: etree._Element | bytes) -> str:
    raw = element if isinstance(element, bytes) else etree.tostring(element)
    return base64.b64encode(raw).decode("ascii")


def form_of(html: str) -> tuple[str, dict[str, str]]:
    """The first POST form's action and its hidden inputs."""
    match = re.search(r'<form[^>]*method="post"[^>]*action="([^"]*)"', html)
    assert match, html[:800]
    body = html[match.end():].split("</form>")[0]
    fields = {
        m.group(1): m.group(2).replace("&amp;", "&").replace("&#43;", "+")
        for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body)
    }
    return match.group(1).replace("&amp;", "&"), fields


async def _error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BrokerError)
    return PlainTextResponse(exc.message_en, status_code=exc.status)


@pytest.fixture
async def world(
    sp_keys: KeyPair, attacker_keys: KeyPair, sim_keys_dir: Path
) -> AsyncIterator[World]:
    store = MemoryStore()
    keys = KeyRing([], sp_keys.key, sp_keys.cert_pem, b"pairwise")
    async with httpx.AsyncClient() as http:
        means, mounts = build_eidas(EidasConfig(), ISSUER, keys, store, http, sim_keys_dir)
    flow = RecordingFlow(store)
    means.bind(flow)
    mount = mounts[0]
    assert isinstance(mount, Mount)
    simulator_app = mount.app
    app = Starlette(
        routes=[Mount("/means/eidas", routes=means.routes()), *mounts],
        exception_handlers={BrokerError: _error_page},
    )
    simulator = _simulator_of(simulator_app)
    yield World(means, simulator, flow, store, app, attacker_keys)


def _simulator_of(app: Any) -> EidasNodeSimulator:
    """The simulator object behind the mounted app (its routes are its bound methods)."""
    for route in app.routes:
        owner = getattr(route.endpoint, "__self__", None)
        if isinstance(owner, EidasNodeSimulator):
            return owner
    raise AssertionError("no simulator in mount")
