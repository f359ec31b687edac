"""Building the mandate services from the configuration: registers, cache, resolver, lifecycle.

The registers (BRP API Gezag, CCBR) are reached over HTTP with the app's shared client, also in
the demo: then the simulators are mounted in the app itself (``/sim/brp-gezag``, ``/sim/ccbr``)
and called at the issuer, so the demo exercises exactly the production code path.

The audit pseudonym key (``mandates.audit``) is a secret like the pairwise secret: generated
into the keys directory on first start (mode 0600, git-ignored with the rest of ``keys/``),
never rotated silently (that would orphan every "who acted for me" lookup).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine
from starlette.routing import BaseRoute, Mount

from broker.config import Config
from broker.errors import ConfigError
from mandates.audit import AuditSettings
from mandates.legal_cache import LegalRelationCache
from mandates.lifecycle import MandateLifecycle
from mandates.resolution import Resolver
from mandates.rules import MandateRules
from mandates.sources.base import LegalSource
from mandates.sources.brp_gezag import BrpGezagClient
from mandates.sources.ccbr import CcbrClient

BRP_SIM_PATH = "/sim/brp-gezag"
CCBR_SIM_PATH = "/sim/ccbr"
MIN_KEY_BYTES = 32


def load_or_create_audit_key(path: Path) -> bytes:
    """The audit pseudonym key in ``path``; 48 random bytes (hex) written on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker made it first: read theirs
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(48) + "\n")
    key = path.read_text(encoding="utf-8").strip().encode()
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(f"{path} holds too short an audit pseudonym key (at least 32 bytes)")
    return key


@dataclass
class MandateServices:
    """What the flow and the management API share."""

    resolver: Resolver
    lifecycle: MandateLifecycle
    cache: LegalRelationCache
    routes: list[BaseRoute] = field(default_factory=list)


def build_mandate_services(
    config: Config, engine: Engine, http: httpx.AsyncClient
) -> MandateServices:
    settings = config.mandates
    audit = AuditSettings(
        pseudonym_key=load_or_create_audit_key(config.keys.directory / settings.audit_key_file)
    )
    rules = MandateRules(max_chain_depth=settings.max_chain_depth)
    routes: list[BaseRoute] = []
    if settings.simulator:
        from conformance.brp_gezag.app import create_app as brp_app
        from conformance.ccbr.app import create_app as ccbr_app

        brp_url = config.issuer + BRP_SIM_PATH
        ccbr_url = config.issuer + CCBR_SIM_PATH
        routes = [Mount(BRP_SIM_PATH, app=brp_app()), Mount(CCBR_SIM_PATH, app=ccbr_app())]
    else:
        assert settings.brp_gezag_url is not None and settings.ccbr_url is not None
        brp_url, ccbr_url = settings.brp_gezag_url, settings.ccbr_url
    sources: list[LegalSource] = [
        BrpGezagClient(http, brp_url, timeout=settings.timeout),
        CcbrClient(http, ccbr_url, timeout=settings.timeout),
    ]
    cache = LegalRelationCache(
        engine, sources, max_age=dt.timedelta(seconds=settings.cache_max_age)
    )
    return MandateServices(
        resolver=Resolver(engine, cache, audit, rules),
        lifecycle=MandateLifecycle(engine, audit, rules),
        cache=cache,
        routes=routes,
    )
