"""``RedisStore`` when a write fails or a caller gives up while connecting, and the TTL rules
both stores share (a TTL Redis would refuse must not half-apply a ``write_many``)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest

from broker.store import MemoryStore, RedisStore, Store, StoreUnavailable

REDIS_URL = "redis://127.0.0.1:6379/0"


async def _redis() -> RedisStore:
    store = RedisStore(REDIS_URL, f"faults-{secrets.token_hex(4)}:", timeout=1)
    if not await store.ping():
        pytest.fail("Redis is not running on 127.0.0.1:6379 (scripts/test starts it)")
    return store


@pytest.fixture
async def redis() -> AsyncIterator[RedisStore]:
    store = await _redis()
    yield store
    await store.close()


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    store: Store = MemoryStore() if request.param == "memory" else await _redis()
    yield store
    await store.close()


class _WriteFailsOnce:
    """The connection's transport, whose next ``write`` raises as uvloop's does once its
    handle is closed."""

    def __init__(self, transport: Any) -> None:
        self._transport = transport
        self._failed = False

    def write(self, data: bytes) -> None:
        if not self._failed:
            self._failed = True
            raise RuntimeError("unable to perform operation; the handler is closed")
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


async def test_a_failed_write_leaves_no_reply_for_another_caller(redis: RedisStore) -> None:
    await redis.put("a", {"v": "a"}, 60)
    await redis.put("b", {"v": "b"}, 60)
    connection = redis._connection
    assert connection is not None and connection._transport is not None
    connection._transport = _WriteFailsOnce(connection._transport)  # type: ignore[assignment]
    with pytest.raises(StoreUnavailable):
        await redis.get("a")
    assert await asyncio.gather(redis.get("a"), redis.get("b")) == [{"v": "a"}, {"v": "b"}]


async def test_a_caller_cancelled_while_connecting_closes_the_connection() -> None:
    """SELECT (or AUTH) unanswered when the caller's own deadline passes: the half-set-up
    connection is closed, not left open."""
    accepted: list[asyncio.StreamReader] = []

    async def accept(reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) -> None:
        accepted.append(reader)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    store = RedisStore(f"redis://127.0.0.1:{port}/1", "t:")
    try:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await store.get("a")
        [reader] = accepted
        async with asyncio.timeout(2):
            assert (await reader.read()).startswith(b"*2\r\n$6\r\nSELECT")  # then EOF
    finally:
        await store.close()
        server.close()


async def test_an_invalid_ttl_writes_nothing(store: Store) -> None:
    await store.put("kept", {"v": 1}, 60)
    for ttl in (0, -5):
        with pytest.raises(ValueError, match="ttl"):
            await store.write_many(puts=[("a", {"v": 1}, 60), ("b", {}, ttl)], deletes=["kept"])
        with pytest.raises(ValueError, match="ttl"):
            await store.add("c", {}, ttl)
        with pytest.raises(ValueError, match="ttl"):
            await store.add_and_take(("c", {}, ttl), "kept")
    assert await store.get_many(["a", "b", "c"]) == [None, None, None]
    assert await store.get("kept") == {"v": 1}


async def test_fractional_ttls_count_as_whole_seconds(store: Store) -> None:
    """A JWT ``exp`` may be fractional, and so a replay-cache TTL computed from it."""
    assert await store.add("jti", {}, 1.5)
    await store.put("one", {}, 0.5)
    await store.write_many(puts=[("two", {}, 1.5)])
    await store.write_many(puts=[("three", {}, 1.5), ("four", {}, 1.5)])
    assert await store.add_and_take(("jti2", {}, 1.5), "one") == (True, {})
    assert None not in await store.get_many(["jti", "two", "three", "four", "jti2"])
    if isinstance(store, RedisStore):
        ttls = [await store._call("TTL", store._prefix + key) for key in ("jti", "two", "four")]
        assert ttls == [2, 2, 2]
