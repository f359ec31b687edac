"""Acting on behalf of others, end to end through the real broker in-process: DigiD simulator
login → "Namens wie wilt u dit regelen?" → choice re-checked → tokens, claim by claim."""

from __future__ import annotations

import html
import re

import httpx
from broker_harness import BrokerFixture
from representation_support import (
    API_HEADERS,
    BRAM,
    INGRID,
    JAN,
    JOKE,
    RIA,
    SANNE,
    WIM,
    add_rp,
    authorize_url,
    choose,
    free_bsn,
    grant,
    login,
    option_for,
    options,
    redeem,
)
from support import ISSUER, parse_form

from broker.assurance import Level
from broker.flow.representation import REPRESENT_NONE, REPRESENT_REQUIRED
from broker.fronts.oidc.subject import pairwise
from broker.identifiers import SUB_ID_TYPE_BSN, SUB_ID_TYPE_PSEUDONYM


async def test_parent_acts_for_child_bsn_entitled(broker: BrokerFixture) -> None:
    rp = add_rp(broker, bsn_entitled=True)
    browser = broker.browser()
    page, request = await login(browser, rp, JAN)
    assert page.status_code == 200
    assert "Namens wie wilt u dit regelen?" in page.text
    labels = options(page)
    assert "Voor mijzelf" in labels
    assert any(label.startswith("Mijn kind (BSN ••••••032)") for label in labels)
    assert any(label.startswith("Mijn kind (BSN ••••••020)") for label in labels)
    assert "ouderlijk gezag" in page.text
    assert BRAM not in page.text  # only the masked identifier is shown

    back = await choose(browser, page, option_for(page, BRAM))
    claims, access_token = await redeem(broker, browser, rp, request, back)
    assert claims["sub"] == JAN
    assert claims["sub_id_type"] == SUB_ID_TYPE_BSN
    assert claims["represents"] == {"sub": BRAM, "iss": ISSUER, "sub_id_type": SUB_ID_TYPE_BSN}
    representation = claims["representation"]
    assert representation["kind"] == "parental_authority"
    assert representation["source"] == "brp_gezag"
    assert representation["scope"] == ["financial", "personal"]
    assert len(representation["basis"]) == 1 and representation["basis"][0].startswith("legal:")
    # Effective level = achieved (legal representation has no grant level), never higher.
    assert claims["acr"] == Level.SUBSTANTIAL.acr
    assert "act" not in claims

    info = await browser.client.get(
        "/userinfo", headers={"Authorization": f"Bearer {access_token}"}
    )
    assert info.status_code == 200
    assert info.json()["represents"]["sub"] == BRAM
    assert info.json()["representation"] == representation


async def test_parent_pseudonymised_for_unentitled_client(broker: BrokerFixture) -> None:
    rp = add_rp(broker, bsn_entitled=False)
    browser = broker.browser()
    page, request = await login(browser, rp, JAN, level="midden")
    back = await choose(browser, page, option_for(page, SANNE))
    claims, _ = await redeem(broker, browser, rp, request, back)
    secret = broker.state.keys.pairwise_secret
    assert claims["sub"] == pairwise(secret, rp.client_id, "bsn", JAN)
    assert claims["sub_id_type"] == SUB_ID_TYPE_PSEUDONYM
    assert claims["represents"]["sub"] == pairwise(secret, rp.client_id, "bsn", SANNE)
    assert claims["represents"]["sub_id_type"] == SUB_ID_TYPE_PSEUDONYM
    assert SANNE not in str(claims) and JAN not in str(claims)
    assert claims["acr"] == Level.LOW.acr


async def test_for_myself_gives_no_representation(broker: BrokerFixture) -> None:
    rp = add_rp(broker)
    browser = broker.browser()
    page, request = await login(browser, rp, JAN)
    back = await choose(browser, page, options(page)["Voor mijzelf"])
    claims, _ = await redeem(broker, browser, rp, request, back)
    assert claims["sub"] == JAN
    assert "represents" not in claims and "representation" not in claims


async def test_bewindvoerder_for_financial_service(broker: BrokerFixture) -> None:
    rp = add_rp(broker, legal_domain="financial")
    browser = broker.browser()
    page, request = await login(browser, rp, INGRID)
    assert "beschermingsbewind" in page.text
    back = await choose(browser, page, option_for(page, WIM))
    claims, _ = await redeem(broker, browser, rp, request, back)
    assert claims["sub"] == INGRID
    assert claims["represents"]["sub"] == WIM
    assert claims["representation"]["kind"] == "beschermingsbewind"
    assert claims["representation"]["source"] == "ccbr"
    assert claims["representation"]["scope"] == ["financial"]


async def test_bewindvoerder_not_offered_for_personal_service(broker: BrokerFixture) -> None:
    """Bewind covers money only: for a care service the ward is not a choice, but the page
    says who is missing and why (not selectable); when the service is only for
    representatives it also says there is nobody to choose."""
    rp = add_rp(broker, legal_domain="personal")
    browser = broker.browser()
    page, request = await login(browser, rp, INGRID)
    assert page.status_code == 200
    assert list(options(page)) == ["Voor mijzelf"]
    explained = (
        f"Iemand onder mijn beschermingsbewind (BSN ••••••{WIM[-3:]}): Uw vertegenwoordiging "
        "geldt niet voor het soort zaken van deze dienst."
    )
    assert _not_applicable(page) == [explained]
    assert WIM not in page.text
    action, _ = parse_form(page.text)
    english = await browser.client.get(str(page.url.join(action)) + "?lang=en")
    assert _not_applicable(english) == [
        f"Someone whose finances I administer (BSN ••••••{WIM[-3:]}): Your representation "
        "does not cover the kind of matters this service deals with."
    ]
    back = await choose(browser, page, options(page)["Voor mijzelf"])
    claims, _ = await redeem(broker, browser, rp, request, back)
    assert claims["sub"] == INGRID and "represents" not in claims

    # With the session, a silent login (prompt=none) is not held up by the explanation.
    url, _ = authorize_url(rp, prompt="none")
    silent = await browser.client.get(url)
    assert silent.status_code in (302, 303) and "code=" in silent.headers["location"]

    required = broker.browser()
    page, _ = await login(required, rp, INGRID, REPRESENT_REQUIRED)
    assert page.status_code == 200
    assert options(page) == {}
    assert "Er is niemand namens wie u deze dienst kunt gebruiken." in page.text
    assert _not_applicable(page) == [explained]


async def test_mandate_for_other_services_is_explained(broker: BrokerFixture) -> None:
    """A voluntary mandate that does not list this service is shown with its reason, and
    nothing else is needed to choose: only the page's own choices can be posted."""
    other = add_rp(broker)
    rp = add_rp(broker)
    principal, agent = free_bsn(100), free_bsn(200)
    granting = broker.browser()
    await login(granting, rp, principal, REPRESENT_NONE)
    assert (await grant(granting, agent, other.service_id)).status_code == 201
    accepting = broker.browser()
    await login(accepting, rp, agent, REPRESENT_NONE)
    mandate_id = (await accepting.client.get("/api/v1/mandates")).json()["received"][0]["id"]
    accepted = await accepting.client.post(
        f"/api/v1/mandates/{mandate_id}/accept", headers=API_HEADERS
    )
    assert accepted.status_code == 200, accepted.text

    browser = broker.browser()
    page, _ = await login(browser, rp, agent)
    assert page.status_code == 200
    assert list(options(page)) == ["Voor mijzelf"]
    assert _not_applicable(page) == [
        f"Iemand die mij heeft gemachtigd (BSN ••••••{principal[-3:]}): Uw machtiging geldt "
        "niet voor deze dienst."
    ]


def _not_applicable(page: httpx.Response) -> list[str]:
    """The texts of the "not for this service" list (no inputs in it)."""
    match = re.search(r'<section class="toegang-not-applicable".*?</section>', page.text, re.S)
    if match is None:
        return []
    assert "<input" not in match.group(0)
    items = re.findall(r"<li[^>]*>(.*?)</li>", match.group(0), re.S)
    return [html.unescape(" ".join(item.split())) for item in items]


async def test_mentor_refused_when_posting_ward_for_financial_service(
    broker: BrokerFixture,
) -> None:
    """Joke is mentor of Ria (personal matters only). At a care service Ria is offered; when the
    service becomes financial before Joke continues, her choice is refused with the reason."""
    rp = add_rp(broker, legal_domain="personal")
    browser = broker.browser()
    page, _ = await login(browser, rp, JOKE)
    choice = option_for(page, RIA)
    # The catalogue changes before she continues: the choice is re-checked, never trusted.
    from sqlmodel import Session

    from broker.register.models import Service

    with Session(broker.state.engine) as session:
        service = session.get(Service, rp.service_id)
        assert service is not None
        service.legal_domain = "financial"
        session.add(service)
        session.commit()
    broker.state.clients.invalidate()
    refused = await choose(browser, page, choice)
    assert refused.status_code == 403
    assert 'data-reason="domain_not_covered"' in refused.text
    assert "Uw vertegenwoordiging geldt niet voor het soort zaken van deze dienst." in refused.text
    assert "Terug naar de keuze" in refused.text
    english = await browser.client.get(str(refused.url) + "?lang=en")
    assert english.status_code == 200  # the way back: the choice page again


async def test_tampered_choice_is_refused(broker: BrokerFixture) -> None:
    rp = add_rp(broker)
    browser = broker.browser()
    page, request = await login(browser, rp, JAN)
    for forged in ("0", "1", BRAM, "bsn:999990032", ""):
        refused = await choose(browser, page, forged)
        assert refused.status_code == 400
        assert "Kies voor wie u dit wilt regelen." in refused.text
    # An option id from another person's transaction is not an option of this one.
    other = broker.browser()
    other_page, _ = await login(other, rp, JAN)
    refused = await choose(browser, page, option_for(other_page, BRAM))
    assert refused.status_code == 400
    # The genuine choice still works afterwards.
    back = await choose(browser, page, option_for(page, BRAM))
    claims, _ = await redeem(broker, browser, rp, request, back)
    assert claims["represents"]["sub"] == BRAM


async def test_rfc8693_style(broker: BrokerFixture) -> None:
    rp = add_rp(broker, style="rfc8693")
    browser = broker.browser()
    page, request = await login(browser, rp, JAN)
    back = await choose(browser, page, option_for(page, BRAM))
    claims, _ = await redeem(broker, browser, rp, request, back)
    assert claims["sub"] == BRAM
    assert claims["sub_id_type"] == SUB_ID_TYPE_BSN
    assert claims["act"] == {"sub": JAN, "sub_id_type": SUB_ID_TYPE_BSN, "iss": ISSUER}
    assert "represents" not in claims
    assert claims["representation"]["kind"] == "parental_authority"


async def test_scope_none_skips_the_page(broker: BrokerFixture) -> None:
    rp = add_rp(broker)
    browser = broker.browser()
    back, request = await login(browser, rp, JAN, REPRESENT_NONE)
    claims, _ = await redeem(broker, browser, rp, request, back)
    assert claims["sub"] == JAN and "represents" not in claims


async def test_contradicting_scopes_refused(broker: BrokerFixture) -> None:
    rp = add_rp(broker)
    browser = broker.browser()
    back, _ = await login(browser, rp, JAN, REPRESENT_NONE, REPRESENT_REQUIRED)
    assert "error=invalid_scope" in back.headers["location"]


async def test_sso_asks_again(broker: BrokerFixture) -> None:
    """The session keeps who logged in, not for whom: a second login asks again."""
    rp = add_rp(broker)
    browser = broker.browser()
    page, request = await login(browser, rp, JAN)
    await redeem(broker, browser, rp, request, await choose(browser, page, option_for(page, BRAM)))
    from representation_support import authorize_url

    url, second = authorize_url(rp)
    again = await browser.follow(await browser.client.get(url), stop_at=rp_cb())
    assert again.status_code == 200 and "Namens wie" in again.text
    back = await choose(browser, again, options(again)["Voor mijzelf"])
    claims, _ = await redeem(broker, browser, rp, second, back)
    assert "represents" not in claims


async def test_person_without_relations_sees_no_page(broker: BrokerFixture) -> None:
    rp = add_rp(broker)
    browser = broker.browser()
    back, _ = await login(browser, rp, "999999990")
    assert back.status_code == 303 and "code=" in back.headers["location"]


async def test_source_down_is_mentioned(broker: BrokerFixture) -> None:
    rp = add_rp(broker)
    brp = broker.state.extra["mandates"]["services"].routes[0].app
    brp.state.unavailable = True
    browser = broker.browser()
    page, _ = await login(browser, rp, JAN)
    assert page.status_code == 200
    assert "de Basisregistratie Personen" in page.text
    assert BRAM[-3:] not in "".join(options(page))  # children cannot be offered now


def rp_cb() -> str:
    from representation_support import RP

    return RP
