"""The pages in real Chromium: axe (WCAG 2.1 A/AA), keyboard, reflow at 320 px, CSP, fonts.

Screenshots go to ``test-artifacts/`` (git-ignored) for a human look.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import artifact_path, axe_check, serve_app
from playwright.sync_api import Browser, ConsoleMessage, Page
from starlette.applications import Starlette

pytestmark = pytest.mark.browser

PAGES = ["/choose", "/error", "/toegankelijkheid", "/privacy"]
LANGS = ["nl", "en"]


@pytest.fixture(scope="module")
def base_url(pages_app: Starlette) -> Iterator[str]:
    with serve_app(pages_app) as url:
        yield url


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    yield page
    context.close()


def _name(path: str, lang: str, suffix: str = "") -> str:
    """A screenshot's name, without ``.png``."""
    return f"pages{path.replace('/', '-')}-{lang}{suffix}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_wcag21_violations(page: Page, base_url: str, path: str, lang: str) -> None:
    console: list[str] = []

    def remember(message: ConsoleMessage) -> None:
        console.append(message.text)

    page.on("console", remember)
    page.goto(f"{base_url}{path}?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    axe_check(page, _name(path, lang))
    # The self-hosted fonts load under the strict CSP, and nothing was blocked.
    assert page.evaluate("document.fonts.check('16px \"Noto Sans\"')")
    assert page.evaluate("document.fonts.check('bold 16px \"Noto Serif\"')")
    assert not [text for text in console if "Content Security Policy" in text], console


@pytest.mark.parametrize("lang", LANGS)
def test_skip_link_is_first_tab_stop(page: Page, base_url: str, lang: str) -> None:
    page.goto(f"{base_url}/choose?lang={lang}")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const e = document.activeElement;"
        " return {cls: e.className, href: e.getAttribute('href'), text: e.textContent.trim()}; }"
    )
    assert "utrecht-skip-link" in focused["cls"]
    assert focused["href"] == "#main"
    assert focused["text"] == ("Naar de inhoud" if lang == "nl" else "Skip to content")
    skip = page.locator(".utrecht-skip-link")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] >= 44  # visible once focused
    page.screenshot(path=artifact_path(f"{_name('/choose', lang, '-skiplink')}.png"))
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_reflow_at_320_px(chromium: Browser, base_url: str, path: str, lang: str) -> None:
    context = chromium.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.goto(f"{base_url}{path}?lang={lang}")
        page.evaluate("document.fonts.ready.then(() => true)")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        page.screenshot(path=artifact_path(f"{_name(path, lang, '-320')}.png"), full_page=True)
    finally:
        context.close()


def test_language_switch_and_means_targets_are_large_enough(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/choose?lang=nl")
    for selector in (
        ".toegang-lang-switch a",
        ".toegang-means-button",
        ".toegang-cancel-form button",
        "footer a",
    ):
        for box in [el.bounding_box() for el in page.locator(selector).all()]:
            assert box is not None
            assert box["width"] >= 44 and box["height"] >= 44, (selector, box)
    page.locator(".toegang-lang-switch a").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Choose how to log in"
