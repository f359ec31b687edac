"""The wallet page in real Chromium: QR code as named SVG, polling that moves on when the test
wallet (in a second browser context: "the phone") answers, and axe (WCAG 2.1 A/AA) on the wallet
page and the test wallet's consent page. Runs the wallet means with the stand-in flow of
``wallet_login_support`` on a live 127.0.0.1 server, with the broker's CSP middleware."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from browser_support import LateApp, axe_check, serve_app
from playwright.sync_api import Browser, Page
from wallet_login_support import build_env

from broker.keys import KeyRing

pytestmark = pytest.mark.browser


def _axe(page: Page, name: str) -> None:
    axe_check(page, f"wallet-{name}")


def test_wallet_page_qr_polling_and_accessibility(
    tmp_path: Path, key_dir: Path, chromium: Browser
) -> None:
    late = LateApp()
    with serve_app(late) as url:
        env = build_env(tmp_path, KeyRing.load(key_dir), issuer=url, http=httpx.AsyncClient())
        late.app = env.app
        computer_context = chromium.new_context(locale="nl-NL")
        phone_context = chromium.new_context(locale="nl-NL")
        try:
            computer = computer_context.new_page()
            computer.goto(f"{url}/start?level=substantial")
            assert "/means/wallet/page/" in computer.url
            qr = computer.get_by_role("img", name="QR-code om in te loggen met uw wallet")
            assert qr.count() == 1
            assert qr.evaluate("e => e.tagName.toLowerCase()") == "svg"
            status = computer.locator("#wallet-status")
            assert status.get_attribute("role") == "status"
            _axe(computer, "page")
            cross = computer.get_by_role("link", name=re.compile("tweede apparaat"))
            phone = phone_context.new_page()
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
            computer_context.close()
            phone_context.close()
        # Playwright's sync API keeps an event loop running in this thread: close elsewhere.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, env.http.aclose()).result()
