"""The application factory: wires config, keys, store, register, flow, fronts and login means."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from broker.body_limit import BodyLimitMiddleware
from broker.config import Config, load_config
from broker.errors import BrokerError
from broker.flow.engine import Flow
from broker.flow.session import SessionManager
from broker.fronts.oidc.client_auth import ClientAuthenticator
from broker.fronts.oidc.client_keys import ClientKeys
from broker.fronts.oidc.provider import OidcProvider
from broker.fronts.oidc.request_object import RequestObjects
from broker.fronts.oidc.tokens import TokenSigner
from broker.keys import KeyRing
from broker.log_privacy import protect_logs
from broker.means.base import LoginMeans
from broker.means.eherkenning import build_eherkenning
from broker.means.eidas import build_eidas
from broker.means.oidc_upstream import build_oidc_upstream
from broker.means.setup import build_digid
from broker.means.wallet import build_wallet
from broker.pages.render import Renderer
from broker.pages.routes import page_routes, static_mount
from broker.pages.security import SecurityHeadersMiddleware
from broker.register.cache import ClientCache
from broker.register.database import create_engine_for, migrate
from broker.store import Store, StoreUnavailable, create_store

log = logging.getLogger("toegang")
STORE_DOWN = BrokerError(
    "Inloggen is op dit moment niet mogelijk. Probeer het over een paar minuten opnieuw.",
    "Logging in is not possible right now. Please try again in a few minutes.",
    code="temporarily_unavailable",
)


@dataclass
class Broker:
    """Everything the app holds; exposed as ``app.state.broker`` for tests and the CLI."""

    config: Config
    keys: KeyRing
    store: Store
    engine: Engine
    clients: ClientCache
    http: httpx.AsyncClient
    flow: Flow
    oidc: OidcProvider
    means: dict[str, LoginMeans]
    extra: dict[str, Any] = field(default_factory=dict)


def create_app(
    config: Config,
    *,
    http: httpx.AsyncClient | None = None,
    store: Store | None = None,
    demo: bool = False,
) -> Starlette:
    """Build the broker. ``http`` (outgoing calls) and ``store`` can be injected by tests.

    An injected ``http`` also carries the SAML back-channel calls (tests route them in-process);
    otherwise each SAML means resolves artifacts with its own kept-alive client.
    """
    protect_logs()
    soap_http = http
    keys = KeyRing.load(config.keys.directory)
    engine = create_engine_for(config.database.url)
    migrate(engine)
    store = store or create_store(
        config.store.backend, config.store.redis_url, config.store.key_prefix
    )
    http = http or httpx.AsyncClient()
    clients = ClientCache(engine)
    renderer = Renderer()
    issuer = config.issuer
    sessions = SessionManager(
        store,
        config.session.cookie_name,
        config.session.idle_timeout,
        secure=issuer.startswith("https://"),
    )

    means: dict[str, LoginMeans] = {}
    mounts: list[BaseRoute] = []
    form_targets: list[str] = []
    for built, built_mounts in _build_means(config, keys, store, http, soap_http):
        means[built.name] = built
        mounts.extend(built_mounts)
        # The chooser's POST redirects to the means' upstream: CSP form-action must allow it.
        sso = urlsplit(built.sso_url)
        origin = f"{sso.scheme}://{sso.netloc}"
        if origin != issuer and origin not in form_targets:
            form_targets.append(origin)

    flow = Flow(
        store=store,
        sessions=sessions,
        means=means,
        renderer=renderer,
        transaction_lifetime=config.tokens.transaction_lifetime,
    )
    for login_means in means.values():
        bind = getattr(login_means, "bind", None)
        if bind is not None:
            bind(flow)
    signer = TokenSigner(keys, issuer)
    client_keys = ClientKeys(http)
    oidc = OidcProvider(
        issuer=issuer,
        flow=flow,
        store=store,
        clients=clients,
        signer=signer,
        authenticator=ClientAuthenticator(clients, client_keys, store, issuer, f"{issuer}/token"),
        request_objects=RequestObjects(keys, client_keys, http, issuer),
        renderer=renderer,
        http=http,
        pairwise_secret=keys.pairwise_secret,
        id_token_lifetime=config.tokens.id_token_lifetime,
        access_token_lifetime=config.tokens.access_token_lifetime,
        code_lifetime=config.tokens.code_lifetime,
    )
    mandate_routes = _build_mandates(config, engine, store, http, flow, oidc, clients, renderer)
    broker = Broker(
        config=config,
        keys=keys,
        store=store,
        engine=engine,
        clients=clients,
        http=http,
        flow=flow,
        oidc=oidc,
        means=means,
    )
    if mandate_routes:
        broker.extra["mandates"] = mandate_routes.services

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        checks = {"store": await store.ping(), "database": _database_ok(engine)}
        ok = all(checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks},
            status_code=200 if ok else 503,
        )

    async def broker_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BrokerError)
        return renderer.render_error(request, exc)

    async def store_unavailable(request: Request, exc: Exception) -> Response:
        """Redis gone or silent: a clear 503 saying to try again (a page for people, OAuth JSON
        for machines), not a bare 500; the cause goes to the log only."""
        log.error("store unavailable: %s", exc)
        headers = {"Retry-After": "30"}
        if "text/html" not in request.headers.get("accept", ""):
            body = {"error": "temporarily_unavailable", "error_description": STORE_DOWN.message_en}
            return JSONResponse(body, status_code=503, headers=headers)
        response = renderer.render_error(request, STORE_DOWN, status_code=503)
        response.headers.update(headers)
        return response

    routes: list[BaseRoute] = [
        *oidc.routes(),
        *flow.routes(),
        *[Mount(f"/means/{name}", routes=m.routes()) for name, m in means.items()],
        *mounts,
        *page_routes(renderer),
        *mandate_routes,
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        static_mount(),
    ]
    if mandate_routes and config.portal.enabled:
        routes.append(_portal_mount(config, engine, store, http, mandate_routes.services))
    if demo:
        routes.append(_demo_mount(config, engine, store, http))

        async def demo_home(request: Request) -> Response:
            """A newcomer opening the bare address lands on the demo service provider."""
            return RedirectResponse("/demo-sp/", status_code=303)

        routes.append(Route("/", demo_home, methods=["GET"]))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        for login_means in means.values():
            if (close := getattr(login_means, "aclose", None)) is not None:
                await close()
        await http.aclose()
        await store.close()
        engine.dispose()

    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(
                SecurityHeadersMiddleware,
                form_action_extra=form_targets,
                hsts=issuer.startswith("https://"),
            ),
            Middleware(BodyLimitMiddleware),  # inside: its 413 gets the security headers
        ],
        exception_handlers={BrokerError: broker_error, StoreUnavailable: store_unavailable},
        lifespan=lifespan,
    )
    app.state.broker = broker
    return app


def _build_means(
    config: Config,
    keys: KeyRing,
    store: Store,
    http: httpx.AsyncClient,
    soap_http: httpx.AsyncClient | None,
) -> list[tuple[Any, list[BaseRoute]]]:
    """Every enabled login means, in the order the chooser shows them; ``soap_http`` carries
    the SAML artifact resolution when given (else the means' own client does)."""
    built: list[tuple[Any, list[BaseRoute]]] = []
    if config.digid.enabled:
        built.append(build_digid(config, keys, store, soap_http))
    if config.eherkenning.enabled:
        built.append(
            build_eherkenning(
                config.eherkenning, config.issuer, keys, store, soap_http, config.keys.directory
            )
        )
    if config.eidas.enabled:
        built.append(
            build_eidas(config.eidas, config.issuer, keys, store, http, config.keys.directory)
        )
    if config.wallet.enabled:
        built.append(
            build_wallet(config.wallet, config.issuer, keys, store, http, config.keys.directory)
        )
    for upstream in config.oidc_means:
        built.append(build_oidc_upstream(upstream, config.issuer, keys, store, http))
    return built


class _MandateRoutes(list[BaseRoute]):
    """The routes of acting on behalf of others, with the services behind them."""

    services: Any = None


def _build_mandates(
    config: Config,
    engine: Engine,
    store: Store,
    http: httpx.AsyncClient,
    flow: Flow,
    oidc: OidcProvider,
    clients: ClientCache,
    renderer: Renderer,
) -> _MandateRoutes:
    """Representation in the login flow, revocation signalling and the management API."""
    from broker.api.routes import ManagementApi
    from broker.flow.mandate_uses import RETENTION, MandateUses
    from broker.flow.representation import RepresentationStep
    from broker.flow.representation_setup import build_mandate_services

    routes = _MandateRoutes()
    if not config.mandates.enabled:
        return routes
    services = build_mandate_services(config, engine, http)
    flow.bind_representation(
        RepresentationStep(resolver=services.resolver, clients=clients, renderer=renderer)
    )
    uses = MandateUses(store, max(RETENTION, config.session.idle_timeout))
    uses.logout = oidc.backchannel_logout
    oidc.mandate_uses = uses
    api = ManagementApi(
        issuer=config.issuer,
        engine=engine,
        sessions=flow.sessions,
        lifecycle=services.lifecycle,
        resolver=services.resolver,
        authenticator=oidc.authenticator,
        clients_services=clients.service,
        mandate_uses=uses,
    )
    routes.services = {"services": services, "api": api, "uses": uses}
    routes.extend([Mount("/api/v1", routes=api.routes()), *services.routes])
    return routes


def _database_ok(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # any driver error means "not ready"
        log.exception("database check failed")
        return False


def _demo_mount(config: Config, engine: Engine, store: Store, http: httpx.AsyncClient) -> Mount:
    from broker.register.demo import DEMO_PATH, demo_redirect_uri, ensure_demo_client
    from conformance.demo_sp import DemoServiceProvider

    client_id, private_jwk = ensure_demo_client(engine, config)
    sp = DemoServiceProvider(
        issuer=config.issuer,
        client_id=client_id,
        private_jwk=private_jwk,
        redirect_uri=demo_redirect_uri(config),
        store=store,
        http=http,
    )
    return Mount(DEMO_PATH.rstrip("/"), app=sp.app)


def _portal_mount(
    config: Config, engine: Engine, store: Store, http: httpx.AsyncClient, mandates: Any
) -> Mount:
    """The self-service portal "Mijn machtigingen" at ``/mijn``, a relying party of the broker
    itself, sharing the app's mandate lifecycle and revocation signalling."""
    from broker.register.portal import PORTAL_PATH, ensure_portal_client, portal_redirect_uri
    from portal import Portal
    from portal.outbox import outbox_from_config

    client_id, private_jwk = ensure_portal_client(engine, config)
    portal = Portal(
        issuer=config.issuer,
        client_id=client_id,
        private_jwk=private_jwk,
        redirect_uri=portal_redirect_uri(config),
        store=store,
        http=http,
        engine=engine,
        lifecycle=mandates["services"].lifecycle,
        mandate_uses=mandates["uses"],
        outbox=outbox_from_config(config.portal),
        legal=mandates["services"].cache,
    )
    return Mount(PORTAL_PATH.rstrip("/"), app=portal.app)


def app_from_env() -> Starlette:
    """Factory for ``uvicorn --factory broker.app:app_from_env`` (config from the environment).

    Everything alive once the app is built (modules, keys, routes: some 130,000 objects) lives
    as long as the worker: ``gc.freeze`` keeps the cycle collector from walking it again in
    every full collection, which took about 50 ms of CPU each, during a request.
    """
    import gc
    import os

    app = create_app(load_config(), demo=os.environ.get("TOEGANG_DEMO") == "1")
    gc.collect()
    gc.freeze()
    return app
