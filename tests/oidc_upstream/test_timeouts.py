"""Back-channel calls to the upstream have a total deadline, not only a per-read timeout."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

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
