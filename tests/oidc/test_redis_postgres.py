"""The broker on its production stores: Redis and PostgreSQL, several broker instances.

Two broker instances share only Redis and PostgreSQL (as two workers or hosts would); the DigiD
simulator runs as its own service. A login started on one instance is finished on the other.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import jwt
import psycopg
import pytest
from broker_harness import BrokerFixture, make_config
from support import ISSUER, Browser, ClientKey, LoopbackTransport, auth_params, parse_form, query_of

from broker.app import create_app
from broker.assurance import Level
from broker.store import RedisStore
from conformance.digid import DigidSimulator, SimulatorSettings

pytestmark = pytest.mark.services
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
SIM = "http://127.0.0.1:9001"
RP = "https://rp.example/cb"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    schema = "test_broker_" + secrets.token_hex(6)
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


async def test_login_across_two_instances_on_redis_and_postgresql(
    tmp_path: Path, key_dir: Path, postgres_url: str
) -> None:
    prefix = f"test-{secrets.token_hex(6)}:"
    first = make_config(tmp_path, key_dir)  # copies the keys into tmp_path/keys
    keys = tmp_path / "keys"
    sp_entity = f"{ISSUER}/means/digid/metadata"
    simulator = DigidSimulator(
        SimulatorSettings.generate(
            SIM, sp_certificates={sp_entity: [(keys / "saml-sp.crt").read_bytes()]}
        )
    )
    (tmp_path / "sim.crt").write_bytes(simulator.settings.cert_pem)
    env = {
        "TOEGANG__DATABASE__URL": postgres_url,
        "TOEGANG__STORE__BACKEND": "redis",
        "TOEGANG__STORE__REDIS_URL": REDIS_URL,
        "TOEGANG__STORE__KEY_PREFIX": prefix,
        "TOEGANG__DIGID__SIMULATOR": "false",
        "TOEGANG__DIGID__IDP_ENTITY_ID": simulator.settings.entity_id,
        "TOEGANG__DIGID__IDP_SSO_URL": simulator.settings.sso_url,
        "TOEGANG__DIGID__IDP_ARTIFACT_RESOLUTION_URL": simulator.settings.artifact_url,
        "TOEGANG__DIGID__IDP_CERTIFICATE": str(tmp_path / "sim.crt"),
    }
    config = make_config(tmp_path, key_dir, **env)
    assert first.keys.directory == config.keys.directory

    transport = LoopbackTransport()
    http = httpx.AsyncClient(transport=transport)
    transport.attach(SIM, simulator.app)
    app_a = create_app(config, http=http, store=RedisStore(REDIS_URL, prefix))
    app_b = create_app(config, http=http, store=RedisStore(REDIS_URL, prefix))
    broker_a = BrokerFixture(app_a, config, transport, http)
    key = ClientKey.rsa()
    client_id, _ = broker_a.add_client(key, services=[Level.LOW], bsn_entitled=True)

    browser = Browser(httpx.AsyncClient(transport=transport, base_url=ISSUER))
    request = auth_params(client_id, RP, login_means="digid")
    transport.attach(ISSUER, app_a)  # the browser starts on instance A ...
    response = await browser.follow(
        await browser.client.get("/authorize?" + urlencode(request.params))
    )
    assert str(response.url).startswith(SIM), response.url
    form_action, fields = parse_form(response.text)
    fields.update(bsn="999999990", level="hoog", action="login")
    at_sim = await browser.client.post(str(response.url.join(form_action)), data=fields)
    transport.attach(ISSUER, app_b)  # ... and comes back on instance B.
    back = await browser.follow(at_sim, stop_at=RP)
    query = query_of(back.headers["location"])
    assert query["state"] == request.state and "code" in query, query

    async def redeem() -> httpx.Response:
        return await browser.client.post(
            "/token",
            data={
                "grant_type": "authorization_code",
                "code": query["code"],
                "redirect_uri": RP,
                "code_verifier": request.verifier,
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": key.assertion(client_id, ISSUER),
            },
        )

    token = await redeem()
    assert token.status_code == 200, token.text
    claims = jwt.decode(token.json()["id_token"], options={"verify_signature": False})
    assert claims["sub"] == "999999990"
    assert claims["acr"] == "http://eidas.europa.eu/LoA/high"

    # The code is one-time across instances: A refuses what B already redeemed.
    transport.attach(ISSUER, app_a)
    again = await redeem()
    assert again.json()["error"] == "invalid_grant"
    ready = await browser.client.get("/readyz")
    assert ready.json()["checks"] == {"store": True, "database": True}

    for app in (app_a, app_b):
        await app.state.broker.store.close()
        app.state.broker.engine.dispose()
    await http.aclose()
