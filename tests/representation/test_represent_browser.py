"""The "Namens wie wilt u dit regelen?" page in real Chromium, checked with axe: the demo SP →
broker → DigiD simulator with a parent from the BRP API Gezag simulator → choice → claims."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import axe_check, dutch_context, served_demo
from playwright.sync_api import Browser, Page
from representation_support import BRAM, INGRID, JAN, WIM

pytestmark = pytest.mark.browser
CALLBACK_URL = re.compile(r".*/demo-sp/callback\?.*")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory, key_dir: Path) -> Iterator[str]:
    with served_demo(tmp_path_factory.mktemp("represent"), key_dir) as (url, _app):
        yield url


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = dutch_context(chromium)
    yield context.new_page()
    context.close()


def _axe(page: Page, name: str) -> None:
    axe_check(page, f"represent-{name}")


def _to_choice(page: Page, demo_url: str, bsn: str = JAN) -> None:
    page.goto(f"{demo_url}/demo-sp/")
    page.locator("#level-low").check()
    page.locator("#login-digid").click()
    page.wait_for_url(re.compile(r".*/sim/digid/sso\?.*"))
    page.locator("#bsn").fill(bsn)
    page.locator("#level-midden").check()
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_selector("input[name=choice]")


def test_parent_chooses_child(page: Page, demo_url: str) -> None:
    _to_choice(page, demo_url)
    assert page.locator("h1").inner_text() == "Namens wie wilt u dit regelen?"
    assert page.locator("legend h1").count() == 1
    radios = page.locator("input[name=choice]")
    assert radios.count() == 3  # myself and two children
    assert not any(radios.nth(i).is_checked() for i in range(3))
    assert "ouderlijk gezag" in page.locator("fieldset").inner_text()
    _axe(page, "choice-nl")

    page.get_by_role("button", name="Doorgaan").click()  # nothing chosen: an error, no answer
    page.wait_for_selector("#represent-error")
    assert page.title().startswith("Fout: ")
    _axe(page, "choice-error-nl")

    page.get_by_label(re.compile(rf"Mijn kind \(BSN ••••••{BRAM[-3:]}\)")).check()
    page.get_by_role("button", name="Doorgaan").click()
    page.wait_for_url(CALLBACK_URL)
    cell = page.locator('td[data-claim="represents"]').inner_text()
    assert BRAM in cell
    assert "parental_authority" in page.locator('td[data-claim="representation"]').inner_text()


def test_choice_page_in_english(page: Page, demo_url: str) -> None:
    _to_choice(page, demo_url)
    # The choice page has its own address (the refusal page links back to it).
    action = page.locator("form:has(input[name=choice])").get_attribute("action")
    page.goto(f"{demo_url}{action}?lang=en")
    page.wait_for_selector("input[name=choice]")
    assert page.locator("h1").inner_text() == "On whose behalf do you want to arrange this?"
    assert page.locator("html").get_attribute("lang") == "en"
    _axe(page, "choice-en")


def test_bewindvoerder_sees_why_the_ward_is_missing(page: Page, demo_url: str) -> None:
    """Bewind covers financial matters only; the demo service covers both: the ward is listed
    below the choices with the reason, as text, not as an option."""
    _to_choice(page, demo_url, INGRID)
    assert page.locator("input[name=choice]").count() == 1  # only myself
    section = page.locator("section.toegang-not-applicable")
    assert section.get_by_role("heading", level=2).inner_text() == "Niet voor deze dienst"
    assert section.locator("input").count() == 0
    item = section.locator("li").inner_text()
    assert item.startswith(f"Iemand onder mijn beschermingsbewind (BSN ••••••{WIM[-3:]})")
    assert "geldt niet voor het soort zaken van deze dienst" in item
    _axe(page, "not-applicable-nl")

    action = page.locator("form:has(input[name=choice])").get_attribute("action")
    page.goto(f"{demo_url}{action}?lang=en")
    page.wait_for_selector("section.toegang-not-applicable")
    assert "does not cover the kind of matters" in page.locator("section li").inner_text()
    _axe(page, "not-applicable-en")
