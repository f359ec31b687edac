"""Fetching Token Status List tokens over HTTP (draft-ietf-oauth-status-list §"Status List
Request"): ``Accept: application/statuslist+jwt``, no redirects (a redirect could lead to an
internal host that the allow-list was meant to keep out), a timeout and a size cap. The host
allow-list itself is enforced by ``StatusListClient`` before this is called.
"""

from __future__ import annotations

import httpx

from wallet_adapters.errors import StatusError
from wallet_adapters.status_list import (
    CWT_MEDIA_TYPE,
    JWT_MEDIA_TYPE,
    MAX_TOKEN_SIZE,
    FetchedToken,
    StatusFetcher,
)

TIMEOUT = 5.0


def http_fetcher(http: httpx.AsyncClient) -> StatusFetcher:
    async def fetch(uri: str) -> FetchedToken:
        headers = {"Accept": f"{JWT_MEDIA_TYPE}, {CWT_MEDIA_TYPE};q=0.9"}
        async with http.stream(
            "GET", uri, headers=headers, timeout=TIMEOUT, follow_redirects=False
        ) as response:
            if response.status_code != 200:
                raise StatusError(f"status list HTTP {response.status_code}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > MAX_TOKEN_SIZE:
                    raise StatusError("status list token too large")
            media = response.headers.get("content-type", "")
        return FetchedToken(media, bytes(body))

    return fetch


__all__ = ["http_fetcher"]
