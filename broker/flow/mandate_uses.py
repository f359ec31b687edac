"""Which logins rest on which mandate, so a revocation can reach them (domain.md "Resolution":
revocation takes effect immediately for new logins, and the broker signals it to clients).

When the broker answers a client with a representation resting on voluntary mandates, it
remembers per mandate id: the client, the ``sid`` it gave that client and the broker session.
On revoke the broker ends those sessions and sends OIDC Back-Channel Logout 1.0 to the clients
(attack-catalogue §6 "Revoked": tokens already issued are short-lived; this bounds the rest).

The record lives ``RETENTION`` after the last login resting on the mandate, not just as long as a
session may idle: a broker session is renewed by every use (a login for oneself at another
client included), and a client's own session may outlive the broker's. A broker session that
rests on a mandate ends when its newest record would expire (``BrokerSession.rests_until``), so a
revocation always finds every live session that rests on the mandate.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from broker.assurance import Level
from broker.flow.model import Authentication
from broker.flow.session import BrokerSession
from broker.store import Store

log = logging.getLogger("toegang.mandates")
MAX_USES = 50  # per mandate; older entries drop off (their sessions have long idled out)
RETENTION = 12 * 3600  # seconds: a working day; at most this long a session rests on a mandate

Logout = Callable[[BrokerSession], Awaitable[None]]


class MandateUses:
    def __init__(self, store: Store, ttl: int = RETENTION) -> None:
        self.store = store
        self.ttl = ttl
        self.logout: Logout | None = None  # set by the OIDC front (back-channel logout)

    async def record(
        self,
        mandate_ids: Iterable[str],
        *,
        client_id: str,
        sid: str,
        session_binding: str,
        session: BrokerSession,
    ) -> None:
        """Remember one answer to ``client_id`` resting on every mandate in ``mandate_ids``,
        and bound ``session`` (saved by the caller) to the life of that record."""
        actor = session.authentication
        if actor is None:
            raise ValueError("a login resting on a mandate has an authenticated actor")
        session.rests_until = int(time.time()) + self.ttl
        entry = {
            "client_id": client_id,
            "sid": sid,
            "session": session_binding,
            "actor": {"kind": actor.subject_kind, "value": actor.subject},
        }
        for mandate_id in mandate_ids:
            key = "mandate-use:" + mandate_id
            current = await self.store.get(key) or {"uses": []}
            uses = [u for u in current["uses"] if u != entry][-(MAX_USES - 1) :]
            await self.store.put(key, {"uses": [*uses, entry]}, self.ttl)

    async def revoked(self, mandate_id: str) -> int:
        """End every broker session resting on ``mandate_id`` and log its clients out;
        returns how many clients were told."""
        record = await self.store.take("mandate-use:" + mandate_id)
        if not record:
            return 0
        by_session: dict[str, list[dict[str, Any]]] = {}
        for use in record["uses"]:
            by_session.setdefault(use["session"], []).append(use)
        told = 0
        for binding, uses in by_session.items():
            ended = await self.store.take("session:" + binding)
            session = BrokerSession.from_json(ended) if ended else BrokerSession()
            actor = uses[0]["actor"]
            if session.authentication is None:
                # The session idled out already: only the subject is needed for the token.
                session.authentication = Authentication(
                    means="",
                    subject_kind=actor["kind"],
                    subject=actor["value"],
                    level=Level.BASIC,
                    auth_time=0,
                )
            for use in uses:
                session.clients.setdefault(use["client_id"], use["sid"])
            told += len(session.clients)
            if self.logout is not None:
                try:
                    await self.logout(session)
                except Exception:  # a client that cannot be told must not stop the others
                    log.exception("back-channel logout after revocation failed")
        return told
