"""The login-flow step "Namens wie wilt u dit regelen?" (acting on behalf of others).

Runs after a successful login and the level check (``Flow.complete``) and on SSO reuse
(``Flow.begin``), for a person identified by BSN at a service whose catalogue entry allows
representation. eHerkenning organisations already bring ``represents`` from the signed
assertion (domain.md "Organisation representation"): that is left alone.

Rules applied here (domain.md "Resolution"; attack-catalogue §6):

- the options come from ``Resolver.options``; the page shows each with its basis in plain
  words and a masked identifier (names of represented persons are not available to the broker);
- the options live in the transaction, server-side; the browser posts only an opaque id, and
  the chosen party is re-checked from scratch with ``Resolver.decide`` ("Principal selection
  tampering": an id not in this transaction's options is refused);
- the answer's level is the *effective* level (min of achieved and grant levels), never more
  than achieved; a denial shows the reason in Dutch and English with a way back;
- relations that exist but do not reach this service (bewind at a care service, a mandate for
  other services or granted too low) are listed below the choices with their reason, not
  selectable, so nobody wonders where the ward went. Only their masked label and reason code
  are kept in the transaction.

Client control (documented in the README): scope ``toegang:represent:none`` skips the step
(the client does not handle representation), ``toegang:represent:required`` removes "for
myself" (the service is only for representatives).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from broker.assurance import Level
from broker.errors import BrokerError, LevelTooLow
from broker.flow.model import Authentication, Transaction
from broker.identifiers import PartyId
from broker.pages.i18n import translate
from broker.pages.render import Renderer, locale_for
from broker.register.cache import ClientCache
from mandates.catalogue import RepresentationKind, ServiceTerms
from mandates.reasons import texts
from mandates.resolution import SELF, Basis, Decision, Option, Resolver

if TYPE_CHECKING:
    from broker.flow.engine import Flow

REPRESENT_NONE = "toegang:represent:none"
REPRESENT_REQUIRED = "toegang:represent:required"
MODES = {REPRESENT_NONE: "none", REPRESENT_REQUIRED: "required"}
MANDATE_SOURCE = "mandate_register"
STATE_KEY = "represent"


def representation_mode(scopes: list[str]) -> str:
    """``allowed`` (default), ``none`` or ``required`` from the request's scopes; both at once
    is a contradiction the front refuses (``ValueError``)."""
    found = {MODES[s] for s in scopes if s in MODES}
    if len(found) > 1:
        raise ValueError("toegang:represent:none and toegang:represent:required exclude each other")
    return found.pop() if found else "allowed"


ID_LABELS = {"bsn": "BSN", "eidas": "eIDAS", "kvk": "KvK", "rsin": "RSIN"}


def masked(party: dict[str, str]) -> str:
    """A safe label: a person's identifier shows only its last three digits (the broker has no
    names); organisation numbers come from public registers and are shown whole."""
    label = ID_LABELS.get(party["kind"], party["kind"])
    if party["kind"] in ("bsn", "eidas"):
        return f"{label} ••••••{party['value'][-3:]}"
    return f"{label} {party['value']}"


def record_of(basis: Basis) -> dict[str, Any]:
    """The private ``representation`` claim: kind, basis ids, scope and source."""
    return {
        "kind": basis.kind.value,
        "basis": list(basis.ids),
        "scope": list(basis.scope),
        "source": basis.source or MANDATE_SOURCE,
    }


def represented_parties(decision: Decision) -> list[dict[str, Any]]:
    """``Authentication.represents``, outermost first: intermediaries of a chain (nearest the
    actor first), then the represented party."""
    assert decision.basis is not None
    via = [
        {"kind": p.kind, "value": p.value, "attributes": {}} for p in reversed(decision.basis.via)
    ]
    target = decision.represented
    return [*via, {"kind": target.kind, "value": target.value, "attributes": {}}]


class RepresentationStep:
    """Offers the choice and answers it; ``flow`` is set by ``Flow.bind_representation``."""

    def __init__(
        self,
        *,
        resolver: Resolver,
        clients: ClientCache,
        renderer: Renderer,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.resolver = resolver
        self.clients = clients
        self.renderer = renderer
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.flow: Flow | None = None

    def routes(self) -> list[Route]:
        return [
            Route("/login/{transaction_id}/represent", self.page, methods=["GET"]),
            Route("/login/{transaction_id}/represent", self.choose, methods=["POST"]),
        ]

    @property
    def _flow(self) -> Flow:
        assert self.flow is not None, "RepresentationStep is not bound to a Flow"
        return self.flow

    async def terms(self, transaction: Transaction) -> ServiceTerms | None:
        """The service's catalogue terms, asking at least the level the client required."""
        login = transaction.request
        if not login.service_id:
            return None
        service = await self.clients.service(login.client_id, login.service_id)
        if service is None:
            return None
        terms = service.terms()
        return dataclasses.replace(terms, min_level=max(terms.min_level, login.required_level))

    async def after_login(
        self, request: Request, transaction: Transaction, auth: Authentication
    ) -> Response | None:
        """The choice page, or None when there is nothing to choose (continue as oneself)."""
        mode = transaction.request.protocol_params.get("representation", "allowed")
        if mode == "none" or auth.subject_kind != "bsn" or auth.represents:
            return None
        terms = await self.terms(transaction)
        if terms is None or not terms.representation:
            if mode == "required":
                return await self._denied(request, transaction, "service_not_representable")
            return None
        options = await self.resolver.options(
            PartyId(auth.subject_kind, auth.subject), auth.level, terms, self.clock()
        )
        offered = [o for o in options if not (mode == "required" and o.kind == SELF)]
        silent = bool(transaction.request.protocol_params.get("prompt_none"))
        only_self = mode != "required" and len(offered) == 1 and not options.unavailable
        if only_self and (silent or not options.not_applicable):
            # Nothing to choose: no page, unless there is something to explain and the client
            # allows a page (the explanation never blocks a silent login).
            return None
        if silent:
            return await self._flow.fail(
                request,
                transaction,
                BrokerError(
                    "Er moet een keuze gemaakt worden: namens wie.",
                    "A choice is needed: on whose behalf.",
                    code="interaction_required",
                ),
            )
        transaction.authentication = auth
        transaction.means_state[STATE_KEY] = {
            "options": [self._stored(o) for o in offered],
            "unavailable": sorted(options.unavailable),
            "not_applicable": [
                {
                    "kind": n.kind,
                    "id": masked({"kind": n.party.kind, "value": n.party.value}),
                    "code": n.code,
                }
                for n in options.not_applicable
            ],
        }
        await self._flow.save(transaction)
        return self._render(request, transaction)

    @staticmethod
    def _stored(option: Option) -> dict[str, Any]:
        return {
            "id": secrets.token_urlsafe(12),
            "kind": option.kind,
            "party": {"kind": option.party.kind, "value": option.party.value},
        }

    # -- pages ------------------------------------------------------------------------------
    def _render(self, request: Request, transaction: Transaction, error: bool = False) -> Response:
        lang = locale_for(request)
        state = transaction.means_state[STATE_KEY]
        service = transaction.means_state.get("service", {})
        options = []
        for stored in state["options"]:
            kind = stored["kind"]
            if kind == SELF:
                label, basis = translate(lang, "represent.self"), ""
            else:
                label = translate(lang, f"represent.who.{kind}", id=masked(stored["party"]))
                basis = translate(lang, f"represent.basis.{kind}")
            options.append({"id": stored["id"], "label": label, "basis": basis})
        not_applicable = [
            translate(
                lang,
                "represent.not_applicable_item",
                who=translate(lang, f"represent.who.{n['kind']}", id=n["id"]),
                reason=texts(n["code"])[0 if lang == "nl" else 1],
            )
            for n in state.get("not_applicable", [])
        ]
        return self.renderer.render(
            request,
            "represent.html",
            {
                "service_name": service.get(lang) or service.get("nl", ""),
                "options": options,
                "unavailable": [
                    translate(lang, f"represent.source.{name}") for name in state["unavailable"]
                ],
                "not_applicable": not_applicable,
                "transaction": transaction.id,
                "csrf": transaction.means_state["csrf"],
                "action_url": f"/login/{transaction.id}/represent",
                "cancel_url": f"/login/{transaction.id}/cancel",
                "error": error,
            },
            status_code=400 if error else 200,
        )

    async def _denied(self, request: Request, transaction: Transaction, code: str) -> Response:
        lang = locale_for(request)
        service = transaction.means_state.get("service", {})
        await self._flow.save(transaction)
        message_nl, message_en = texts(code)
        return self.renderer.render(
            request,
            "represent_denied.html",
            {
                "service_name": service.get(lang) or service.get("nl", ""),
                "reason": message_nl if lang == "nl" else message_en,
                "reason_code": code,
                "back_url": f"/login/{transaction.id}/represent"
                if STATE_KEY in transaction.means_state
                else None,
                "transaction": transaction.id,
                "csrf": transaction.means_state["csrf"],
                "cancel_url": f"/login/{transaction.id}/cancel",
            },
            status_code=403,
        )

    async def _pending(self, request: Request) -> Transaction:
        from broker.flow.engine import TransactionNotFound

        transaction = await self._flow.load(request, request.path_params["transaction_id"])
        if STATE_KEY not in transaction.means_state or transaction.authentication is None:
            raise TransactionNotFound()
        return transaction

    async def page(self, request: Request) -> Response:
        """The choice again (the "back" link of the refusal page)."""
        return self._render(request, await self._pending(request))

    async def choose(self, request: Request) -> Response:
        from broker.flow.engine import TransactionNotFound

        transaction = await self._pending(request)
        form = await request.form()
        csrf = form.get("csrf")
        if not isinstance(csrf, str) or not hmac.compare_digest(
            csrf, transaction.means_state["csrf"]
        ):
            raise TransactionNotFound()
        chosen = form.get("choice")
        stored = next(
            (
                o
                for o in transaction.means_state[STATE_KEY]["options"]
                if isinstance(chosen, str) and hmac.compare_digest(o["id"], chosen)
            ),
            None,
        )
        if stored is None:
            # Nothing chosen, or an id that is not one of this transaction's options.
            return self._render(request, transaction, error=True)
        actor = transaction.authentication
        assert actor is not None
        terms = await self.terms(transaction)
        if terms is None:
            return await self._denied(request, transaction, "service_not_representable")
        me = PartyId(actor.subject_kind, actor.subject)
        target = PartyId(stored["party"]["kind"], stored["party"]["value"])
        decision = await self.resolver.decide(
            me, actor.level, terms, None if target == me else target, self.clock()
        )
        if decision.code == "step_up" and decision.step_up_to is not None:
            transaction.request.required_level = decision.step_up_to
            return await self._flow.fail(
                request, transaction, LevelTooLow(actor.level, decision.step_up_to)
            )
        if not decision.allowed:
            return await self._denied(request, transaction, decision.code)
        if decision.basis is None:  # for oneself
            transaction.means_state.pop("representation", None)
            return await self._flow.finish_as(request, transaction, actor, actor)
        level = decision.effective_level or actor.level
        answer = dataclasses.replace(
            actor,
            level=Level(min(level, actor.level)),
            represents=represented_parties(decision),
        )
        transaction.means_state["representation"] = record_of(decision.basis)
        if decision.basis.kind in (RepresentationKind.VOLUNTARY, RepresentationKind.CHAIN):
            transaction.means_state["mandate_ids"] = list(decision.basis.ids)
        return await self._flow.finish_as(request, transaction, actor, answer)
