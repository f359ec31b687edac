"""The security-headers middleware on its own: what it adds, and what it leaves alone."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from broker_harness import make_config
from starlette.applications import Starlette

from broker.app import create_app
from broker.pages.security import SecurityHeadersMiddleware, content_security_policy
from broker.store import MemoryStore


async def _get(app: Starlette, path: str, base_url: str = "http://testserver") -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        return await client.get(path)


async def test_app_policies_are_not_overwritten(pages_app: Starlette) -> None:
    own = await _get(pages_app, "/own-csp")
    assert own.headers["content-security-policy"] == "default-src 'self'"
    assert own.headers["x-frame-options"] == "DENY"
    cached = await _get(pages_app, "/cached")
    assert cached.headers["cache-control"] == "max-age=60"
    assert "pragma" not in cached.headers


async def test_non_html_gets_headers_but_no_forced_no_store(pages_app: Starlette) -> None:
    response = await _get(pages_app, "/data")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in response.headers


async def test_hsts_only_over_https(pages_app: Starlette) -> None:
    response = await _get(pages_app, "/privacy", base_url="https://testserver")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    response = await _get(pages_app, "/privacy")
    assert "strict-transport-security" not in response.headers


async def test_hsts_on_plain_http_when_the_issuer_is_https(pages_app: Starlette) -> None:
    """Behind a TLS-terminating proxy requests arrive as http; the issuer says https."""
    app = SecurityHeadersMiddleware(pages_app, hsts=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/privacy")
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_default_form_action_is_self_only() -> None:
    middleware = SecurityHeadersMiddleware(Starlette())
    assert "form-action 'self';" in middleware.csp


@pytest.mark.parametrize(
    "bad", ["https://a.nl; script-src *", "'unsafe-inline'", "*", "javascript:", "https://a b"]
)
def test_form_action_extra_must_be_an_origin(bad: str) -> None:
    with pytest.raises(ValueError, match="form-action"):
        content_security_policy([bad])


async def test_broker_with_an_https_issuer_sends_hsts_behind_a_proxy(
    tmp_path: Path, key_dir: Path
) -> None:
    config = make_config(tmp_path, key_dir, TOEGANG__SERVER__ISSUER="https://broker.example.nl")
    app = create_app(config, store=MemoryStore())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        response = await client.get("/privacy")
    assert response.headers["strict-transport-security"].startswith("max-age=")
