"""Shared constants and fakes for tests/wallet (a unique module name: several test
directories have a `conftest.py`, so importing from `conftest` is ambiguous)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from wallet_adapters.status_list import JWT_MEDIA_TYPE, FetchedToken

DATA = Path(__file__).parent.parent / "data" / "wallet"
NOW = dt.datetime(2026, 11, 28, 12, 0, 0, tzinfo=dt.UTC)
NL_PID = "urn:eudi:pid:nl:1"
RESPONSE_URI = "https://toegang.example.nl/wallet/response"


@dataclass
class FakeStatusEndpoint:
    """An injected fetcher: serves one token per URI and counts fetches."""

    tokens: dict[str, FetchedToken] = field(default_factory=dict)
    calls: int = 0
    fail: bool = False

    def serve_jwt(self, uri: str, token: str) -> None:
        self.tokens[uri] = FetchedToken(JWT_MEDIA_TYPE, token.encode())

    async def __call__(self, uri: str) -> FetchedToken:
        self.calls += 1
        if self.fail:
            raise ConnectionError("unreachable")
        return self.tokens[uri]
