"""eHerkenning as a login means: the broker is a DV (service provider) toward a
Herkenningsmakelaar (HM), over the eTD DV-HM interface (``nl-login-means.md`` §3).

The browser carries a signed AuthnRequest (HTTP-Redirect, which the HM MAY accept, §3.1) and an
artifact back; the assertion travels on the back channel (ArtifactResolve over SOAP, mutual TLS
when configured). The checks are DigiD's (``broker.saml.response``, attack catalogue §3), then
eTD's own: identifiers decrypted from EncryptedIDs, the service, the level, the organisation.
Personal identifiers are never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from broker.assurance import Level, UnknownLevel
from broker.errors import LevelTooLow, LoginCancelled, LoginMeansError
from broker.flow.model import Authentication, Transaction
from broker.means.base import FlowControl, bound_flow
from broker.means.eherkenning.assertion import IdentifierNotAllowed, read_assertion
from broker.means.eherkenning.messages import authn_request, sp_metadata
from broker.saml.backchannel import ArtifactResolver, HttpClient, TlsSettings
from broker.saml.response import (
    SamlStatusError,
    validate_response_encrypted_subject,
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

log = logging.getLogger("toegang.means.eherkenning")

STATE_KEY = "eherkenning"
SUBJECT_KIND = "eherkenning-pseudo"


@dataclass(frozen=True)
class EherkenningSettings:
    """Everything the broker and the HM agreed on (metadata exchange, service catalogue)."""

    sp_entity_id: str
    acs_url: str
    service_id: str
    service_index: int
    hm_entity_id: str
    hm_sso_url: str
    hm_artifact_resolution_url: str
    hm_certificates: list[bytes]  # PEM; more than one during a rollover
    sp_key: rsa.RSAPrivateKey  # signs requests and decrypts EncryptedIDs
    sp_cert_pem: bytes
    service_uuid: str | None = None
    service_names: dict[str, str] = field(
        default_factory=lambda: {"nl": "Stelsel Toegang", "en": "Stelsel Toegang"}
    )
    allowed_legal_subject_types: Sequence[str] = ("KvKnr", "RSIN")
    request_authn_context: bool = True
    clock_skew: int = 60
    artifact_content_type: str = "text/xml"
    tls: TlsSettings = field(default_factory=TlsSettings)


def _not_verified() -> LoginMeansError:
    """What the person sees for any refused answer: no details (they are in the log)."""
    return LoginMeansError(
        "Uw inlog met eHerkenning kon niet worden gecontroleerd. Probeer het opnieuw.",
        "Your eHerkenning login could not be verified. Please try again.",
    )


def requested_level(level: Level) -> Level:
    """eHerkenning has nothing below low (EH1 was abolished, §3.3): ask for at least loa2."""
    return max(level, Level.LOW)


class EherkenningMeans:
    """The ``eherkenning`` login means (implements ``broker.means.base.LoginMeans``).

    The ACS needs the flow: the one given to ``bind``/the constructor, else the one last passed
    to ``start``, else ``request.app.state.flow`` or ``request.app.state.broker.flow``.
    """

    name = "eherkenning"
    labels = {"nl": "eHerkenning", "en": "eHerkenning"}  # noqa: RUF012 - protocol attribute
    max_level = Level.HIGH

    def __init__(
        self,
        settings: EherkenningSettings,
        store: Store,
        http_client: HttpClient | None = None,
        flow: FlowControl | None = None,
    ) -> None:
        unknown = set(settings.allowed_legal_subject_types) - {"KvKnr", "RSIN", "BSN"}
        if unknown or not settings.allowed_legal_subject_types:
            raise ValueError("allowed_legal_subject_types: use KvKnr, RSIN and/or BSN")
        self.settings = settings
        self.store = store
        self._resolver = ArtifactResolver(
            peer="eHerkenning",
            sp_entity_id=settings.sp_entity_id,
            acs_url=settings.acs_url,
            idp_entity_id=settings.hm_entity_id,
            url=settings.hm_artifact_resolution_url,
            sp_key=settings.sp_key,
            sp_cert_pem=settings.sp_cert_pem,
            certificates=load_certificates(settings.hm_certificates),
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
        """The HM's SSO endpoint (the app allows navigation to its origin)."""
        return self.settings.hm_sso_url

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
        """Send the browser to the HM with a signed AuthnRequest (HTTP-Redirect, §3.1)."""
        if self._flow is None:
            self._flow = flow
        s = self.settings
        login = transaction.request
        level = requested_level(login.required_level)
        request_id = await remember_request(transaction, flow, means=self.name, level=level)
        message = authn_request(
            request_id=request_id,
            issuer=s.sp_entity_id,
            destination=s.hm_sso_url,
            service_index=s.service_index,
            class_ref=level.eherkenning if s.request_authn_context else None,
            force_authn=login.force_authn or login.max_age is not None,
        )
        # RelayState is the transaction id: 43 characters, within the 80 bytes of §3.1.
        return redirect_request(s.hm_sso_url, message, transaction, s.sp_key, _NO_CACHE)

    # -- endpoints -------------------------------------------------------------------------
    async def metadata(self, request: Request) -> Response:
        """DV metadata, signed with the SP key (§3.1)."""
        if self._metadata is None:
            s = self.settings
            descriptor = sp_metadata(
                entity_id=s.sp_entity_id, acs_url=s.acs_url, cert_pem=s.sp_cert_pem,
                service_id=s.service_id, service_index=s.service_index,
                service_names=s.service_names,
            )
            self._metadata = to_bytes(sign_enveloped(descriptor, s.sp_key, s.sp_cert_pem))
        return Response(self._metadata, media_type="application/samlmetadata+xml")

    async def acs(self, request: Request) -> Response:
        """Assertion consumer (HTTP-Artifact by GET or POST, §3.1): resolve, check, hand over."""
        flow = self._flow_for(request)
        artifact, relay_state = await artifact_parameters(request)
        transaction = await flow.load(request, relay_state or "")
        try:
            if artifact is None:
                raise SamlError("Geen artefact ontvangen.", "SAMLart missing or repeated")
            authentication = await self.authenticate(transaction, artifact)
        except LoginCancelled as cancelled:
            log.info("eHerkenning login cancelled by the user")
            return _no_cache(await flow.fail(request, transaction, cancelled))
        except SamlError as exc:
            log.warning("eHerkenning answer refused: %s", exc.message_en)
            return _no_cache(await flow.fail(request, transaction, _not_verified()))
        except LevelTooLow as low:
            log.info("eHerkenning level %s below required %s", low.achieved.label,
                     low.required.label)
            return _no_cache(await flow.fail(request, transaction, low))
        except IdentifierNotAllowed as refused:
            log.warning("eHerkenning identifier type not allowed for this service")
            return _no_cache(await flow.fail(request, transaction, refused))
        return _no_cache(await flow.complete(request, transaction, authentication))

    def _flow_for(self, request: Request) -> FlowControl:
        return bound_flow(self._flow, request, "EherkenningMeans")

    # -- the back channel and the checks ----------------------------------------------------
    async def authenticate(self, transaction: Transaction, artifact: str) -> Authentication:
        """Resolve ``artifact`` and turn the HM's answer into an ``Authentication``.

        Raises ``LoginCancelled``, ``LevelTooLow``, ``IdentifierNotAllowed`` or ``SamlError``.
        """
        s = self.settings
        state = transaction.means_state.get(STATE_KEY)
        if transaction.means != self.name or not isinstance(state, dict):
            raise SamlError("Geen eHerkenning-verzoek bij deze inlogpoging.",
                            "no eHerkenning request state")
        request_id = str(state["request_id"])
        requested = Level(int(state["level"]))
        message = await self._resolver.open(artifact)  # single use: §3.1, Bindings §3.6.5
        expectations = self._resolver.expectations(request_id)
        try:
            verified, assertion = validate_response_encrypted_subject(message, expectations)
        except SamlStatusError as status:
            if status.status_code == STATUS_RESPONDER and status.sub_code == STATUS_AUTHN_FAILED:
                raise LoginCancelled() from None  # the HM's answer to "Annuleren"
            raise
        try:
            level = Level.from_eherkenning(verified.authn_context_class_ref)
        except UnknownLevel:
            raise SamlError("Onbekend eHerkenning-niveau.",
                            "unknown AuthnContextClassRef") from None
        if level < requested:  # Comparison="minimum": never pass on a lower level
            raise LevelTooLow(level, requested)
        facts = read_assertion(
            assertion,
            key=s.sp_key,
            sp_entity_id=s.sp_entity_id,
            service_id=s.service_id,
            service_uuid=s.service_uuid,
            allowed_legal_subject_types=s.allowed_legal_subject_types,
            level=level,
        )
        await remember_assertion(self.store, verified, s.clock_skew)
        return Authentication(
            means=self.name,
            subject_kind=SUBJECT_KIND,
            subject=facts.acting_subject,
            level=level,
            auth_time=int(verified.authn_instant),
            attributes=facts.attributes(),
            upstream_session=verified.session_index,
            reusable_until=reusable_until(verified),
            represents=facts.represents(),
        )

    async def aclose(self) -> None:
        """Close the client this means built itself (not an injected one)."""
        await self._resolver.aclose()


# §3.1: browser responses carry Cache-Control no-cache, no-store and Pragma no-cache.
_NO_CACHE = {"Cache-Control": "no-cache, no-store", "Pragma": "no-cache"}


def _no_cache(response: Response) -> Response:
    for name, value in _NO_CACHE.items():
        response.headers.setdefault(name, value)
    return response

