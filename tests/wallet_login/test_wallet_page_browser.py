"""The wallet page in real Chromium: QR code as named SVG, polling that moves on when the test
wallet (in a second browser context: "the phone") answers, and axe (WCAG 2.1 A/AA) on the wallet
page and the test wallet's consent page. Runs the wallet means with the stand-in flow of
``wallet_login_support`` on a live 127.0.0.1 server, with the broker's CSP middleware."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from browser_support import AXE_OPTIONS, artifact_path, launch_kwargs, serve_app
from playwright.sync_api import Page, sync_playwright
from starlette.types import ASGIApp, Receive, Scope, Send
from wallet_login_support import build_env

from broker.keys import KeyRing

pytestmark = pytest.mark.browser


class _LateApp:
    """Placeholder until the app is built for the port ``serve_app`` picked (issuer = URL)."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


def _axe(page: Page, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.screenshot(path=artifact_path(f"wallet-{name}.png"), full_page=True)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def test_wallet_page_qr_polling_and_accessibility(tmp_path: Path, key_dir: Path) -> None:
    kwargs = launch_kwargs()
    late = _LateApp()
    with serve_app(late) as url:
        env = build_env(tmp_path, KeyRing.load(key_dir), issuer=url, http=httpx.AsyncClient())
        late.app = env.app
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**kwargs)
            try:
                computer = browser.new_context(locale="nl-NL").new_page()
                computer.goto(f"{url}/start?level=substantial")
                assert "/means/wallet/page/" in computer.url
                qr = computer.get_by_role("img", name="QR-code om in te loggen met uw wallet")
                assert qr.count() == 1
                assert qr.evaluate("e => e.tagName.toLowerCase()") == "svg"
                status = computer.locator("#wallet-status")
                assert status.get_attribute("role") == "status"
                _axe(computer, "page")
                cross = computer.get_by_role("link", name=re.compile("tweede apparaat"))
                phone = browser.new_context(locale="nl-NL").new_page()
                phone.goto(str(cross.get_attribute("href")))
                assert "Testwallet — geen echte wallet" in phone.content()
                _axe(phone, "consent")
                phone.get_by_label("ISO mdoc (mso_mdoc)").check()
                phone.get_by_role("button", name="Delen", exact=True).click()
                phone.wait_for_load_state()
                assert "ga terug naar uw computer" in phone.content()
                _axe(phone, "done")
                # The computer's page polls every 2 s and submits its continue form.
                computer.wait_for_url(re.compile(r".*/means/wallet/continue/.*"), timeout=15000)
                assert '"result":"ok"' in computer.content()
            finally:
                browser.close()
        asyncio.run(env.http.aclose())
