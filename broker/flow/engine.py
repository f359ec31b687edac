"""The flow engine: from a protocol-neutral LoginRequest to an Authentication at the right level.

Fronts call ``begin``; the engine picks a login means (the client's hint, the only one possible,
or the person's choice on the chooser page), starts it, and takes its answer back through the
``FlowControl`` methods. The level policy is checked here, once, for every means: a client never
gets an answer below the level it requires.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from broker.assurance import Level
from broker.errors import BrokerError, LevelTooLow, LoginCancelled, LoginMeansError
from broker.flow.model import Authentication, LoginRequest, Transaction, new_id
from broker.flow.session import BrokerSession, SessionManager, binding_of, session_key
from broker.level_policy import satisfies
from broker.means.base import LoginMeans
from broker.pages.i18n import translate
from broker.pages.render import Renderer, locale_for
from broker.store import Put, Store

if TYPE_CHECKING:
    from broker.flow.representation import RepresentationStep

log = logging.getLogger("toegang.flow")


class TransactionNotFound(BrokerError):
    status = 400

    def __init__(self) -> None:
        super().__init__(
            "Deze inlogpoging is verlopen of onbekend. Ga terug naar de dienst en begin opnieuw.",
            "This login attempt has expired or is unknown. Go back to the service and start again.",
            code="invalid_request",
        )


class Front(Protocol):
    """A protocol front toward service providers (OIDC now, SAML later)."""

    async def finish(
        self,
        request: Request,
        transaction: Transaction,
        session_id: str,
        session: BrokerSession,
        writes: list[Put],
    ) -> Response:
        """Answer the service provider with the authentication in ``transaction``. Records to
        store go into ``writes``: the flow stores them with the session, in one round trip,
        before the answer is sent."""

    async def fail(
        self, request: Request, transaction: Transaction, error: BrokerError
    ) -> Response:
        """Answer the service provider with an error."""


@dataclass(frozen=True)
class ServiceView:
    """What the chooser shows of the requested service."""

    name_nl: str
    name_en: str


class Flow:
    """Implements ``FlowControl`` for login means and the chooser/cancel pages."""

    def __init__(
        self,
        *,
        store: Store,
        sessions: SessionManager,
        means: Mapping[str, LoginMeans],
        renderer: Renderer,
        transaction_lifetime: int,
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.means = dict(means)
        self.renderer = renderer
        self.transaction_lifetime = transaction_lifetime
        self.fronts: dict[str, Front] = {}
        # "On whose behalf" after login (broker.flow.representation); None: never asked.
        self.representation: RepresentationStep | None = None

    def bind_representation(self, step: RepresentationStep) -> None:
        self.representation = step
        step.flow = self

    # -- routes ---------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        routes = [
            Route("/login/{transaction_id}", self.chooser, methods=["GET"]),
            Route("/login/{transaction_id}/means/{means}", self.choose, methods=["POST"]),
            Route("/login/{transaction_id}/cancel", self.cancel, methods=["POST"]),
            Route("/login/{transaction_id}/stepup", self.step_up, methods=["POST"]),
        ]
        if self.representation is not None:
            routes.extend(self.representation.routes())
        return routes

    # -- used by fronts ---------------------------------------------------------------------
    def means_for(self, level: Level) -> list[LoginMeans]:
        return [m for m in self.means.values() if m.max_level >= level]

    async def begin(self, request: Request, login: LoginRequest, service: ServiceView) -> Response:
        """Open a transaction and send the browser to the means (or the chooser)."""
        session_id, new_cookie = self.sessions.ensure_id(request)
        session = None if new_cookie else await self.sessions.load(session_id)
        transaction = Transaction(
            id=new_id(),
            request=login,
            created=int(time.time()),
            browser_binding=binding_of(session_id),
            means_state={"csrf": secrets.token_urlsafe(24)},
        )
        transaction.means_state["service"] = {"nl": service.name_nl, "en": service.name_en}

        reuse = self.reusable(session, login)
        page = None
        if reuse is not None and self.representation is not None:
            # SSO reuses who logged in, never an earlier choice of whom they act for.
            page = await self.representation.after_login(request, transaction, reuse)
        if page is not None:
            response = page
        elif reuse is not None:
            # Answered at once: the transaction is never stored (``_finish`` would delete it).
            transaction.authentication = reuse
            response = await self._finish(request, transaction, session_id, session)
        else:
            response = await self._route_to_means(request, transaction)
        if new_cookie:
            self.sessions.set_cookie(response, session_id)
        return response

    def reusable(self, session: BrokerSession | None, login: LoginRequest) -> Authentication | None:
        """An earlier login in this broker session that satisfies this request (SSO)."""
        if session is None or session.authentication is None or login.force_authn:
            return None
        auth = session.authentication
        if auth.level < login.required_level:
            return None
        if login.means_hint and login.means_hint != auth.means:
            return None
        if login.max_age is not None and int(time.time()) - auth.auth_time > login.max_age:
            return None
        if auth.reusable_until is not None and time.time() >= auth.reusable_until:
            return None  # the means limited its session (SAML SessionNotOnOrAfter)
        return auth

    async def _route_to_means(self, request: Request, transaction: Transaction) -> Response:
        login = transaction.request
        possible = self.means_for(login.required_level)
        if login.means_hint is not None:
            chosen = self.means.get(login.means_hint)
            if chosen is None or chosen not in possible:
                return await self.fail(
                    request,
                    transaction,
                    BrokerError(
                        "Het gevraagde inlogmiddel is niet beschikbaar op het vereiste niveau.",
                        "The requested login means is not available at the required level.",
                        code="invalid_request",
                    ),
                )
            return await self._start(request, transaction, chosen)
        if not possible:
            return await self.fail(
                request,
                transaction,
                LoginMeansError(
                    "Er is geen inlogmiddel dat het vereiste betrouwbaarheidsniveau haalt.",
                    "No login means reaches the required assurance level.",
                ),
            )
        if len(possible) == 1:
            return await self._start(request, transaction, possible[0])
        await self.save(transaction)
        return RedirectResponse(f"/login/{transaction.id}", status_code=303)

    async def _start(
        self, request: Request, transaction: Transaction, means: LoginMeans
    ) -> Response:
        transaction.means = means.name
        revision = transaction.revision
        response = await means.start(request, transaction, self)
        if transaction.revision == revision:
            # Means usually save the transaction with their own state before redirecting;
            # save it here only for one that did not (one store write per start, not two).
            await self.save(transaction)
        return response

    # -- FlowControl ------------------------------------------------------------------------
    async def load(self, request: Request, transaction_id: str) -> Transaction:
        session_id = self.sessions.session_id(request)
        if not transaction_id or session_id is None:
            raise TransactionNotFound()
        binding = binding_of(session_id)
        # The session record comes along: finishing the login needs it (``finish_as``).
        data, session = await self.store.get_many(["tx:" + transaction_id, session_key(binding)])
        if data is None:
            raise TransactionNotFound()
        transaction = Transaction.from_json(data)
        if not hmac.compare_digest(binding, transaction.browser_binding):
            # Another browser: the transaction id leaked or was planted (login CSRF).
            raise TransactionNotFound()
        transaction.session_record = (binding, session)
        return transaction

    def _remaining(self, transaction: Transaction) -> int:
        """Seconds the transaction may still live; ``TransactionNotFound`` once it expired."""
        remaining = transaction.created + self.transaction_lifetime - int(time.time())
        if remaining <= 0:
            raise TransactionNotFound()
        return remaining

    async def save(self, transaction: Transaction) -> None:
        remaining = self._remaining(transaction)
        await self.store.put("tx:" + transaction.id, transaction.to_json(), remaining)
        transaction.revision += 1

    async def complete(
        self, request: Request, transaction: Transaction, authentication: Authentication
    ) -> Response:
        required = transaction.request.required_level
        if not satisfies(authentication.level, required):
            # Policy, checked here for every means: never answer below the required level.
            return await self.fail(
                request, transaction, LevelTooLow(authentication.level, required)
            )
        # The transaction ends here (``_finish`` deletes it): no need to store the result in
        # it first, but a login that outlived the transaction is still refused.
        self._remaining(transaction)
        if self.representation is not None:
            page = await self.representation.after_login(request, transaction, authentication)
            if page is not None:
                return page
        return await self.finish_as(request, transaction, authentication, authentication)

    async def finish_as(
        self,
        request: Request,
        transaction: Transaction,
        actor: Authentication,
        answer: Authentication,
    ) -> Response:
        """Answer the client with ``answer``; the broker session keeps ``actor`` (who logged
        in, at the achieved level, without any representation), so SSO never carries a choice
        of whom to act for over to another login."""
        self._remaining(transaction)
        transaction.authentication = answer
        authentication = actor
        session_id = self.sessions.session_id(request)
        if session_id is None:
            raise TransactionNotFound()
        read = transaction.session_record
        if read is not None and read[0] == binding_of(session_id):
            session = self.sessions.from_record(read[1]) or BrokerSession()
        else:
            session = await self.sessions.load(session_id) or BrokerSession()
        if session.authentication is not None and (
            session.authentication.subject_kind != authentication.subject_kind
            or session.authentication.subject != authentication.subject
        ):
            session = BrokerSession()  # another person: nothing of the old session carries over
        session.authentication = authentication
        return await self._finish(request, transaction, session_id, session)

    async def _finish(
        self,
        request: Request,
        transaction: Transaction,
        session_id: str,
        session: BrokerSession | None,
    ) -> Response:
        front = self.fronts[transaction.request.protocol]
        session = session or BrokerSession(authentication=transaction.authentication)
        writes: list[Put] = []
        response = await front.finish(request, transaction, session_id, session, writes)
        # The front's records, the session and the end of the transaction: one round trip.
        await self.store.write_many(
            puts=[*writes, self.sessions.record(session_id, session)],
            deletes=["tx:" + transaction.id],
        )
        return response

    async def fail(
        self, request: Request, transaction: Transaction, error: BrokerError
    ) -> Response:
        if isinstance(error, LevelTooLow):
            log.info(
                "step-up offered: achieved %s, required %s",
                error.achieved.label,
                error.required.label,
            )
            return await self._step_up_page(request, transaction, error)
        await self.store.delete("tx:" + transaction.id)
        front = self.fronts[transaction.request.protocol]
        return await front.fail(request, transaction, error)

    # -- pages ------------------------------------------------------------------------------
    async def chooser(self, request: Request) -> Response:
        transaction = await self.load(request, request.path_params["transaction_id"])
        lang = locale_for(request)
        required = transaction.request.required_level
        offered, unavailable = [], []
        for means in self.means.values():
            label = means.labels.get(lang, means.labels["nl"])
            if means.max_level >= required:
                offered.append(
                    {
                        "name": means.name,
                        "label": label,
                        "description": "",
                        "action_url": f"/login/{transaction.id}/means/{means.name}",
                    }
                )
            else:
                unavailable.append(
                    {"label": label, "reason": translate(lang, "unavailable.level_too_low")}
                )
        service = transaction.means_state.get("service", {})
        return self.renderer.render(
            request,
            "choose_means.html",
            {
                "transaction": transaction.id,
                "csrf": transaction.means_state["csrf"],
                "service_name": service.get(lang) or service.get("nl", ""),
                "required_level": required,
                "means": offered,
                "unavailable": unavailable,
                "cancel_url": f"/login/{transaction.id}/cancel",
            },
        )

    async def _checked_form(self, request: Request) -> Transaction:
        transaction = await self.load(request, request.path_params["transaction_id"])
        form = await request.form()
        csrf = form.get("csrf")
        if not isinstance(csrf, str) or not hmac.compare_digest(
            csrf, transaction.means_state["csrf"]
        ):
            raise TransactionNotFound()
        return transaction

    async def choose(self, request: Request) -> Response:
        transaction = await self._checked_form(request)
        means = self.means.get(request.path_params["means"])
        if means is None or means.max_level < transaction.request.required_level:
            # A means that is not offered for this level can't be chosen by editing the form.
            return RedirectResponse(f"/login/{transaction.id}", status_code=303)
        return await self._start(request, transaction, means)

    async def _step_up_page(
        self, request: Request, transaction: Transaction, error: LevelTooLow
    ) -> Response:
        """Offer to log in again at the required level, or to go back (the level policy)."""
        transaction.means = None
        transaction.authentication = None
        await self.save(transaction)
        lang = locale_for(request)
        service = transaction.means_state.get("service", {})
        return self.renderer.render(
            request,
            "stepup.html",
            {
                "service_name": service.get(lang) or service.get("nl", ""),
                "achieved_level": error.achieved,
                "required_level": error.required,
                "transaction": transaction.id,
                "csrf": transaction.means_state["csrf"],
                "retry_url": f"/login/{transaction.id}/stepup",
                "cancel_url": f"/login/{transaction.id}/cancel",
            },
        )

    async def step_up(self, request: Request) -> Response:
        """Start again at the same required level and means hint; upstream logs in afresh."""
        transaction = await self._checked_form(request)
        transaction.request.force_authn = True
        return await self._route_to_means(request, transaction)

    async def cancel(self, request: Request) -> Response:
        transaction = await self._checked_form(request)
        return await self.fail(request, transaction, LoginCancelled())
