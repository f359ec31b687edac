"""The whole broker with the demo, end to end in real Chromium: demo SP → broker → DigiD simulator.

One live server runs the broker exactly as ``toegang demo`` does (demo SP under ``/demo-sp/``,
DigiD simulator under ``/sim/digid``), on the port the issuer names, so every redirect and every
back-channel call (artifact resolution, token, JWKS) goes over real HTTP on 127.0.0.1. Each test
gets a fresh browser context, so there is no broker session (SSO) carried between tests.

Every page on the way is checked with axe (WCAG 2.1 A/AA); screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import artifact_path, axe_check, dutch_context, served_demo
from playwright.sync_api import Browser, Page
from starlette.applications import Starlette

from broker.assurance import Level
from broker.register.clients import get_service
from broker.register.demo import DEMO_SERVICE_ID

pytestmark = pytest.mark.browser

BSN: Final = "999999990"
#: Demo SP level name → (DigiD simulator value, broker level).
LEVELS: Final[dict[str, tuple[str, Level]]] = {
    "basic": ("basis", Level.BASIC),
    "low": ("midden", Level.LOW),
    "substantial": ("substantieel", Level.SUBSTANTIAL),
    "high": ("hoog", Level.HIGH),
}
#: The acr values the NL GOV profile prescribes, written out rather than taken from the code.
EXPECTED_ACR: Final[dict[str, str]] = {
    "basic": "http://eID.logius.nl/LoA/basic",
    "low": "http://eidas.europa.eu/LoA/low",
    "substantial": "http://eidas.europa.eu/LoA/substantial",
    "high": "http://eidas.europa.eu/LoA/high",
}
SIMULATOR_URL: Final = re.compile(r".*/sim/digid/sso\?.*")
CALLBACK_URL: Final = re.compile(r".*/demo-sp/callback\?.*")
CHOOSER_URL: Final = re.compile(r".*/login/[^/?]+(\?.*)?$")


@dataclass
class Demo:
    url: str
    app: Starlette

    @property
    def minimum(self) -> Level:
        """The demo service's minimum level, as registered by ``ensure_demo_client``."""
        service = get_service(self.app.state.broker.engine, DEMO_SERVICE_ID)
        assert service is not None
        return Level(service.min_level)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, key_dir: Path) -> Iterator[Demo]:
    with served_demo(tmp_path_factory.mktemp("demo"), key_dir) as (url, app):
        yield Demo(url, app)


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = dutch_context(chromium)
    page = context.new_page()
    yield page
    context.close()


def _axe(page: Page, screenshot: str) -> None:
    """Screenshot the page, then require zero WCAG 2.1 A/AA violations."""
    axe_check(page, f"demo-{screenshot}")


def _start(page: Page, demo: Demo, level: str, *, button: str = "#login-digid") -> None:
    """On the demo SP's start page: pick ``level`` and press a login button."""
    page.goto(f"{demo.url}/demo-sp/")
    page.locator(f"#level-{level}").check()
    page.locator(button).click()


def _at_simulator(page: Page) -> None:
    page.wait_for_url(SIMULATOR_URL)
    assert page.locator("h1").inner_text() in ("Inloggen (simulator)", "Log in (simulator)")


def _log_in_at_simulator(
    page: Page, sim_level: str, *, button: str = "Inloggen", back_at_client: bool = True
) -> None:
    page.locator("#bsn").fill(BSN)
    page.locator(f"#level-{sim_level}").check()
    page.get_by_role("button", name=button, exact=True).click()
    if back_at_client:
        page.wait_for_url(CALLBACK_URL)
    else:
        page.wait_for_url("**/means/digid/acs**")


def _claims(page: Page) -> dict[str, str]:
    """The demo SP's claims table as ``{claim: value}``."""
    rows = page.locator("#claims tbody tr").all()
    return {
        row.locator("th").inner_text().strip(): row.locator("td").inner_text().strip()
        for row in rows
    }


def _error(page: Page) -> str:
    return page.locator("#demo-error").inner_text().strip()


# -- the demo SP's own pages ----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_demo_start_page(page: Page, demo: Demo, lang: str) -> None:
    response = page.goto(f"{demo.url}/demo-sp/?lang={lang}")
    assert response is not None and response.ok
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == ("Demodienst" if lang == "nl" else "Demo service")
    # The NL Design System CSS is served by the broker at /static, not under the mount.
    sheets = page.evaluate("[...document.styleSheets].map(s => s.href)")
    assert all(urlsplit(href).path.startswith("/static/") for href in sheets), sheets
    assert page.evaluate("document.styleSheets.length") == 3
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.utrecht-button--primary-action'))"
        ".backgroundColor"
    ) not in ("rgba(0, 0, 0, 0)", "rgb(239, 239, 239)")  # themed, not the browser default
    radios = page.locator("input[name=level]")
    assert radios.count() == 4
    assert page.locator("#level-substantial").is_checked()
    _axe(page, f"start-{lang}")


# -- logging in at every level -----------------------------------------------------------


@pytest.mark.parametrize("level", list(LEVELS))
def test_login_at_each_level(page: Page, demo: Demo, level: str) -> None:
    """Ask for ``level``, answer it at the simulator: the claims carry that level's acr."""
    sim_level, _ = LEVELS[level]
    _start(page, demo, level)
    _at_simulator(page)
    _axe(page, f"simulator-{level}")
    _log_in_at_simulator(page, sim_level)
    claims = _claims(page)
    assert claims["acr"] == EXPECTED_ACR[level]
    assert claims["sub"]
    assert claims["aud"] == "demo-sp"
    assert claims["iss"] == demo.url
    assert page.locator("h1").inner_text() == "U bent ingelogd"
    _axe(page, f"result-{level}")


def test_demo_service_accepts_every_level(demo: Demo) -> None:
    """The demo service's minimum is Basis, so a newcomer can try every DigiD level."""
    assert demo.minimum == Level.BASIC


def test_step_up_when_the_login_is_below_the_requested_level(page: Page, demo: Demo) -> None:
    """Ask for Hoog, answer Substantieel: a step-up page, never a token at substantial."""
    _start(page, demo, "high")
    _at_simulator(page)
    _log_in_at_simulator(page, "substantieel", back_at_client=False)
    assert page.locator("h1").inner_text() == "Hoger betrouwbaarheidsniveau nodig"
    assert "/means/digid/acs" in page.url  # the broker's page, not the client's
    _axe(page, "stepup")
    page.get_by_role("button", name="Opnieuw inloggen op niveau Hoog").click()
    _at_simulator(page)
    _log_in_at_simulator(page, "hoog")
    assert _claims(page)["acr"] == EXPECTED_ACR["high"]


def test_step_up_page_can_return_to_the_service(page: Page, demo: Demo) -> None:
    _start(page, demo, "high")
    _at_simulator(page)
    _log_in_at_simulator(page, "midden", back_at_client=False)
    page.get_by_role("button", name="Terug naar Demodienst").click()
    page.wait_for_url(CALLBACK_URL)
    assert _error(page) == "access_denied"


# -- cancelling ---------------------------------------------------------------------------


def test_cancel_at_simulator_returns_access_denied(page: Page, demo: Demo) -> None:
    _start(page, demo, "substantial")
    _at_simulator(page)
    page.get_by_role("button", name="Annuleren", exact=True).click()
    page.wait_for_url(CALLBACK_URL)
    query = parse_qs(urlsplit(page.url).query)
    assert query["error"] == ["access_denied"]
    assert query["iss"] == [demo.url]  # RFC 9207 on the error response too
    assert _error(page) == "access_denied"
    _axe(page, "result-cancelled")


# -- the simulator in English ---------------------------------------------------------------


def test_simulator_in_english(page: Page, demo: Demo) -> None:
    _start(page, demo, "high")
    _at_simulator(page)
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_role("link", name="English").click()
    page.wait_for_url(SIMULATOR_URL)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Log in (simulator)"
    _axe(page, "simulator-en")
    _log_in_at_simulator(page, "hoog", button="Log in")
    assert _claims(page)["acr"] == EXPECTED_ACR["high"]


# -- the broker's chooser and every login means ----------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_chooser_then_digid(page: Page, demo: Demo, lang: str) -> None:
    page.goto(f"{demo.url}/demo-sp/?lang={lang}")  # the lang cookie carries to the chooser
    page.locator("#level-high").check()
    page.locator("#login").click()  # no login_means hint: the broker lets the person choose
    page.wait_for_url(CHOOSER_URL)
    assert page.locator("html").get_attribute("lang") == lang
    login_with = "Inloggen met" if lang == "nl" else "Log in with"
    buttons = " | ".join(page.locator(".toegang-means-button").all_inner_texts())
    for means in ("DigiD", "eHerkenning"):
        assert f"{login_with} {means}" in buttons, buttons
    private = "Voorbeeld-ID" if lang == "nl" else "Example ID"
    assert private not in buttons  # reaches substantial only ...
    assert private in page.locator(".toegang-unavailable-list").inner_text()  # ... and says so
    _axe(page, f"chooser-{lang}")
    page.get_by_role("button", name=f"{login_with} DigiD").click()
    _at_simulator(page)
    _log_in_at_simulator(page, "hoog")
    assert _claims(page)["acr"] == EXPECTED_ACR["high"]


def _via_chooser(page: Page, demo: Demo, button: str, simulator: str) -> None:
    _start(page, demo, "substantial", button="#login")
    page.wait_for_url(CHOOSER_URL)
    page.get_by_role("button", name=button).click()
    page.wait_for_url(re.compile(rf".*/sim/{simulator}/.*"))
    _axe(page, f"simulator-{simulator.replace('/', '-')}")


def test_eherkenning_click_through(page: Page, demo: Demo) -> None:
    _via_chooser(page, demo, "Inloggen met eHerkenning", "eherkenning")
    page.locator('input[name=company][value="90000001"]').check()
    page.locator('input[name=level][value="loa3"]').check()
    page.locator("button[name=action][value=login]").click()
    page.wait_for_url(CALLBACK_URL)
    claims = _claims(page)
    assert claims["acr"] == EXPECTED_ACR["substantial"]
    assert "90000001" in claims["represents"]


def test_eidas_click_through(page: Page, demo: Demo) -> None:
    _start(page, demo, "substantial", button="#login")
    page.wait_for_url(CHOOSER_URL)
    page.locator("form[action$='/means/eidas'] button").click()
    page.wait_for_url(re.compile(r".*/sim/eidas/.*"))  # the POST binding, submitted by script
    page.locator('input[name=person][value="es-nunez"]').check()
    page.locator('input[name=level][value="high"]').check()
    page.locator("button[name=action][value=login]").click()
    page.wait_for_url(CALLBACK_URL)
    assert _claims(page)["acr"] == EXPECTED_ACR["high"]


def test_private_means_click_through(page: Page, demo: Demo) -> None:
    _via_chooser(page, demo, "Inloggen met Voorbeeld-ID", "oidc/voorbeeld-id")
    page.locator('input[name=user][value="anna"]').check()
    page.locator('input[name=level][value="substantial"]').check()
    page.locator("button[name=action][value=login]").click()
    page.wait_for_url(CALLBACK_URL)
    assert _claims(page)["acr"] == EXPECTED_ACR["substantial"]


def test_cancel_at_chooser_returns_access_denied(page: Page, demo: Demo) -> None:
    _start(page, demo, "substantial", button="#login")
    page.wait_for_url(CHOOSER_URL)
    page.get_by_role("button", name="Annuleren en terug naar Demodienst").click()
    page.wait_for_url(CALLBACK_URL)
    assert _error(page) == "access_denied"


# -- logout -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_logged_out_page(page: Page, demo: Demo, lang: str) -> None:
    _start(page, demo, "substantial")
    _at_simulator(page)
    _log_in_at_simulator(page, "substantieel")
    # No ID token of this session: the person is asked first (a link cannot log them out).
    page.goto(f"{demo.url}/logout?lang={lang}")  # no post_logout_redirect_uri: our own page
    assert page.locator("html").get_attribute("lang") == lang
    question = "Wilt u uitloggen?" if lang == "nl" else "Do you want to log out?"
    assert page.locator("h1").inner_text() == question
    _axe(page, f"logout-question-{lang}")
    page.get_by_role("button", name="Ja, uitloggen" if lang == "nl" else "Yes, log out").click()
    title = "U bent uitgelogd" if lang == "nl" else "You are logged out"
    page.wait_for_function(
        "t => document.querySelector('h1')?.innerText === t", arg=title, timeout=10_000
    )
    assert page.locator("h1").inner_text() == title
    cookies = {c["name"] for c in page.context.cookies()}
    assert "toegang_session" not in cookies
    _axe(page, f"logged-out-{lang}")
    # The session is gone: a new login goes to the simulator again instead of SSO.
    _start(page, demo, "substantial")
    _at_simulator(page)


def test_result_page_reflows_at_320_px(page: Page, demo: Demo) -> None:
    """Long claim values scroll inside the table's region; the page never scrolls sideways."""
    _start(page, demo, "substantial")
    _at_simulator(page)
    _log_in_at_simulator(page, "substantieel")
    page.set_viewport_size({"width": 320, "height": 640})
    page.evaluate("document.fonts.ready.then(() => true)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(path=artifact_path("demo-result-320.png"), full_page=True)
    _axe(page, "result-320")
