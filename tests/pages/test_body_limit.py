"""Every request body is capped while it is read (broker.body_limit): a client cannot make a
worker buffer more than 4 MiB, declared or chunked, on any route."""

from __future__ import annotations

import pytest
from broker_harness import BrokerFixture
from support import stream_post

from broker.body_limit import MAX_BODY

CHUNK = 16 * 1024
# Each chunk a whole form field: the form parser's own per-field cap (1 MiB) never applies.
FIELDS = b"f=" + b"a" * (CHUNK - 3) + b"&"


@pytest.mark.parametrize(
    "path", ["/authorize", "/logout", "/api/v1/check", "/mijn/login", "/means/digid/acs"]
)
async def test_a_huge_body_is_refused_while_it_is_read(broker: BrokerFixture, path: str) -> None:
    declared = await stream_post(broker.app, path, declared=True)
    assert declared.status == 413 and declared.read == 0
    assert b"content-security-policy" in declared.headers
    chunked = await stream_post(broker.app, path, declared=False, chunk=FIELDS)
    assert chunked.status == 413
    assert chunked.read <= MAX_BODY // CHUNK + 1, chunked.read


async def test_a_body_under_the_cap_reaches_the_route(broker: BrokerFixture) -> None:
    small = await stream_post(broker.app, "/logout", declared=True, chunks=2)
    assert small.status != 413 and small.read == 2
