"""eIDAS as a login means: the broker is a service provider of the Dutch eIDAS node.

Reference: ``nl-login-means.md`` §4 (eIDAS node SAML profile), SAML Bindings §3.5 (HTTP-POST),
attack catalogue §3. Both directions use HTTP-POST, the eIDAS norm for node traffic (a signed
AuthnRequest carries its enveloped signature in the form; the node answers with a signed
Response holding a signed Assertion). There is no back channel as with DigiD.

Why the ACS answers with a page instead of finishing the login (the "double POST"): the node
posts the Response cross-site, and the browser-binding cookie of the flow is ``SameSite=Lax``,
which browsers do not send on cross-site POSTs. ``flow.load`` would then find no binding and
refuse. So ``POST /acs`` only checks the shape of ``SAMLResponse``/``RelayState`` and returns a
same-site page whose form re-posts both to ``POST /acs/continue``; that request is same-site,
carries the cookie, and only there is the transaction loaded (bound to this browser) and the
Response verified. The bounce adds no trust: an attacker who makes a victim's browser bounce a
Response still needs the victim's transaction id *and* a node-signed Response whose
InResponseTo is the AuthnRequest ID kept in that transaction's ``means_state``.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from broker.assurance import Level, UnknownLevel
from broker.errors import LoginCancelled, LoginMeansError
from broker.flow.model import Authentication, Transaction
from broker.means.base import FlowControl, bound_flow
from broker.means.eidas.attributes import read_person, signed_response_parts
from broker.means.eidas.messages import eidas_authn_request, eidas_sp_metadata
from broker.means.eidas.pages import autosubmit_script, post_page
from broker.means.eidas.profile import STATUS_REQUEST_DENIED
from broker.saml.messages import new_message_id
from broker.saml.response import Expectations, SamlStatusError, validate_response
from broker.saml.signature import load_certificates, sign_enveloped
from broker.saml.sp import remember_assertion, remember_request
from broker.saml.xml import (
    MAX_XML_BYTES,
    STATUS_AUTHN_FAILED,
    SamlError,
    parse_xml,
    to_bytes,
)
from broker.store import Store

log = logging.getLogger("toegang.means.eidas")

STATE_KEY = "eidas"
MAX_FORM_BYTES = 2 * MAX_XML_BYTES  # base64 adds a third, URL-encoding a little more
_RELAY_STATE = re.compile(r"[A-Za-z0-9_-]{1,80}")  # our transaction ids; ≤ 80 bytes (§3.5.3)
_BASE64 = re.compile(r"[A-Za-z0-9+/=\r\n]+")
# Statuses the node uses when the person stops (cancel, consent refused): no error to report.
_CANCEL_SUB_CODES = frozenset({STATUS_REQUEST_DENIED, STATUS_AUTHN_FAILED})


@dataclass(frozen=True)
class EidasSettings:
    """What the broker and the eIDAS node agreed on (metadata exchange with RvIG)."""

    sp_entity_id: str
    base_url: str  # absolute URL where the means' routes are mounted (…/means/eidas)
    node_entity_id: str
    node_sso_url: str
    node_certificates: list[bytes]  # PEM; several during a certificate rollover
    sp_key: rsa.RSAPrivateKey
    sp_cert_pem: bytes
    clock_skew: int = 60
    static_prefix: str = "/static"

    @property
    def acs_url(self) -> str:
        return self.base_url + "/acs"

    @property
    def continue_url(self) -> str:
        return self.base_url + "/acs/continue"

    @property
    def script_url(self) -> str:
        return self.base_url + "/autosubmit.js"


def _not_verified() -> LoginMeansError:
    """What the person sees for any refused answer: no details (they are in the log)."""
    return LoginMeansError(
        "Uw Europese inlog (eIDAS) kon niet worden gecontroleerd. Probeer het opnieuw.",
        "Your European (eIDAS) login could not be verified. Please try again.",
    )


def _bad_post() -> LoginMeansError:
    return LoginMeansError(
        "Het antwoord van de Europese inlogdienst is onleesbaar.",
        "The answer from the European login service cannot be read.",
    )


def _path(url: str) -> str:
    return urlsplit(url).path


class EidasMeans:
    """The ``eidas`` login means (implements ``broker.means.base.LoginMeans``).

    The ACS needs the flow: the one given to ``bind``/the constructor, else the one last passed
    to ``start``, else ``request.app.state.flow`` or ``request.app.state.broker.flow``.
    """

    name = "eidas"
    labels = {  # noqa: RUF012 - protocol attribute
        "nl": "Europees erkend inlogmiddel (eIDAS)",
        "en": "European login (eIDAS)",
    }
    max_level = Level.HIGH
    min_level = Level.LOW  # eIDAS has no level below low: a basic login is asked for at low

    def __init__(
        self, settings: EidasSettings, store: Store, flow: FlowControl | None = None
    ) -> None:
        for url in (settings.base_url, settings.node_sso_url):
            if not url.startswith(("https://", "http://")):
                raise ValueError(f"not an absolute http(s) URL: {url!r}")
        self.settings = settings
        self.store = store
        self._certificates = load_certificates(settings.node_certificates)
        self._flow = flow
        self._metadata: bytes | None = None

    @property
    def sso_url(self) -> str:
        """The node's SSO endpoint (the start page's form posts there)."""
        return self.settings.node_sso_url

    def bind(self, flow: FlowControl) -> None:
        """Give the means the flow its ACS hands results to (the app does this at start-up)."""
        self._flow = flow

    # -- LoginMeans ------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/acs", self.acs, methods=["POST"]),
            Route("/acs/continue", self.acs_continue, methods=["POST"]),
            Route("/metadata", self.metadata, methods=["GET"]),
            Route("/autosubmit.js", autosubmit_script, methods=["GET"]),
        ]

    async def start(
        self, request: Request, transaction: Transaction, flow: FlowControl
    ) -> Response:
        """Post a signed eIDAS AuthnRequest to the node (HTTP-POST, SAML Bindings §3.5)."""
        if self._flow is None:
            self._flow = flow
        s = self.settings
        level = max(transaction.request.required_level, self.min_level)
        request_id = await remember_request(transaction, flow, means=self.name, level=level)
        message = eidas_authn_request(
            request_id=request_id,
            issuer=s.sp_entity_id,
            destination=s.node_sso_url,
            acs_url=s.acs_url,
            loa_uri=level.eidas,
        )
        signed = sign_enveloped(message, s.sp_key, s.sp_cert_pem)
        return post_page(
            request,
            action=s.node_sso_url,
            fields={
                "SAMLRequest": base64.b64encode(to_bytes(signed)).decode("ascii"),
                "RelayState": transaction.id,
            },
            script_url=_path(s.script_url),
            heading_key="eidas.post.to_node",
            static_prefix=s.static_prefix,
        )

    # -- endpoints -------------------------------------------------------------------------
    async def metadata(self, request: Request) -> Response:
        """SP metadata, signed with the SP key (the node reads it at the Issuer URL)."""
        if self._metadata is None:
            s = self.settings
            descriptor = eidas_sp_metadata(
                entity_id=s.sp_entity_id,
                acs_url=s.acs_url,
                cert_pem=s.sp_cert_pem,
                descriptor_id=new_message_id(),
            )
            self._metadata = to_bytes(sign_enveloped(descriptor, s.sp_key, s.sp_cert_pem))
        return Response(self._metadata, media_type="application/samlmetadata+xml")

    async def acs(self, request: Request) -> Response:
        """First leg (cross-site, no cookie): check the shape, bounce it same-site."""
        saml_response, relay_state = await _read_post(request)
        return post_page(
            request,
            action=_path(self.settings.continue_url),
            fields={"SAMLResponse": saml_response, "RelayState": relay_state},
            script_url=_path(self.settings.script_url),
            heading_key="eidas.post.returning",
            static_prefix=self.settings.static_prefix,
        )

    async def acs_continue(self, request: Request) -> Response:
        """Second leg (same-site, with cookie): load the transaction, verify, hand over."""
        flow = self._flow_for(request)
        saml_response, relay_state = await _read_post(request)
        # An unknown, expired or other browser's transaction: BrokerError, shown by the app.
        transaction = await flow.load(request, relay_state)
        try:
            authentication = await self.authenticate(transaction, saml_response)
        except LoginCancelled as cancelled:
            log.info("eIDAS login cancelled by the user")
            return await flow.fail(request, transaction, cancelled)
        except SamlError as exc:
            log.warning("eIDAS answer refused: %s", exc.message_en)
            return await flow.fail(request, transaction, _not_verified())
        return await flow.complete(request, transaction, authentication)

    def _flow_for(self, request: Request) -> FlowControl:
        return bound_flow(self._flow, request, "EidasMeans")

    # -- the checks ------------------------------------------------------------------------
    async def authenticate(self, transaction: Transaction, encoded: str) -> Authentication:
        """Verify the node's Response and turn it into an ``Authentication``.

        Raises ``LoginCancelled`` when the person cancelled at the node, ``SamlError`` otherwise.
        """
        s = self.settings
        state = transaction.means_state.get(STATE_KEY)
        if transaction.means != self.name or not isinstance(state, dict):
            raise SamlError("Geen eIDAS-verzoek bij deze inlogpoging.", "no eIDAS request state")
        requested = Level(int(state["level"]))
        response = parse_xml(_decode(encoded))
        expectations = Expectations(
            idp_entity_id=s.node_entity_id,
            sp_entity_id=s.sp_entity_id,
            acs_url=s.acs_url,
            authn_request_id=str(state["request_id"]),
            certificates=self._certificates,
            clock_skew=s.clock_skew,
            require_response_signature=True,  # HTTP-POST: the browser carries it (§3.5.5.2)
        )
        try:
            verified = validate_response(response, expectations)
        except SamlStatusError as status:
            if status.sub_code in _CANCEL_SUB_CODES:
                raise LoginCancelled() from None
            raise
        signed_response, assertion = signed_response_parts(
            response, self._certificates, verified.assertion_id
        )
        # Bindings §3.5.5.2: a signed POSTed message MUST name its Destination.
        if signed_response.get("Destination") != s.acs_url:
            raise SamlError("Antwoord voor een ander adres.", "Response Destination missing")
        class_ref = verified.authn_context_class_ref
        try:
            level = Level.from_eidas(class_ref)
        except UnknownLevel:
            raise SamlError("Onbekend eIDAS-niveau.", "unknown eIDAS LoA") from None
        if level.eidas != class_ref:  # an anyURI: no case folding (from_eidas folds case)
            raise SamlError("Onbekend eIDAS-niveau.", "unknown eIDAS LoA (not exact)")
        if level < requested:  # Comparison="minimum": never pass on a lower level
            raise SamlError("eIDAS-niveau te laag.", "achieved LoA below the requested LoA")
        person = read_person(assertion)
        await remember_assertion(self.store, verified, s.clock_skew)
        return Authentication(
            means=self.name,
            subject_kind="eidas",  # a PersonIdentifier, never a BSN (domain.md)
            subject=person.person_identifier,
            level=level,
            auth_time=int(verified.authn_instant),
            attributes=person.attributes(),
            upstream_session=verified.session_index,
        )


def _decode(encoded: str) -> bytes:
    try:
        return base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise SamlError("SAMLResponse is geen base64.", "SAMLResponse is not base64") from None


async def _read_post(request: Request) -> tuple[str, str]:
    """``SAMLResponse`` and ``RelayState`` from a urlencoded POST, read with a size cap.

    Each must occur exactly once (catalogue §3.4: duplicate parameters are refused); the
    RelayState must look like one of our transaction ids, so nothing else is ever reflected.
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        raise _bad_post()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            raise _bad_post()
        chunks.append(chunk)
    try:
        form = parse_qs(b"".join(chunks).decode("ascii"), strict_parsing=False)
    except UnicodeDecodeError:
        raise _bad_post() from None
    responses, states = form.get("SAMLResponse", []), form.get("RelayState", [])
    if len(responses) != 1 or len(states) != 1:
        raise _bad_post()
    saml_response = responses[0].replace(" ", "+")  # an unencoded '+' read as a form space
    if not _BASE64.fullmatch(saml_response) or not _RELAY_STATE.fullmatch(states[0]):
        raise _bad_post()
    return saml_response, states[0]
