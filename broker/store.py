"""Short-lived state with TTLs: transactions, codes, artifacts, replay caches.

In-process for the single-process demo, Redis for everything else. One-time values are consumed
atomically (``take`` = Redis GETDEL), so two workers can never both redeem the same code.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any, Protocol

import redis.asyncio as aioredis

Json = dict[str, Any]
Put = tuple[str, Json, int]  # key, value, ttl in seconds


class Store(Protocol):
    async def put(self, key: str, value: Json, ttl: int) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds, replacing any previous value."""

    async def add(self, key: str, value: Json, ttl: int) -> bool:
        """Store only if ``key`` is absent; False when it exists (replay detection)."""

    async def get(self, key: str) -> Json | None: ...

    async def take(self, key: str) -> Json | None:
        """Return and delete atomically: at most one caller ever gets the value."""

    async def delete(self, key: str) -> None: ...

    async def write_many(self, puts: Sequence[Put] = (), deletes: Sequence[str] = ()) -> None:
        """``put`` every (key, value, ttl) in ``puts``, then ``delete`` every key in ``deletes``,
        all at once: one round trip, applied together (Redis MULTI/EXEC). For the ends of a flow
        that write several records; one-time reads and writes stay ``take`` and ``add``."""

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...


class MemoryStore:
    """A dict with expiry times; correct only within one process (the demo)."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[float, str]] = {}
        self._lock = asyncio.Lock()

    def _live(self, key: str, now: float) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[0] <= now:
            del self._data[key]
            return None
        return item[1]

    def _sweep(self, now: float) -> None:
        if len(self._data) > 10_000:
            for key in [k for k, (exp, _) in self._data.items() if exp <= now]:
                del self._data[key]

    async def put(self, key: str, value: Json, ttl: int) -> None:
        now = time.monotonic()
        self._sweep(now)
        self._data[key] = (now + ttl, json.dumps(value))

    async def add(self, key: str, value: Json, ttl: int) -> bool:
        now = time.monotonic()
        if self._live(key, now) is not None:
            return False
        self._data[key] = (now + ttl, json.dumps(value))
        return True

    async def get(self, key: str) -> Json | None:
        raw = self._live(key, time.monotonic())
        return None if raw is None else json.loads(raw)

    async def take(self, key: str) -> Json | None:
        raw = self._live(key, time.monotonic())
        if raw is None:
            return None
        del self._data[key]
        return json.loads(raw)  # type: ignore[no-any-return]

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def write_many(self, puts: Sequence[Put] = (), deletes: Sequence[str] = ()) -> None:
        now = time.monotonic()
        self._sweep(now)
        for key, value, ttl in puts:
            self._data[key] = (now + ttl, json.dumps(value))
        for key in deletes:
            self._data.pop(key, None)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._data.clear()


# KEYS: the keys to put, then the keys to delete; ARGV: the number of puts, then value and ttl
# of each put. SET ... EX and DEL exactly as ``put`` and ``delete`` do, in one atomic script.
_WRITE_MANY = """
local puts = tonumber(ARGV[1])
for i = 1, puts do
  redis.call('SET', KEYS[i], ARGV[2 * i], 'EX', ARGV[2 * i + 1])
end
for i = puts + 1, #KEYS do
  redis.call('DEL', KEYS[i])
end
return puts
"""


class RedisStore:
    """Redis with a key prefix; GETDEL and SET NX give the one-time semantics across workers."""

    def __init__(self, url: str, prefix: str = "toegang:") -> None:
        self._redis = aioredis.from_url(url, decode_responses=True)
        self._prefix = prefix
        self._write_many = self._redis.register_script(_WRITE_MANY)

    async def put(self, key: str, value: Json, ttl: int) -> None:
        await self._redis.set(self._prefix + key, json.dumps(value), ex=ttl)

    async def add(self, key: str, value: Json, ttl: int) -> bool:
        return bool(await self._redis.set(self._prefix + key, json.dumps(value), ex=ttl, nx=True))

    async def get(self, key: str) -> Json | None:
        raw = await self._redis.get(self._prefix + key)
        return None if raw is None else json.loads(raw)

    async def take(self, key: str) -> Json | None:
        raw = await self._redis.getdel(self._prefix + key)
        return None if raw is None else json.loads(raw)

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def write_many(self, puts: Sequence[Put] = (), deletes: Sequence[str] = ()) -> None:
        if len(puts) + len(deletes) == 1:  # a pipeline costs more than a single command
            if puts:
                await self.put(*puts[0])
            else:
                await self.delete(deletes[0])
            return
        if not puts and not deletes:
            return
        # One script call: atomic, and cheaper for the client than MULTI/commands/EXEC.
        keys = [self._prefix + key for key, _, _ in puts] + [self._prefix + k for k in deletes]
        args: list[str | int] = [len(puts)]
        for _, value, ttl in puts:
            args += [json.dumps(value), int(ttl)]
        await self._write_many(keys=keys, args=args)

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except (aioredis.RedisError, OSError):
            return False

    async def close(self) -> None:
        await self._redis.aclose()


def create_store(backend: str, redis_url: str, prefix: str) -> Store:
    if backend == "redis":
        return RedisStore(redis_url, prefix)
    return MemoryStore()
