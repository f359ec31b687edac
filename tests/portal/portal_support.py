"""Helpers for the portal tests: log in to ``/mijn`` through the broker and the DigiD
simulator, grant / accept / revoke with the portal's forms, use the demo service for someone."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import httpx
from broker_harness import BrokerFixture
from sqlalchemy import Engine
from support import ISSUER, Browser, digid_login, parse_form

from broker.assurance import Level
from broker.identifiers import elfproef
from broker.register.clients import add_client, add_service
from broker.register.demo import DEMO_SERVICE_ID

NOWHERE = "https://nowhere.invalid"  # a stop_at that never matches: follow to the end
CALLBACK = ISSUER + "/demo-sp/callback"


def municipal_catalogue(engine: Engine, max_days: int) -> dict[str, str]:
    """A second provider, "Gemeente Voorbeeld", with a service limited to ``max_days``, one
    without its own limit, one only for the person themself and one only for a mentor; the
    ids by short name."""
    client, _ = add_client(
        engine,
        name="Gemeente Voorbeeld",
        redirect_uris=["https://gemeente.example/cb"],
        auth_method="client_secret_basic",
    )

    def service(nl: str, en: str, **kw: Any) -> str:
        row = add_service(
            engine, client.client_id, name_nl=nl, name_en=en, min_level=Level.LOW, **kw
        )
        return row.service_id

    return {
        "parking": service(
            "Parkeervergunning",
            "Parking permit",
            allows_representation=True,
            max_mandate_days=max_days,
        ),
        "tax": service("Gemeentelijke belastingen", "Municipal taxes", allows_representation=True),
        "self": service("Paspoort aanvragen", "Passport application"),
        "legal_only": service(
            "Zorgdossier",
            "Care file",
            allows_representation=True,
            representation_kinds=["mentorschap"],
        ),
    }


def free_bsn(start: int) -> str:
    """A BSN passing the elfproef outside the simulators' families (999991xxx and up)."""
    for n in range(start, start + 1000):
        candidate = f"99999{n:04d}"
        if elfproef(candidate):
            return candidate
    raise AssertionError("no BSN found")


def csrf_of(page: httpx.Response) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, "no CSRF field on the page"
    return match.group(1)


async def portal_login(
    broker: BrokerFixture, bsn: str, level: str = "substantieel"
) -> tuple[Browser, httpx.Response]:
    """A fresh browser logged in to the portal as ``bsn``; returns it and the overview page."""
    browser = broker.browser()
    start = await browser.client.post("/mijn/login")
    assert start.status_code == 303, start.text
    assert "acr_values=" in start.headers["location"]
    page = await digid_login(
        browser, start.headers["location"], bsn=bsn, level=level, stop_at=NOWHERE
    )
    return browser, page


def grant_fields(
    form_page: httpx.Response,
    agent: str,
    services: list[str] | None = None,
    *,
    start: dt.date | None = None,
    until: dt.date | None = None,
) -> dict[str, Any]:
    """The grant form's fields: from ``start`` (today) until ``until`` (30 days later)."""
    first = start or dt.date.today()
    return {
        "csrf": csrf_of(form_page),
        "services": services or [DEMO_SERVICE_ID],
        "agent": agent,
        "valid_from": first.isoformat(),
        "valid_until": (until or first + dt.timedelta(days=30)).isoformat(),
    }


async def grant(
    browser: Browser,
    agent: str,
    services: list[str] | None = None,
    *,
    until: dt.date | None = None,
    base: str = "/mijn",
) -> str:
    """Grant through the form and its confirmation page (of the pages under ``base``);
    returns the new mandate's id."""
    form_page = await browser.client.get(f"{base}/machtigen")
    assert form_page.status_code == 200, form_page.text
    data = grant_fields(form_page, agent, services, until=until)
    confirm = await browser.client.post(f"{base}/machtigen", data=data)
    assert confirm.status_code == 200, confirm.text
    action, fields = parse_form(confirm.text)
    hidden = {**fields, "services": re.findall(r'name="services" value="([^"]+)"', confirm.text)}
    done = await browser.client.post(action, data=hidden)
    assert done.status_code == 303, done.text
    match = re.search(
        rf"{base}/machtigingen/([0-9a-f-]{{36}})\?gedaan=granted", done.headers["location"]
    )
    assert match, done.headers["location"]
    return match.group(1)


async def confirmation_token(browser: Browser, data: dict[str, Any], base: str = "/mijn") -> str:
    """The one-time token of the confirmation page the grant form answers ``data`` with (to
    submit other values on it: a forged confirmation)."""
    confirm = await browser.client.post(f"{base}/machtigen", data=data)
    assert confirm.status_code == 200, confirm.text
    match = re.search(r'name="grant_token" value="([^"]+)"', confirm.text)
    assert match, "no grant token on the confirmation page"
    return match.group(1)


async def act(
    browser: Browser, mandate_id: str, action: str, base: str = "/mijn"
) -> httpx.Response:
    """Open the confirmation page of ``action`` and confirm; returns the answer (followed)."""
    page = await browser.client.get(f"{base}/machtigingen/{mandate_id}/{action}")
    assert page.status_code == 200, page.text
    target, fields = parse_form(page.text)
    return await browser.follow(await browser.client.post(target, data=fields))


def option_for(page: httpx.Response, bsn: str) -> str | None:
    """The represent page's option whose masked label ends with ``bsn``'s last digits."""
    for match in re.finditer(
        r'<input[^>]*name="choice" value="([^"]+)"[^>]*>\s*([^<]+?)\s*</label>', page.text
    ):
        if html.unescape(match.group(2)).strip().endswith(f"{bsn[-3:]})"):
            return match.group(1)
    return None


async def demo_login(broker: BrokerFixture, bsn: str) -> tuple[Browser, httpx.Response]:
    """A fresh browser at the demo service, logged in with DigiD: the "on whose behalf" page,
    or the demo's result page when nothing is offered."""
    browser = broker.browser()
    start = await browser.client.post(
        "/demo-sp/login", data={"level": "low", "login_means": "digid"}
    )
    assert start.status_code == 303
    page = await digid_login(browser, start.headers["location"], bsn=bsn, stop_at=NOWHERE)
    return browser, page


async def choose(browser: Browser, page: httpx.Response, choice: str) -> httpx.Response:
    action, fields = parse_form(page.text)
    target = str(page.url.join(action))
    data = {"csrf": fields["csrf"], "transaction": fields.get("transaction", ""), "choice": choice}
    return await browser.follow(await browser.client.post(target, data=data))
