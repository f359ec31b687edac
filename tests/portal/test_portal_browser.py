"""The portal "Mijn machtigingen" in real Chromium, checked with axe (WCAG 2.2 A/AA): login
through the broker and the DigiD simulator, the overview, the grant form with its error
summary, the confirmation page, the mandate page and "Wie heeft namens mij gehandeld?"; then
legal representation on the overview, the catalogue search, a period beyond a service's
maximum, extending and losing the session, and the accessibility statement."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import PORTAL_AXE_OPTIONS, axe_check, dutch_context, served_demo
from playwright.sync_api import Browser, Page
from portal_support import free_bsn, municipal_catalogue

from conformance.brp_gezag.families import BRAM, JAN

pytestmark = pytest.mark.browser
CITIZEN = free_bsn(1300)
AGENT = free_bsn(1400)
MAX_DAYS = 30


@pytest.fixture(scope="module")
def portal_url(tmp_path_factory: pytest.TempPathFactory, key_dir: Path) -> Iterator[str]:
    with served_demo(tmp_path_factory.mktemp("portal"), key_dir) as (url, app):
        municipal_catalogue(app.state.broker.engine, MAX_DAYS)
        yield url


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = dutch_context(chromium)
    yield context.new_page()
    context.close()


def _axe(page: Page, name: str) -> None:
    axe_check(page, f"portal-{name}", PORTAL_AXE_OPTIONS)


def _log_in(page: Page, url: str, bsn: str) -> None:
    page.goto(f"{url}/mijn/")
    _axe(page, "login")
    page.locator("#portal-login").click()
    page.get_by_role("button", name="Inloggen met DigiD").click()
    page.wait_for_url(re.compile(r".*/sim/digid/sso\?.*"))
    page.locator("#bsn").fill(bsn)
    page.locator("#level-substantieel").check()
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_url(f"{url}/mijn/")


def test_overview_and_grant_pages(page: Page, portal_url: str) -> None:
    _log_in(page, portal_url, CITIZEN)
    assert page.locator("h1").inner_text() == "Mijn machtigingen"
    assert page.locator("#given-empty").is_visible()
    _axe(page, "overview-empty")

    page.get_by_role("link", name="Iemand machtigen").first.click()
    page.wait_for_url(f"{portal_url}/mijn/machtigen")
    assert not page.get_by_label(re.compile("Demodienst")).is_checked()  # nothing pre-selected
    _axe(page, "grant")

    page.locator("#agent").fill("123456789")  # fails the elfproef
    page.locator("#grant-next").click()
    page.wait_for_selector("#error-summary")
    assert page.title().startswith("Fout: ")
    _axe(page, "grant-errors")
    page.locator("#error-summary a[href='#agent']").click()

    page.get_by_label(re.compile("Demodienst")).check()
    page.locator("#agent").fill(AGENT)
    page.locator("#grant-next").click()
    page.wait_for_selector("#confirm-explain")
    assert AGENT in page.locator("#confirm-explain").inner_text()
    assert page.locator("#confirm-services").inner_text().strip() == "Demodienst"
    _axe(page, "grant-confirm")

    page.locator("#grant-submit").click()
    page.wait_for_selector("#portal-notice")
    assert "Wacht op acceptatie" in page.locator("#mandate-state").inner_text()
    _axe(page, "mandate")

    page.get_by_role("link", name="Terug naar het overzicht").click()
    page.wait_for_selector("#given")
    assert AGENT in page.locator("#given").inner_text()
    _axe(page, "overview")

    page.get_by_role("link", name="Wie heeft namens mij gehandeld?").click()
    page.wait_for_selector("#uses-empty")
    _axe(page, "history")

    page.goto(f"{portal_url}/mijn/?lang=en")
    assert page.locator("h1").inner_text() == "My mandates"
    assert page.locator("html").get_attribute("lang") == "en"
    _axe(page, "overview-en")


def test_legal_representation_catalogue_session_and_statement(page: Page, portal_url: str) -> None:
    _log_in(page, portal_url, JAN.bsn)
    mine = page.locator("#legal-mine").inner_text()
    assert BRAM.bsn in mine and "ouderlijk gezag" in mine and "BRP" in mine
    assert page.locator("#legal-me-empty").is_visible()
    assert "verloopt uw sessie om" in page.locator("#session-expiry").inner_text()
    _axe(page, "overview-legal")

    page.get_by_role("link", name="Iemand machtigen").first.click()
    page.locator("#zoek").fill("onbekende dienst")
    page.locator("#search-submit").click()
    page.wait_for_selector("#search-empty")
    _axe(page, "grant-search-empty")
    page.locator("#zoek").fill("parkeer")
    page.locator("#search-submit").click()
    page.wait_for_selector("#search-result")
    assert page.locator("legend", has_text="Gemeente Voorbeeld").is_visible()
    _axe(page, "grant-search")

    # Extending the session comes back to the search result.
    page.locator("#session-extend").click()
    page.wait_for_selector("#search-result")
    assert page.locator("#zoek").input_value() == "parkeer"

    page.get_by_label(re.compile("Parkeervergunning")).check()
    page.locator("#agent").fill(CITIZEN)
    today = dt.date.today()
    page.locator("#valid_until").fill((today + dt.timedelta(days=MAX_DAYS + 10)).isoformat())
    page.locator("#grant-next").click()
    page.wait_for_selector("#error-summary")
    assert f"hooguit {MAX_DAYS} dagen" in page.locator("#error-summary").inner_text()
    assert page.locator("#valid_until").get_attribute("aria-invalid") == "true"
    _axe(page, "grant-too-long")

    page.locator("#portal-a11y-link").click()
    page.wait_for_url(f"{portal_url}/mijn/toegankelijkheid")
    assert "WCAG 2.2" in page.locator("main").inner_text()
    _axe(page, "accessibility")
    page.goto(f"{portal_url}/mijn/toegankelijkheid?lang=en")
    assert page.locator("h1").inner_text() == "Accessibility statement My mandates"
    _axe(page, "accessibility-en")

    # The session ends (its record is gone): the next page says so, and nothing else.
    host = urlsplit(portal_url).hostname or ""
    page.context.add_cookies(
        [{"name": "mijn_session", "value": "ended", "domain": host, "path": "/mijn"}]
    )
    page.goto(f"{portal_url}/mijn/gehandeld")
    assert page.locator("#session-expired").is_visible()
    assert not page.locator("#session-expiry").count()
    _axe(page, "session-expired")
