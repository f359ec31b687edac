"""The portal's own session: an HttpOnly, SameSite=Lax cookie naming a store record that ends
after 15 idle minutes, with a per-session CSRF token for every POST form.

Every page tells the person when the session will end (``PortalSession.ends_at``), so the
warning needs no JavaScript; a cookie whose record is gone is an *expired* session, which the
portal answers with its own page rather than a silent return to the start.

The cookie holds a random id; the store key is its SHA-256 (a store dump hands out no live
cookies). The person and the level come only from the verified ID token, never from a form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import HTTPConnection
from starlette.responses import Response

from broker.assurance import Level
from broker.identifiers import PartyId
from broker.store import Store
from mandates.party_ids import is_organisation

COOKIE = "mijn_session"
LOGIN_COOKIE = "mijn_login"
IDLE_TIMEOUT = 15 * 60
COOKIE_PATH = "/mijn"


def _key(session_id: str) -> str:
    return "portal-session:" + hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class PortalSession:
    person: PartyId
    level: Level
    csrf: str
    name: str = ""  # an organisation's name as eHerkenning gave it (shown, never trusted)
    ends_at: dt.datetime | None = None  # when the session ends if the person does nothing
    id_token: str = ""  # the broker's ID token of this login (id_token_hint at logout)

    @property
    def organisation(self) -> bool:
        """Logged in with eHerkenning for an organisation, which ``person`` then is."""
        return is_organisation(self.person)

    def csrf_ok(self, token: object) -> bool:
        return isinstance(token, str) and hmac.compare_digest(token, self.csrf)


class PortalSessions:
    def __init__(
        self,
        store: Store,
        *,
        secure: bool,
        idle_timeout: int = IDLE_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.secure = secure
        self.idle_timeout = idle_timeout
        self.clock = clock

    async def load(self, conn: HTTPConnection) -> PortalSession | None:
        """The session of this browser, refreshed (idle timeout restarts), or None."""
        session_id = conn.cookies.get(COOKIE)
        if not session_id:
            return None
        data = await self.store.get(_key(session_id))
        if not isinstance(data, dict):
            return None
        await self.store.put(_key(session_id), data, self.idle_timeout)
        return PortalSession(
            PartyId(str(data["kind"]), str(data["value"])),
            Level(int(data["level"])),
            str(data["csrf"]),
            str(data.get("name", "")),
            dt.datetime.fromtimestamp(self.clock() + self.idle_timeout, dt.UTC),
            str(data.get("id_token", "")),
        )

    def expired(self, conn: HTTPConnection) -> bool:
        """Whether this browser had a session that ``load`` no longer finds (it idled out,
        or the cookie is not one of ours: either way, log in again)."""
        return bool(conn.cookies.get(COOKIE))

    async def start(
        self,
        response: Response,
        person: PartyId,
        level: Level,
        name: str = "",
        id_token: str = "",
        *,
        replacing: HTTPConnection | None = None,
    ) -> None:
        """A new session with a new id; the session ``replacing``'s browser had before this
        login ends, so its id (perhaps of another person) is of no use to anyone any more."""
        old = replacing.cookies.get(COOKIE) if replacing is not None else None
        if old:
            await self.store.delete(_key(old))
        session_id = secrets.token_urlsafe(32)
        await self.store.put(
            _key(session_id),
            {
                "kind": person.kind,
                "value": person.value,
                "level": int(level),
                "csrf": secrets.token_urlsafe(32),
                "name": name,
                "id_token": id_token,
            },
            self.idle_timeout,
        )
        # A browser-session cookie: the idle timeout is the store record's TTL, renewed on
        # every request, so an active person is not logged out mid-task.
        self.set_cookie(response, COOKIE, session_id, None)

    async def end(self, conn: HTTPConnection, response: Response) -> None:
        session_id = conn.cookies.get(COOKIE)
        if session_id:
            await self.store.delete(_key(session_id))
        self.delete_cookie(response, COOKIE)

    def delete_cookie(self, response: Response, name: str) -> None:
        response.delete_cookie(
            name, path=COOKIE_PATH, secure=self.secure, httponly=True, samesite="lax"
        )

    def set_cookie(self, response: Response, name: str, value: str, max_age: int | None) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=COOKIE_PATH,
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )
