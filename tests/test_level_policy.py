"""The level policy as a table: every (service minimum × requested acr × achieved level)."""

from __future__ import annotations

import base64
import itertools
import zlib
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from broker_harness import BrokerFixture
from support import ClientKey, auth_params

from broker.assurance import Level
from broker.level_policy import required_level, satisfies

MINIMUMS: list[Level | None] = [None, *Level]
REQUESTS: list[tuple[Level, ...]] = [
    (),
    *((level,) for level in Level),
    (Level.LOW, Level.HIGH),
    (Level.SUBSTANTIAL, Level.HIGH),
]


def expected(minimum: Level | None, requested: tuple[Level, ...], achieved: Level) -> bool:
    """The rule written out independently: the client may raise the bar, never lower it."""
    floor = Level.LOW if minimum is None else minimum
    wanted = min(requested) if requested else floor
    return achieved >= max(floor, wanted)


@pytest.mark.parametrize(
    ("minimum", "requested", "achieved"), list(itertools.product(MINIMUMS, REQUESTS, list(Level)))
)
def test_outcome_for_every_combination(
    minimum: Level | None, requested: tuple[Level, ...], achieved: Level
) -> None:
    required = required_level(minimum, requested)
    assert satisfies(achieved, required) is expected(minimum, requested, achieved)
    if minimum is not None:
        assert required >= minimum  # never below the catalogue


def _digid_request_level(location: str) -> Level:
    query = parse_qs(urlsplit(location).query)
    xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15).decode()
    class_ref = xml.split("AuthnContextClassRef>")[1].split("<")[0]
    return Level.from_digid_class_ref(class_ref)


@pytest.mark.parametrize(("minimum", "acr"), list(itertools.product(list(Level), [None, *Level])))
async def test_broker_asks_digid_for_the_required_level(
    broker: BrokerFixture, minimum: Level, acr: Level | None
) -> None:
    client_id, _ = broker.add_client(ClientKey.rsa(), services=[minimum])
    extra = {"login_means": "digid"}
    if acr is not None:
        extra["acr_values"] = acr.acr
    request = auth_params(client_id, "https://rp.example/cb", **extra)
    response = await broker.browser().client.get("/authorize?" + urlencode(request.params))
    assert _digid_request_level(response.headers["location"]) == required_level(
        minimum, [acr] if acr else []
    )


async def test_unknown_acr_values_do_not_lower_the_minimum(broker: BrokerFixture) -> None:
    client_id, _ = broker.add_client(ClientKey.rsa(), services=[Level.SUBSTANTIAL])
    request = auth_params(
        client_id,
        "https://rp.example/cb",
        login_means="digid",
        acr_values="urn:unknown:level http://eidas.europa.eu/LoA/low",
    )
    response = await broker.browser().client.get("/authorize?" + urlencode(request.params))
    assert _digid_request_level(response.headers["location"]) == Level.SUBSTANTIAL
