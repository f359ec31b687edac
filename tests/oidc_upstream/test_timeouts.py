"""Back-channel calls to the upstream have a total deadline, not only a per-read timeout."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from oidc_upstream_support import Env

from broker.means.oidc_upstream import provider as provider_module
from broker.means.oidc_upstream import token as token_module
from broker.means.oidc_upstream.provider import ProviderMetadata, UpstreamError, fetch_json
from broker.means.oidc_upstream.token import ClientCredentials, redeem_code


class Drip(httpx.AsyncByteStream):
    """A body that never ends, one byte at a time, each well within a per-read timeout."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"issuer": "'
        while True:
            await asyncio.sleep(0.02)
            yield b"x"


def _dripping_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, stream=Drip()))
    )


METADATA = ProviderMetadata(
    issuer="https://op.example",
    authorization_endpoint="https://op.example/authorize",
    token_endpoint="https://op.example/token",
    jwks_uri="https://op.example/jwks",
    id_token_algs=("RS256",),
    iss_parameter_supported=True,
)


async def test_slow_document_hits_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provider_module, "FETCH_TIMEOUT", 0.2)
    async with _dripping_client() as http:
        with pytest.raises(UpstreamError, match="timed out"):
            await asyncio.wait_for(fetch_json(http, "https://op.example/jwks"), 3)


async def test_slow_token_response_hits_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provider_module, "FETCH_TIMEOUT", 0.2)
    monkeypatch.setattr(token_module, "FETCH_TIMEOUT", 0.2)
    credentials = ClientCredentials("broker", "client_secret_basic", secret="s")
    async with _dripping_client() as http:
        with pytest.raises(UpstreamError, match="timed out"):
            await asyncio.wait_for(
                redeem_code(
                    http, METADATA, credentials, code="c", redirect_uri="https://b/cb", verifier="v"
                ),
                3,
            )


async def test_unreachable_token_endpoint_is_reported_as_unavailable(env: Env) -> None:
    """A token endpoint that does not answer is an outage: temporarily_unavailable, not a
    refusal of the person's login."""
    forward = env.transport.handle_async_request

    async def no_token_endpoint(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            raise httpx.ConnectTimeout("no answer", request=request)
        return await forward(request)

    env.transport.handle_async_request = no_token_endpoint  # type: ignore[method-assign]
    response = await env.login()
    assert response.json()["result"] == "error", response.text
    assert response.json()["code"] == "temporarily_unavailable"
