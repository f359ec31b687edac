"""The wallet page: invocation links, the QR code and the polling script.

Invocation (OpenID4VP 1.0 §5 / HAIP §"OpenID4VP via Redirects"): by reference only,
``client_id`` + ``request_uri`` (+ ``request_uri_method=post`` so a wallet may send a
``wallet_nonce``, §5.10), under ``openid4vp://``, HAIP's ``haip-vp://`` and an optional claimed
https link. The QR code (ui-nl-design-system.md §6.1) is rendered server-side with segno as
inline SVG, so the strict CSP needs neither ``img-src data:`` nor inline script; it carries the
cross-device request id, which differs from the same-device one, so the verifier knows which
binding rule applies (see ``means.py``).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Final
from urllib.parse import urlencode

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

TEMPLATES: Final = Path(__file__).parent / "templates"
SCRIPT: Final = (Path(__file__).parent / "static" / "poll.js").read_bytes()
CUSTOM_SCHEME: Final = "openid4vp://"
HAIP_SCHEME: Final = "haip-vp://"


def invocation_query(client_id: str, request_uri: str) -> str:
    return urlencode(
        {"client_id": client_id, "request_uri": request_uri, "request_uri_method": "post"}
    )


def invocation_url(base: str, client_id: str, request_uri: str) -> str:
    """``base`` is a scheme (``openid4vp://``) or an https link; the request goes in the query."""
    return f"{base}?{invocation_query(client_id, request_uri)}"


def qr_svg(data: str, label: str) -> Markup:
    """Inline SVG with role=img and an accessible name; 4-module quiet zone (ISO 18004)."""
    svg = segno.make_qr(data, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff")
    named = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(named)  # noqa: S704 - segno output plus an escaped attribute


async def poll_script(request: Request) -> Response:
    """The external polling script (CSP ``script-src 'self'``; no inline script)."""
    return Response(
        SCRIPT,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


__all__ = ["invocation_url", "poll_script", "qr_svg"]
