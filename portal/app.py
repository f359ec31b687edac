"""The self-service portal "Mijn machtigingen" (served by the broker under ``/mijn``).

A person logs in through the broker itself (``portal.login``, as any relying party would) and
then, in plain HTML forms without JavaScript: sees the mandates they gave, received and still
have to answer; grants a mandate (choose services, the agent's BSN, the period, then a
confirmation page that says exactly what the agent will be able to do); accepts, rejects or
revokes with a confirmation step; and reads "Wie heeft namens mij gehandeld?".

The rules mirror the management API (``broker.api.routes``): the person and the level come
from the portal session (the verified ID token), never from the form; every object access goes
through ``MandateLifecycle.get`` or the lifecycle's role checks, so another person's mandate id
answers "not found" (no IDOR oracle); every POST carries the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import anyio.to_thread
import httpx
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route

from broker.flow.mandate_uses import MandateUses
from broker.flow.representation import masked
from broker.identifiers import InvalidIdentifier, PartyId
from broker.pages.i18n import translate
from broker.pages.render import Renderer, locale_for
from broker.register.clients import list_clients, list_services
from broker.register.snapshots import ServiceInfo
from broker.store import Store
from mandates.catalogue import RepresentationKind
from mandates.errors import MandateNotFound, MandateRefused
from mandates.legal_cache import LegalRelationCache
from mandates.lifecycle import MandateLifecycle, MandateView
from mandates.models import MandateState
from mandates.party_ids import is_organisation
from mandates.reasons import texts
from portal.catalogue import clean_query, grouped, max_days
from portal.forms import AMSTERDAM, GrantForm
from portal.history import events_of, uses_for
from portal.legal import LegalOverview, legal_overview
from portal.login import LoginFailed, PortalLogin
from portal.organisation import ORGANISATION_PATH, OrganisationPages, chain_refusal
from portal.outbox import ConsoleOutbox, Outbox
from portal.session import COOKIE, LOGIN_COOKIE, PortalSession, PortalSessions

log = logging.getLogger("toegang.portal")
TEMPLATES = Path(__file__).parent / "templates"
ACTIONS = ("accept", "reject", "revoke")
#: One confirmation page, one grant: its token is taken when the grant is made, so a second
#: submit of the same page (a double click, the back button) grants nothing more.
GRANT_KEY = "portal-grant:"
#: The notice after a step (``?gedaan=``), by the state that step leaves the mandate in: a
#: link cannot make the page announce a step the mandate does not show.
DONE = {"granted": "requested", "accepted": "active", "rejected": "rejected", "revoked": "revoked"}


class Portal:
    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        private_jwk: dict[str, Any],
        redirect_uri: str,
        store: Store,
        http: httpx.AsyncClient,
        engine: Engine,
        lifecycle: MandateLifecycle,
        mandate_uses: MandateUses | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        outbox: Outbox | None = None,
        legal: LegalRelationCache | None = None,
    ) -> None:
        self.engine = engine
        self.legal = legal
        self.outbox: Outbox = outbox or ConsoleOutbox()
        self.lifecycle = lifecycle
        self.mandate_uses = mandate_uses
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.sessions = PortalSessions(store, secure=issuer.startswith("https://"))
        self.login_client = PortalLogin(
            issuer=issuer,
            client_id=client_id,
            private_jwk=private_jwk,
            redirect_uri=redirect_uri,
            store=store,
            http=http,
        )
        self.renderer = Renderer([TEMPLATES])
        self.app = Starlette(
            routes=[
                Route("/", self.home, methods=["GET"]),
                Route("/login", self.login, methods=["POST"]),
                Route("/callback", self.callback, methods=["GET"]),
                Route("/logout", self.logout, methods=["POST"]),
                Route("/logout", self.again, methods=["GET"]),
                Route("/machtigen", self.grant_form, methods=["GET"]),
                Route("/machtigen", self.grant_check, methods=["POST"]),
                Route("/machtigen/bevestigen", self.grant_confirm, methods=["POST"]),
                Route("/machtigen/bevestigen", self.again, methods=["GET"]),
                Route("/machtigingen/{mandate_id}", self.detail, methods=["GET"]),
                Route("/machtigingen/{mandate_id}/{action}", self.confirm, methods=["GET"]),
                Route("/machtigingen/{mandate_id}/{action}", self.transition, methods=["POST"]),
                Route("/gehandeld", self.history, methods=["GET"]),
                Route("/verlengen", self.extend, methods=["GET"]),
                Route("/toegankelijkheid", self.accessibility, methods=["GET"]),
                Mount(ORGANISATION_PATH, app=OrganisationPages(self).app),
            ]
        )

    # -- shared with the organisation pages (portal.organisation) -------------------------
    def base_url(self, request: Request) -> str:
        """Where the portal is mounted, for links in its pages."""
        return str(request.scope.get("root_path", "")).rstrip("/")

    def render_page(
        self,
        request: Request,
        template: str,
        me: PortalSession | None,
        status_code: int = 200,
        **context: Any,
    ) -> Response:
        """A portal page in the request's language, with the session's notices."""
        page = {
            "base": self.base_url(request),
            "me": me,
            "csrf": me.csrf if me else "",
            "session_ends": _clock_time(me.ends_at) if me and me.ends_at else "",
            "errors": {},
            "notice": None,
            **context,
        }
        return self.renderer.render(request, template, page, status_code=status_code)

    def _refused(
        self, request: Request, me: PortalSession | None, key: str, status: int
    ) -> Response:
        return self.render_page(request, "portal_refused.html", me, status_code=status, reason=key)

    def _to_home(self, request: Request) -> Response:
        return RedirectResponse(self.base_url(request) + "/", status_code=303)

    def _no_session(self, request: Request) -> Response:
        """No session: the start page, or, when the browser's session has ended, a page that
        says so and that nothing unconfirmed was kept (the portal keeps no drafts: a grant
        exists only once confirmed), with the stale cookie removed."""
        if not self.sessions.expired(request):
            return self._to_home(request)
        status = 200 if request.method == "GET" else 403
        minutes = self.sessions.idle_timeout // 60
        response = self.render_page(
            request, "portal_login.html", None, status, expired=True, idle_minutes=minutes
        )
        self.sessions.delete_cookie(response, COOKIE)
        return response

    async def catalogue(self) -> dict[str, ServiceInfo]:
        """Every registered service by id, read off the event loop."""
        rows = await anyio.to_thread.run_sync(list_services, self.engine)
        return {row.service_id: ServiceInfo.from_row(row) for row in rows}

    def _offered(self, services: dict[str, ServiceInfo]) -> list[ServiceInfo]:
        """Services a voluntary mandate may cover (catalogue: allows that representation)."""
        return [s for s in services.values() if s.terms().allows(RepresentationKind.VOLUNTARY)]

    def mandate_view(
        self, request: Request, view: MandateView, me: PartyId, services: dict[str, ServiceInfo]
    ) -> dict[str, Any]:
        """What a page shows of a mandate, from ``me``'s side (principal or agent)."""
        lang = locale_for(request)
        role = "principal" if view.principal == me else "agent"
        return {
            "id": view.id,
            "role": role,
            "other": view.agent if role == "principal" else view.principal,
            "principal": view.principal,
            "agent": view.agent,
            "services": [services[s].name(lang) if s in services else s for s in view.services],
            "valid_from": _day(view.valid_from),
            "valid_until": _last_day(view.valid_until),
            "level": view.granted_level.label,
            "state": view.state.value,
            "live": view.state in (MandateState.REQUESTED, MandateState.ACTIVE)
            and view.valid_until > self.clock(),
        }

    async def _csrf(self, request: Request) -> tuple[PortalSession | None, Any, Response | None]:
        """The session and the form, or a response refusing the POST."""
        me = await self.sessions.load(request)
        form = await request.form()
        if me is None:
            return None, form, self._no_session(request)
        if not me.csrf_ok(form.get("csrf")):
            return me, form, self._refused(request, me, "csrf", 403)
        return me, form, None

    # -- login -----------------------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        me = await self.sessions.load(request)
        if me is None:
            if self.sessions.expired(request):
                return self._no_session(request)
            return self.render_page(request, "portal_login.html", None)
        if me.organisation:
            return RedirectResponse(self.base_url(request) + ORGANISATION_PATH + "/", 303)
        views = await anyio.to_thread.run_sync(self.lifecycle.mandates_of, me.person)
        services = await self.catalogue()
        shown = [self.mandate_view(request, v, me.person, services) for v in views]
        legal = (
            LegalOverview()
            if self.legal is None
            else await legal_overview(self.legal, me.person, self.clock())
        )
        return self.render_page(
            request,
            "portal_overview.html",
            me,
            legal=legal,
            given=[m for m in shown if m["role"] == "principal"],
            received=[m for m in shown if m["role"] == "agent" and m["state"] != "requested"],
            pending=[m for m in shown if m["role"] == "agent" and m["state"] == "requested"],
        )

    async def login(self, request: Request) -> Response:
        means = (await request.form()).get("means")
        url, state = await self.login_client.start(means if isinstance(means, str) else None)
        response = RedirectResponse(url, status_code=303)
        self.sessions.set_cookie(response, LOGIN_COOKIE, state, 900)
        return response

    async def callback(self, request: Request) -> Response:
        try:
            done = await self.login_client.finish(
                dict(request.query_params), request.cookies.get(LOGIN_COOKIE)
            )
        except LoginFailed:
            return self._refused(request, None, "login_failed", 400)
        response = self._to_home(request)
        await self.sessions.start(
            response, done.person, done.level, done.name, done.id_token, replacing=request
        )
        self.sessions.delete_cookie(response, LOGIN_COOKIE)
        return response

    async def logout(self, request: Request) -> Response:
        """End the portal session and then the broker session (RP-initiated logout), so the
        next visit asks for DigiD again instead of riding on the broker's single sign-on."""
        me, _, refused = await self._csrf(request)
        if refused is not None and me is not None:
            return refused
        login = self.login_client
        query = {
            "client_id": login.broker.client_id,
            "post_logout_redirect_uri": login.issuer + "/mijn/",
        }
        if me is not None and me.id_token:
            # The person asked here already: with the session's own ID token the broker does
            # not ask again.
            query["id_token_hint"] = me.id_token
        target = urlencode(query)
        response = RedirectResponse(f"{login.issuer}/logout?{target}", status_code=303)
        await self.sessions.end(request, response)
        return response

    # -- granting --------------------------------------------------------------------------
    async def grant_form(self, request: Request) -> Response:
        """The form; ``?zoek=`` narrows the catalogue (a GET form, so no JavaScript)."""
        me = await self.sessions.load(request)
        if me is None:
            return self._no_session(request)
        offered = self._offered(await self.catalogue())
        query, too_long = clean_query(request.query_params.get("zoek", ""))
        form = GrantForm.blank(self.clock(), self.lifecycle.rules.max_duration.days)
        if too_long:
            form.errors["zoek"] = "portal.error.search_too_long"
            return await self._grant_page(request, me, form, offered, 400, query=query)
        return await self._grant_page(request, me, form, offered, query=query)

    async def _grant_page(
        self,
        request: Request,
        me: PortalSession,
        form: GrantForm,
        offered: list[ServiceInfo],
        status_code: int = 200,
        refusal: str | None = None,
        query: str = "",
    ) -> Response:
        clients = await anyio.to_thread.run_sync(list_clients, self.engine)
        providers = grouped(
            offered,
            {client.client_id: client.name for client in clients},
            locale_for(request),
            self.lifecycle.rules.max_duration.days,
            "" if "zoek" in form.errors else query,
        )
        return self.render_page(
            request,
            "portal_grant.html",
            me,
            status_code=status_code,
            form=form,
            offered=offered,
            providers=providers,
            query=query,
            errors=form.errors,
            refusal=refusal,
        )

    async def _parse_grant(
        self, request: Request
    ) -> tuple[PortalSession | None, GrantForm | None, list[ServiceInfo], Response | None]:
        me, raw, refused = await self._csrf(request)
        if refused is not None or me is None:
            return me, None, [], refused
        services = await self.catalogue()
        offered = self._offered(services)
        global_max = self.lifecycle.rules.max_duration.days
        form = GrantForm.parse(
            {k: str(v) for k, v in raw.items()},
            [str(v) for v in raw.getlist("services")],
            {s.service_id: max_days(s, global_max) for s in offered},
            self.clock(),
        )
        if form.errors:
            return me, form, offered, await self._grant_page(request, me, form, offered, 400)
        return me, form, offered, None

    async def grant_check(self, request: Request) -> Response:
        me, form, offered, refused = await self._parse_grant(request)
        if refused is not None:
            return refused
        assert me is not None and form is not None
        if form.agent_party() == me.person:
            # Said on the field now rather than after the confirmation page (the lifecycle
            # refuses it again on submit).
            form.errors["agent"] = "portal.error.agent_self"
            return await self._grant_page(request, me, form, offered, 400)
        by_id = {s.service_id: s for s in offered}
        chosen = [by_id[s] for s in form.services]
        lang = locale_for(request)
        valid_from, valid_until = form.period(self.clock())
        # The level the mandate will carry: the level of this login (domain.md).
        too_high = [s for s in chosen if s.min_level > me.level]
        if too_high:
            refusal = texts("principal_level_too_low")[0 if lang == "nl" else 1]
            return await self._grant_page(request, me, form, offered, 400, refusal=refusal)
        if (no_chain := chain_refusal(form.agent_party(), chosen, lang)) is not None:
            return await self._grant_page(request, me, form, offered, 400, refusal=no_chain)
        token = secrets.token_urlsafe(32)
        await self.sessions.store.put(
            GRANT_KEY + token, {"session": me.csrf}, self.sessions.idle_timeout
        )
        return self.render_page(
            request,
            "portal_grant_confirm.html",
            me,
            grant_token=token,
            form=form,
            chosen=[s.name(lang) for s in chosen],
            valid_from=_day(valid_from),
            valid_until=_last_day(valid_until),
            level=me.level.label,
        )

    async def grant_confirm(self, request: Request) -> Response:
        me, form, offered, refused = await self._parse_grant(request)
        if refused is not None:
            return refused
        assert me is not None and form is not None
        if (await request.form()).get("back"):
            return await self._grant_page(request, me, form, offered)
        by_id = {s.service_id: s for s in offered}
        terms = [by_id[s].terms() for s in form.services]
        now = self.clock()
        valid_from, valid_until = form.period(now)
        agent = form.agent_party()
        assert agent is not None  # GrantForm.parse refused any other agent
        token = (await request.form()).get("grant_token")
        bound = (
            await self.sessions.store.take(GRANT_KEY + token)
            if isinstance(token, str) and token
            else None
        )
        session = bound.get("session") if isinstance(bound, dict) else None
        if not isinstance(session, str) or not hmac.compare_digest(session, me.csrf):
            # This page was submitted before (or never shown): what was granted is in the
            # overview.
            return self._to_home(request)
        try:
            view = await anyio.to_thread.run_sync(
                lambda: self.lifecycle.grant(
                    principal=me.person,
                    principal_level=me.level,
                    agent=agent,
                    services=terms,
                    valid_from=valid_from,
                    valid_until=valid_until,
                    now=now,
                    # An organisation acts through its own agents (employees): a chain link.
                    onward=is_organisation(agent),
                )
            )
        except InvalidIdentifier:
            form.errors["agent"] = "portal.error.agent_invalid"
            return await self._grant_page(request, me, form, offered, 400)
        except MandateRefused as exc:
            message = texts(exc.code or "")[0 if locale_for(request) == "nl" else 1]
            return await self._grant_page(request, me, form, offered, 400, refusal=message)
        await self._notify(view, [by_id[s] for s in form.services])
        return RedirectResponse(
            f"{self.base_url(request)}/machtigingen/{view.id}?gedaan=granted", status_code=303
        )

    async def _notify(self, view: MandateView, services: list[ServiceInfo]) -> None:
        """Tell the agent there is a mandate to answer. The mandate stands when this fails:
        the agent also sees it waiting in their overview."""
        texts_by_lang = {
            lang: (
                translate(lang, "portal.outbox.subject"),
                translate(
                    lang,
                    "portal.outbox.body",
                    services=", ".join(s.name(lang) for s in services),
                    start=_day(view.valid_from),
                    end=_last_day(view.valid_until),
                ),
            )
            for lang in ("nl", "en")
        }
        (subject_nl, body_nl), (subject_en, body_en) = texts_by_lang["nl"], texts_by_lang["en"]
        try:
            await anyio.to_thread.run_sync(
                lambda: self.outbox.send(view.agent, subject_nl, subject_en, body_nl, body_en)
            )
        except Exception:  # a sink's failure must not undo or hide the grant
            log.exception("outbox: could not notify the agent of mandate %s", view.id)

    # -- one mandate -----------------------------------------------------------------------
    async def _mandate(self, request: Request, me: PortalSession) -> dict[str, Any] | None:
        mandate_id = request.path_params["mandate_id"]
        try:
            view = await anyio.to_thread.run_sync(
                lambda: self.lifecycle.get(mandate_id, by=me.person)
            )
        except MandateNotFound:
            return None
        return self.mandate_view(request, view, me.person, await self.catalogue())

    async def detail(self, request: Request) -> Response:
        me = await self.sessions.load(request)
        if me is None:
            return self._no_session(request)
        mandate = await self._mandate(request, me)
        if mandate is None:
            return self._refused(request, me, "not_found", 404)
        notice = request.query_params.get("gedaan")
        found = await anyio.to_thread.run_sync(
            events_of, self.engine, mandate["id"], mandate["principal"]
        )
        services, lang = await self.catalogue(), locale_for(request)
        events = [
            {**_audit_row(e.at, e.actor, e.service_id, services, lang), "what": e.what}
            for e in found
        ]
        return self.render_page(
            request,
            "portal_mandate.html",
            me,
            m=mandate,
            actions=_actions(mandate),
            events=events,
            notice=notice if notice and DONE.get(notice) == mandate["state"] else None,
        )

    async def confirm(self, request: Request) -> Response:
        me = await self.sessions.load(request)
        if me is None:
            return self._no_session(request)
        action = request.path_params["action"]
        mandate = await self._mandate(request, me)
        if mandate is None or action not in ACTIONS:
            return self._refused(request, me, "not_found", 404)
        if action not in _actions(mandate):
            return self._refused(request, me, "not_allowed", 409)
        return self.render_page(request, "portal_confirm.html", me, m=mandate, action=action)

    async def transition(self, request: Request) -> Response:
        me, _, refused = await self._csrf(request)
        if refused is not None:
            return refused
        assert me is not None
        action = request.path_params["action"]
        mandate_id = request.path_params["mandate_id"]
        if action not in ACTIONS:
            return self._refused(request, me, "not_found", 404)
        step = getattr(self.lifecycle, action)
        now = self.clock()
        try:
            view = await anyio.to_thread.run_sync(lambda: step(mandate_id, by=me.person, now=now))
        except MandateNotFound:
            return self._refused(request, me, "not_found", 404)
        except MandateRefused:
            return self._refused(request, me, "not_allowed", 409)
        if action == "revoke" and self.mandate_uses is not None:
            await self.mandate_uses.revoked(view.id)
        done = {"accept": "accepted", "reject": "rejected", "revoke": "revoked"}[action]
        return RedirectResponse(
            f"{self.base_url(request)}/machtigingen/{view.id}?gedaan={done}", status_code=303
        )

    # -- the session -----------------------------------------------------------------------
    async def again(self, request: Request) -> Response:
        """A GET of a path that only answers a form's POST: what a page answering that POST
        links to in the other language. Back to where the step starts (the grant form, or
        the start page), in the language asked for; nothing typed was kept."""
        step = "/machtigen" if request.url.path.endswith("/bevestigen") else "/"
        query = urlencode({"lang": lang}) if (lang := request.query_params.get("lang")) else ""
        return RedirectResponse(
            self.base_url(request) + step + (f"?{query}" if query else ""), status_code=303
        )

    async def extend(self, request: Request) -> Response:
        """Loading the session renews it; then back to the page the person was on (a path of
        this portal only: no open redirect)."""
        me = await self.sessions.load(request)
        if me is None:
            return self._no_session(request)
        base = self.base_url(request)
        back = request.query_params.get("terug", "")
        parts = urlsplit(back)
        safe = (
            not parts.scheme
            and not parts.netloc
            and parts.path.startswith(base + "/")
            and "\\" not in back
            and "//" not in parts.path
        )
        return RedirectResponse(back if safe else base + "/", status_code=303)

    async def accessibility(self, request: Request) -> Response:
        """The portal's accessibility statement, logged in or not."""
        me = await self.sessions.load(request)
        minutes = self.sessions.idle_timeout // 60
        return self.render_page(request, "portal_accessibility.html", me, idle_minutes=minutes)

    # -- who acted for me ------------------------------------------------------------------
    async def history(self, request: Request) -> Response:
        me = await self.sessions.load(request)
        if me is None:
            return self._no_session(request)
        uses = await anyio.to_thread.run_sync(uses_for, self.engine, me.person)
        services = await self.catalogue()
        lang = locale_for(request)
        rows = [
            {
                **_audit_row(use.at, use.actor, use.service_id, services, lang),
                "basis": translate(lang, "represent.basis." + use.basis_kind)
                if use.basis_kind in {k.value for k in RepresentationKind}
                else "",
            }
            for use in uses
        ]
        return self.render_page(request, "portal_history.html", me, uses=rows)


def _audit_row(
    at: dt.datetime,
    actor: PartyId | None,
    service_id: str | None,
    services: dict[str, ServiceInfo],
    lang: str,
) -> dict[str, str]:
    """When, who and which service of an audit record, as the person reads them."""
    return {
        "at": at.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M"),
        # As on the broker's "on whose behalf" page: a BSN shows its last 3 digits.
        "actor": masked({"kind": actor.kind, "value": actor.value}) if actor is not None else "",
        "service": services[service_id].name(lang)
        if service_id in services
        else (service_id or ""),
    }


def _actions(mandate: dict[str, Any]) -> list[str]:
    """What the person may do with this mandate now (the lifecycle checks again)."""
    if not mandate["live"]:
        return []
    if mandate["state"] == "requested" and mandate["role"] == "agent":
        return ["accept", "reject"]
    return ["revoke"]


def _clock_time(value: dt.datetime) -> str:
    return value.astimezone(AMSTERDAM).strftime("%H:%M")


def _day(value: dt.datetime) -> str:
    return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y")


def _last_day(value: dt.datetime) -> str:
    """The last day a mandate counts (its end is exclusive)."""
    return _day(value - dt.timedelta(microseconds=1))


__all__ = ["Portal"]
