"""The portal for organisations, in-process: a company's representative (eHerkenning through
the broker and its simulator) authorises an intermediary by KvK number, the intermediary
accepts and authorises its employee, and the employee acts for the company at the demo
service (a chain mandate). Plus: the agent field (BSN or KvK), a citizen authorising a firm,
and that no party sees or changes another party's mandates (IDOR: 404)."""

from __future__ import annotations

import datetime as dt
import re

import httpx
from broker_harness import BrokerFixture
from portal_support import (
    NOWHERE,
    act,
    choose,
    confirmation_token,
    csrf_of,
    demo_login,
    free_bsn,
    grant,
    portal_login,
)
from support import Browser, parse_form

from broker.assurance import Level
from broker.register.clients import add_service
from broker.register.demo import DEMO_CLIENT_ID, DEMO_SERVICE_ID

ORG = "/mijn/organisatie"
BAKERY = "90000001"  # the simulator's test companies (conformance/eherkenning/companies.py)
BUURTHUIS = "90000003"
FIRM = "90000010"  # the simulator's intermediary, logging in for itself
EMPLOYEE = free_bsn(2000)
CITIZEN = free_bsn(2100)

TODAY = dt.date.today().isoformat()
NEXT_YEAR = (dt.date.today() + dt.timedelta(days=365)).isoformat()


async def org_login(
    broker: BrokerFixture, kvk: str, *, intermediary: str = "", level: str = "loa3"
) -> tuple[Browser, httpx.Response]:
    """A fresh browser logged in to the portal with eHerkenning for ``kvk``; returns it and
    the last page (the organisation overview when the portal accepted the login)."""
    browser = broker.browser()
    start = await browser.client.post("/mijn/login", data={"means": "eherkenning"})
    assert start.status_code == 303
    assert "login_means=eherkenning" in start.headers["location"]
    form_page = await browser.follow(await browser.client.get(start.headers["location"]))
    assert "/sim/eherkenning/" in str(form_page.url), form_page.text[:500]
    action, fields = parse_form(form_page.text)
    fields.update(company=kvk, level=level, intermediary=intermediary, action="login")
    answer = await browser.client.post(str(form_page.url.join(action)), data=fields)
    return browser, await browser.follow(answer, stop_at=NOWHERE)


def table(page: httpx.Response, name: str) -> str:
    return page.text.split(f'id="{name}"')[1].split("</table>")[0]


async def test_company_authorises_an_intermediary_whose_employee_acts(
    broker: BrokerFixture,
) -> None:
    bakery, overview = await org_login(broker, BAKERY)
    assert str(overview.url).endswith(f"{ORG}/"), overview.url
    assert "Machtigingen van Bakkerij De Korenschoof B.V." in overview.text
    assert "Ingelogd met eHerkenning namens Bakkerij De Korenschoof B.V." in overview.text
    english = await bakery.client.get(f"{ORG}/?lang=en")
    assert "Mandates of Bakkerij De Korenschoof B.V." in english.text
    assert "What the organisation may do, and for whom" in english.text
    await bakery.client.get(f"{ORG}/?lang=nl")  # the choice sticks (a cookie): back to Dutch

    confirm_page = await bakery.client.post(
        f"{ORG}/machtigen",
        data={
            "csrf": csrf_of(await bakery.client.get(f"{ORG}/machtigen")),
            "services": DEMO_SERVICE_ID,
            "agent": FIRM,
            "valid_from": TODAY,
            "valid_until": NEXT_YEAR,
        },
    )
    # The confirmation says that the firm's employees will act, after the firm accepts.
    assert "medewerkers van de organisatie met KvK-nummer 90000010" in confirm_page.text
    assert "in te loggen met eHerkenning" in confirm_page.text

    to_firm = await grant(bakery, FIRM, base=ORG)
    given = table(await bakery.client.get(f"{ORG}/"), "given")
    assert to_firm in given and "KvK 90000010" in given

    # The intermediary logs in for itself, sees the request and accepts.
    firm, firm_overview = await org_login(broker, FIRM)
    assert to_firm in table(firm_overview, "pending")
    assert "KvK 90000001" in table(firm_overview, "pending")
    accept_page = await firm.client.get(f"{ORG}/machtigingen/{to_firm}/accept")
    assert 'id="confirm-chain"' in accept_page.text  # its employees act, once authorised
    accepted = await act(firm, to_firm, "accept", base=ORG)
    assert "U heeft de machtiging geaccepteerd." in accepted.text
    firm_overview = await firm.client.get(f"{ORG}/")
    assert to_firm in table(firm_overview, "received")
    assert "Uw medewerkers handelen namens deze opdrachtgevers" in firm_overview.text

    # The firm authorises its employee (by BSN), who accepts in the citizen portal.
    to_employee = await grant(firm, EMPLOYEE, base=ORG)
    employee, _ = await portal_login(broker, EMPLOYEE)
    employee_page = await employee.client.get(f"/mijn/machtigingen/{to_employee}/accept")
    assert employee_page.status_code == 200 and 'id="confirm-chain"' not in employee_page.text
    await act(employee, to_employee, "accept")

    # The employee uses the demo service for the bakery, through the firm (a chain).
    demo, page = await demo_login(broker, EMPLOYEE)
    choice = re.search(r'name="choice" value="([^"]+)"[^>]*>\s*[^<]*90000001', page.text)
    assert choice, page.text[:3000]
    result = await choose(demo, page, choice.group(1))
    represents = re.search(r'data-claim="represents"[^>]*>(.*?)</td>', result.text, re.S)
    assert represents and BAKERY in represents.group(1) and FIRM in represents.group(1)
    used = await bakery.client.get(f"{ORG}/gehandeld")
    assert "Wie heeft namens de organisatie gehandeld?" in used.text
    assert f"••••••{EMPLOYEE[-3:]}" in used.text and "ketenmachtiging" in used.text

    # The bakery revokes: the chain is gone at once.
    revoked = await act(bakery, to_firm, "revoke", base=ORG)
    assert "De machtiging is ingetrokken." in revoked.text
    _, page = await demo_login(broker, EMPLOYEE)
    assert "90000001" not in page.text


async def test_citizen_authorises_a_firm_by_kvk_number(broker: BrokerFixture) -> None:
    citizen, _ = await portal_login(broker, CITIZEN)
    mandate_id = await grant(citizen, FIRM)
    detail = await citizen.client.get(f"/mijn/machtigingen/{mandate_id}")
    assert "KvK 90000010" in detail.text
    firm, overview = await org_login(broker, FIRM)
    assert mandate_id in table(overview, "pending")
    confirm = await firm.client.get(f"{ORG}/machtigingen/{mandate_id}/reject")
    assert f"namens BSN {CITIZEN}" in confirm.text
    rejected = await act(firm, mandate_id, "reject", base=ORG)
    assert 'data-state="rejected"' in rejected.text


async def test_agent_field_takes_a_bsn_or_a_kvk_number(broker: BrokerFixture) -> None:
    citizen, _ = await portal_login(broker, CITIZEN)
    csrf = csrf_of(await citizen.client.get("/mijn/machtigen"))
    form = {"csrf": csrf, "services": DEMO_SERVICE_ID, "valid_from": TODAY}
    form["valid_until"] = NEXT_YEAR
    expected = {
        "": "Vul het BSN of het KvK-nummer van de gemachtigde in.",
        "123456789": "Dit is geen geldig burgerservicenummer.",
        "1234567": "Vul een BSN van 9 cijfers of een KvK-nummer van 8 cijfers in",
        "9000001A": "Vul een BSN van 9 cijfers of een KvK-nummer van 8 cijfers in",
    }
    for agent, message in expected.items():
        page = await citizen.client.post("/mijn/machtigen", data={**form, "agent": agent})
        assert page.status_code == 400, agent
        assert message in page.text, agent
        assert 'aria-invalid="true"' in page.text
    ok = await citizen.client.post("/mijn/machtigen", data={**form, "agent": "9000 0010"})
    assert ok.status_code == 200
    assert "medewerkers van de organisatie met KvK-nummer 90000010" in ok.text


async def test_no_party_sees_or_changes_another_partys_mandates(broker: BrokerFixture) -> None:
    bakery, _ = await org_login(broker, BAKERY)
    mandate_id = await grant(bakery, EMPLOYEE, base=ORG)
    buurthuis, _ = await org_login(broker, BUURTHUIS)
    assert mandate_id not in (await buurthuis.client.get(f"{ORG}/")).text
    csrf = csrf_of(await buurthuis.client.get(f"{ORG}/machtigen"))
    for path in (f"{ORG}/machtigingen/{mandate_id}", f"{ORG}/machtigingen/{mandate_id}/revoke"):
        answer = await buurthuis.client.get(path)
        assert answer.status_code == 404, path
        assert "Deze machtiging bestaat niet of is niet van u." in answer.text
    revoke = await buurthuis.client.post(
        f"{ORG}/machtigingen/{mandate_id}/revoke", data={"csrf": csrf}
    )
    assert revoke.status_code == 404
    # Neither may a citizen, nor the company's pages be reached without eHerkenning.
    citizen, _ = await portal_login(broker, CITIZEN)
    assert (await citizen.client.get(f"/mijn/machtigingen/{mandate_id}")).status_code == 404
    for path in (f"{ORG}/", f"{ORG}/machtigen", f"{ORG}/machtigingen/{mandate_id}"):
        answer = await citizen.client.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/mijn/", path
    anonymous = broker.browser()
    assert (await anonymous.client.get(f"{ORG}/")).headers["location"] == "/mijn/"
    # The mandate is untouched: still waiting for the employee.
    detail = await bakery.client.get(f"{ORG}/machtigingen/{mandate_id}")
    assert 'data-state="requested"' in detail.text


async def test_an_intermediary_acting_for_a_company_cannot_manage_its_mandates(
    broker: BrokerFixture,
) -> None:
    """An eHerkenning chain login (the firm for the Buurthuis) is not the company's own
    representative: the portal refuses it."""
    _, page = await org_login(broker, BUURTHUIS, intermediary=FIRM)
    assert page.status_code == 400
    assert "Inloggen is niet gelukt" in page.text


async def test_eherkenning_below_substantial_starts_no_session(broker: BrokerFixture) -> None:
    browser, page = await org_login(broker, BAKERY, level="loa2plus")
    assert "Hoger betrouwbaarheidsniveau nodig" in page.text  # the broker's step-up page
    assert (await browser.client.get(f"{ORG}/")).headers["location"] == "/mijn/"


async def test_a_service_without_chain_mandates_takes_no_organisation(
    broker: BrokerFixture,
) -> None:
    closed = add_service(
        broker.state.engine,
        DEMO_CLIENT_ID,
        name_nl="Alleen personen",
        name_en="Persons only",
        min_level=Level.BASIC,
        allows_representation=True,
        representation_kinds=["voluntary"],
    )
    bakery, _ = await org_login(broker, BAKERY)
    form = {
        "csrf": csrf_of(await bakery.client.get(f"{ORG}/machtigen")),
        "services": [DEMO_SERVICE_ID, closed.service_id],
        "valid_from": TODAY,
        "valid_until": NEXT_YEAR,
    }
    refused = await bakery.client.post(f"{ORG}/machtigen", data={**form, "agent": FIRM})
    assert refused.status_code == 400
    assert "Voor Alleen personen kunt u geen organisatie machtigen" in refused.text
    # The confirmation step checks again: a forged submit is refused by the register.
    token = await confirmation_token(bakery, {**form, "agent": EMPLOYEE}, base=ORG)
    forged = await bakery.client.post(
        f"{ORG}/machtigen/bevestigen", data={**form, "agent": FIRM, "grant_token": token}
    )
    assert forged.status_code == 400
    assert "Voor deze dienst kunt u niemand machtigen." in forged.text
    # A person (BSN) may be authorised for it.
    employee = await bakery.client.post(f"{ORG}/machtigen", data={**form, "agent": EMPLOYEE})
    assert employee.status_code == 200


async def test_logout_ends_the_organisation_session(broker: BrokerFixture) -> None:
    bakery, overview = await org_login(broker, BAKERY)
    logout = await bakery.client.post(f"{ORG}/logout", data={"csrf": csrf_of(overview)})
    assert logout.status_code == 303
    assert logout.headers["location"].startswith(broker.config.issuer + "/logout?")
    assert (await bakery.client.get(f"{ORG}/")).headers["location"] == "/mijn/"


async def test_every_link_on_the_organisation_pages_leads_somewhere(broker: BrokerFixture) -> None:
    """The session's extend link and the accessibility statement, under the organisation's
    own base, answer like the citizen's; extending comes back to the page."""
    bakery, _ = await org_login(broker, BAKERY)
    for path in (f"{ORG}/", f"{ORG}/machtigen", f"{ORG}/gehandeld"):
        page = await bakery.client.get(path)
        for href in re.findall(r'href="(/mijn/[^"#]*)"', page.text):
            answer = await bakery.client.get(href.replace("&amp;", "&"))
            assert answer.status_code in (200, 303), (path, href, answer.status_code)
        extend = re.search(r'id="session-extend" href="([^"]+)"', page.text)
        assert extend, path
        back = await bakery.client.get(extend.group(1).replace("&amp;", "&"))
        assert back.status_code == 303 and back.headers["location"] == path
    statement = await bakery.client.get(f"{ORG}/toegankelijkheid")
    assert statement.status_code == 200 and "WCAG 2.2" in statement.text
    assert 'id="portal-logout"' in statement.text


async def test_the_organisations_history_speaks_of_the_organisation(
    broker: BrokerFixture,
) -> None:
    bakery, overview = await org_login(broker, BAKERY)
    link = re.search(r'href="(/mijn/organisatie/gehandeld)">([^<]+)</a>', overview.text)
    assert link and link.group(2) == "Wie heeft namens de organisatie gehandeld?"
    page = await bakery.client.get(link.group(1))
    heading = re.search(r"<h1[^>]*>([^<]+)</h1>", page.text)
    assert heading and heading.group(1) == link.group(2)
    assert f"<title>{link.group(2)} – " in page.text
    assert "Niemand heeft namens de organisatie gehandeld." in page.text
    assert "namens mij" not in page.text and "namens u" not in page.text
    english = await bakery.client.get(f"{link.group(1)}?lang=en")
    assert "<h1" in english.text and "Who acted on behalf of the organisation?</h1>" in english.text
    # A citizen's page keeps its own words.
    citizen, _ = await portal_login(broker, CITIZEN)
    own = await citizen.client.get("/mijn/gehandeld?lang=nl")
    assert "Wie heeft namens mij gehandeld?</h1>" in own.text
