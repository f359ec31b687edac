"""Read-through cache of the register for the request hot path.

Every authorization and token request needs its client; a SQL round trip each time would make
the database the bottleneck. Positive hits are kept for ``ttl`` seconds, misses are not kept:
a client just added with the CLI works at once, a removed one stops working within ``ttl``,
and unknown client ids sent by strangers cannot fill the cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import anyio.to_thread
from sqlalchemy import Engine

from broker.register.clients import get_client, list_services
from broker.register.snapshots import ClientInfo, ServiceInfo

__all__ = ["ClientCache", "ClientInfo", "ServiceInfo"]


class ClientCache:
    """``await cache.client(id)`` / ``await cache.services(id)``; queries run in a thread."""

    def __init__(
        self, engine: Engine, ttl: float = 2.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._engine = engine
        self._ttl = ttl
        self._clock = clock
        self._clients: dict[str, tuple[float, ClientInfo]] = {}
        self._services: dict[str, tuple[float, tuple[ServiceInfo, ...]]] = {}

    def _load_client(self, client_id: str) -> ClientInfo | None:
        row = get_client(self._engine, client_id)
        return ClientInfo.from_row(row) if row is not None else None

    def _load_services(self, client_id: str) -> tuple[ServiceInfo, ...]:
        return tuple(ServiceInfo.from_row(s) for s in list_services(self._engine, client_id))

    async def client(self, client_id: str) -> ClientInfo | None:
        now = self._clock()
        hit = self._clients.get(client_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        info = await anyio.to_thread.run_sync(self._load_client, client_id)
        if info is None:
            self._clients.pop(client_id, None)
        else:
            self._clients[client_id] = (now + self._ttl, info)
        return info

    async def services(self, client_id: str) -> tuple[ServiceInfo, ...]:
        """The client's catalogue (empty for an unknown client or one without services)."""
        now = self._clock()
        hit = self._services.get(client_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        services = await anyio.to_thread.run_sync(self._load_services, client_id)
        if services:
            self._services[client_id] = (now + self._ttl, services)
        else:
            self._services.pop(client_id, None)
        return services

    async def service(self, client_id: str, service_id: str) -> ServiceInfo | None:
        """One service of the client's catalogue; None when the client does not offer it."""
        return next((s for s in await self.services(client_id) if s.service_id == service_id), None)

    def invalidate(self, client_id: str | None = None) -> None:
        """Forget one client (or everything), e.g. after a change made in this process."""
        if client_id is None:
            self._clients.clear()
            self._services.clear()
        else:
            self._clients.pop(client_id, None)
            self._services.pop(client_id, None)
