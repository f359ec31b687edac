"""Organisations in the portal, in real Chromium, checked with axe (WCAG 2.2 A/AA): the
bakery's representative logs in with eHerkenning (the broker's simulator), authorises the
accountancy firm by its KvK number; the firm logs in with eHerkenning for itself, accepts, and
sees what it may do for whom. Screenshots land in test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import PORTAL_AXE_OPTIONS, axe_check, dutch_context, served_demo
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser
BAKERY = "90000001"
FIRM = "90000010"


@pytest.fixture(scope="module")
def org_portal(tmp_path_factory: pytest.TempPathFactory, key_dir: Path) -> Iterator[str]:
    with served_demo(tmp_path_factory.mktemp("org-portal"), key_dir) as (url, _app):
        yield url


def _checked(page: Page, name: str) -> None:
    """Screenshot the page, then fail on any axe violation."""
    axe_check(page, f"portal-org-{name}", PORTAL_AXE_OPTIONS)


def _log_in(chromium: Browser, url: str, kvk: str) -> Page:
    """A fresh browser context at the portal, logged in with eHerkenning for ``kvk``."""
    page = dutch_context(chromium).new_page()
    page.goto(f"{url}/mijn/")
    page.locator("#portal-login-eherkenning").click()
    page.wait_for_url(re.compile(r".*/sim/eherkenning/sso\?.*"))
    page.locator(f"#company-{kvk}").check()
    page.locator("#level-loa3").check()
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_url(f"{url}/mijn/organisatie/")
    return page


def test_company_authorises_firm_which_accepts(chromium: Browser, org_portal: str) -> None:
    bakery = _log_in(chromium, org_portal, BAKERY)
    assert "Bakkerij De Korenschoof B.V." in bakery.locator("h1").inner_text()
    _checked(bakery, "overview-empty")

    bakery.get_by_role("link", name="Iemand machtigen namens de organisatie").first.click()
    bakery.wait_for_url(f"{org_portal}/mijn/organisatie/machtigen")
    bakery.get_by_label(re.compile("Demodienst")).check()
    bakery.locator("#agent").fill("9000001")  # 7 digits: neither a BSN nor a KvK number
    bakery.locator("#grant-next").click()
    bakery.wait_for_selector("#error-summary")
    assert "KvK-nummer van 8 cijfers" in bakery.locator("#agent-error").inner_text()
    _checked(bakery, "grant-errors")

    bakery.get_by_label(re.compile("Demodienst")).check()
    bakery.locator("#agent").fill(FIRM)
    bakery.locator("#grant-next").click()
    bakery.wait_for_selector("#confirm-explain")
    assert f"KvK-nummer {FIRM}" in bakery.locator("#confirm-explain").inner_text()
    _checked(bakery, "grant-confirm")
    bakery.locator("#grant-submit").click()
    bakery.wait_for_selector("#portal-notice")
    assert "Wacht op acceptatie" in bakery.locator("#mandate-state").inner_text()
    assert f"KvK {FIRM}" in bakery.locator("#mandate-summary").inner_text()
    _checked(bakery, "mandate")
    bakery.context.close()

    firm = _log_in(chromium, org_portal, FIRM)
    assert f"KvK {BAKERY}" in firm.locator("#pending").inner_text()
    _checked(firm, "firm-pending")
    firm.locator("#pending").get_by_role("link", name="Bekijken").click()
    firm.locator("#action-accept").click()
    _checked(firm, "firm-accept")
    firm.locator("#confirm-accept").click()
    firm.wait_for_selector("#portal-notice")
    assert "Actief" in firm.locator("#mandate-state").inner_text()

    firm.get_by_role("link", name="Terug naar het overzicht").click()
    firm.wait_for_selector("#received")
    received = firm.locator("#received").inner_text()
    assert f"KvK {BAKERY}" in received and "Demodienst" in received and "Actief" in received
    _checked(firm, "firm-received")
    firm.get_by_role("link", name="Wie heeft namens de organisatie gehandeld?").click()
    firm.wait_for_selector("#uses-empty")
    _checked(firm, "firm-history")
    firm.context.close()
