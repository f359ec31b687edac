"""DigiD as a login means, over the classic DigiD SAML 3.x interface.

Reference: ``nl-login-means.md`` §2.1 (Koppelvlakspecificatie DigiD SAML Authenticatie 3.x).
The browser only ever carries a signed AuthnRequest (HTTP-Redirect) and an artifact
(HTTP-Artifact); the assertion with the BSN travels on the back channel, ArtifactResolve over
SOAP with mutual TLS. Every rule the SP owes DigiD is checked here or in ``broker.saml``
(attack catalogue §3). The BSN is never logged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from broker.assurance import Level, UnknownLevel
from broker.errors import LevelTooLow, LoginCancelled, LoginMeansError
from broker.flow.model import Authentication, Transaction
from broker.identifiers import elfproef
from broker.means.base import FlowControl, bound_flow
from broker.saml.backchannel import ArtifactResolver, HttpClient, TlsSettings
from broker.saml.messages import authn_request, sp_metadata
from broker.saml.response import (
    SamlStatusError,
    VerifiedAssertion,
    validate_response,
)
from broker.saml.signature import load_certificates, sign_enveloped
from broker.saml.sp import (
    artifact_parameters,
    redirect_request,
    remember_assertion,
    remember_request,
    reusable_until,
)
from broker.saml.xml import STATUS_AUTHN_FAILED, STATUS_RESPONDER, SamlError, to_bytes
from broker.store import Store

log = logging.getLogger("toegang.means.digid")

SECTOR_BSN = "s00000000"  # §2.1: sector code of a BSN; s00000001 (SoFi) is refused
_NAME_ID = re.compile(r"(s\d{8}):(.*)", re.DOTALL)
STATE_KEY = "digid"


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

    @property
    def tls(self) -> TlsSettings:
        """The back channel's TLS settings (mutual TLS when a client certificate is set)."""
        return TlsSettings(self.tls_client_certificate, self.tls_client_key, self.tls_ca_bundle)


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
        self.settings = settings
        self.store = store
        self._resolver = ArtifactResolver(
            peer="DigiD",
            sp_entity_id=settings.sp_entity_id,
            acs_url=settings.acs_url,
            idp_entity_id=settings.idp_entity_id,
            url=settings.idp_artifact_resolution_url,
            sp_key=settings.sp_key,
            sp_cert_pem=settings.sp_cert_pem,
            certificates=load_certificates(settings.idp_certificates),
            store=store,
            content_type=settings.artifact_content_type,
            tls=settings.tls,
            http_client=http_client,
            clock_skew=settings.clock_skew,
        )
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
        request_id = await remember_request(transaction, flow, means=self.name, level=level)
        message = authn_request(
            request_id=request_id,
            issuer=s.sp_entity_id,
            destination=s.idp_sso_url,
            acs_url=s.acs_url,
            class_ref=level.digid_class_ref,
            force_authn=login.force_authn or login.max_age is not None,
        )
        return redirect_request(s.idp_sso_url, message, transaction, s.sp_key)

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
        artifact, relay_state = await artifact_parameters(request)
        # An unknown, expired or other browser's transaction: BrokerError, shown by the app.
        transaction = await flow.load(request, relay_state or "")
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
        return bound_flow(self._flow, request, "DigidMeans")

    # -- the back channel and the checks ----------------------------------------------------
    async def authenticate(self, transaction: Transaction, artifact: str) -> Authentication:
        """Resolve ``artifact`` and turn DigiD's answer into an ``Authentication``.

        Raises ``LoginCancelled`` when the person cancelled at DigiD, ``SamlError`` otherwise.
        """
        state = transaction.means_state.get(STATE_KEY)
        if transaction.means != self.name or not isinstance(state, dict):
            raise SamlError("Geen DigiD-verzoek bij deze inlogpoging.", "no DigiD request state")
        request_id = str(state["request_id"])
        requested = Level(int(state["level"]))
        message = await self._resolver.open(artifact)
        expectations = self._resolver.expectations(request_id)
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
        await remember_assertion(self.store, verified, s.clock_skew)
        bsn = bsn_from_name_id(verified.name_id)
        return Authentication(
            means=self.name,
            subject_kind="bsn",
            subject=bsn,
            level=level,
            auth_time=int(verified.authn_instant),
            upstream_session=verified.session_index,
            reusable_until=reusable_until(verified),
        )

    async def aclose(self) -> None:
        """Close the back-channel client this means built itself (not an injected one)."""
        await self._resolver.aclose()


__all__ = ["DigidMeans", "DigidSettings", "bsn_from_name_id"]
