"""Black-box conformance checks of an NL GOV OpenID Connect provider (``toegang conformance``).

Point them at any deployment: :func:`run_checks` takes the issuer URL, an optional registered
client, and an optional ``httpx.AsyncClient`` (inject one to run against an app in-process).
"""

from __future__ import annotations

import importlib

from conformance.checks.registry import (
    FAIL,
    PASS,
    REGISTRY,
    SKIP,
    Check,
    ClientConfig,
    Context,
    Result,
    run_checks,
    summary,
)

# The areas, in report order; each module registers its checks when imported.
AREAS = ("discovery", "authorization", "token", "userinfo")


def load_all() -> list[Check]:
    """Every registered check, area by area in :data:`AREAS` order."""
    modules = [importlib.import_module(f"conformance.checks.{area}").__name__ for area in AREAS]
    return sorted(REGISTRY, key=lambda c: modules.index(c.fn.__module__))


__all__ = [
    "AREAS",
    "FAIL",
    "PASS",
    "REGISTRY",
    "SKIP",
    "Check",
    "ClientConfig",
    "Context",
    "Result",
    "load_all",
    "run_checks",
    "summary",
]
