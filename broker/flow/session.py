"""The broker session: a browser cookie naming a record in the store that expires when idle.

The cookie holds only a random id; the store key is its SHA-256, so a leaked store dump does not
hand out live cookies. DigiD requires the session to end after at most 15 idle minutes: the
record's TTL is the idle timeout and is renewed on every use. A session that a representation by
mandate rests on also ends at ``rests_until`` (``broker.flow.mandate_uses``).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import Response

from broker.flow.model import Authentication
from broker.store import Put, Store


def binding_of(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def session_key(binding: str) -> str:
    return "session:" + binding


@dataclass
class BrokerSession:
    """What the broker remembers of a browser between logins (for SSO, prompt and logout)."""

    authentication: Authentication | None = None
    # client_id -> the `sid` value given to that client (OIDC back-channel logout)
    clients: dict[str, str] = field(default_factory=dict)
    last_seen: int = 0
    # When the record that lets a mandate's revocation find this session expires (0: none).
    rests_until: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "authentication": self.authentication.to_json() if self.authentication else None,
            "clients": self.clients,
            "last_seen": self.last_seen,
            "rests_until": self.rests_until,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BrokerSession:
        auth = data.get("authentication")
        return cls(
            authentication=Authentication.from_json(auth) if auth else None,
            clients=dict(data.get("clients") or {}),
            last_seen=int(data.get("last_seen") or 0),
            rests_until=int(data.get("rests_until") or 0),
        )


class SessionManager:
    def __init__(self, store: Store, cookie_name: str, idle_timeout: int, secure: bool) -> None:
        self.store = store
        self.cookie_name = cookie_name
        self.idle_timeout = idle_timeout
        self.secure = secure

    def session_id(self, conn: HTTPConnection) -> str | None:
        value = conn.cookies.get(self.cookie_name)
        if value and 20 <= len(value) <= 100:
            return value
        return None

    def ensure_id(self, conn: HTTPConnection) -> tuple[str, bool]:
        """The browser's session id, and whether it is new (then the cookie must be set)."""
        current = self.session_id(conn)
        if current:
            return current, False
        return secrets.token_urlsafe(32), True

    def set_cookie(self, response: Response, session_id: str) -> None:
        response.set_cookie(
            self.cookie_name,
            session_id,
            httponly=True,
            secure=self.secure,
            samesite="lax",
            path="/",
        )

    def clear_cookie(self, response: Response) -> None:
        response.delete_cookie(
            self.cookie_name, path="/", secure=self.secure, httponly=True, samesite="lax"
        )

    async def load(self, session_id: str | None) -> BrokerSession | None:
        if not session_id:
            return None
        data = await self.store.get(session_key(binding_of(session_id)))
        session = self.from_record(data)
        if data is not None and session is None:
            await self.end(session_id)  # idle too long: must not be found again
        return session

    def from_record(self, data: dict[str, Any] | None) -> BrokerSession | None:
        """The session in a stored record; None when there is none, it has been idle too long
        or outlived its mandate-use record (the caller then starts a new one, which replaces
        the record)."""
        if data is None:
            return None
        session = BrokerSession.from_json(data)
        now = int(time.time())
        if now - session.last_seen > self.idle_timeout:
            return None
        if session.rests_until and now >= session.rests_until:
            return None  # a revocation of its mandate could no longer find it
        return session

    async def save(self, session_id: str, session: BrokerSession) -> None:
        await self.store.put(*self.record(session_id, session))

    def record(self, session_id: str, session: BrokerSession) -> Put:
        """What ``save`` writes, for a caller that writes it together with other records
        (``Store.write_many``); marks the session as used now, as ``save`` does."""
        session.last_seen = int(time.time())
        return session_key(binding_of(session_id)), session.to_json(), self.idle_timeout

    async def end(self, session_id: str) -> BrokerSession | None:
        data = await self.store.take(session_key(binding_of(session_id)))
        return BrokerSession.from_json(data) if data else None
