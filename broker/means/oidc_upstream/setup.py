"""Construction of one upstream OIDC means (and, with ``simulator``, its test OP in this app)."""

from __future__ import annotations

import secrets

import httpx
from starlette.routing import BaseRoute, Mount

from broker.keys import KeyRing
from broker.means.oidc_upstream.config import OidcUpstreamConfig
from broker.means.oidc_upstream.means import OidcUpstreamMeans, UpstreamSettings
from broker.means.oidc_upstream.token import ClientCredentials
from broker.store import Store

SIMULATOR_PREFIX = "/sim/oidc/"
DEFAULT_SIMULATOR_CLIENT_ID = "stelsel-toegang"


def callback_url(issuer: str, name: str) -> str:
    """Where the upstream sends the browser back (mounted by the app under /means/<name>)."""
    return f"{issuer}/means/{name}/callback"


def build_oidc_upstream(
    config: OidcUpstreamConfig,
    issuer: str,
    keys: KeyRing,
    store: Store,
    http: httpx.AsyncClient,
) -> tuple[OidcUpstreamMeans, list[BaseRoute]]:
    """The means; with ``config.simulator`` also the simulator OP, mounted at /sim/oidc/<name>.

    ``issuer`` is the broker's own issuer (its public base URL). The upstream knows the broker's
    keys from ``<issuer>/jwks``; the in-process simulator is handed them directly.
    """
    issuer = issuer.rstrip("/")
    redirect_uri = callback_url(issuer, config.name)
    mounts: list[BaseRoute] = []
    acr_levels = config.levels()
    client_id = config.client_id or ""
    secret = config.client_secret
    upstream_issuer = config.issuer or ""
    if config.simulator:
        from conformance.oidc_provider import ACR_OF_LEVEL, ClientRegistration, OidcSimulator

        path = SIMULATOR_PREFIX + config.name
        upstream_issuer = issuer + path
        client_id = client_id or DEFAULT_SIMULATOR_CLIENT_ID
        if config.client_auth == "client_secret_basic":
            secret = secret or secrets.token_urlsafe(32)
        registration = ClientRegistration(
            client_id=client_id,
            redirect_uris=(redirect_uri,),
            jwks=keys.jwks() if config.client_auth == "private_key_jwt" else None,
            secret=secret if config.client_auth == "client_secret_basic" else None,
        )
        simulator = OidcSimulator(upstream_issuer, [registration])
        mounts.append(Mount(path, app=simulator.app))
        if not acr_levels:
            # The simulator's own acr values; a level above max_level counts as max_level.
            cap = config.level_cap
            acr_levels = {acr: min(level, cap) for level, acr in ACR_OF_LEVEL.items()}
    settings = UpstreamSettings(
        name=config.name,
        labels={"nl": config.label_nl, "en": config.label_en},
        issuer=upstream_issuer,
        redirect_uri=redirect_uri,
        credentials=ClientCredentials(
            client_id=client_id,
            method=config.client_auth,
            keys=keys if config.client_auth == "private_key_jwt" else None,
            secret=secret,
            assertion_audience=config.client_assertion_audience,
        ),
        scopes=tuple(config.scopes),
        max_level=config.level_cap,
        acr_levels=acr_levels,
        subject_claim=config.subject_claim,
        subject_kind=config.effective_subject_kind,
        bsn_claim=config.bsn_claim,
    )
    return OidcUpstreamMeans(settings, store, http), mounts


__all__ = ["build_oidc_upstream", "callback_url"]
