"""An in-process world for eHerkenning tests: the means built by ``build_eherkenning`` with the
simulator mounted beside it in a tiny Starlette app, a recording flow, and a browser."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from support import ISSUER, LoopbackTransport, parse_form

from broker.assurance import Level
from broker.errors import BrokerError
from broker.flow.model import Authentication, LoginRequest, Transaction, new_id
from broker.keys import KeyRing, self_signed_certificate
from broker.means.eherkenning import EherkenningConfig, EherkenningMeans, build_eherkenning
from broker.store import MemoryStore, Store
from conformance.digid.resolve import StoredArtifact
from conformance.eherkenning import EherkenningSimulator


@pytest.fixture(scope="session")
def sp_keyring() -> KeyRing:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return KeyRing([], key, self_signed_certificate(key, "eHerkenning test SP"), b"secret")


@pytest.fixture(scope="session")
def sim_keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("eh-sim-keys")


class RecordingFlow:
    """A stand-in for the flow engine that records what the means hands it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.transactions: dict[str, Transaction] = {}
        self.completed: list[Authentication] = []
        self.failed: list[BrokerError] = []

    async def load(self, request: Request, transaction_id: str) -> Transaction:
        found = self.transactions.get(transaction_id)
        if found is None:
            raise BrokerError("Onbekend.", "unknown transaction", code="invalid_request")
        return Transaction.from_json(found.to_json())

    async def save(self, transaction: Transaction) -> None:
        self.transactions[transaction.id] = Transaction.from_json(transaction.to_json())

    async def complete(self, request: Request, transaction: Transaction,
                       authentication: Authentication) -> Response:
        self.completed.append(authentication)
        return JSONResponse({"done": True})

    async def fail(self, request: Request, transaction: Transaction,
                   error: BrokerError) -> Response:
        self.failed.append(error)
        return JSONResponse({"error": error.code, "message": error.message_en}, status_code=400)


class EditingLoopback(LoopbackTransport):
    """The loopback transport, with an optional edit of the HM's back-channel answers (the
    bytes of the SOAP ArtifactResponse), for attacks on what the broker receives."""

    def __init__(self) -> None:
        super().__init__()
        self.edit_artifact_answer: Callable[[bytes], bytes] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if self.edit_artifact_answer is None or not request.url.path.endswith("/artifact"):
            return response
        body = self.edit_artifact_answer(await response.aread())
        return httpx.Response(response.status_code, content=body,
                              headers={"content-type": response.headers["content-type"]})


@dataclass
class World:
    means: EherkenningMeans
    simulator: EherkenningSimulator
    flow: RecordingFlow
    browser: httpx.AsyncClient
    keys: KeyRing
    transport: EditingLoopback

    async def to_simulator(self, level: Level = Level.SUBSTANTIAL,
                           **login: Any) -> tuple[Transaction, httpx.Response]:
        request = LoginRequest(client_id="c", service_id="s", required_level=level,
                               protocol="oidc", protocol_params={}, **login)
        transaction = Transaction(id=new_id(), request=request, created=int(time.time()),
                                  browser_binding="b")
        scope = {"type": "http", "method": "GET", "path": "/", "headers": [],
                 "query_string": b"", "app": Starlette()}
        started = await self.means.start(Request(scope), transaction, self.flow)
        assert started.status_code == 303
        page = await self.browser.get(started.headers["location"])
        return transaction, page

    async def artifact_for(self, page: httpx.Response, **fields: str) -> str:
        """Submit the simulator form; return the ACS URL it redirects to."""
        action, form = parse_form(page.text)
        form.update({"company": "90000001", "level": "loa3", "intermediary": "",
                     "action": "login"})
        form.update(fields)
        answer = await self.browser.post(str(page.url.join(action)), data=form)
        assert answer.status_code == 303, answer.text[:300]
        return str(answer.headers["location"])

    def tamper(self, acs_location: str,
               edit: Callable[[etree._Element], etree._Element]) -> None:
        """Replace the samlp:Response waiting behind the artifact in ``acs_location``."""
        artifact = re.search(r"SAMLart=([^&]+)", acs_location)
        assert artifact
        from urllib.parse import unquote

        key = unquote(artifact.group(1))
        stored = self.simulator.artifacts.pop(key)
        assert stored is not None
        self.simulator.artifacts.put(key, StoredArtifact(stored.sp_entity_id,
                                                         edit(stored.response)))

    async def finish(self, acs_location: str) -> httpx.Response:
        return await self.browser.get(acs_location)

    async def login(self, required: Level = Level.SUBSTANTIAL, **fields: str) -> httpx.Response:
        _, page = await self.to_simulator(required)
        return await self.finish(await self.artifact_for(page, **fields))


async def make_world(keys: KeyRing, keys_dir: Path, **config: Any) -> World:
    store = MemoryStore()
    transport = EditingLoopback()
    http = httpx.AsyncClient(transport=transport)
    means, mounts = build_eherkenning(EherkenningConfig(**config), ISSUER, keys, store, http,
                                      keys_dir)
    flow = RecordingFlow(store)
    means.bind(flow)
    app = Starlette(routes=[Mount("/means/eherkenning", routes=means.routes()), *mounts])
    transport.attach(ISSUER, app)
    mount = mounts[0]
    assert isinstance(mount, Mount)
    simulator = mount.app.routes[0].endpoint.__self__  # type: ignore[attr-defined]
    browser = httpx.AsyncClient(transport=transport, base_url=ISSUER)
    return World(means, simulator, flow, browser, keys, transport)


@pytest.fixture
async def world(sp_keyring: KeyRing, sim_keys_dir: Path) -> AsyncIterator[World]:
    built = await make_world(sp_keyring, sim_keys_dir)
    yield built
    await built.browser.aclose()


@pytest.fixture
def world_factory(sp_keyring: KeyRing, sim_keys_dir: Path) -> Callable[..., Any]:
    async def factory(**config: Any) -> World:
        return await make_world(sp_keyring, sim_keys_dir, **config)
    return factory
