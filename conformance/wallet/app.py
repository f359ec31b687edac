"""The test wallet as a Starlette app (mount it at ``/sim/wallet``).

``GET /authorize?client_id=…&request_uri=…[&request_uri_method=post]`` is what an
``openid4vp://`` link would open: the request object is fetched and verified (``request.py``),
then a consent page lists exactly what is asked. ``POST /share`` (fields ``person``, ``format``
= ``dc+sd-jwt``|``mso_mdoc``, ``fault`` = empty or one of ``issuance.ALL_FAULTS``, ``action`` =
``share``|``cancel``, optional ``enc``) builds the presentation, encrypts it and POSTs it to the
``response_uri`` server-side through the injected httpx client, then follows the verifier's
``redirect_uri`` (same device) or says "go back to your computer" (cross device).

It is a test tool: every page says so, keys are in memory and the issuer is a test issuer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from conformance.digid.store import TtlStore
from conformance.wallet.issuance import (
    HOLDER_FAULTS,
    ISSUER_FAULTS,
    PERSONS,
    WALLET_FAULTS,
    SimulatedIssuers,
)
from conformance.wallet.presentation import FORMATS, CannotAnswer, answer, error_form
from conformance.wallet.request import RequestRefused, fetch_request
from conformance.wallet.texts import TEXTS, language_of
from wallet_adapters.testing import TestHolder
from wallet_adapters.trust import TrustList

TEMPLATES = Path(__file__).parent / "templates"
# Shared simulator skeleton and form macros (simulator_base.html, simulator_forms.html).
SHARED_TEMPLATES = Path(__file__).parent.parent / "templates"
FORMAT_LABELS = {"dc+sd-jwt": "SD-JWT VC (dc+sd-jwt)", "mso_mdoc": "ISO mdoc (mso_mdoc)"}
MAX_VERIFIER_ANSWER = 64 * 1024
# CSS only; no form-action because the share POST redirects to the verifier (Chromium applies
# form-action to the redirect target).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass
class TestWalletSettings:
    """``access_trust``: the verifier access CA(s) this wallet accepts (None: signature and
    client_id hash are still checked, the chain is not; only for a configured access
    certificate whose CA the demo does not know)."""

    __test__ = False

    base_url: str
    http: httpx.AsyncClient
    access_trust: TrustList | None
    issuers: SimulatedIssuers = field(default_factory=SimulatedIssuers)
    static_prefix: str = "/static"
    pending_lifetime: float = 900.0


def fault_options() -> list[tuple[str, str]]:
    options = [(v, f"{v}: {label}") for v, label in WALLET_FAULTS.items()]
    options += [(v, f"holder: {v}") for v in HOLDER_FAULTS]
    options += [(v, f"issuer: {v}") for v in ISSUER_FAULTS]
    return options


def _describe(query: dict[str, Any]) -> dict[str, Any]:
    meta = query.get("meta", {})
    kind = ", ".join(meta.get("vct_values", [])) or str(meta.get("doctype_value", ""))
    claims = [
        {
            "path": " / ".join(str(p) for p in c.get("path", [])),
            "retain": bool(c.get("intent_to_retain")),
        }
        for c in query.get("claims", [])
    ]
    return {
        "format": FORMAT_LABELS.get(query.get("format", ""), "?"),
        "type": kind,
        "claims": claims,
    }


class TestWallet:
    """A holder for demos and tests; ``app`` is the ASGI app."""

    __test__ = False

    def __init__(self, settings: TestWalletSettings, holder: TestHolder | None = None) -> None:
        self.settings = settings
        self.holder = holder or TestHolder()
        self.pending: TtlStore[dict[str, Any]] = TtlStore(settings.pending_lifetime)
        self._path = urlsplit(settings.base_url).path.rstrip("/")
        self._env = Environment(
            loader=FileSystemLoader([TEMPLATES, SHARED_TEMPLATES]),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.app = Starlette(
            routes=[
                Route("/authorize", self.authorize, methods=["GET"]),
                Route("/share", self.share, methods=["POST"]),
            ]
        )
        self.app.state.wallet = self

    @property
    def issuers(self) -> SimulatedIssuers:
        return self.settings.issuers

    def _render(self, template: str, lang: str, status: int = 200, **context: Any) -> Response:
        html = self._env.get_template(template).render(
            lang=lang,
            t=TEXTS[lang],
            static=self.settings.static_prefix.rstrip("/"),
            switch_url=context.pop("switch_url", None),
            **context,
        )
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def _error(
        self, lang: str, reason: str, status: int = 400, *, refused: bool = False
    ) -> Response:
        return self._render("error.html", lang, status, reason=reason, refused=refused)

    async def authorize(self, request: Request) -> Response:
        params = request.query_params
        lang = language_of(params.get("lang"))
        client_id, request_uri = params.get("client_id"), params.get("request_uri")
        if not client_id or not request_uri:
            return self._error(lang, "client_id and request_uri are required")
        method = params.get("request_uri_method", "get")
        if method not in ("get", "post"):
            return self._error(lang, "request_uri_method must be get or post")
        try:
            claims = await fetch_request(
                self.settings.http,
                client_id,
                request_uri,
                method=method,
                access_trust=self.settings.access_trust,
            )
        except RequestRefused as exc:
            return self._error(lang, str(exc))
        key = secrets.token_urlsafe(32)
        self.pending.put(key, claims)
        queries = [q for q in claims["dcql_query"].get("credentials", []) if isinstance(q, dict)]
        formats = [f for f in FORMATS if any(q.get("format") == f for q in queries)]
        other = "en" if lang == "nl" else "nl"
        return self._render(
            "consent.html",
            lang,
            request_key=key,
            verifier_name=claims.get("_verifier_name", ""),
            client_id=client_id,
            response_uri=claims["response_uri"],
            queries=[_describe(q) for q in queries],
            persons=PERSONS,
            formats=[{"value": f, "label": FORMAT_LABELS[f]} for f in formats],
            faults=fault_options(),
            form_action=self._path + "/share",
            switch_url="?" + urlencode({**dict(params), "lang": other}),
        )

    async def share(self, request: Request) -> Response:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        lang = language_of(values.get("lang"))
        claims = self.pending.pop(values.get("request_key", ""))
        if claims is None:
            return self._error(lang, "unknown or expired request_key")
        action = values.get("action", "share")
        if action == "cancel":
            body = error_form(claims)
        else:
            person = PERSONS.get(values.get("person", ""))
            fmt = values.get("format", "")
            fault = values.get("fault", "")
            if person is None or fmt not in FORMATS:
                return self._error(lang, "choose a test person and a format")
            if (
                fault
                and fault not in WALLET_FAULTS
                and fault not in HOLDER_FAULTS
                and (fault not in ISSUER_FAULTS)
            ):
                return self._error(lang, f"unknown fault {fault!r}")
            try:
                body = answer(
                    claims,
                    person=person,
                    fmt=fmt,
                    faults=frozenset({fault} if fault else ()),
                    issuers=self.issuers,
                    holder=self.holder,
                    enc=values.get("enc", "A128GCM"),
                ).form
            except CannotAnswer as exc:
                return self._error(lang, str(exc))
        return await self._post(claims["response_uri"], body, lang, cancelled=action == "cancel")

    async def _post(
        self, response_uri: str, body: dict[str, str], lang: str, *, cancelled: bool
    ) -> Response:
        try:
            result = await self.settings.http.post(response_uri, data=body, follow_redirects=False)
        except httpx.HTTPError as exc:
            return self._error(lang, f"response_uri not reachable: {type(exc).__name__}", 502)
        try:
            parsed = result.json() if len(result.content) <= MAX_VERIFIER_ANSWER else None
        except ValueError:
            parsed = None
        if result.status_code != 200 or not isinstance(parsed, dict):
            reason = f"HTTP {result.status_code}"
            if isinstance(parsed, dict):
                reason += f": {parsed.get('error')}: {parsed.get('error_description', '')}"
            return self._error(lang, reason, 400, refused=True)
        redirect = parsed.get("redirect_uri")
        if isinstance(redirect, str) and urlsplit(redirect).scheme in ("https", "http"):
            return RedirectResponse(redirect, 303, headers={"Cache-Control": "no-store"})
        return self._render("done.html", lang, cancelled=cancelled)


__all__ = ["TestWallet", "TestWalletSettings", "fault_options"]
