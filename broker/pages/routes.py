"""Routes for the static pages (privacy, accessibility statement) and the static files."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from broker.pages.render import Renderer

STATIC_DIR: Final = Path(__file__).parent / "static"


def page_routes(renderer: Renderer) -> list[Route]:
    """``/toegankelijkheid`` (the legally required accessibility statement) and ``/privacy``."""

    async def accessibility(request: Request) -> Response:
        return renderer.render(request, "accessibility.html")

    async def privacy(request: Request) -> Response:
        return renderer.render(request, "privacy.html")

    return [
        Route("/toegankelijkheid", accessibility, methods=["GET"], name="accessibility"),
        Route("/privacy", privacy, methods=["GET"], name="privacy"),
    ]


def static_mount() -> Mount:
    """The vendored NL Design System CSS, fonts and our own CSS, served from ``/static``."""
    return Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static")
