"""Rendering pages: one Jinja2 environment, the shared page context, and the language cookie.

Every page gets ``lang``, ``_``, ``lang_switch`` and ``static`` injected here, so templates
never compute them and a handler cannot forget the language cookie or the ``<html lang>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from broker.errors import BrokerError
from broker.pages.i18n import (
    LANG_COOKIE,
    LANG_PARAM,
    LANGUAGE_NAMES,
    LANGUAGES,
    locale_for,
    requested_language,
    translator,
)

__all__ = ["LanguageLink", "Renderer", "is_safe_url", "locale_for"]

TEMPLATE_DIR: Final = Path(__file__).parent / "templates"
LANG_COOKIE_MAX_AGE: Final = 365 * 24 * 3600


@dataclass(frozen=True)
class LanguageLink:
    """One entry of the language switch; ``current`` marks the page's own language."""

    lang: str
    label: str
    url: str
    current: bool


def is_safe_url(value: object) -> bool:
    """True for ``http(s)`` URLs and same-site paths; false for ``javascript:``, ``//host`` etc.

    Autoescaping stops markup injection but not a ``javascript:`` URL in an ``href``, so every
    URL a template puts in ``href``/``action`` is checked with this.
    """
    if not isinstance(value, str) or not value or value != value.strip():
        return False
    if any(ch in value for ch in "\\\r\n\t"):
        return False
    parts = urlsplit(value)
    if parts.scheme:
        return parts.scheme in ("https", "http") and bool(parts.netloc)
    return value.startswith("/") and not value.startswith("//")


def _checked_url(value: object) -> str:
    """Jinja filter ``url``: pass a safe URL through, refuse anything else loudly."""
    if not is_safe_url(value):
        raise ValueError(f"refusing unsafe URL in template: {value!r}")
    return str(value)


def _switch_url(request: Request, lang: str) -> str:
    """The current path and query with ``lang=`` replaced: relative, so Host cannot leak in."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != LANG_PARAM]
    query.append((LANG_PARAM, lang))
    return f"{request.url.path}?{urlencode(query)}"


class Renderer:
    """Renders the broker's pages; ``extra_template_dirs`` add templates after the built-in ones.

    ``theme_class`` and ``theme_css`` let an operator swap the neutral Voorbeeld theme for
    their own NL Design System theme without touching templates.
    """

    def __init__(
        self,
        extra_template_dirs: Sequence[Path] = (),
        *,
        static_prefix: str = "/static",
        theme_class: str = "voorbeeld-theme",
        theme_css: str = "voorbeeld/theme.css",
    ) -> None:
        self.static_prefix = static_prefix.rstrip("/")
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([TEMPLATE_DIR, *extra_template_dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.tests["safe_url"] = is_safe_url
        self.env.filters["url"] = _checked_url
        self.env.globals.update(theme_class=theme_class, theme_css=theme_css)

    def static(self, request: Request, path: str) -> str:
        """URL of a file under ``broker/pages/static``, honouring a mount prefix (root_path)."""
        root = str(request.scope.get("root_path", "")).rstrip("/")
        return f"{root}{self.static_prefix}/{path.lstrip('/')}"

    def page_context(self, request: Request) -> dict[str, Any]:
        """What every template can use, on top of the handler's own context."""
        lang = locale_for(request)
        return {
            "request": request,
            "lang": lang,
            "_": translator(lang),
            "lang_switch": [
                LanguageLink(code, LANGUAGE_NAMES[code], _switch_url(request, code), code == lang)
                for code in LANGUAGES
            ],
            "static": lambda path: self.static(request, path),
        }

    def render(
        self,
        request: Request,
        template_name: str,
        context: Mapping[str, Any] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        """Render ``template_name``; an explicit ``?lang=`` is remembered in the ``lang`` cookie."""
        page = self.page_context(request)
        page.update(context or {})
        html = self.env.get_template(template_name).render(page)
        response = HTMLResponse(html, status_code=status_code)
        if requested_language(request) is not None:
            response.set_cookie(
                LANG_COOKIE,
                page["lang"],
                max_age=LANG_COOKIE_MAX_AGE,
                path="/",
                secure=request.url.scheme == "https",
                httponly=False,
                samesite="lax",
            )
        return response

    def render_error(
        self,
        request: Request,
        error: BrokerError,
        *,
        reference: str | None = None,
        return_url: str | None = None,
        service_name: str | None = None,
        status_code: int | None = None,
    ) -> HTMLResponse:
        """The error page for a ``BrokerError``, in the page language; never redirects.

        An unsafe ``return_url`` is dropped rather than shown, so the error page itself cannot
        become an open redirect or a ``javascript:`` link.
        """
        lang = locale_for(request)
        context: dict[str, Any] = {"message": error.message(lang), "error_code": error.code}
        if reference:
            context["reference"] = reference
        if return_url and service_name and is_safe_url(return_url):
            context["return_url"] = return_url
            context["service_name"] = service_name
        return self.render(request, "error.html", context, status_code=status_code or error.status)
