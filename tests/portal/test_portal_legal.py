"""Legal representation on the overview, in both directions, with source and retrieval date:
a parent sees their children and a child its parents (BRP API Gezag), a curator the person
under curatele and that person the curator (curatele/bewind register). A register that is
down is named, and nothing of another person is ever shown."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from broker_harness import BrokerFixture
from portal_support import choose, demo_login, option_for, portal_login
from support import ISSUER

from broker.flow.representation_setup import BRP_SIM_PATH, CCBR_SIM_PATH
from broker.identifiers import PartyId
from broker.register.database import create_engine_for, migrate
from conformance.brp_gezag.families import BRAM, ELS, JAN, SANNE
from conformance.ccbr.measures import BERT, GERRIT, HENK
from mandates.legal_cache import LegalRelationCache
from mandates.sources import brp_gezag, ccbr
from portal.legal import legal_overview


def _section(page: httpx.Response, table: str) -> str:
    return page.text.split(f'id="{table}"')[1].split("</table>")[0]


async def test_parent_sees_children_and_child_sees_parents(broker: BrokerFixture) -> None:
    _, jan = await portal_login(broker, JAN.bsn)
    mine = _section(jan, "legal-mine")
    assert SANNE.bsn in mine and BRAM.bsn in mine
    assert "ouderlijk gezag" in mine and 'data-source="brp_gezag"' in mine
    retrieved = re.search(r"\d{2}-\d{2}-(\d{4}) \d{2}:\d{2}", mine)
    assert retrieved and int(retrieved.group(1)) >= dt.date.today().year - 1
    assert 'id="legal-me-empty"' in jan.text

    _, bram = await portal_login(broker, BRAM.bsn)
    me = _section(bram, "legal-me")
    assert JAN.bsn in me and ELS.bsn in me and "ouderlijk gezag" in me
    # Bram's sister shares the parents but is none of Bram's business.
    assert SANNE.bsn not in bram.text
    assert 'id="legal-mine-empty"' in bram.text


async def test_curator_and_person_under_curatele(broker: BrokerFixture) -> None:
    _, henk = await portal_login(broker, HENK)
    mine = _section(henk, "legal-mine")
    assert GERRIT in mine and "curatele" in mine and 'data-source="ccbr"' in mine
    # The measure that ended in 2023 is shown as such, not as valid.
    ended = mine.split(BERT)[1].split("</tr>")[0]
    assert 'data-state="ended"' in ended

    _, gerrit = await portal_login(broker, GERRIT)
    me = _section(gerrit, "legal-me")
    assert HENK in me and 'data-state="valid"' in me
    assert BERT not in gerrit.text  # another person under the same curator


async def test_a_register_that_is_down_is_named(broker: BrokerFixture) -> None:
    async with httpx.AsyncClient(transport=broker.transport, base_url=ISSUER) as http:
        for path in (BRP_SIM_PATH, CCBR_SIM_PATH):
            switched = await http.put(f"{path}/simulator/unavailable", json=True)
            assert switched.status_code == 204
    _, gerrit = await portal_login(broker, GERRIT)
    warning = gerrit.text.split('id="legal-unavailable"')[1].split("</div>")[0]
    assert "BRP" in warning and "Curatele- en bewindregister" in warning
    assert HENK not in gerrit.text
    english = await (await portal_login(broker, GERRIT))[0].client.get("/mijn/?lang=en")
    assert "Who represents you" in english.text


async def test_uses_of_legal_representation_are_in_the_history(broker: BrokerFixture) -> None:
    """A parent and a curator each use the demo service for the person they represent; that
    person reads it under "Wie heeft namens mij gehandeld?", and nobody else does."""
    for actor, represented in ((JAN.bsn, BRAM.bsn), (HENK, GERRIT)):
        demo, page = await demo_login(broker, actor)
        choice = option_for(page, represented)
        assert choice is not None, page.text[:2000]
        result = await choose(demo, page, choice)
        assert result.status_code == 200 and represented in result.text

    bram, _ = await portal_login(broker, BRAM.bsn)
    table = _section(await bram.client.get("/mijn/gehandeld"), "uses")
    assert f"BSN ••••••{JAN.bsn[-3:]}" in table and JAN.bsn not in table
    assert "Demodienst" in table and "ouderlijk gezag" in table

    gerrit, _ = await portal_login(broker, GERRIT)
    table = _section(await gerrit.client.get("/mijn/gehandeld"), "uses")
    assert f"BSN ••••••{HENK[-3:]}" in table and "curatele" in table
    assert "ouderlijk gezag" not in table  # Bram's history is not Gerrit's

    for person in (JAN.bsn, HENK, SANNE.bsn):
        browser, _ = await portal_login(broker, person)
        assert 'id="uses-empty"' in (await browser.client.get("/mijn/gehandeld")).text


@pytest.mark.parametrize(
    ("gezag", "maatregelen"),
    [
        ([{"type": "EenhoofdigOuderlijkGezag"}], []),  # no minderjarige
        (["not a relation"], []),
        (  # no type: which authority is unknown
            [
                {
                    "minderjarige": {"burgerservicenummer": BRAM.bsn},
                    "ouders": [{"burgerservicenummer": JAN.bsn}],
                }
            ],
            [],
        ),
        ([], [{"id": "X", "soort": "onbekend"}]),  # not a measure of the interface
    ],
)
async def test_an_unreadable_register_answer_is_named_not_guessed(
    tmp_path: Path, gezag: list[Any], maatregelen: list[Any]
) -> None:
    me = PartyId("bsn", BRAM.bsn)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(brp_gezag.PATH):
            return httpx.Response(
                200, json={"personen": [{"burgerservicenummer": me.value, "gezag": gezag}]}
            )
        return httpx.Response(200, json={"maatregelen": maatregelen})

    engine = create_engine_for(f"sqlite:///{tmp_path / 'legal.db'}")
    migrate(engine)
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        sources = [
            brp_gezag.BrpGezagClient(http, "https://brp.example"),
            ccbr.CcbrClient(http, "https://ccbr.example"),
        ]
        found = await legal_overview(
            LegalRelationCache(engine, sources), me, dt.datetime.now(dt.UTC)
        )
    assert found.unavailable == {"brp_gezag" if gezag else "ccbr"}
    assert found.representing_me == []
