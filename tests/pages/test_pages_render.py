"""Every page in both languages through a tiny app: skeleton, texts, headers, language switch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from lxml import html as lxml_html
from starlette.applications import Starlette

PAGES = {
    "/choose": {"nl": "Kies hoe u wilt inloggen", "en": "Choose how to log in"},
    "/error": {"nl": "Er is iets misgegangen", "en": "Something went wrong"},
    "/toegankelijkheid": {"nl": "Toegankelijkheidsverklaring", "en": "Accessibility statement"},
    "/privacy": {"nl": "Privacy", "en": "Privacy"},
}
OTHER = {"nl": ("en", "English"), "en": ("nl", "Nederlands")}


@pytest.fixture
async def client(pages_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=pages_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def _doc(response: httpx.Response) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(response.text)


def _text(element: lxml_html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_page_skeleton_in_both_languages(
    client: httpx.AsyncClient, path: str, lang: str
) -> None:
    response = await client.get(path, params={"lang": lang, "keep": "1"})
    assert response.status_code == (400 if path == "/error" else 200)
    doc = _doc(response)

    assert doc.get("lang") == lang
    [h1] = doc.xpath("//h1")
    assert _text(h1) == PAGES[path][lang]
    assert doc.xpath("string(//title)") == f"{PAGES[path][lang]} – Stelsel Toegang"
    body = doc.xpath("//body")[0]
    assert body.get("class") == "voorbeeld-theme utrecht-document"

    # The skip link is the first focusable thing and points at main#main.
    first_link = doc.xpath("//body//a | //body//button")[0]
    assert "utrecht-skip-link--visible-on-focus" in first_link.get("class")
    assert first_link.get("href") == "#main"
    assert doc.xpath("//main/@id") == ["main"]
    assert doc.xpath("//header//*[contains(., 'Stelsel Toegang')]")

    # Language switch: one plain link to the other language, same path and query.
    other, label = OTHER[lang]
    [switch] = doc.xpath("//nav[contains(@class, 'toegang-lang-switch')]//a")
    assert switch.get("hreflang") == other
    assert switch.get("lang") == other
    assert _text(switch) == label
    url = urlsplit(switch.get("href"))
    assert url.path == path
    assert parse_qs(url.query) == {"keep": ["1"], "lang": [other]}

    footer_links = doc.xpath("//footer//a/@href")
    assert "/privacy" in footer_links
    assert "/toegankelijkheid" in footer_links

    # No inline script or style anywhere.
    assert doc.xpath("//script | //style | //*[@style] | //*[@onclick]") == []

    # The explicit choice is remembered for the next request.
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith(f"lang={lang};")
    assert "samesite=lax" in cookie
    assert "httponly" not in cookie


@pytest.mark.parametrize("path", PAGES)
async def test_security_headers_and_no_store(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "form-action 'self' https://digid.example.nl;" in csp
    assert "frame-ancestors 'none'" in csp
    assert "base-uri 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert headers["cache-control"] == "no-store"
    assert headers["pragma"] == "no-cache"
    assert "strict-transport-security" not in headers


async def test_cookie_and_accept_language_choose_the_language(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/choose", headers={"accept-language": "en-GB,en;q=0.9"})
    assert _doc(response).get("lang") == "en"
    assert "set-cookie" not in response.headers  # only an explicit ?lang= is remembered

    response = await client.get("/choose", params={"lang": "en"})
    assert client.cookies.get("lang") == "en"
    response = await client.get("/choose")
    assert _doc(response).get("lang") == "en"
    client.cookies.clear()
    response = await client.get("/choose")
    assert _doc(response).get("lang") == "nl"


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_choose_means_forms(client: httpx.AsyncClient, lang: str) -> None:
    doc = _doc(await client.get("/choose", params={"lang": lang}))
    forms = doc.xpath("//ul[contains(@class, 'toegang-means-list')]/li/form")
    assert [f.get("action") for f in forms] == ["/means/digid/start", "/means/eidas/start"]
    for form in [*forms, *doc.xpath("//form[contains(@class, 'toegang-cancel-form')]")]:
        assert form.get("method") == "post"
        fields = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}
        assert fields == {"transaction": "tx-123", "csrf": "csrf-456"}
    buttons = [_text(f.xpath(".//button")[0]) for f in forms]
    digid = "Inloggen met DigiD" if lang == "nl" else "Log in with DigiD"
    assert buttons == [digid, "European login"]
    # European login keeps its English name, marked as English on a Dutch page.
    eidas_button = forms[1].xpath(".//button")[0]
    assert eidas_button.get("lang") == ("en" if lang == "nl" else None)
    described = eidas_button.get("aria-describedby")
    assert doc.xpath(f"//*[@id='{described}']")
    # Text only: no DigiD (or other) logo image.
    assert doc.xpath("//img | //svg") == []

    page = _text(doc)
    assert "Parkeervergunning <aanvragen>" in page  # escaped in HTML, shown as text
    assert "<aanvragen>" not in response_text_without_escapes(doc)
    assert ("Substantieel" if lang == "nl" else "Substantial") in page
    assert "Gemeente Voorbeeld" in page
    assert "eHerkenning" in _text(doc.xpath("//ul[contains(@class,'toegang-unavailable')]")[0])


def response_text_without_escapes(doc: lxml_html.HtmlElement) -> str:
    """Element names in the parsed tree: an unescaped ``<aanvragen>`` would appear here."""
    return " ".join(f"<{el.tag}>" for el in doc.iter() if isinstance(el.tag, str))


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_error_page(client: httpx.AsyncClient, lang: str) -> None:
    response = await client.get("/error", params={"lang": lang})
    assert response.status_code == 400
    doc = _doc(response)
    page = _text(doc)
    cancelled = "U heeft het inloggen geannuleerd." if lang == "nl" else "You cancelled the login."
    assert cancelled in page
    assert "access_denied" in page
    assert "ref-789" in page
    [back] = doc.xpath("//a[contains(@class, 'toegang-return-link')]")
    assert back.get("href") == "https://dienst.example.nl/terug"
    back_text = "Terug naar Parkeervergunning" if lang == "nl" else "Back to Parkeervergunning"
    assert _text(back) == back_text
    assert doc.xpath("//meta[@http-equiv]") == []  # never an automatic redirect
    assert "location" not in response.headers


async def test_error_page_drops_unsafe_return_url(client: httpx.AsyncClient) -> None:
    response = await client.get("/error-unsafe")
    assert "javascript:" not in response.text
    assert _doc(response).xpath("//a[contains(@class, 'toegang-return-link')]") == []


async def test_static_files_are_served(client: httpx.AsyncClient) -> None:
    for path in (
        "/static/utrecht/index.css",
        "/static/voorbeeld/theme.css",
        "/static/toegang.css",
        "/static/fonts/noto-sans-latin-400-normal.woff2",
    ):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "no-store" not in response.headers.get("cache-control", "")
