"""The portal's accessibility statement: reachable from every portal page, logged in or not,
in Dutch and English, and naming the standard the browser tests hold the portal to."""

from __future__ import annotations

from broker_harness import BrokerFixture
from browser_support import PORTAL_AXE_OPTIONS
from portal_support import free_bsn, portal_login

from portal.session import IDLE_TIMEOUT


async def test_statement_in_both_languages_without_a_session(broker: BrokerFixture) -> None:
    browser = broker.browser()
    start = await browser.client.get("/mijn/")
    assert 'href="/mijn/toegankelijkheid"' in start.text
    page = await browser.client.get("/mijn/toegankelijkheid")
    assert page.status_code == 200
    assert "<h1" in page.text and "Toegankelijkheidsverklaring Mijn machtigingen" in page.text
    assert "WCAG 2.2 op niveau AA" in page.text and "EN 301 549" in page.text
    assert f"Na {IDLE_TIMEOUT // 60} minuten" in page.text
    assert 'href="/toegankelijkheid"' in page.text  # the login pages' own statement
    assert 'id="portal-logout"' not in page.text
    english = await browser.client.get("/mijn/toegankelijkheid?lang=en")
    assert "Accessibility statement My mandates" in english.text
    assert "WCAG 2.2 at level AA" in english.text
    # What the statement claims is what the browser tests check.
    assert "wcag22aa" in PORTAL_AXE_OPTIONS["runOnly"]["values"]


async def test_statement_while_logged_in(broker: BrokerFixture) -> None:
    citizen, overview = await portal_login(broker, free_bsn(1700))
    assert 'id="portal-a11y-link"' in overview.text
    page = await citizen.client.get("/mijn/toegankelijkheid")
    assert 'id="portal-logout"' in page.text and 'id="session-expiry"' in page.text
