"""The eIDAS node simulator as a Starlette app: the SSO endpoint, the login page, metadata.

Mount it anywhere (``Mount("/sim/eidas", app=EidasNodeSimulator(settings).app)``) with
``settings.base_url`` set to the mount's absolute URL. Both directions use HTTP-POST (SAML
Bindings §3.5): the login page answers with a page holding a form to the SP's ACS, a visible
button, and an external script (no inline script, CSP ``script-src 'self'``) that submits it.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from lxml import etree
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from broker.means.eidas.pages import SCRIPT
from broker.means.eidas.profile import BINDING_HTTP_POST
from conformance.digid.samlxml import DS, MD, SAMLP, q
from conformance.digid.store import TtlStore
from conformance.eidas.persons import BY_ID, PERSONS
from conformance.eidas.request import BadRequest, PendingRequest, read_post_request
from conformance.eidas.response import Answer, NodeSigner, build_response
from conformance.eidas.settings import NodeSettings
from conformance.eidas.texts import LEVEL_VALUES, TEXTS, VALUE_OF_LEVEL, language_of

TEMPLATES = Path(__file__).parent / "templates"
# Shared simulator skeleton and form macros (simulator_base.html, simulator_forms.html).
SHARED_TEMPLATES = Path(__file__).parent.parent / "templates"
MAX_FORM_BYTES = 512 * 1024


def _headers(form_origin: str | None = None) -> dict[str, str]:
    """Page headers; ``form_origin`` is the one extra origin a form may post to (the ACS)."""
    form_action = "'self'" + (f" {form_origin}" if form_origin else "")
    return {
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"font-src 'self'; form-action {form_action}; base-uri 'none'; "
            "frame-ancestors 'none'"
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


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


class EidasNodeSimulator:
    """An eIDAS-node-like SAML IdP for tests. The chosen level is returned even when it is
    below the requested minimum: the relying party must refuse it, and testers need to see that.
    """

    def __init__(
        self, settings: NodeSettings, *, clock: Callable[[], dt.datetime] | None = None
    ) -> None:
        self.settings = settings
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))
        self.pending: TtlStore[PendingRequest] = TtlStore(
            settings.pending_request_lifetime, clock=lambda: self._now().timestamp()
        )
        self.signer = NodeSigner(settings.entity_id, settings.key, settings.cert_pem)
        self._env = Environment(
            loader=FileSystemLoader([TEMPLATES, SHARED_TEMPLATES]),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._path = urlsplit(settings.base_url).path.rstrip("/")
        self.app = Starlette(
            routes=[
                Route("/sso", self.sso_post, methods=["POST"]),
                Route("/sso", self.sso_get, methods=["GET"]),
                Route("/login", self.login, methods=["POST"]),
                Route("/autosubmit.js", self.script, methods=["GET"]),
                Route("/metadata", self.metadata, methods=["GET"]),
            ]
        )

    # -- rendering -------------------------------------------------------------------------
    def _render(
        self, template: str, lang: str, status: int, form_origin: str | None = None,
        **context: Any,
    ) -> HTMLResponse:
        html = self._env.get_template(template).render(
            lang=lang, t=TEXTS[lang], static=self.settings.static_prefix.rstrip("/"), **context
        )
        return HTMLResponse(html, status_code=status, headers=_headers(form_origin))

    def _error(self, lang: str, reason: str, status: int = 400) -> HTMLResponse:
        return self._render("error.html", lang, status, reason=reason, switch_url=None)

    def _login_page(
        self,
        lang: str,
        key: str,
        pending: PendingRequest,
        *,
        person: str | None = None,
        level: str | None = None,
        errors: dict[str, str] | None = None,
    ) -> HTMLResponse:
        texts = TEXTS[lang]
        errors = errors or {}
        chosen_level = None if "level" in errors else (
            level if level in LEVEL_VALUES else VALUE_OF_LEVEL[pending.minimum]
        )
        chosen_person = None if "person" in errors else (person or PERSONS[0].id)
        options = [
            _LevelOption(value, texts[f"level_{value}"], value == chosen_level,
                         lvl < pending.minimum)
            for value, lvl in LEVEL_VALUES.items()
        ]
        other = "en" if lang == "nl" else "nl"
        return self._render(
            "login.html",
            lang,
            422 if errors else 200,
            pending=pending,
            request_key=key,
            intro=texts["intro"].format(sp=pending.sp_entity_id),
            requested_label=texts[f"level_{VALUE_OF_LEVEL[pending.minimum]}"],
            persons=PERSONS,
            chosen_person=chosen_person,
            level_options=options,
            errors=errors,
            first={"person": PERSONS[0].id, "level": options[0].value},
            form_action=self._path + "/login",
            switch_url="sso?" + urlencode({"request_key": key, "lang": other}),
        )

    # -- endpoints -------------------------------------------------------------------------
    async def sso_post(self, request: Request) -> Response:
        """An HTTP-POST AuthnRequest from a registered SP: verify it, show the login page."""
        lang = language_of(request.query_params.get("lang"))
        if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
            return self._error(lang, "request too large", 413)
        form = await request.form()
        if len(form.getlist("SAMLRequest")) != 1 or len(form.getlist("RelayState")) > 1:
            return self._error(lang, "SAMLRequest and RelayState must occur at most once")
        try:
            pending = read_post_request(
                _field(form, "SAMLRequest"),
                _field(form, "RelayState"),
                destination=self.settings.sso_url,
                sp_certificates=self.settings.sp_certificates,
            )
        except BadRequest as exc:
            return self._error(lang, str(exc))
        key = secrets.token_urlsafe(32)
        self.pending.put(key, pending)
        return self._login_page(lang, key, pending)

    async def sso_get(self, request: Request) -> Response:
        """The login page again, in the other language (``request_key`` + ``lang``)."""
        lang = language_of(request.query_params.get("lang"))
        key = request.query_params.get("request_key", "")
        pending = self.pending.get(key) if key else None
        if pending is None:
            return self._error(lang, "unknown or expired request_key (eIDAS uses HTTP-POST)")
        return self._login_page(lang, key, pending)

    async def login(self, request: Request) -> Response:
        """The tester's choice: post a signed Response (login or cancel) to the SP's ACS."""
        form = await request.form()
        lang = language_of(_field(form, "lang"))
        key = _field(form, "request_key")
        pending = self.pending.get(key) if key else None
        if key is None or pending is None:
            return self._error(lang, "unknown or expired request_key")
        action = _field(form, "action") or "login"
        if action not in ("login", "cancel"):
            return self._error(lang, "action must be login or cancel")
        answer = Answer(pending.sp_entity_id, pending.request_id, pending.acs_url, None, None)
        if action == "login":
            person_id, level_value = _field(form, "person"), _field(form, "level")
            errors: dict[str, str] = {}
            if person_id not in BY_ID:
                errors["person"] = TEXTS[lang]["error_person"]
            if level_value not in LEVEL_VALUES:
                errors["level"] = TEXTS[lang]["error_level"]
            if errors:
                return self._login_page(
                    lang, key, pending, person=person_id, level=level_value, errors=errors
                )
            assert person_id is not None and level_value is not None
            answer = Answer(pending.sp_entity_id, pending.request_id, pending.acs_url,
                            BY_ID[person_id], LEVEL_VALUES[level_value])
        self.pending.pop(key)
        response = build_response(
            self.signer, answer, self._now(),
            dt.timedelta(seconds=self.settings.assertion_validity),
        )
        fields = {
            "SAMLResponse": base64.b64encode(etree.tostring(response)).decode("ascii"),
        }
        if pending.relay_state is not None:
            fields["RelayState"] = pending.relay_state
        acs = urlsplit(pending.acs_url)
        return self._render(
            "post.html", lang, 200, form_origin=f"{acs.scheme}://{acs.netloc}",
            action=pending.acs_url, fields=fields, script_url=self._path + "/autosubmit.js",
            switch_url=None,
        )

    async def script(self, request: Request) -> Response:
        return Response(SCRIPT, media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=3600"})

    async def metadata(self, request: Request) -> Response:
        """IdP metadata (SAML Metadata §2.4.3): signing certificate and the POST SSO endpoint."""
        descriptor = etree.Element(q(MD, "EntityDescriptor"), nsmap={"md": MD, "ds": DS},
                                   entityID=self.settings.entity_id)
        idp = etree.SubElement(descriptor, q(MD, "IDPSSODescriptor"),
                               WantAuthnRequestsSigned="true",
                               protocolSupportEnumeration=SAMLP)
        key_descriptor = etree.SubElement(idp, q(MD, "KeyDescriptor"), use="signing")
        x509_data = etree.SubElement(etree.SubElement(key_descriptor, q(DS, "KeyInfo")),
                                     q(DS, "X509Data"))
        pem_body = b"".join(
            line for line in self.settings.cert_pem.splitlines() if b"-----" not in line
        )
        etree.SubElement(x509_data, q(DS, "X509Certificate")).text = pem_body.decode("ascii")
        etree.SubElement(idp, q(MD, "SingleSignOnService"), Binding=BINDING_HTTP_POST,
                         Location=self.settings.sso_url)
        return Response(etree.tostring(descriptor, xml_declaration=True, encoding="UTF-8"),
                        media_type="application/samlmetadata+xml")
