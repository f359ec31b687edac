"""A Redis that stops answering: people get a clear page to try again, machines OAuth JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from broker_harness import BrokerFixture, build_broker, make_config
from support import ClientKey, auth_params, silent_peer

from broker.assurance import Level
from broker.store import RedisStore

RP = "https://rp.example/cb"


@pytest.fixture
async def silent_broker(tmp_path: Path, key_dir: Path) -> AsyncIterator[BrokerFixture]:
    """The broker on a "Redis" that accepts connections and never answers."""
    async with silent_peer() as (port, _):
        store = RedisStore(f"redis://127.0.0.1:{port}/0", "outage:", timeout=0.2)
        fixture = await build_broker(make_config(tmp_path, key_dir), store=store)
        yield fixture
        await fixture.http.aclose()
        await store.close()


async def test_login_page_says_try_again_later(silent_broker: BrokerFixture) -> None:
    client_id, _ = silent_broker.add_client(ClientKey.ec(), services=[Level.LOW])
    request = auth_params(client_id, RP)
    browser = silent_broker.browser()
    response = await browser.client.get(
        "/authorize?" + urlencode(request.params), headers={"Accept": "text/html"}
    )
    assert response.status_code == 503 and response.headers["retry-after"] == "30"
    assert "Probeer het over een paar minuten opnieuw" in response.text
    assert "location" not in response.headers


async def test_machines_get_oauth_json(silent_broker: BrokerFixture) -> None:
    client_id, _ = silent_broker.add_client(ClientKey.ec(), services=[Level.LOW])
    request = auth_params(client_id, RP)
    response = await silent_broker.browser().client.get(
        "/authorize?" + urlencode(request.params), headers={"Accept": "application/json"}
    )
    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
