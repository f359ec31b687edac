"""Security headers on every HTTP response, as a pure ASGI middleware.

Pure ASGI (not ``BaseHTTPMiddleware``) so streaming responses and background tasks are not
buffered or cut off, and headers are added at ``http.response.start`` for every route,
including static files and error responses.

Nothing the application set itself is overwritten: a page that needs a different policy (for
example an auto-submitting SAML form with its own ``Content-Security-Policy``) keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PERMISSIONS_POLICY: Final = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "browsing-topics=(), display-capture=()"
)
HSTS: Final = "max-age=31536000; includeSubDomains"

# An origin ("https://idp.example.nl", "https://*.example.nl:8443") or a bare scheme ("https:").
_SOURCE = re.compile(r"^(?:https?://(?:\*\.)?[A-Za-z0-9.-]+(?::\d{1,5})?|https?:)$")


def content_security_policy(form_action_extra: Sequence[str] = ()) -> str:
    """The page CSP: only our own scripts, styles, fonts and images; never framed.

    ``form-action`` lists extra origins because Chromium also applies it to the redirect
    target of a form POST: a "Inloggen met DigiD" POST that redirects to an upstream login
    means is blocked unless that origin is listed here.
    """
    for source in form_action_extra:
        if not _SOURCE.match(source):
            raise ValueError(f"not a CSP origin for form-action: {source!r}")
    form_action = " ".join(["'self'", *form_action_extra])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"font-src 'self'; connect-src 'self'; form-action {form_action}; frame-ancestors 'none'; "
        "base-uri 'none'"
    )


class SecurityHeadersMiddleware:
    """Adds CSP, anti-framing, no-sniff, referrer and cache headers to HTTP responses.

    HTML responses also get ``Cache-Control: no-store`` (unless the app chose a cache policy)
    because login pages carry transaction ids and CSRF tokens and must not be stored in a
    shared or back-button cache. HSTS is sent over https, and on every response when the
    public issuer is https (``hsts=True``): behind a TLS-terminating proxy the request reaches
    the broker as plain http, while the browser saw https.
    """

    def __init__(
        self, app: ASGIApp, form_action_extra: Sequence[str] = (), *, hsts: bool = False
    ) -> None:
        self.app = app
        self.hsts = hsts
        self.csp = content_security_policy(form_action_extra)
        # Built once: raw (name, value) pairs added to every response that lacks them.
        self._headers: tuple[tuple[bytes, bytes], ...] = (
            (b"content-security-policy", self.csp.encode("latin-1")),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", PERMISSIONS_POLICY.encode("latin-1")),
        )
        self._https_headers = (*self._headers, (b"strict-transport-security", HSTS.encode()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = self.hsts or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._add_headers(message, https=https)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _add_headers(self, message: Message, *, https: bool) -> None:
        raw: list[tuple[bytes, bytes]] = list(message.get("headers", []))
        present = {name.lower() for name, _ in raw}
        for name, value in self._https_headers if https else self._headers:
            if name not in present:  # what the application set itself is kept
                raw.append((name, value))
        if b"cache-control" not in present:
            content_type = next((v for n, v in raw if n.lower() == b"content-type"), b"")
            if content_type.lower().startswith(b"text/html"):
                raw = [(n, v) for n, v in raw if n.lower() != b"pragma"]
                raw.append((b"cache-control", b"no-store"))
                raw.append((b"pragma", b"no-cache"))
        message["headers"] = raw
