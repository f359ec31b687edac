"""DigiD as a login means, over the classic DigiD SAML 3.x interface.

Reference: ``nl-login-means.md`` §2.1 (Koppelvlakspecificatie DigiD SAML Authenticatie 3.x).
The browser only ever carries a signed AuthnRequest (HTTP-Redirect) and an artifact
(HTTP-Artifact); the assertion with the BSN travels on the back channel, ArtifactResolve over
SOAP with mutual TLS. Every rule the SP owes DigiD is checked here or in ``broker.saml``
(attack catalogue §3). The BSN is never logged.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import re
import ssl
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from broker.assurance import Level, UnknownLevel
from broker.errors import LevelTooLow, LoginCancelled, LoginMeansError
from broker.flow.model import Authentication, Transaction
from broker.identifiers import elfproef
from broker.means.base import FlowControl
from broker.saml import soap
from broker.saml.artifact import parse_artifact
from broker.saml.messages import artifact_resolve, authn_request, new_message_id, sp_metadata
from broker.saml.redirect import build_redirect_url
from broker.saml.response import (
    Expectations,
    SamlStatusError,
    VerifiedAssertion,
    open_artifact_response,
    validate_response,
)
from broker.saml.signature import load_certificates, sign_enveloped
from broker.saml.xml import (
    MAX_XML_BYTES,
    STATUS_AUTHN_FAILED,
    STATUS_RESPONDER,
    SamlError,
    to_bytes,
)
from broker.store import Store

log = logging.getLogger("toegang.means.digid")

ARTIFACT_TTL = 900  # how long a seen artifact is remembered (longer than any artifact lives)
RESOLVE_TIMEOUT = 10.0
SOAP_ACTION = "http://www.oasis-open.org/committees/security"  # SAML Bindings §3.2.3.3
SECTOR_BSN = "s00000000"  # §2.1: sector code of a BSN; s00000001 (SoFi) is refused
_NAME_ID = re.compile(r"(s\d{8}):(.*)", re.DOTALL)
STATE_KEY = "digid"

HttpClient = httpx.AsyncClient | Callable[[], httpx.AsyncClient]


def _remember_missing_sniffio() -> None:
    """Make httpcore's per-request ``import sniffio`` fail fast when sniffio is not installed.

    httpcore tries that import several times per back-channel request to tell asyncio from
    trio; a failing import is not cached by Python and searches ``sys.path`` on the file system
    every time (about 0.15 ms each, a measurable share of a login's CPU). A ``None`` entry in
    ``sys.modules`` gives the same ``ModuleNotFoundError`` at once. Nothing changes when sniffio
    is installed (then this does nothing); adding it as a dependency would make this moot.
    """
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


_remember_missing_sniffio()


@dataclass(frozen=True)
class DigidSettings:
    """Everything DigiD and the broker agreed on (metadata exchange with Logius)."""

    sp_entity_id: str
    acs_url: str
    idp_entity_id: str
    idp_sso_url: str
    idp_artifact_resolution_url: str
    idp_certificates: list[bytes]  # PEM; more than one during a DigiD certificate rollover
    sp_key: rsa.RSAPrivateKey
    sp_cert_pem: bytes
    clock_skew: int = 60
    artifact_content_type: str = "text/xml"  # or "application/soap+xml" (legacy), §2.1
    tls_client_certificate: str | None = None  # PKIoverheid client cert for the back channel
    tls_client_key: str | None = None
    tls_ca_bundle: str | None = None


def default_http_client(settings: DigidSettings) -> httpx.AsyncClient:
    """A client for the back channel: mutual TLS with the SP certificate when configured."""
    context = ssl.create_default_context(cafile=settings.tls_ca_bundle)
    if settings.tls_client_certificate:
        context.load_cert_chain(settings.tls_client_certificate, settings.tls_client_key)
    return httpx.AsyncClient(verify=context, timeout=RESOLVE_TIMEOUT, follow_redirects=False)


def _not_verified() -> LoginMeansError:
    """What the person sees for any refused answer: no details (they are in the log)."""
    return LoginMeansError(
        "Uw inlog bij DigiD kon niet worden gecontroleerd. Probeer het opnieuw.",
        "Your DigiD login could not be verified. Please try again.",
    )


def bsn_from_name_id(name_id: str) -> str:
    """The BSN in a DigiD NameID ``s00000000:<bsn>`` (§2.1); anything else is refused."""
    match = _NAME_ID.fullmatch(name_id)
    if match is None:
        raise SamlError("Onverwachte NameID.", "NameID is not <sectorcode>:<number>")
    if match.group(1) != SECTOR_BSN:
        raise SamlError("Onverwachte sectorcode.", "NameID sector code is not s00000000 (BSN)")
    if not elfproef(match.group(2)):
        raise SamlError("Ongeldig BSN.", "NameID number fails the BSN elfproef")
    return match.group(2)


class DigidMeans:
    """The ``digid`` login means (implements ``broker.means.base.LoginMeans``).

    The ACS needs the flow: it is the one given to ``bind``/the constructor, else the one last
    passed to ``start`` in this process, else ``request.app.state.flow`` or
    ``request.app.state.broker.flow`` (another worker may receive the ACS call).
    """

    name = "digid"
    labels = {"nl": "DigiD", "en": "DigiD"}  # noqa: RUF012 - protocol attribute
    max_level = Level.HIGH

    def __init__(
        self,
        settings: DigidSettings,
        store: Store,
        http_client: HttpClient | None = None,
        flow: FlowControl | None = None,
    ) -> None:
        if settings.artifact_content_type not in ("text/xml", "application/soap+xml"):
            raise ValueError("artifact_content_type must be text/xml or application/soap+xml")
        self.settings = settings
        self.store = store
        self._certificates = load_certificates(settings.idp_certificates)
        self._http_client = http_client
        self._own_client: httpx.AsyncClient | None = None
        self._flow = flow
        self._metadata: bytes | None = None

    @property
    def sso_url(self) -> str:
        """DigiD's SSO endpoint (the app allows form posts to its origin)."""
        return self.settings.idp_sso_url

    def bind(self, flow: FlowControl) -> None:
        """Give the means the flow its ACS hands results to (the app does this at start-up)."""
        self._flow = flow

    # -- LoginMeans ------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/acs", self.acs, methods=["GET", "POST"]),
            Route("/metadata", self.metadata, methods=["GET"]),
        ]

    async def start(
        self, request: Request, transaction: Transaction, flow: FlowControl
    ) -> Response:
        """Send the browser to DigiD with a signed AuthnRequest (HTTP-Redirect, §2.1)."""
        if self._flow is None:
            self._flow = flow
        s = self.settings
        login = transaction.request
        level = login.required_level
        request_id = new_message_id()
        message = authn_request(
            request_id=request_id,
            issuer=s.sp_entity_id,
            destination=s.idp_sso_url,
            acs_url=s.acs_url,
            class_ref=level.digid_class_ref,
            force_authn=login.force_authn or login.max_age is not None,
        )
        transaction.means = self.name
        transaction.means_state[STATE_KEY] = {
            "request_id": request_id,
            "issued": int(time.time()),
            "level": int(level),
        }
        await flow.save(transaction)
        url = build_redirect_url(
            s.idp_sso_url, "SAMLRequest", to_bytes(message), transaction.id, s.sp_key
        )
        return RedirectResponse(url, status_code=303)

    # -- endpoints -------------------------------------------------------------------------
    async def metadata(self, request: Request) -> Response:
        """SP metadata, signed with the SP key (exchanged with Logius, §2.1)."""
        if self._metadata is None:
            s = self.settings
            descriptor = sp_metadata(
                entity_id=s.sp_entity_id, acs_url=s.acs_url, cert_pem=s.sp_cert_pem
            )
            self._metadata = to_bytes(sign_enveloped(descriptor, s.sp_key, s.sp_cert_pem))
        return Response(self._metadata, media_type="application/samlmetadata+xml")

    async def acs(self, request: Request) -> Response:
        """Assertion consumer (HTTP-Artifact, SAML Bindings §3.6): resolve, check, hand over."""
        flow = self._flow_for(request)
        if request.method == "POST":
            form = await request.form()
            values = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form}
        else:
            values = {k: request.query_params.getlist(k) for k in request.query_params}
        relay_state = _single(values, "RelayState")
        # An unknown, expired or other browser's transaction: BrokerError, shown by the app.
        transaction = await flow.load(request, relay_state or "")
        artifact = _single(values, "SAMLart")
        if artifact is not None:
            artifact = artifact.replace(" ", "+")  # an unencoded '+' read as form space
        try:
            if artifact is None:
                raise SamlError("Geen artefact ontvangen.", "SAMLart missing or repeated")
            authentication = await self.authenticate(transaction, artifact)
        except LoginCancelled as cancelled:
            log.info("DigiD login cancelled by the user")
            return await flow.fail(request, transaction, cancelled)
        except SamlError as exc:
            log.warning("DigiD answer refused: %s", exc.message_en)
            return await flow.fail(request, transaction, _not_verified())
        except LevelTooLow as low:
            log.info("DigiD level %s below required %s", low.achieved.label, low.required.label)
            return await flow.fail(request, transaction, low)
        return await flow.complete(request, transaction, authentication)

    def _flow_for(self, request: Request) -> FlowControl:
        if self._flow is not None:
            return self._flow
        state = request.app.state
        flow: FlowControl | None = getattr(state, "flow", None)
        if flow is None and getattr(state, "broker", None) is not None:
            flow = getattr(state.broker, "flow", None)
        if flow is None:
            raise RuntimeError("DigidMeans has no flow: call bind(flow) at start-up")
        return flow

    # -- the back channel and the checks ----------------------------------------------------
    async def authenticate(self, transaction: Transaction, artifact: str) -> Authentication:
        """Resolve ``artifact`` and turn DigiD's answer into an ``Authentication``.

        Raises ``LoginCancelled`` when the person cancelled at DigiD, ``SamlError`` otherwise.
        """
        s = self.settings
        state = transaction.means_state.get(STATE_KEY)
        if transaction.means != self.name or not isinstance(state, dict):
            raise SamlError("Geen DigiD-verzoek bij deze inlogpoging.", "no DigiD request state")
        request_id = str(state["request_id"])
        requested = Level(int(state["level"]))
        parse_artifact(artifact, s.idp_entity_id)  # SourceID check before any network traffic
        # One artifact, one use (SAML Bindings §3.6.5 / catalogue §3.4), across all workers.
        digest = hashlib.sha256(artifact.encode("ascii")).hexdigest()
        if not await self.store.add(
            "saml-artifact:" + digest, {"at": int(time.time())}, ttl=ARTIFACT_TTL
        ):
            raise SamlError("Dit artefact is al gebruikt.", "replayed artifact")
        resolve_id, body = await self._resolve(artifact)
        message = open_artifact_response(
            body,
            resolve_id=resolve_id,
            idp_entity_id=s.idp_entity_id,
            certificates=self._certificates,
            clock_skew=s.clock_skew,
        )
        if message is None:
            raise SamlError("DigiD kende het artefact niet.", "empty ArtifactResponse")
        expectations = Expectations(
            idp_entity_id=s.idp_entity_id,
            sp_entity_id=s.sp_entity_id,
            acs_url=s.acs_url,
            authn_request_id=request_id,
            certificates=self._certificates,
            clock_skew=s.clock_skew,
        )
        try:
            verified = validate_response(message, expectations)
        except SamlStatusError as status:
            if status.status_code == STATUS_RESPONDER and status.sub_code == STATUS_AUTHN_FAILED:
                raise LoginCancelled() from None  # DigiD's answer to "Annuleren"
            raise
        return await self._authentication(verified, requested)

    async def _authentication(
        self, verified: VerifiedAssertion, requested: Level
    ) -> Authentication:
        s = self.settings
        try:
            level = Level.from_digid_class_ref(verified.authn_context_class_ref)
        except UnknownLevel:
            raise SamlError("Onbekend DigiD-niveau.", "unknown AuthnContextClassRef") from None
        if level < requested:  # Comparison="minimum": never pass on a lower level
            raise LevelTooLow(level, requested)
        ttl = max(1, int(verified.valid_until - time.time()) + s.clock_skew)
        if not await self.store.add(
            "saml-assertion:" + verified.assertion_id, {"at": int(time.time())}, ttl=ttl
        ):
            raise SamlError("Deze assertion is al gebruikt.", "replayed assertion")
        bsn = bsn_from_name_id(verified.name_id)
        return Authentication(
            means=self.name,
            subject_kind="bsn",
            subject=bsn,
            level=level,
            auth_time=int(verified.authn_instant),
            upstream_session=verified.session_index,
        )

    async def _resolve(self, artifact: str) -> tuple[str, bytes]:
        """POST a signed ArtifactResolve in SOAP (SAML Bindings §3.6.3, §3.2); return the body."""
        s = self.settings
        resolve_id = new_message_id()
        message = artifact_resolve(
            resolve_id=resolve_id,
            issuer=s.sp_entity_id,
            destination=s.idp_artifact_resolution_url,
            artifact=artifact,
        )
        body = soap.wrap(sign_enveloped(message, s.sp_key, s.sp_cert_pem))
        headers = {"Content-Type": s.artifact_content_type}
        if s.artifact_content_type == "text/xml":
            headers["SOAPAction"] = SOAP_ACTION
        client, close_after = self._client()
        try:
            return resolve_id, await _post(client, s.idp_artifact_resolution_url, body, headers)
        except httpx.HTTPError as exc:
            raise SamlError(
                "DigiD is niet bereikbaar.", f"artifact resolution failed: {type(exc).__name__}"
            ) from None
        finally:
            if close_after:
                await client.aclose()

    def _client(self) -> tuple[httpx.AsyncClient, bool]:
        """The back-channel client and whether to close it after the call.

        A factory is trusted to apply TLS itself. A shared instance is used as given unless a
        TLS client certificate is configured: then mutual TLS must not silently fall away, so
        the means uses its own client built from the settings.
        """
        given = self._http_client
        if given is not None and not isinstance(given, httpx.AsyncClient):
            return given(), True
        if given is not None and not self.settings.tls_client_certificate:
            return given, False
        if self._own_client is None:
            self._own_client = default_http_client(self.settings)
        return self._own_client, False

    async def aclose(self) -> None:
        """Close the client this means built itself (not an injected one)."""
        if self._own_client is not None:
            await self._own_client.aclose()
            self._own_client = None


async def _post(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]
) -> bytes:
    """POST and read at most ``MAX_XML_BYTES`` of the answer."""
    async with client.stream(
        "POST", url, content=body, headers=headers, timeout=RESOLVE_TIMEOUT
    ) as response:
        if response.status_code != 200:
            raise SamlError(
                "DigiD gaf een fout.", f"artifact resolution HTTP status {response.status_code}"
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_XML_BYTES:
                raise SamlError("Antwoord van DigiD te groot.", "ArtifactResponse too large")
            chunks.append(chunk)
    return b"".join(chunks)


def _single(values: Mapping[str, list[str]], name: str) -> str | None:
    """One value of ``name``; a repeated parameter counts as absent (refused downstream)."""
    found = values.get(name, [])
    return found[0] if len(found) == 1 else None


__all__ = ["DigidMeans", "DigidSettings", "bsn_from_name_id", "default_http_client"]
