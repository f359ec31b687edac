"""Short-lived state with TTLs: transactions, codes, artifacts, replay caches.

In-process for the single-process demo, Redis for everything else. One-time values are consumed
atomically (``take`` = Redis GETDEL), so two workers can never both redeem the same code.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import ssl
import time
from collections import deque
from collections.abc import Sequence
from typing import Any, Protocol, cast
from urllib.parse import unquote, urlsplit

import hiredis

Json = dict[str, Any]
Put = tuple[str, Json, float]  # key, value, ttl in seconds


class Store(Protocol):
    async def put(self, key: str, value: Json, ttl: float) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds, replacing any previous value.

        Every TTL counts in whole seconds, rounded up; one that is not positive raises
        ``ValueError`` before anything is written."""

    async def add(self, key: str, value: Json, ttl: float) -> bool:
        """Store only if ``key`` is absent; False when it exists (replay detection)."""

    async def get(self, key: str) -> Json | None: ...

    async def get_many(self, keys: Sequence[str]) -> list[Json | None]:
        """``get`` of every key, in one round trip."""

    async def take(self, key: str) -> Json | None:
        """Return and delete atomically: at most one caller ever gets the value."""

    async def add_and_take(self, add: Put, take: str) -> tuple[bool, Json | None]:
        """``add`` then, only if that stored, ``take``; atomic, one round trip. For a one-time
        credential (an assertion's jti) that must be fresh before a one-time grant is used up."""

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

    async def put(self, key: str, value: Json, ttl: float) -> None:
        seconds = _seconds(ttl)
        now = time.monotonic()
        self._sweep(now)
        self._data[key] = (now + seconds, json.dumps(value))

    async def add(self, key: str, value: Json, ttl: float) -> bool:
        seconds = _seconds(ttl)
        now = time.monotonic()
        if self._live(key, now) is not None:
            return False
        self._data[key] = (now + seconds, json.dumps(value))
        return True

    async def get(self, key: str) -> Json | None:
        raw = self._live(key, time.monotonic())
        return None if raw is None else json.loads(raw)

    async def get_many(self, keys: Sequence[str]) -> list[Json | None]:
        return [await self.get(key) for key in keys]

    async def take(self, key: str) -> Json | None:
        raw = self._live(key, time.monotonic())
        if raw is None:
            return None
        del self._data[key]
        return json.loads(raw)  # type: ignore[no-any-return]

    async def add_and_take(self, add: Put, take: str) -> tuple[bool, Json | None]:
        if not await self.add(*add):
            return False, None
        return True, await self.take(take)

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def write_many(self, puts: Sequence[Put] = (), deletes: Sequence[str] = ()) -> None:
        timed = [(key, value, _seconds(ttl)) for key, value, ttl in puts]
        now = time.monotonic()
        self._sweep(now)
        for key, value, seconds in timed:
            self._data[key] = (now + seconds, json.dumps(value))
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
# KEYS: the key to add, the key to take; ARGV: value and ttl of the add. SET NX, and GETDEL only
# when the SET stored; {stored, taken value or false}.
_ADD_AND_TAKE = """
if not redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2], 'NX') then
  return {0, false}
end
return {1, redis.call('GETDEL', KEYS[2])}
"""
CONNECT_TIMEOUT = 5.0
COMMAND_TIMEOUT = 5.0


class StoreUnavailable(ConnectionError):
    """Redis could not be reached or answered with an error."""


class _Connection(asyncio.Protocol):
    """One Redis connection shared by every request of a worker, pipelined.

    Redis answers in the order it receives commands, so each command only appends a future to
    a queue and writes its bytes; replies resolve the futures in order. That costs a fraction
    of a pooled client's per-command bookkeeping (about 30 µs per round trip instead of 170 µs
    with redis-py here), and concurrent requests share the socket instead of queueing for it.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._parser = hiredis.Reader()
        self._waiting: deque[asyncio.Future[Any]] = deque()
        self._transport: asyncio.Transport | None = None
        self.lost: Exception | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self._parser.feed(data)
        try:
            while (reply := self._parser.gets()) is not False:
                waiter = self._waiting.popleft()
                if waiter.done():  # its caller was cancelled; the reply is still consumed
                    continue
                if isinstance(reply, hiredis.ReplyError):
                    waiter.set_exception(StoreUnavailable(f"Redis: {reply}"))
                else:
                    waiter.set_result(reply)
        except (hiredis.ProtocolError, IndexError) as exc:
            self.close(StoreUnavailable(f"Redis protocol error: {exc!r}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(StoreUnavailable(f"Redis connection lost: {exc or 'closed'}"))

    def _fail(self, error: Exception) -> None:
        self.lost = self.lost or error
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_exception(self.lost)

    def send(self, packed: bytes) -> asyncio.Future[Any]:
        if self.lost is not None or self._transport is None:
            raise self.lost or StoreUnavailable("Redis connection not open")
        try:
            self._transport.write(packed)
        except Exception as exc:
            # Queued without its command, a waiter would take the next caller's reply; and how
            # much of the command went out is unknown, so the connection cannot be trusted.
            error = StoreUnavailable(f"Redis write failed: {exc!r}")
            self.close(error)
            raise error from exc
        # Replies arrive through the event loop, never during write: queueing after it is safe.
        waiter = self.loop.create_future()
        self._waiting.append(waiter)
        return waiter

    def close(self, error: Exception | None = None) -> None:
        self._fail(error or StoreUnavailable("Redis connection closed"))
        if self._transport is not None:
            self._transport.close()


class RedisStore:
    """Redis with a key prefix; GETDEL and SET NX give the one-time semantics across workers.

    ``url``: ``redis://[[user]:password@]host[:port][/db]``, or ``rediss://`` for TLS.
    """

    def __init__(
        self, url: str, prefix: str = "toegang:", timeout: float = COMMAND_TIMEOUT
    ) -> None:
        parts = urlsplit(url)
        self._timeout = timeout
        if parts.scheme not in ("redis", "rediss") or not parts.hostname:
            raise ValueError(f"not a redis:// or rediss:// URL: {url!r}")
        self._host = parts.hostname
        self._port = parts.port or 6379
        self._tls = parts.scheme == "rediss"
        self._setup: list[bytes] = []
        if parts.password is not None:
            user = [unquote(parts.username)] if parts.username else []
            self._setup.append(_pack("AUTH", *user, unquote(parts.password)))
        db = parts.path.strip("/")
        if db and db != "0":
            self._setup.append(_pack("SELECT", int(db)))
        self._prefix = prefix
        self._connection: _Connection | None = None
        # Guards opening the connection; per event loop, as the connection itself is.
        self._connecting: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        self._shas = {
            script: hashlib.sha1(script.encode()).hexdigest()  # noqa: S324 - Redis' script id
            for script in (_WRITE_MANY, _ADD_AND_TAKE)
        }

    async def _open(self) -> _Connection:
        connection = self._connection
        loop = asyncio.get_running_loop()
        if connection is not None and connection.lost is None and connection.loop is loop:
            return connection
        if self._connecting is None or self._connecting[0] is not loop:
            self._connecting = (loop, asyncio.Lock())
        async with self._connecting[1]:
            connection = self._connection
            if connection is not None and connection.lost is None and connection.loop is loop:
                return connection
            if connection is not None and connection.loop is loop:
                connection.close()
            fresh = _Connection(loop)
            try:
                async with asyncio.timeout(CONNECT_TIMEOUT):  # AUTH and SELECT included
                    await loop.create_connection(
                        lambda: fresh,
                        self._host,
                        self._port,
                        ssl=ssl.create_default_context() if self._tls else None,
                    )
                    for command in self._setup:
                        await fresh.send(command)
            except (TimeoutError, OSError) as exc:  # StoreUnavailable too: AUTH refused, say
                fresh.close()
                raise StoreUnavailable(f"Redis at {self._host}:{self._port}: {exc!r}") from exc
            except BaseException:  # the caller was cancelled: no half-set-up connection left open
                fresh.close()
                raise
            self._connection = fresh
            return fresh

    async def _call(self, *args: str | int | bytes) -> Any:
        connection = await self._open()
        waiter = connection.send(_pack(*args))
        try:
            async with asyncio.timeout(self._timeout):
                return await waiter
        except TimeoutError:
            # A Redis that stops answering counts as gone: every waiting call fails now and the
            # next one reconnects, instead of requests piling up behind a silent socket.
            error = StoreUnavailable(
                f"Redis at {self._host}:{self._port} did not answer within {self._timeout:g} s"
            )
            connection.close(error)
            raise error from None

    async def put(self, key: str, value: Json, ttl: float) -> None:
        await self._call("SET", self._prefix + key, _dumps(value), "EX", _seconds(ttl))

    async def add(self, key: str, value: Json, ttl: float) -> bool:
        reply = await self._call(
            "SET", self._prefix + key, _dumps(value), "EX", _seconds(ttl), "NX"
        )
        return reply is not None

    async def get(self, key: str) -> Json | None:
        raw = await self._call("GET", self._prefix + key)
        return None if raw is None else json.loads(raw)

    async def get_many(self, keys: Sequence[str]) -> list[Json | None]:
        if not keys:
            return []
        raws = await self._call("MGET", *(self._prefix + key for key in keys))
        return [None if raw is None else json.loads(raw) for raw in raws]

    async def take(self, key: str) -> Json | None:
        raw = await self._call("GETDEL", self._prefix + key)
        return None if raw is None else json.loads(raw)

    async def add_and_take(self, add: Put, take: str) -> tuple[bool, Json | None]:
        key, value, ttl = add
        keys = [self._prefix + key, self._prefix + take]
        stored, raw = await self._script(_ADD_AND_TAKE, keys, [_dumps(value), _seconds(ttl)])
        return bool(stored), None if raw is None else json.loads(raw)

    async def delete(self, key: str) -> None:
        await self._call("DEL", self._prefix + key)

    async def write_many(self, puts: Sequence[Put] = (), deletes: Sequence[str] = ()) -> None:
        if len(puts) + len(deletes) == 1:  # a script costs Redis more than a single command
            if puts:
                await self.put(*puts[0])
            else:
                await self.delete(deletes[0])
            return
        if not puts and not deletes:
            return
        # One script call: atomic (MULTI/EXEC would be three commands on a shared connection).
        keys = [self._prefix + key for key, _, _ in puts] + [self._prefix + k for k in deletes]
        args: list[str | int] = [len(puts)]
        for _, value, ttl in puts:
            args += [_dumps(value), _seconds(ttl)]
        await self._script(_WRITE_MANY, keys, args)

    async def _script(self, script: str, keys: list[str], args: list[str | int]) -> Any:
        """EVALSHA, and EVAL once when Redis does not know the script (restart, flush)."""
        try:
            return await self._call("EVALSHA", self._shas[script], len(keys), *keys, *args)
        except StoreUnavailable as exc:
            if "NOSCRIPT" not in str(exc):
                raise
            return await self._call("EVAL", script, len(keys), *keys, *args)

    async def ping(self) -> bool:
        try:
            return bool(await self._call("PING") == b"PONG")
        except StoreUnavailable:
            return False

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and connection.loop is asyncio.get_running_loop():
            connection.close()


def _pack(*args: str | int | bytes) -> bytes:
    packed: bytes = hiredis.pack_command(args)  # type: ignore[arg-type]  # stub: 1-tuple
    return packed


def _seconds(ttl: float) -> int:
    """A TTL as Redis takes it, the same in both stores. Fractional ones occur (a JWT ``exp``
    may be); one below a second is checked here because Redis would refuse it inside the
    ``write_many`` script, after the writes before it were applied."""
    seconds = math.ceil(ttl)
    if seconds < 1:
        raise ValueError(f"ttl must be positive, not {ttl!r}")
    return seconds


def _dumps(value: Json) -> str:
    return json.dumps(value, separators=(",", ":"))


def create_store(backend: str, redis_url: str, prefix: str) -> Store:
    if backend == "redis":
        return RedisStore(redis_url, prefix)
    return MemoryStore()
