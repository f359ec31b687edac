"""The security-headers middleware on its own: what it adds, and what it leaves alone."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from broker.pages.security import SecurityHeadersMiddleware, content_security_policy


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


def test_default_form_action_is_self_only() -> None:
    middleware = SecurityHeadersMiddleware(Starlette())
    assert "form-action 'self';" in middleware.csp


@pytest.mark.parametrize(
    "bad", ["https://a.nl; script-src *", "'unsafe-inline'", "*", "javascript:", "https://a b"]
)
def test_form_action_extra_must_be_an_origin(bad: str) -> None:
    with pytest.raises(ValueError, match="form-action"):
        content_security_policy([bad])
