"""The portal "Mijn machtigingen" in real Chromium, checked with axe (WCAG 2.1 A/AA): login
through the broker and the DigiD simulator, the overview, the grant form with its error
summary, the confirmation page, the mandate page and "Wie heeft namens mij gehandeld?"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from broker_harness import make_config
from browser_support import AXE_OPTIONS, artifact_path, launch_kwargs, serve_app
from playwright.sync_api import Browser, Page, sync_playwright
from portal_support import LateApp, free_bsn

from broker.app import create_app
from broker.store import MemoryStore

pytestmark = pytest.mark.browser
CITIZEN = free_bsn(1300)
AGENT = free_bsn(1400)


@pytest.fixture(scope="module")
def portal_url(tmp_path_factory: pytest.TempPathFactory, key_dir: Path) -> Iterator[str]:
    late = LateApp()
    with serve_app(late) as url:
        port = urlsplit(url).port
        config = make_config(
            tmp_path_factory.mktemp("portal"), key_dir, TOEGANG__SERVER__PORT=str(port)
        )
        late.app = create_app(config, store=MemoryStore(), demo=True)
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    kwargs = launch_kwargs()
    with sync_playwright() as p:
        browser = p.chromium.launch(**kwargs)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1024, "height": 768}, locale="nl-NL")
    yield context.new_page()
    context.close()


def _axe(page: Page, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=artifact_path(f"portal-{name}.png"), full_page=True)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


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
