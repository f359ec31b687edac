"""The simulator as a Starlette app: login page, SOAP artifact endpoint, metadata.

Mount it anywhere (``Mount("/sim/eherkenning", app=EherkenningSimulator(settings).app)``) with
``settings.base_url`` the absolute URL of that mount. The back channel, artifact store and
response signing are DigiD simulator parts reused as they are (same SAML bindings).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from conformance.digid.app import SECURITY_HEADERS, SOAP_CONTENT_TYPES
from conformance.digid.artifact import make_artifact
from conformance.digid.authnrequest import BadRequest
from conformance.digid.messages import Signer, soap_envelope, soap_fault
from conformance.digid.metadata import build_metadata
from conformance.digid.resolve import ResolveContext, SoapFault, StoredArtifact, resolve_artifact
from conformance.digid.store import TtlStore
from conformance.eherkenning.authnrequest import AuthnRequest, read_redirect_request
from conformance.eherkenning.companies import (
    INTERMEDIARIES,
    LOGIN_COMPANIES,
    company,
    intermediary,
)
from conformance.eherkenning.messages import Outcome, build_response
from conformance.eherkenning.settings import SimulatorSettings
from conformance.eherkenning.texts import LEVEL_OF, LEVEL_URIS, TEXTS, language_of

TEMPLATES = Path(__file__).parent / "templates"
# Shared simulator skeleton and form macros (simulator_base.html, simulator_forms.html).
SHARED_TEMPLATES = Path(__file__).parent.parent / "templates"
MAX_SOAP_BYTES = 256 * 1024
VALUE_OF_LEVEL = {level: value for value, level in reversed(LEVEL_OF.items())}


@dataclass(frozen=True)
class _Option:
    id: str
    value: str
    label: str
    checked: bool


@dataclass(frozen=True)
class _Group:
    name: str
    legend: str
    hint: str
    options: list[_Option]


class EherkenningSimulator:
    """A Herkenningsmakelaar-like SAML IdP; ``app`` is the ASGI app.

    The level the tester picks is returned even below the requested minimum, so a DV can prove
    it refuses it.
    """

    def __init__(self, settings: SimulatorSettings, *,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.settings = settings
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))
        seconds = lambda: self._now().timestamp()  # noqa: E731 - one clock for both stores
        self.pending: TtlStore[AuthnRequest] = TtlStore(settings.pending_request_lifetime,
                                                        clock=seconds)
        self.artifacts: TtlStore[StoredArtifact] = TtlStore(settings.artifact_lifetime,
                                                            clock=seconds)
        self.signer = Signer(settings.entity_id, settings.key, settings.cert_pem)
        self._env = Environment(
            loader=FileSystemLoader([TEMPLATES, SHARED_TEMPLATES]),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True, lstrip_blocks=True,
        )
        self._path = urlsplit(settings.base_url).path.rstrip("/")
        self.app = Starlette(routes=[
            Route("/sso", self.sso_get, methods=["GET"]),
            Route("/sso", self.sso_post, methods=["POST"]),
            Route("/artifact", self.artifact, methods=["POST"]),
            Route("/metadata", self.metadata, methods=["GET"]),
        ])

    # -- pages ---------------------------------------------------------------------------
    def _render(self, template: str, lang: str, status: int, **context: Any) -> HTMLResponse:
        html = self._env.get_template(template).render(
            lang=lang, t=TEXTS[lang], static=self.settings.static_prefix.rstrip("/"), **context
        )
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def _error(self, lang: str, reason: str, status: int = 400) -> HTMLResponse:
        return self._render("error.html", lang, status, reason=reason, switch_url=None)

    def _login_page(self, lang: str, request_key: str, pending: AuthnRequest, *,
                    chosen: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None) -> HTMLResponse:
        t = TEXTS[lang]
        chosen = chosen or {"company": LOGIN_COMPANIES[0].kvk,
                            "level": VALUE_OF_LEVEL[pending.minimum], "intermediary": ""}
        below = f" ({t['below_minimum']})"
        groups = [
            _Group("company", t["company_legend"], t["company_hint"], [
                _Option(f"company-{c.kvk}", c.kvk,
                        f"{c.name} — {t['kvk']} {c.kvk}"
                        + (f", {t['branch']} {c.branch}" if c.branch else ""),
                        chosen.get("company") == c.kvk)
                for c in LOGIN_COMPANIES]),
            _Group("level", t["level_legend"], t["level_hint"], [
                _Option(f"level-{value}", value,
                        t[f"level_{value}"] + (below if level < pending.minimum else ""),
                        chosen.get("level") == value)
                for value, level in LEVEL_OF.items()]),
            _Group("intermediary", t["intermediary_legend"], t["intermediary_hint"], [
                _Option("intermediary-none", "", t["intermediary_none"],
                        not chosen.get("intermediary")),
                *[_Option(f"intermediary-{c.kvk}", c.kvk, f"{c.name} — {t['kvk']} {c.kvk}",
                          chosen.get("intermediary") == c.kvk) for c in INTERMEDIARIES]]),
        ]
        other = "en" if lang == "nl" else "nl"
        return self._render(
            "login.html", lang, 422 if errors else 200,
            pending=pending, request_key=request_key,
            intro=t["intro"].format(sp=pending.sp_entity_id),
            requested_label=t[f"level_{VALUE_OF_LEVEL[pending.minimum]}"],
            groups=groups, errors=errors or {},
            first_ids={g.name: g.options[0].id for g in groups},
            form_action=self._path + "/sso",
            switch_url="?" + urlencode({"request_key": request_key, "lang": other}),
        )

    async def sso_get(self, request: Request) -> Response:
        """A Redirect-binding AuthnRequest, or (``request_key``) the form in another language."""
        lang = language_of(request.query_params.get("lang"))
        if "SAMLRequest" not in request.query_params and "request_key" in request.query_params:
            key = request.query_params["request_key"]
            pending = self.pending.get(key)
            if pending is None:
                return self._error(lang, "unknown or expired request_key")
            return self._login_page(lang, key, pending)
        raw_query = b"&".join(piece for piece in request.scope["query_string"].split(b"&")
                              if not piece.startswith(b"lang="))
        try:
            authn_request = read_redirect_request(
                raw_query, destination=self.settings.sso_url, dvs=self.settings.dvs,
                require_signature=self.settings.require_signed_requests,
            )
        except BadRequest as exc:
            return self._error(lang, str(exc))
        key = secrets.token_urlsafe(32)
        self.pending.put(key, authn_request)
        return self._login_page(lang, key, authn_request)

    async def sso_post(self, request: Request) -> Response:
        """The form: make the Response, store it under a fresh artifact, send the user back."""
        form = await request.form()
        lang = language_of(_field(form.get("lang")))
        key = _field(form.get("request_key"))
        pending = self.pending.get(key) if key else None
        if key is None or pending is None:
            return self._error(lang, "unknown or expired request_key")
        action = _field(form.get("action")) or "login"
        if action not in ("login", "cancel"):
            return self._error(lang, "action must be login or cancel")
        dv = self.settings.dvs[pending.sp_entity_id]
        outcome = Outcome(pending.sp_entity_id, pending.request_id, pending.acs_url,
                          pending.service_id, pending.service_uuid, dv.encryption_certificate,
                          company=None)
        if action == "login":
            chosen = {name: (_field(form.get(name)) or "").strip()
                      for name in ("company", "level", "intermediary")}
            t = TEXTS[lang]
            errors: dict[str, str] = {}
            chosen_company = company(chosen["company"])
            chosen_intermediary = intermediary(chosen["intermediary"])
            if chosen_company is None:
                errors["company"] = t["error_company"]
            if chosen["level"] not in LEVEL_URIS:
                errors["level"] = t["error_level"]
            if chosen["intermediary"] and chosen_intermediary is None:
                errors["intermediary"] = t["error_intermediary"]
            if errors:
                return self._login_page(lang, key, pending, chosen=chosen, errors=errors)
            outcome = Outcome(
                pending.sp_entity_id, pending.request_id, pending.acs_url, pending.service_id,
                pending.service_uuid, dv.encryption_certificate, company=chosen_company,
                intermediary=chosen_intermediary, level_uri=LEVEL_URIS[chosen["level"]],
            )
        self.pending.pop(key)
        return self._send_artifact(pending, outcome)

    def _send_artifact(self, pending: AuthnRequest, outcome: Outcome) -> RedirectResponse:
        response = build_response(
            self.signer, outcome, self._now(),
            confirmation_validity=dt.timedelta(seconds=self.settings.subject_confirmation_validity),
            conditions_validity=dt.timedelta(seconds=self.settings.conditions_validity),
        )
        artifact = make_artifact(self.settings.entity_id)
        self.artifacts.put(artifact, StoredArtifact(pending.sp_entity_id, response))
        params = {"SAMLart": artifact}
        if pending.relay_state is not None:
            params["RelayState"] = pending.relay_state
        separator = "&" if urlsplit(pending.acs_url).query else "?"
        return RedirectResponse(
            pending.acs_url + separator + urlencode(params), status_code=303,
            headers={"Cache-Control": "no-cache, no-store", "Pragma": "no-cache",
                     "Referrer-Policy": "no-referrer"},
        )

    # -- back channel and metadata ---------------------------------------------------------
    async def artifact(self, request: Request) -> Response:
        """SOAP 1.1 ArtifactResolve → signed ArtifactResponse (DigiD simulator logic)."""
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in SOAP_CONTENT_TYPES:
            return Response(soap_fault("Content-Type must be text/xml or application/soap+xml"),
                            status_code=415, media_type="text/xml")
        body = await request.body()
        if len(body) > MAX_SOAP_BYTES:
            return Response(soap_fault("request too large"), status_code=413,
                            media_type="text/xml")
        context = ResolveContext(
            signer=self.signer, artifact_url=self.settings.artifact_url,
            sp_certificates={k: v.certificates for k, v in self.settings.dvs.items()},
            require_signed_requests=self.settings.require_signed_requests,
            client_certificate=None, require_mtls=False,
        )
        try:
            answer = resolve_artifact(body, context, self.artifacts, self._now())
        except SoapFault as exc:
            return Response(soap_fault(str(exc)), status_code=500, media_type="text/xml")
        return Response(soap_envelope(answer), media_type="text/xml",
                        headers={"Cache-Control": "no-store"})

    async def metadata(self, request: Request) -> Response:
        body = build_metadata(self.settings.entity_id, self.settings.cert_pem,
                              self.settings.sso_url, self.settings.artifact_url,
                              want_signed=self.settings.require_signed_requests)
        return Response(body, media_type="application/samlmetadata+xml")


def _field(value: object) -> str | None:
    return value if isinstance(value, str) else None
