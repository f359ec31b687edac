"""Locale choice: ?lang=, then the cookie, then Accept-Language only when it prefers English."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from broker.pages.i18n import language_from_accept, locale_for


def _request(query: str = "", cookie: str | None = None, accept: str | None = None) -> Request:
    headers: list[tuple[bytes, bytes]] = []
    if cookie is not None:
        headers.append((b"cookie", f"lang={cookie}".encode()))
    if accept is not None:
        headers.append((b"accept-language", accept.encode()))
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/",
            "query_string": query.encode(),
            "headers": headers,
        }
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", "nl"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
        ("en-US,en;q=0.9,nl;q=0.8", "en"),
        ("nl;q=0.5,en;q=0.5", "nl"),
        ("de-DE,de;q=0.9", "nl"),
        ("de,en;q=0.7", "en"),
        ("en;q=bogus", "nl"),
        ("en;q=5", "nl"),
        ("*", "nl"),
    ],
)
def test_accept_language(header: str, expected: str) -> None:
    assert language_from_accept(header) == expected


def test_query_beats_cookie_beats_header() -> None:
    assert locale_for(_request("lang=en", cookie="nl", accept="nl")) == "en"
    assert locale_for(_request("lang=nl", cookie="en", accept="en")) == "nl"
    assert locale_for(_request(cookie="en", accept="nl")) == "en"
    assert locale_for(_request(cookie="nl", accept="en")) == "nl"
    assert locale_for(_request(accept="en")) == "en"
    assert locale_for(_request()) == "nl"


def test_unsupported_values_are_ignored() -> None:
    assert locale_for(_request("lang=fr", cookie="de", accept="en")) == "en"
    assert locale_for(_request("lang=fr", cookie="de")) == "nl"
