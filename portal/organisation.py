"""The portal for organisations (``/mijn/organisatie``): a person logged in with eHerkenning as
an authorised representative of a company manages the company's mandates.

The session's party is the company itself (``portal.login``: the KvK number the broker
vouches for in ``represents``), so every step below acts as that company and only as it: the
grant flow, the mandate page, accept/reject/revoke and "who acted for us" are the citizen
portal's own handlers (``portal.app``), reached through a gate that admits organisation
sessions only; the lifecycle's role checks make another party's mandate id answer "not found",
and the audit trail is read for the company's own party only. A company authorises an
employee (BSN) or an intermediary organisation (KvK number, a chain link whose own employees
may then act); an intermediary sees what it may do for whom and answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from broker.identifiers import PartyId
from broker.pages.i18n import translate
from broker.register.snapshots import ServiceInfo
from mandates.catalogue import RepresentationKind
from mandates.party_ids import is_organisation
from portal.session import PortalSession

if TYPE_CHECKING:
    from portal.app import Portal

ORGANISATION_PATH = "/organisatie"
Handler = Callable[[Request], Awaitable[Response]]


class OrganisationPages:
    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        gate = self._gate
        self.app = Starlette(
            routes=[
                Route("/", self.overview, methods=["GET"]),
                Route("/machtigen", gate(portal.grant_form), methods=["GET"]),
                Route("/machtigen", gate(portal.grant_check), methods=["POST"]),
                Route("/machtigen/bevestigen", gate(portal.grant_confirm), methods=["POST"]),
                Route("/machtigen/bevestigen", gate(portal.again), methods=["GET"]),
                Route("/machtigingen/{mandate_id}", gate(portal.detail), methods=["GET"]),
                Route(
                    "/machtigingen/{mandate_id}/{action}", gate(portal.confirm), methods=["GET"]
                ),
                Route(
                    "/machtigingen/{mandate_id}/{action}",
                    gate(portal.transition),
                    methods=["POST"],
                ),
                Route("/gehandeld", gate(portal.history), methods=["GET"]),
                # Every portal page links to these under its own base: the session's extend
                # link and the accessibility statement.
                Route("/verlengen", gate(portal.extend), methods=["GET"]),
                Route("/toegankelijkheid", portal.accessibility, methods=["GET"]),
                Route("/logout", portal.logout, methods=["POST"]),
                Route("/logout", portal.again, methods=["GET"]),
            ]
        )

    async def _organisation(self, request: Request) -> PortalSession | None:
        me = await self.portal.sessions.load(request)
        return me if me is not None and me.organisation else None

    def _to_portal(self, request: Request) -> Response:
        """Anyone else (not logged in, or a citizen) starts at the portal's own front page."""
        base = self.portal.base_url(request).removesuffix(ORGANISATION_PATH)
        return RedirectResponse(base + "/", status_code=303)

    def _gate(self, handler: Handler) -> Handler:
        async def gated(request: Request) -> Response:
            if await self._organisation(request) is None:
                return self._to_portal(request)
            return await handler(request)

        return gated

    async def overview(self, request: Request) -> Response:
        """Given: whom the organisation authorised. Received: what it may do, for whom.
        Pending: what it still has to accept or reject."""
        me = await self._organisation(request)
        if me is None:
            return self._to_portal(request)
        portal = self.portal
        views = await anyio.to_thread.run_sync(portal.lifecycle.mandates_of, me.person)
        services = await portal.catalogue()
        shown = [portal.mandate_view(request, view, me.person, services) for view in views]
        received = [m for m in shown if m["role"] == "agent"]
        return portal.render_page(
            request,
            "portal_org_overview.html",
            me,
            given=[m for m in shown if m["role"] == "principal"],
            received=[m for m in received if m["state"] != "requested"],
            pending=[m for m in received if m["state"] == "requested"],
        )


def chain_refusal(agent: PartyId | None, chosen: list[ServiceInfo], lang: str) -> str | None:
    """Why an organisation cannot be the agent for some of ``chosen`` (services that do not
    allow a chain mandate), said on the form rather than after the confirmation page."""
    if agent is None or not is_organisation(agent):
        return None
    closed = [s.name(lang) for s in chosen if not s.terms().allows(RepresentationKind.CHAIN)]
    if not closed:
        return None
    return translate(lang, "portal.error.no_chain", services=", ".join(closed))


__all__ = ["ORGANISATION_PATH", "OrganisationPages", "chain_refusal"]
