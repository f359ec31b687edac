"""The portal session ends after 15 idle minutes and is renewed by every request."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from broker.assurance import Level
from broker.identifiers import PartyId
from portal.session import COOKIE, IDLE_TIMEOUT, PortalSessions


class ClockStore:
    """Just enough of ``broker.store.Store``, with a clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0
        self.data: dict[str, tuple[float, Any]] = {}

    async def put(self, key: str, value: Any, ttl: int) -> None:
        self.data[key] = (self.now + ttl, value)

    async def get(self, key: str) -> Any:
        item = self.data.get(key)
        return item[1] if item and item[0] > self.now else None

    async def delete(self, key: str) -> None:
        self.data.pop(key, None)


def _request(cookie: str) -> Request:
    headers = [(b"cookie", f"{COOKIE}={cookie}".encode())]
    return Request({"type": "http", "headers": headers, "method": "GET", "path": "/mijn/"})


async def test_idle_timeout_is_fifteen_minutes_and_renewed_by_use() -> None:
    assert IDLE_TIMEOUT == 15 * 60
    store = ClockStore()
    sessions = PortalSessions(store, secure=True)  # type: ignore[arg-type]
    response = Response()
    await sessions.start(response, PartyId("bsn", "999991012"), Level.SUBSTANTIAL)
    header = response.headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=lax" in header and "Secure" in header
    cookie = header.split(";")[0].split("=", 1)[1]

    store.now = IDLE_TIMEOUT - 1
    me = await sessions.load(_request(cookie))
    assert me is not None and me.person.value == "999991012" and me.level is Level.SUBSTANTIAL
    store.now += IDLE_TIMEOUT - 1  # active: renewed at the last request
    assert await sessions.load(_request(cookie)) is not None
    store.now += IDLE_TIMEOUT + 1  # idle for longer than 15 minutes
    assert await sessions.load(_request(cookie)) is None
    assert await sessions.load(_request("guessed")) is None
