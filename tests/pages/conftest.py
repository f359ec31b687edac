"""A tiny Starlette app that shows every page template, for the page and browser tests."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from broker.assurance import Level
from broker.errors import LoginCancelled
from broker.pages.i18n import locale_for, translate
from broker.pages.render import Renderer
from broker.pages.routes import page_routes, static_mount
from broker.pages.security import SecurityHeadersMiddleware

DESCRIPTIONS = {
    "nl": {
        "digid": "Voor inwoners van Nederland met een burgerservicenummer.",
        "eidas": "Voor inwoners van andere EU-landen, met het inlogmiddel van hun land.",
    },
    "en": {
        "digid": "For residents of the Netherlands with a citizen service number (BSN).",
        "eidas": "For citizens of other EU countries, with the login means of their country.",
    },
}


def make_app() -> Starlette:
    renderer = Renderer()

    async def choose(request: Request) -> Response:
        lang = locale_for(request)
        texts = DESCRIPTIONS[lang]
        return renderer.render(
            request,
            "choose_means.html",
            {
                "service_name": "Parkeervergunning <aanvragen>",
                "organisation_name": "Gemeente Voorbeeld",
                "required_level": Level.SUBSTANTIAL,
                "transaction": "tx-123",
                "csrf": "csrf-456",
                "means": [
                    {
                        "name": "digid",
                        "label": "DigiD",
                        "description": texts["digid"],
                        "action_url": "/means/digid/start",
                    },
                    {
                        "name": "eidas",
                        "label": "European login",
                        "button": "European login",
                        "lang": "en",
                        "description": texts["eidas"],
                        "action_url": "/means/eidas/start",
                    },
                ],
                "unavailable": [
                    {
                        "label": "eHerkenning",
                        "reason": translate(lang, "unavailable.not_offered"),
                    }
                ],
                "cancel_url": "/cancel",
            },
        )

    async def error(request: Request) -> Response:
        return renderer.render_error(
            request,
            LoginCancelled(),
            reference="ref-789",
            return_url="https://dienst.example.nl/terug",
            service_name="Parkeervergunning",
        )

    async def error_unsafe(request: Request) -> Response:
        return renderer.render_error(
            request,
            LoginCancelled(),
            return_url="javascript:alert(1)",
            service_name="Parkeervergunning",
        )

    async def own_csp(request: Request) -> Response:
        return HTMLResponse("<p>x</p>", headers={"content-security-policy": "default-src 'self'"})

    async def cached(request: Request) -> Response:
        return HTMLResponse("<p>x</p>", headers={"cache-control": "max-age=60"})

    async def data(request: Request) -> Response:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/choose", choose),
            Route("/error", error),
            Route("/error-unsafe", error_unsafe),
            Route("/own-csp", own_csp),
            Route("/cached", cached),
            Route("/data", data),
            *page_routes(renderer),
            static_mount(),
        ],
        middleware=[
            Middleware(SecurityHeadersMiddleware, form_action_extra=["https://digid.example.nl"])
        ],
    )


@pytest.fixture(scope="session")
def pages_app() -> Starlette:
    return make_app()
