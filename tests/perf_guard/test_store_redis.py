"""The pipelined Redis connection of ``RedisStore``: ordering, errors, reconnects."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator

import pytest
from support import silent_peer

from broker.store import RedisStore, StoreUnavailable

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def store() -> AsyncIterator[RedisStore]:
    redis = RedisStore(REDIS_URL, f"perf-guard-{secrets.token_hex(4)}:")
    if not await redis.ping():
        await redis.close()
        pytest.fail("Redis is not running on 127.0.0.1:6379 (scripts/test starts it)")
    yield redis
    await redis.close()


async def test_concurrent_commands_get_their_own_replies(store: RedisStore) -> None:
    await asyncio.gather(*(store.put(f"k{i}", {"i": i}, 60) for i in range(50)))
    values = await asyncio.gather(*(store.take(f"k{i}") for i in range(50)))
    assert values == [{"i": i} for i in range(50)]
    assert await store.get("k0") is None


async def test_an_error_reply_fails_only_its_command(store: RedisStore) -> None:
    await store._call("LPUSH", store._prefix + "list", "x")
    with pytest.raises(StoreUnavailable, match="WRONGTYPE"):
        await store.get("list")  # Redis refuses GET of a list
    assert await store.add("good", {"v": 1}, 60)
    assert await store.get("good") == {"v": 1}


async def test_reconnects_after_the_connection_is_lost(store: RedisStore) -> None:
    await store.put("kept", {"v": 1}, 60)
    connection = store._connection
    assert connection is not None
    connection.close()
    assert await store.get("kept") == {"v": 1}
    assert store._connection is not connection


async def test_write_many_loads_its_script_when_redis_does_not_know_it(
    store: RedisStore,
) -> None:
    store._shas = dict.fromkeys(store._shas, "0" * 40)  # as after SCRIPT FLUSH or a restart
    await store.write_many(puts=[("a", {"v": 1}, 60), ("b", {"v": 2}, 60)])
    assert [await store.take("a"), await store.take("b")] == [{"v": 1}, {"v": 2}]


async def test_unreachable_redis_is_reported() -> None:
    with socket.socket() as probe:  # a port nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = RedisStore(f"redis://127.0.0.1:{port}/0")
    assert not await store.ping()
    with pytest.raises(StoreUnavailable):
        await store.get("anything")


async def test_a_silent_redis_fails_the_waiting_calls_and_is_reconnected() -> None:
    """A peer that accepts and never answers (a hung Redis) must not hold requests forever."""
    async with silent_peer() as (port, accepted):
        store = RedisStore(f"redis://127.0.0.1:{port}/0", "t:", timeout=0.2)
        try:
            async with asyncio.timeout(5):  # without the store's own timeout: fail, not hang
                first, second = await asyncio.gather(
                    store.get("a"), store.get("b"), return_exceptions=True
                )
            assert isinstance(first, StoreUnavailable)
            assert "did not answer within 0.2 s" in str(first)
            assert isinstance(second, StoreUnavailable)
            with pytest.raises(StoreUnavailable, match="did not answer"):
                await store.get("c")
            assert len(accepted) == 2  # the silent connection was dropped, a new one opened
        finally:
            await store.close()


async def test_add_and_take_takes_only_after_a_fresh_add(store: RedisStore) -> None:
    await store.put("code", {"n": 1}, 60)
    assert await store.add_and_take(("jti", {}, 60), "code") == (True, {"n": 1})
    await store.put("code", {"n": 2}, 60)
    assert await store.add_and_take(("jti", {}, 60), "code") == (False, None)
    assert await store.get("code") == {"n": 2}  # a replayed jti uses nothing up
    assert await store.add_and_take(("jti2", {}, 60), "absent") == (True, None)


async def test_get_many_in_order(store: RedisStore) -> None:
    await store.put("a", {"v": 1}, 60)
    assert await store.get_many(["a", "missing", "a"]) == [{"v": 1}, None, {"v": 1}]
    assert await store.get_many([]) == []


def test_url_must_be_redis() -> None:
    with pytest.raises(ValueError, match="redis://"):
        RedisStore("http://127.0.0.1:6379/0")
