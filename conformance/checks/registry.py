"""A tiny registry of black-box checks, their context and the runner (no pytest at run time).

A check is an ``async def`` taking a :class:`Context`; it passes by returning (optionally a
detail string), fails by raising :class:`Fail` and is skipped by raising :class:`Skip`. Each
check is named after the rule it tests and carries the spec section.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"


class Fail(Exception):
    """The deployment broke the rule."""


class Skip(Exception):
    """The check cannot run against this deployment (no client, no simulator, ...)."""


CheckFn = Callable[["Context"], Awaitable[str | None]]


@dataclass(frozen=True)
class Check:
    name: str
    section: str
    fn: CheckFn
    needs_client: bool = False


REGISTRY: list[Check] = []


def check(name: str, section: str, *, needs_client: bool = False) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` under ``name`` (the rule) and ``section`` (where the rule is written)."""

    def register(fn: CheckFn) -> CheckFn:
        if any(c.name == name for c in REGISTRY):
            raise ValueError(f"check {name!r} registered twice")
        REGISTRY.append(Check(name, section, fn, needs_client))
        return fn

    return register


@dataclass
class ClientConfig:
    """A client registered at the deployment (``private_key_jwt``); ``jwk`` is its private JWK."""

    client_id: str
    redirect_uri: str
    jwk: dict[str, Any] | None = None
    scope: str | None = None  # extra scopes (e.g. urn:uuid:<service>) besides openid


@dataclass
class Result:
    name: str
    section: str
    status: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "section": self.section,
            "status": self.status,
            "detail": self.detail,
        }


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Context:
    """What the checks share: the target, the HTTP client and memoised look-ups."""

    issuer: str
    http: httpx.AsyncClient
    client: ClientConfig | None = None
    timeout: float = 15.0
    _memo: dict[str, Any] = field(default_factory=dict)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self.http.get(url, follow_redirects=False, timeout=self.timeout, **kwargs)
        except httpx.HTTPError as exc:
            raise Fail(f"GET {url}: {exc.__class__.__name__}: {exc}") from None

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self.http.post(url, follow_redirects=False, timeout=self.timeout, **kwargs)
        except httpx.HTTPError as exc:
            raise Fail(f"POST {url}: {exc.__class__.__name__}: {exc}") from None

    async def memo(self, key: str, make: Callable[[], Awaitable[Any]]) -> Any:
        """``make()`` once; a failure is remembered too, so dependants fail alike and fast."""
        if key not in self._memo:
            try:
                self._memo[key] = ("ok", await make())
            except (Fail, Skip) as exc:
                self._memo[key] = ("error", exc)
        kind, value = self._memo[key]
        if kind == "error":
            raise value.__class__(str(value))
        return value

    async def fetch_json(self, url: str) -> Any:
        response = await self.get(url)
        if response.status_code != 200:
            raise Fail(f"GET {url} answered {response.status_code}")
        try:
            return response.json()
        except json.JSONDecodeError:
            raise Fail(f"GET {url} is not JSON") from None

    async def metadata(self) -> dict[str, Any]:
        """The discovery document at the OIDC path; dependants are skipped without it."""

        async def load() -> dict[str, Any]:
            url = self.issuer + "/.well-known/openid-configuration"
            try:
                doc = await self.fetch_json(url)
            except Fail as exc:
                raise Skip(f"no discovery document ({exc})") from None
            if not isinstance(doc, dict):
                raise Skip("the discovery document is not a JSON object")
            return doc

        result: dict[str, Any] = await self.memo("metadata", load)
        return result

    async def endpoint(self, name: str) -> str:
        value = (await self.metadata()).get(name)
        if not isinstance(value, str) or not value:
            raise Skip(f"the discovery document has no {name}")
        return value

    def need_client(self, *, key: bool = False) -> ClientConfig:
        if self.client is None:
            raise Skip("needs a registered client (--client-id, --redirect-uri)")
        if key and self.client.jwk is None:
            raise Skip("needs the client's private key (--client-key)")
        return self.client


async def run_checks(
    issuer: str,
    *,
    http: httpx.AsyncClient | None = None,
    client: ClientConfig | None = None,
    only: Callable[[Check], bool] | None = None,
) -> list[Result]:
    """Run every registered check (in registration order) against ``issuer``."""
    from conformance.checks import load_all

    checks = [c for c in load_all() if only is None or only(c)]
    own = http is None
    if http is None:
        http = httpx.AsyncClient(trust_env=not is_loopback(issuer))
    ctx = Context(issuer.rstrip("/"), http, client)
    results = []
    try:
        for item in checks:
            try:
                detail = await item.fn(ctx)
                results.append(Result(item.name, item.section, PASS, detail or ""))
            except Fail as exc:
                results.append(Result(item.name, item.section, FAIL, str(exc)))
            except Skip as exc:
                results.append(Result(item.name, item.section, SKIP, str(exc)))
            except Exception as exc:  # a crash in a check is a failed check, not a crash
                results.append(
                    Result(item.name, item.section, FAIL, f"{exc.__class__.__name__}: {exc}")
                )
    finally:
        if own:
            await http.aclose()
    return results


def summary(results: list[Result]) -> str:
    counts = {s: sum(r.status == s for r in results) for s in (PASS, FAIL, SKIP)}
    line = f"{counts[PASS]} passed, {counts[FAIL]} failed"
    if counts[SKIP]:
        line += f", {counts[SKIP]} skipped"
    return line
