"""The demo relying party: start page, callback, claims page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from broker.assurance import Level
from broker.pages.render import Renderer
from broker.relying_party import BrokerClient
from broker.store import Store

TEMPLATES = Path(__file__).parent / "templates"
LEVELS = ("basic", "low", "substantial", "high")


class DemoServiceProvider:
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
        self.renderer = Renderer([TEMPLATES])
        self.app = Starlette(
            routes=[
                Route("/", self.home, methods=["GET"]),
                Route("/login", self.login, methods=["POST"]),
                Route("/callback", self.callback, methods=["GET"]),
            ]
        )

    async def home(self, request: Request) -> Response:
        return self.renderer.render(
            request, "demo_home.html", {"levels": LEVELS, "logout_url": None}
        )

    async def login(self, request: Request) -> Response:
        form = await request.form()
        level = form.get("level", "substantial")
        if level not in LEVELS:
            level = "substantial"
        extra = {"login_means": "digid"} if form.get("login_means") == "digid" else {}
        url, pending = self.broker.authorize(
            scope="openid", acr_values=Level.from_name(str(level)).acr, **extra
        )
        await self.store.put("demo-sp:" + pending["state"], {**pending, "level": level}, 900)
        return RedirectResponse(url, status_code=303)

    def _page(self, request: Request, **context: Any) -> Response:
        base = {
            "claims": None,
            "error": None,
            "error_description": None,
            "levels": LEVELS,
            "logout_url": None,
        }
        return self.renderer.render(request, "demo_result.html", {**base, **context})

    async def callback(self, request: Request) -> Response:
        q = request.query_params
        pending = await self.store.take("demo-sp:" + q.get("state", "")) if q.get("state") else None
        if pending is None:
            return self._page(
                request, error="invalid_state", error_description="unknown or reused state"
            )
        if q.get("iss") != self.issuer:  # RFC 9207 §2.4: mix-up defence
            return self._page(request, error="invalid_issuer", error_description="wrong iss")
        if "error" in q:
            return self._page(
                request, error=q["error"], error_description=q.get("error_description", "")
            )
        try:
            claims = await self._redeem(q.get("code", ""), pending)
        except (httpx.HTTPError, jwt.InvalidTokenError, ValueError) as exc:
            return self._page(request, error="token_error", error_description=str(exc))
        return self._page(request, claims=sorted(claims.items()), raw=claims)

    async def _redeem(self, code: str, pending: dict[str, Any]) -> dict[str, Any]:
        claims = await self.broker.redeem(code, pending)
        if Level.from_acr(claims["acr"]) < Level.from_name(pending["level"]):
            raise ValueError("acr below the requested level")
        return claims
