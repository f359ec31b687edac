"""The management API handlers (mounted at ``/api/v1``).

Person endpoints act for the person in the *broker session* (they logged in through the broker;
no separate API login): the session's identity and level are what ``MandateLifecycle`` gets,
never anything from the body. Object access goes through ``MandateLifecycle.get`` and the
lifecycle's role checks, which answer "unknown" for a mandate the person has no part in (no
IDOR oracle, attack-catalogue §6). State-changing calls need ``X-Requested-With: toegang``, a
JSON body, and no foreign ``Origin`` (CSRF: a cross-site form cannot set that header).

``/check`` is for service providers: client authentication with a client assertion
(``ClientAuthenticator``, as at the token endpoint), their own services only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import anyio.to_thread
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from broker.api.models import (
    CheckRequest,
    EmptyRequest,
    GrantRequest,
    MandateList,
    MandateOut,
    PartyRef,
)
from broker.api.openapi import CSRF_HEADER, CSRF_VALUE, openapi_document
from broker.assurance import Level, UnknownLevel
from broker.flow.mandate_uses import MandateUses
from broker.flow.representation import record_of
from broker.flow.session import SessionManager
from broker.fronts.oidc.client_auth import ClientAuthenticator
from broker.fronts.oidc.errors import OAuthError
from broker.identifiers import InvalidIdentifier, PartyId
from broker.register.clients import get_service
from broker.register.snapshots import ServiceInfo
from mandates.catalogue import ServiceTerms
from mandates.errors import MandateRefused
from mandates.lifecycle import MandateLifecycle, MandateView
from mandates.party_ids import checked
from mandates.reasons import texts
from mandates.resolution import CHECKED, Resolver

NO_STORE = {"Cache-Control": "no-store"}
PERSON_KINDS = frozenset({"bsn", "eidas"})
MAX_BODY = 16_384
M = TypeVar("M", bound=BaseModel)


# What a service provider learns of a refusal at ``/check``: something about its own service,
# the level, or a source being down. A reason that would disclose a relation the service has
# no right to know of (a bewind at a care service, an ended parental authority, gezag under
# investigation, a mandate for other services) reads "no basis"; the audit keeps the reason.
_DISCLOSED = frozenset(
    {"no_basis", "step_up", "self_level_too_low", "service_not_representable", "source_unavailable"}
)


def _error(status: int, error: str, code: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": error}
    if code is not None:
        nl, en = texts(code)
        body["message"] = {"nl": nl, "en": en}
    return JSONResponse(body, status_code=status, headers=NO_STORE)


def _invalid(exc: ValidationError) -> JSONResponse:
    """422 naming the fields; the input itself is never echoed back."""
    details = json.loads(
        json.dumps(exc.errors(include_input=False, include_url=False), default=str)
    )
    return JSONResponse(
        {"error": "invalid_body", "details": details}, status_code=422, headers=NO_STORE
    )


def _out(view: MandateView, me: PartyId) -> dict[str, Any]:
    return MandateOut(
        id=view.id,
        role="principal" if view.principal == me else "agent",
        state=view.state.value,
        principal=PartyRef(kind=view.principal.kind, value=view.principal.value),
        agent=PartyRef(kind=view.agent.kind, value=view.agent.value),
        services=list(view.services),
        valid_from=view.valid_from,
        valid_until=view.valid_until,
        granted_acr=view.granted_level.acr,
        onward=view.onward,
    ).model_dump(mode="json")


class _Refusal(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


class ManagementApi:
    def __init__(
        self,
        *,
        issuer: str,
        engine: Engine,
        sessions: SessionManager,
        lifecycle: MandateLifecycle,
        resolver: Resolver,
        authenticator: ClientAuthenticator,
        clients_services: Callable[[str, str], Any],
        mandate_uses: MandateUses | None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.issuer = issuer
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(issuer))
        self.engine = engine
        self.sessions = sessions
        self.lifecycle = lifecycle
        self.resolver = resolver
        self.authenticator = authenticator
        self.client_service = clients_services  # async (client_id, service_id) -> ServiceInfo
        self.mandate_uses = mandate_uses
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._openapi = json.dumps(openapi_document(issuer + "/api/v1")).encode()

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/openapi.json", self.openapi, methods=["GET"]),
            Route("/mandates", self.list_mandates, methods=["GET"]),
            Route("/mandates", self.grant, methods=["POST"]),
            Route("/mandates/{mandate_id}", self.get_mandate, methods=["GET"]),
            Route("/mandates/{mandate_id}/{action:str}", self.transition, methods=["POST"]),
            Route("/check", self.check, methods=["POST"]),
        ]

    async def openapi(self, request: Request) -> Response:
        return Response(self._openapi, media_type="application/json")

    # -- person side ------------------------------------------------------------------------
    async def _me(self, request: Request) -> tuple[PartyId, Level]:
        session = await self.sessions.load(self.sessions.session_id(request))
        auth = session.authentication if session is not None else None
        if auth is None:
            raise _Refusal(_error(401, "login_required"))
        if auth.subject_kind not in PERSON_KINDS:
            raise _Refusal(_error(403, "person_login_required"))
        return PartyId(auth.subject_kind, auth.subject), auth.level

    def _csrf(self, request: Request) -> None:
        origin = request.headers.get("origin")
        if request.headers.get(CSRF_HEADER.lower()) != CSRF_VALUE or (
            origin is not None and origin != self.origin
        ):
            raise _Refusal(_error(403, "csrf"))

    async def _body(self, request: Request, model: type[M]) -> M:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise _Refusal(_error(413, "too_large"))
        if not raw.strip() and model is EmptyRequest:
            return model()
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise _Refusal(_error(415, "use_application_json"))
        try:
            return model.model_validate_json(raw)
        except ValidationError as exc:
            raise _Refusal(_invalid(exc)) from None

    async def _guard(self, request: Request, handler: Callable[[], Any]) -> Response:
        try:
            return await handler()  # type: ignore[no-any-return]
        except _Refusal as refusal:
            return refusal.response
        except MandateRefused as exc:
            return _error(exc.status, exc.code, exc.code)
        except InvalidIdentifier:
            return _error(400, "invalid_identifier")

    async def list_mandates(self, request: Request) -> Response:
        async def run() -> Response:
            me, _ = await self._me(request)
            views = await anyio.to_thread.run_sync(self.lifecycle.mandates_of, me)
            body = MandateList.model_validate(
                {
                    "given": [_out(v, me) for v in views if v.principal == me],
                    "received": [_out(v, me) for v in views if v.agent == me],
                }
            )
            return JSONResponse(body.model_dump(mode="json"), headers=NO_STORE)

        return await self._guard(request, run)

    async def get_mandate(self, request: Request) -> Response:
        async def run() -> Response:
            me, _ = await self._me(request)
            mandate_id = request.path_params["mandate_id"]
            view = await anyio.to_thread.run_sync(lambda: self.lifecycle.get(mandate_id, by=me))
            return JSONResponse(_out(view, me), headers=NO_STORE)

        return await self._guard(request, run)

    async def _terms(self, service_ids: list[str]) -> list[ServiceTerms]:
        terms = []
        for service_id in service_ids:
            row = await anyio.to_thread.run_sync(get_service, self.engine, service_id)
            if row is None:
                raise _Refusal(_error(400, "unknown_service"))
            terms.append(ServiceInfo.from_row(row).terms())
        return terms

    async def grant(self, request: Request) -> Response:
        async def run() -> Response:
            me, level = await self._me(request)
            self._csrf(request)
            body = await self._body(request, GrantRequest)
            agent = checked(PartyId(body.agent.kind, body.agent.value))
            services = await self._terms([str(s) for s in body.services])
            now = self.clock()
            view = await anyio.to_thread.run_sync(
                lambda: self.lifecycle.grant(
                    principal=me,
                    principal_level=level,
                    agent=agent,
                    services=services,
                    valid_from=body.valid_from or now,
                    valid_until=body.valid_until,
                    now=now,
                    onward=body.onward,
                )
            )
            return JSONResponse(_out(view, me), status_code=201, headers=NO_STORE)

        return await self._guard(request, run)

    async def transition(self, request: Request) -> Response:
        async def run() -> Response:
            action = request.path_params["action"]
            if action not in ("accept", "reject", "revoke"):
                return _error(404, "not_found")
            me, _ = await self._me(request)
            self._csrf(request)
            await self._body(request, EmptyRequest)
            mandate_id = request.path_params["mandate_id"]
            step = getattr(self.lifecycle, action)
            now = self.clock()
            view = await anyio.to_thread.run_sync(lambda: step(mandate_id, by=me, now=now))
            if action == "revoke" and self.mandate_uses is not None:
                await self.mandate_uses.revoked(view.id)
            return JSONResponse(_out(view, me), headers=NO_STORE)

        return await self._guard(request, run)

    # -- service provider side ----------------------------------------------------------------
    async def check(self, request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return _error(415, "use_form_encoding")
        form = await request.form()
        keys = [key for key, _ in form.multi_items()]
        if len(keys) != len(set(keys)):
            # Which of two values counts would be a guess (as at the token endpoint).
            return _error(400, "duplicate_parameter")
        try:
            client = await self.authenticator.authenticate(request, form)
        except OAuthError as exc:
            return exc.response()
        fields = {
            k: v
            for k, v in form.multi_items()
            if k not in ("client_assertion", "client_assertion_type", "client_id")
        }
        try:
            body = CheckRequest.model_validate(fields)
        except ValidationError as exc:
            return _invalid(exc)
        service = await self.client_service(client.client_id, str(body.service_id))
        if service is None:
            return _error(404, "unknown_service")
        if "bsn" in (body.actor_type, body.represented_type) and not client.bsn_entitled:
            return _error(403, "not_bsn_entitled")
        try:
            actor = checked(PartyId(body.actor_type, body.actor))
            represented = checked(PartyId(body.represented_type, body.represented))
            level = Level.from_acr(body.acr) if body.acr else service.min_level
        except InvalidIdentifier:
            return _error(400, "invalid_identifier")
        except UnknownLevel:
            return _error(400, "unknown_acr")
        # Audited as a question, not a use: nobody acted for the represented party.
        decision = await self.resolver.decide(
            actor, level, service.terms(), represented, self.clock(), action=CHECKED
        )
        code = decision.code if decision.allowed or decision.code in _DISCLOSED else "no_basis"
        nl, en = texts(code)
        shown = decision.basis if decision.allowed or code == "step_up" else None
        return JSONResponse(
            {
                "allowed": decision.allowed,
                "reason": code,
                "message": {"nl": nl, "en": en},
                "representation": None if shown is None else record_of(shown),
                "acr": None
                if not decision.allowed or decision.effective_level is None
                else decision.effective_level.acr,
            },
            headers=NO_STORE,
        )


__all__ = ["ManagementApi"]
