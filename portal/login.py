"""Logging in to the portal through the broker itself, exactly as a relying party does:
authorization code flow with PKCE, ``state`` bound to the browser, ``nonce``,
``private_key_jwt`` at the token endpoint and a verified ID token (``conformance/demo_sp``).
"""

from __future__ import annotations

import dataclasses
import hmac
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from broker.assurance import Level
from broker.flow.representation import REPRESENT_NONE
from broker.fronts.oidc.represents import ORGANISATION_ID_TYPES
from broker.identifiers import SUB_ID_TYPE_BSN, InvalidIdentifier, PartyId
from broker.relying_party import BrokerClient
from broker.store import Store
from mandates.party_ids import checked

LOGIN_TTL = 900
#: Managing mandates asks for substantial (the level a grant is recorded at).
PORTAL_LEVEL = Level.SUBSTANTIAL
#: The login means a person may ask for on the portal's start page (else the broker's chooser).
MEANS = ("digid", "eherkenning")
_ORGANISATION_KINDS = {id_type: kind for kind, id_type in ORGANISATION_ID_TYPES.items()}


class LoginFailed(Exception):
    """The broker's answer could not be accepted (shown as a plain refusal)."""


@dataclass(frozen=True, slots=True)
class LoggedIn:
    person: PartyId
    level: Level
    name: str = ""
    id_token: str = ""  # sent back as id_token_hint when the person logs out


class PortalLogin:
    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        private_jwk: dict[str, Any],
        redirect_uri: str,
        store: Store,
        http: httpx.AsyncClient,
    ) -> None:
        self.issuer = issuer
        self.store = store
        self.broker = BrokerClient(
            issuer=issuer,
            client_id=client_id,
            private_jwk=private_jwk,
            redirect_uri=redirect_uri,
            http=http,
        )

    async def start(self, means: str | None = None) -> tuple[str, str]:
        """The authorize URL and the ``state`` (to bind to the browser in a cookie);
        ``means`` (one of ``MEANS``) skips the broker's chooser."""
        extra = {"login_means": str(means)} if means in MEANS else {}
        url, pending = self.broker.authorize(
            scope=f"openid {REPRESENT_NONE}", acr_values=PORTAL_LEVEL.acr, **extra
        )
        await self.store.put("portal-login:" + pending["state"], pending, LOGIN_TTL)
        return url, pending["state"]

    async def finish(self, query: dict[str, str], bound_state: str | None) -> LoggedIn:
        state = query.get("state", "")
        if not state or not bound_state or not hmac.compare_digest(state, bound_state):
            raise LoginFailed("state not bound to this browser")
        pending = await self.store.take("portal-login:" + state)
        if not isinstance(pending, dict):
            raise LoginFailed("unknown or reused state")
        if query.get("iss") != self.issuer:  # RFC 9207: mix-up defence
            raise LoginFailed("wrong iss")
        if "error" in query:
            raise LoginFailed(query["error"])
        try:
            claims, id_token = await self.broker.redeem_id_token(query.get("code", ""), pending)
        except (httpx.HTTPError, jwt.InvalidTokenError, ValueError, KeyError) as exc:
            raise LoginFailed(str(exc)) from exc
        level = Level.from_acr(str(claims["acr"]))
        if level < PORTAL_LEVEL:
            raise LoginFailed("acr below the requested level")
        return dataclasses.replace(_who(claims, level), id_token=id_token)


def _who(claims: dict[str, Any], level: Level) -> LoggedIn:
    """A citizen with their own BSN, or the organisation an eHerkenning login represents
    directly. Anyone acting for someone else by a mandate or a chain (nested ``represents``)
    manages nothing here: only the party itself, or its authorised representative, may."""
    represents = claims.get("represents")
    if claims.get("sub_id_type") == SUB_ID_TYPE_BSN:
        if represents is None:
            return LoggedIn(PartyId("bsn", str(claims["sub"])), level)
    elif isinstance(represents, dict) and "represents" not in represents:
        kind = _ORGANISATION_KINDS.get(str(represents.get("sub_id_type")))
        if kind is not None:
            try:
                party = checked(PartyId(kind, str(represents.get("sub"))))
            except InvalidIdentifier as exc:
                raise LoginFailed("malformed organisation identifier") from exc
            return LoggedIn(party, level, str(represents.get("name") or ""))
    raise LoginFailed("the portal is for citizens and for representatives of an organisation")
