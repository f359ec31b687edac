"""The simulator as a Starlette app: login pages, the SOAP artifact endpoint and metadata.

Mount it anywhere (``Mount("/sim/digid", app=DigidSimulator(settings).app)``); set
``settings.base_url`` to the absolute URL of that mount, because SAML messages carry absolute
endpoint URLs. Pages link the NL Design System CSS from ``settings.static_prefix`` on the same
host (the broker serves it; the standalone runner mounts it).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from broker.assurance import Level
from broker.identifiers import elfproef
from conformance.digid.artifact import make_artifact
from conformance.digid.authnrequest import AuthnRequest, BadRequest, read_redirect_request
from conformance.digid.messages import Outcome, Signer, build_response, soap_envelope, soap_fault
from conformance.digid.metadata import build_metadata
from conformance.digid.resolve import (
    ClientCertificateRefused,
    ResolveContext,
    SoapFault,
    StoredArtifact,
    resolve_artifact,
)
from conformance.digid.settings import SimulatorSettings
from conformance.digid.store import TtlStore
from conformance.digid.texts import LEVEL_VALUES, TEXTS, VALUE_OF_LEVEL, language_of

TEMPLATES = Path(__file__).parent / "templates"
# Shared simulator skeleton and form macros (simulator_base.html, simulator_forms.html).
SHARED_TEMPLATES = Path(__file__).parent.parent / "templates"
SOAP_CONTENT_TYPES = ("text/xml", "application/soap+xml")
MAX_SOAP_BYTES = 256 * 1024
# The pages load CSS only; the login POST redirects to the SP's ACS, so no form-action here
# (Chromium applies form-action to the redirect target too).
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


@dataclass(frozen=True)
class _LevelOption:
    value: str
    label: str
    checked: bool
    below: bool


def _client_certificate(scope: Mapping[str, Any]) -> bytes | None:
    """The verified TLS client certificate from the ASGI TLS extension, if the server gives one."""
    extensions = scope.get("extensions") or {}
    tls = extensions.get("tls") if isinstance(extensions, dict) else None
    if not isinstance(tls, dict) or tls.get("client_cert_error") is not None:
        return None
    chain = tls.get("client_cert_chain") or []
    if not chain or not isinstance(chain[0], str):
        return None
    return chain[0].encode("ascii")


class DigidSimulator:
    """A DigiD-like SAML IdP. ``app`` is the ASGI app; the stores are exposed for tests.

    The level the tester picks is returned as is, even below the requested minimum: a relying
    party must refuse it, and the simulator exists to let it prove that.
    """

    def __init__(
        self,
        settings: SimulatorSettings,
        *,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.settings = settings
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))
        seconds = lambda: self._now().timestamp()  # noqa: E731 - one clock for both stores
        self.pending: TtlStore[AuthnRequest] = TtlStore(
            settings.pending_request_lifetime, clock=seconds
        )
        self.artifacts: TtlStore[StoredArtifact] = TtlStore(
            settings.artifact_lifetime, clock=seconds
        )
        self.signer = Signer(settings.entity_id, settings.key, settings.cert_pem)
        self._env = Environment(
            loader=FileSystemLoader([TEMPLATES, SHARED_TEMPLATES]),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._path = urlsplit(settings.base_url).path.rstrip("/")
        self.app = Starlette(
            routes=[
                Route("/sso", self.sso_get, methods=["GET"]),
                Route("/sso", self.sso_post, methods=["POST"]),
                Route("/artifact", self.artifact, methods=["POST"]),
                Route("/metadata", self.metadata, methods=["GET"]),
            ]
        )

    # -- pages ---------------------------------------------------------------------------

    def _render(self, template: str, lang: str, status: int, **context: Any) -> HTMLResponse:
        html = self._env.get_template(template).render(
            lang=lang, t=TEXTS[lang], static=self.settings.static_prefix.rstrip("/"), **context
        )
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def _error(self, lang: str, reason: str, status: int = 400) -> HTMLResponse:
        return self._render("error.html", lang, status, reason=reason, switch_url=None)

    def _login_page(
        self,
        lang: str,
        request_key: str,
        pending: AuthnRequest,
        *,
        bsn: str | None = None,
        level: str | None = None,
        errors: dict[str, str] | None = None,
    ) -> HTMLResponse:
        texts = TEXTS[lang]
        # Preselect the requested minimum; after a missing level, preselect nothing (NLDS).
        chosen: str | None = level if level in LEVEL_VALUES else VALUE_OF_LEVEL[pending.minimum]
        if errors and "level" in errors:
            chosen = None
        options = [
            _LevelOption(value, texts[f"level_{value}"], value == chosen, lvl < pending.minimum)
            for value, lvl in LEVEL_VALUES.items()
        ]
        other = "en" if lang == "nl" else "nl"
        return self._render(
            "login.html",
            lang,
            422 if errors else 200,
            pending=pending,
            request_key=request_key,
            intro=texts["intro"].format(sp=pending.sp_entity_id),
            comparison_text=texts[f"comparison_{pending.comparison}"],
            requested_label=texts[f"level_{VALUE_OF_LEVEL[pending.minimum]}"],
            level_options=options,
            bsn=self.settings.default_bsn if bsn is None else bsn,
            errors=errors or {},
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
        # ``lang`` is not part of the signed query: strip it before reading the signed pieces.
        raw_query = b"&".join(
            piece
            for piece in request.scope["query_string"].split(b"&")
            if not piece.startswith(b"lang=")
        )
        try:
            authn_request = read_redirect_request(
                raw_query,
                destination=self.settings.sso_url,
                sp_certificates=self.settings.sp_certificates,
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
        bsn: str | None = None
        level: Level | None = None
        if action == "login":
            bsn_input = (_field(form.get("bsn")) or "").strip()
            level_input = _field(form.get("level"))
            errors: dict[str, str] = {}
            if not elfproef(bsn_input):
                errors["bsn"] = TEXTS[lang]["error_bsn"]
            if level_input not in LEVEL_VALUES:
                errors["level"] = TEXTS[lang]["error_level"]
            if errors:
                return self._login_page(
                    lang, key, pending, bsn=bsn_input, level=level_input, errors=errors
                )
            assert level_input is not None
            bsn, level = bsn_input, LEVEL_VALUES[level_input]
        self.pending.pop(key)
        return self._send_artifact(pending, bsn, level)

    def _send_artifact(
        self, pending: AuthnRequest, bsn: str | None, level: Level | None
    ) -> RedirectResponse:
        outcome = Outcome(pending.sp_entity_id, pending.request_id, pending.acs_url, bsn, level)
        response = build_response(
            self.signer,
            outcome,
            self._now(),
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
            pending.acs_url + separator + urlencode(params),
            status_code=303,
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )

    # -- back channel and metadata ---------------------------------------------------------

    async def artifact(self, request: Request) -> Response:
        """SOAP 1.1 ArtifactResolve → signed ArtifactResponse."""
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in SOAP_CONTENT_TYPES:
            return Response(
                soap_fault("Content-Type must be text/xml or application/soap+xml"),
                status_code=415,
                media_type="text/xml",
            )
        if self.settings.require_mtls and _client_certificate(request.scope) is None:
            return Response(
                soap_fault("a TLS client certificate is required"),
                status_code=403,
                media_type="text/xml",
            )
        body = await request.body()
        if len(body) > MAX_SOAP_BYTES:
            return Response(soap_fault("request too large"), status_code=413, media_type="text/xml")
        context = ResolveContext(
            signer=self.signer,
            artifact_url=self.settings.artifact_url,
            sp_certificates=self.settings.sp_certificates,
            require_signed_requests=self.settings.require_signed_requests,
            client_certificate=_client_certificate(request.scope),
            require_mtls=self.settings.require_mtls,
        )
        try:
            answer = resolve_artifact(body, context, self.artifacts, self._now())
        except SoapFault as exc:
            return Response(soap_fault(str(exc)), status_code=500, media_type="text/xml")
        except ClientCertificateRefused as exc:
            return Response(soap_fault(str(exc)), status_code=403, media_type="text/xml")
        return Response(
            soap_envelope(answer), media_type="text/xml", headers={"Cache-Control": "no-store"}
        )

    async def metadata(self, request: Request) -> Response:
        body = build_metadata(
            self.settings.entity_id,
            self.settings.cert_pem,
            self.settings.sso_url,
            self.settings.artifact_url,
            want_signed=self.settings.require_signed_requests,
        )
        return Response(body, media_type="application/samlmetadata+xml")


def _field(value: object) -> str | None:
    """A form value as text; uploads and absent fields count as missing."""
    return value if isinstance(value, str) else None
