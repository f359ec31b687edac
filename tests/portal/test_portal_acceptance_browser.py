"""The issue's acceptance test in real Chromium, on the whole demo broker served on a real port.

A citizen logs in at ``/mijn`` through the DigiD simulator, grants an agent the demo service and
logs out; the agent logs in at ``/mijn`` and accepts, then uses the demo service choosing the
citizen on the broker's "Namens wie wilt u dit regelen?" page and gets the ``represents`` claim;
the citizen logs in again, sees the use under "Wie heeft namens mij gehandeld?" (the agent's BSN
masked) and revokes; the agent's next login for the demo service no longer offers the citizen.

Citizen and agent each have their own browser context (no cookies shared). Every portal page on
the way is checked with axe (WCAG 2.2 A/AA); screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from browser_support import PORTAL_AXE_OPTIONS, artifact_path, axe_check, dutch_context, served_demo
from playwright.sync_api import Browser, Page
from portal_support import free_bsn

pytestmark = pytest.mark.browser

#: Outside the BRP API Gezag / CCBR simulator families, so nobody else is offered.
CITIZEN: Final = free_bsn(1500)
AGENT: Final = free_bsn(1600)
#: How the broker shows a BSN: only its last three digits.
CITIZEN_MASKED: Final = f"••••••{CITIZEN[-3:]}"
SIMULATOR_URL: Final = re.compile(r".*/sim/digid/sso\?.*")
CALLBACK_URL: Final = re.compile(r".*/demo-sp/callback\?.*")
#: Where the demo login may stop: the simulator, the "on whose behalf" page (shown at
#: /authorize when the broker session is reused, else after the login) or the claims.
DEMO_STOPS: Final = re.compile(
    r".*(/sim/digid/sso\?|/demo-sp/callback\?|/authorize\?|/represent).*"
)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory, key_dir: Path) -> Iterator[str]:
    with served_demo(tmp_path_factory.mktemp("acceptance"), key_dir) as (url, _app):
        yield url


def _axe(page: Page, name: str) -> None:
    axe_check(page, f"acceptance-{name}", PORTAL_AXE_OPTIONS)


def _at_simulator(page: Page, bsn: str) -> None:
    page.wait_for_url(SIMULATOR_URL)
    page.locator("#bsn").fill(bsn)
    page.locator("#level-substantieel").check()
    page.get_by_role("button", name="Inloggen", exact=True).click()


def _portal_login(page: Page, url: str, bsn: str, who: str) -> None:
    page.goto(f"{url}/mijn/")
    _axe(page, f"{who}-login")
    page.locator("#portal-login").click()
    # The means chooser, or straight back when this context still has a broker session
    # (logging out of the portal ends the portal session, not the broker's).
    page.wait_for_url(re.compile(rf"({re.escape(url)}/mijn/|.*/login/[^/?]+)$"))
    if "/login/" in page.url:
        page.get_by_role("button", name="Inloggen met DigiD").click()
        _at_simulator(page, bsn)
        page.wait_for_url(f"{url}/mijn/")
    assert page.locator("h1").inner_text() == "Mijn machtigingen"
    assert bsn in page.locator(".toegang-portal-logout").inner_text()


def _portal_logout(page: Page, who: str) -> None:
    page.locator("#portal-logout").click()
    page.wait_for_url(re.compile(r".*/mijn/$"))  # via the broker's logout: both sessions end
    _axe(page, f"{who}-logged-out")


def _demo_login(page: Page, url: str, bsn: str) -> None:
    """Log in at the demo service with DigiD; stops at the "on whose behalf" page or the claims
    (the broker may skip the simulator when this context already has a broker session)."""
    page.goto(f"{url}/demo-sp/")
    page.locator("#login-digid").click()
    page.wait_for_url(DEMO_STOPS)
    if SIMULATOR_URL.match(page.url):
        _at_simulator(page, bsn)
        page.wait_for_url(re.compile(r".*(/demo-sp/callback\?|/represent).*"))


def _claims(page: Page) -> dict[str, str]:
    return {
        row.locator("th").inner_text().strip(): row.locator("td").inner_text().strip()
        for row in page.locator("#claims tbody tr").all()
    }


def test_grant_accept_use_see_revoke_in_chromium(chromium: Browser, demo_url: str) -> None:
    url = demo_url
    citizen_ctx, agent_ctx = dutch_context(chromium), dutch_context(chromium)
    try:
        citizen, agent = citizen_ctx.new_page(), agent_ctx.new_page()

        # 1. The citizen grants the agent the demo service, then logs out.
        _portal_login(citizen, url, CITIZEN, "citizen")
        _axe(citizen, "citizen-overview-empty")
        citizen.get_by_role("link", name="Iemand machtigen").first.click()
        citizen.wait_for_url(f"{url}/mijn/machtigen")
        _axe(citizen, "citizen-grant")
        citizen.get_by_label(re.compile("Demodienst")).check()
        citizen.locator("#agent").fill(AGENT)
        citizen.locator("#grant-next").click()
        citizen.wait_for_selector("#confirm-explain")
        _axe(citizen, "citizen-grant-confirm")
        citizen.locator("#grant-submit").click()
        citizen.wait_for_selector("#portal-notice")
        assert "Wacht op acceptatie" in citizen.locator("#mandate-state").inner_text()
        _axe(citizen, "citizen-granted")
        _portal_logout(citizen, "citizen")

        # 2. The agent logs in at /mijn and accepts.
        _portal_login(agent, url, AGENT, "agent")
        pending = agent.locator("#pending")
        assert CITIZEN in pending.inner_text()
        _axe(agent, "agent-overview-pending")
        pending.get_by_role("link").first.click()
        agent.wait_for_selector("#mandate-actions")
        _axe(agent, "agent-mandate")
        agent.locator("#action-accept").click()
        agent.wait_for_selector("#confirm-accept")
        _axe(agent, "agent-accept-confirm")
        agent.locator("#confirm-accept").click()
        agent.wait_for_selector("#portal-notice")
        assert agent.locator("#mandate-state [data-state]").get_attribute("data-state") == "active"
        _axe(agent, "agent-accepted")

        # 3. The agent uses the demo service on the citizen's behalf.
        _demo_login(agent, url, AGENT)
        assert agent.locator("h1").inner_text() == "Namens wie wilt u dit regelen?"
        agent.get_by_label(re.compile(CITIZEN_MASKED)).check()
        agent.get_by_role("button", name="Doorgaan").click()
        agent.wait_for_url(CALLBACK_URL)
        claims = _claims(agent)
        assert "represents" in claims, claims
        assert CITIZEN in claims["represents"]

        # 4. The citizen logs in again, sees the use (agent masked) and revokes.
        _portal_login(citizen, url, CITIZEN, "citizen-again")
        assert "Actief" in citizen.locator("#given").inner_text()
        _axe(citizen, "citizen-overview-active")
        citizen.get_by_role("link", name="Wie heeft namens mij gehandeld?").click()
        citizen.wait_for_selector("#uses")
        table = citizen.locator("#uses").inner_text()
        assert f"••••••{AGENT[-3:]}" in table and AGENT not in table
        assert "Demodienst" in table and "machtiging" in table
        _axe(citizen, "citizen-history")
        citizen.goto(f"{url}/mijn/")
        citizen.wait_for_selector("#given")
        citizen.locator("#given").get_by_role("link").first.click()
        citizen.wait_for_selector("#action-revoke")
        citizen.locator("#action-revoke").click()
        citizen.wait_for_selector("#confirm-revoke")
        _axe(citizen, "citizen-revoke-confirm")
        citizen.locator("#confirm-revoke").click()
        citizen.wait_for_selector("#portal-notice")
        state = citizen.locator("#mandate-state [data-state]").get_attribute("data-state")
        assert state == "revoked"
        _axe(citizen, "citizen-revoked")
    finally:
        citizen_ctx.close()
        agent_ctx.close()

    # 5. The agent's next login for the demo service no longer offers the citizen.
    next_ctx = dutch_context(chromium)
    try:
        agent = next_ctx.new_page()
        _demo_login(agent, url, AGENT)
        agent.screenshot(path=artifact_path("acceptance-agent-after-revoke.png"), full_page=True)
        assert CITIZEN_MASKED not in agent.content()
        if CALLBACK_URL.match(agent.url):
            assert "represents" not in _claims(agent)
    finally:
        next_ctx.close()
