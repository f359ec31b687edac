"""Helpers for tests that run the whole broker in-process (config, keys, app, clients)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from support import ISSUER, Browser, ClientKey, LoopbackTransport

from broker.app import create_app
from broker.assurance import Level
from broker.config import Config, load_config
from broker.keys import init_keys
from broker.register.clients import add_client, add_service
from broker.store import MemoryStore, Store


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keys are slow to generate: made once, copied per test."""
    from broker.register.demo import DEMO_KEY_FILE, load_or_create_client_key
    from conformance.digid.settings import load_or_create_key

    directory = tmp_path_factory.mktemp("keys")
    init_keys(directory)
    load_or_create_key(directory)
    load_or_create_client_key(directory, DEMO_KEY_FILE)
    return directory


def make_config(tmp_path: Path, key_dir: Path, **env: str) -> Config:
    keys = tmp_path / "keys"
    if not keys.exists():
        shutil.copytree(key_dir, keys)
    environ = {
        "TOEGANG__KEYS__DIRECTORY": str(keys),
        "TOEGANG__DATABASE__URL": f"sqlite:///{tmp_path / 'broker.db'}",
        **env,
    }
    return load_config(environ=environ)


@dataclass
class BrokerFixture:
    app: Starlette
    config: Config
    transport: LoopbackTransport
    http: httpx.AsyncClient

    @property
    def state(self) -> Any:
        return self.app.state.broker

    def browser(self) -> Browser:
        return Browser(httpx.AsyncClient(transport=self.transport, base_url=ISSUER))

    def add_client(
        self, key: ClientKey | None = None, *, services: list[Level] | None = None, **kwargs: Any
    ) -> tuple[str, list[str]]:
        """Register a client (private_key_jwt with ``key`` by default) and its services."""
        kwargs.setdefault("redirect_uris", ["https://rp.example/cb"])
        if key is not None:
            kwargs.setdefault("auth_method", "private_key_jwt")
            kwargs.setdefault("jwks", key.jwks())
        kwargs.setdefault("name", "Test RP")
        client, secret = add_client(self.state.engine, **kwargs)
        service_ids = []
        for index, level in enumerate(services or []):
            service = add_service(
                self.state.engine,
                client.client_id,
                name_nl=f"Dienst {index}",
                name_en=f"Service {index}",
                min_level=level,
            )
            service_ids.append(service.service_id)
        self.last_secret = secret
        return client.client_id, service_ids


async def build_broker(config: Config, store: Store | None = None) -> BrokerFixture:
    transport = LoopbackTransport()
    http = httpx.AsyncClient(transport=transport)
    app = create_app(config, http=http, store=store or MemoryStore(), demo=True)
    transport.attach(ISSUER, app)
    return BrokerFixture(app, config, transport, http)


@pytest.fixture
async def broker(tmp_path: Path, key_dir: Path) -> AsyncIterator[BrokerFixture]:
    fixture = await build_broker(make_config(tmp_path, key_dir))
    yield fixture
    await fixture.http.aclose()
