"""``Store.write_many``: several puts and deletes in one call, same results as one by one."""

from __future__ import annotations

import secrets

import pytest

from broker.store import MemoryStore, RedisStore, Store


async def _stores() -> list[Store]:
    stores: list[Store] = [MemoryStore()]
    redis = RedisStore("redis://127.0.0.1:6379/0", f"perf-guard-{secrets.token_hex(4)}:")
    if await redis.ping():
        stores.append(redis)
    else:
        await redis.close()
    return stores


@pytest.mark.parametrize("count", [0, 1, 3])
async def test_write_many_puts_then_deletes(count: int) -> None:
    for store in await _stores():
        try:
            await store.put("gone", {"v": 0}, 60)
            await store.put("stays", {"v": 1}, 60)
            puts = [(f"k{i}", {"v": i}, 60) for i in range(count)]
            await store.write_many(puts=puts, deletes=["gone"])
            for key, value, _ in puts:
                assert await store.get(key) == value
            assert await store.get("gone") is None
            assert await store.get("stays") == {"v": 1}
            await store.write_many(deletes=[key for key, _, _ in puts] + ["stays"])
            assert await store.get("stays") is None
        finally:
            await store.close()


async def test_write_many_overwrites_and_one_time_semantics_remain() -> None:
    for store in await _stores():
        try:
            await store.write_many(puts=[("code", {"n": 1}, 60), ("session", {"n": 2}, 60)])
            await store.write_many(puts=[("session", {"n": 3}, 60)])
            assert await store.get("session") == {"n": 3}
            assert await store.take("code") == {"n": 1}
            assert await store.take("code") is None
            assert await store.add("code", {"n": 4}, 60)
            assert not await store.add("code", {"n": 5}, 60)
        finally:
            await store.close()
