"""The two small pages the HTTP-POST binding needs on the broker side, and their script.

SAML Bindings §3.5.4 sends a message as a form the browser posts. The broker's CSP forbids
inline script, so each page is a real form with a visible "Doorgaan / Continue" button; the
external ``autosubmit.js`` (``script-src 'self'``) presses it for the person when scripts run.
Each page sets its own Content-Security-Policy (the security middleware keeps a policy the app
set): ``form-action`` must name exactly the one origin the form posts to.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from broker.pages.i18n import locale_for, translator

TEMPLATES: Final = Path(__file__).parent / "templates"
SCRIPT: Final = (Path(__file__).parent / "static" / "autosubmit.js").read_bytes()

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def page_headers(form_target: str) -> dict[str, str]:
    """Headers for a page whose only job is to post one form to ``form_target``'s origin."""
    target = origin_of(form_target)
    return {
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"font-src 'self'; form-action 'self' {target}; frame-ancestors 'none'; "
            "base-uri 'none'"
        ),
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


def post_page(
    request: Request,
    *,
    action: str,
    fields: dict[str, str],
    script_url: str,
    heading_key: str,
    static_prefix: str = "/static",
) -> HTMLResponse:
    """A page with one form that posts ``fields`` to ``action`` (button + external script)."""
    lang = locale_for(request)
    html = _env.get_template("post.html").render(
        lang=lang,
        _=translator(lang),
        action=action,
        fields=fields,
        script_url=script_url,
        heading_key=heading_key,
        static=static_prefix.rstrip("/"),
    )
    return HTMLResponse(html, headers=page_headers(action))


async def autosubmit_script(request: Request) -> Response:
    """The external script that submits ``form[data-autosubmit]`` (cacheable, no inline JS)."""
    return Response(
        SCRIPT,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
