"""The hot-path cache: new clients work at once, removed ones stop within the TTL."""

from __future__ import annotations

import dataclasses

import pytest
from jwk_factory import ec_jwk
from sqlalchemy import Engine

from broker.assurance import Level
from broker.register.cache import ClientCache, ClientInfo, ServiceInfo
from broker.register.clients import add_client, add_service, remove_client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def register(engine: Engine) -> str:
    client, _ = add_client(
        engine,
        name="RP",
        redirect_uris=["https://rp.example.nl/cb"],
        auth_method="private_key_jwt",
        jwks={"keys": [ec_jwk()]},
    )
    return client.client_id


async def test_new_client_is_seen_at_once(engine: Engine) -> None:
    cache = ClientCache(engine, ttl=2.0, clock=Clock())
    assert await cache.client("later") is None  # misses are not remembered
    client_id = register(engine)
    info = await cache.client(client_id)
    assert isinstance(info, ClientInfo)
    assert info.redirect_uris == ("https://rp.example.nl/cb",)
    assert info.jwks is not None and info.jwks["keys"][0]["kty"] == "EC"


async def test_removed_client_disappears_after_ttl(engine: Engine) -> None:
    clock = Clock()
    cache = ClientCache(engine, ttl=2.0, clock=clock)
    client_id = register(engine)
    assert await cache.client(client_id) is not None
    remove_client(engine, client_id)
    clock.now += 1.9
    assert await cache.client(client_id) is not None  # still cached
    clock.now += 0.2
    assert await cache.client(client_id) is None


async def test_snapshots_are_frozen(engine: Engine) -> None:
    cache = ClientCache(engine)
    info = await cache.client(register(engine))
    assert info is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.name = "other"  # type: ignore[misc]


async def test_services_are_cached_per_client(engine: Engine) -> None:
    clock = Clock()
    cache = ClientCache(engine, ttl=2.0, clock=clock)
    client_id = register(engine)
    assert await cache.services(client_id) == ()
    service = add_service(
        engine,
        client_id,
        name_nl="Aangifte",
        name_en="Tax return",
        min_level=Level.SUBSTANTIAL,
        allows_representation=True,
    )
    (info,) = await cache.services(client_id)  # empty results were not cached
    assert isinstance(info, ServiceInfo)
    assert info.min_level is Level.SUBSTANTIAL and info.name("en") == "Tax return"
    assert await cache.service(client_id, service.service_id) == info
    assert await cache.service(client_id, "00000000-0000-0000-0000-000000000000") is None
    add_service(engine, client_id, name_nl="B", name_en="B", min_level=Level.LOW)
    assert len(await cache.services(client_id)) == 1
    cache.invalidate(client_id)
    assert len(await cache.services(client_id)) == 2
