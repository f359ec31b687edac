"""The session-timeout warning without JavaScript: every page names the time the session ends,
a GET page offers to extend it and comes back (never to another site), and an expired session
gets its own page that says nothing unconfirmed was kept, while the action is refused."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from broker_harness import BrokerFixture
from portal_support import csrf_of, free_bsn, portal_login
from support import Browser

from broker.register.demo import DEMO_SERVICE_ID
from portal.forms import AMSTERDAM
from portal.session import COOKIE, IDLE_TIMEOUT, _key

CITIZEN = free_bsn(1500)
AGENT = free_bsn(1600)


def _ends(text: str) -> str:
    match = re.search(r"verloopt uw sessie om (\d{2}:\d{2}) uur", text)
    assert match, text[:3000]
    return match.group(1)


def _week_for(agent: str, form: httpx.Response) -> dict[str, str]:
    """The grant form filled in: the demo service for ``agent``, for a week from today."""
    return {
        "csrf": csrf_of(form),
        "services": DEMO_SERVICE_ID,
        "agent": agent,
        "valid_from": dt.date.today().isoformat(),
        "valid_until": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
    }


async def _expire(broker: BrokerFixture, browser: Browser) -> None:
    """What the store does after the idle timeout: the session record is gone."""
    await broker.state.store.delete(_key(browser.client.cookies[COOKIE]))


async def test_every_page_says_when_the_session_ends(broker: BrokerFixture) -> None:
    citizen, overview = await portal_login(broker, CITIZEN)
    expected = dt.datetime.now(AMSTERDAM) + dt.timedelta(seconds=IDLE_TIMEOUT)
    # Dutch clock time, HH:MM; a minute may turn while the test runs.
    assert _ends(overview.text) in {
        (expected + dt.timedelta(minutes=d)).strftime("%H:%M") for d in (-1, 0, 1)
    }
    for path in ("/mijn/machtigen", "/mijn/gehandeld", "/mijn/machtigen?zoek=demo"):
        page = await citizen.client.get(path)
        assert 'id="session-expiry"' in page.text, path
        link = re.search(r'id="session-extend" href="([^"]+)"', page.text)
        assert link, path
        back = await citizen.client.get(link.group(1).replace("&amp;", "&"))
        assert back.status_code == 303 and back.headers["location"] == path
    # A page answering a POST has no link (it would lose what was typed): the next step renews.
    form = await citizen.client.get("/mijn/machtigen")
    confirm = await citizen.client.post("/mijn/machtigen", data=_week_for(AGENT, form))
    assert 'id="confirm-explain"' in confirm.text and 'id="session-extend"' not in confirm.text
    assert "Met de volgende stap verlengt u uw sessie." in confirm.text
    english = await citizen.client.get("/mijn/?lang=en")
    assert re.search(r"your session ends at \d{2}:\d{2}\.", english.text)
    assert "Extend session" in english.text


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/mijn/",
        "//evil.example/mijn/",
        "/\\evil.example",
        "/mijn//evil.example",
        "/elders",
        "",
        "javascript:alert(1)",
    ],
)
async def test_extending_never_leaves_the_portal(broker: BrokerFixture, target: str) -> None:
    citizen, _ = await portal_login(broker, CITIZEN)
    answer = await citizen.client.get("/mijn/verlengen", params={"terug": target})
    assert answer.status_code == 303 and answer.headers["location"] == "/mijn/"


async def test_an_expired_session_keeps_nothing_half_done(broker: BrokerFixture) -> None:
    citizen, _ = await portal_login(broker, CITIZEN)
    form = await citizen.client.get("/mijn/machtigen")
    await _expire(broker, citizen)
    refused = await citizen.client.post("/mijn/machtigen/bevestigen", data=_week_for(AGENT, form))
    assert refused.status_code == 403
    assert 'id="session-expired"' in refused.text and "<title>Uw sessie is verlopen" in refused.text
    assert "niet bewaard" in refused.text and 'id="portal-login"' in refused.text
    assert f"{IDLE_TIMEOUT // 60} minuten" in refused.text
    assert any(
        h.startswith(f"{COOKIE}=") and "max-age=0" in h.lower()
        for h in refused.headers.get_list("set-cookie")
    )
    # The cookie is gone: the next visit is an ordinary start page.
    again = await citizen.client.get("/mijn/")
    assert 'id="session-expired"' not in again.text and 'id="portal-login"' in again.text
    # Nothing was granted, for the citizen nor for the agent.
    for person in (CITIZEN, AGENT):
        _, overview = await portal_login(broker, person)
        assert "data-mandate=" not in overview.text

    # A stale cookie on a GET page and on the extend link shows the same page.
    other, _ = await portal_login(broker, CITIZEN)
    await _expire(broker, other)
    for path in ("/mijn/", "/mijn/gehandeld", "/mijn/verlengen?terug=/mijn/"):
        page = await other.client.get(path)
        assert page.status_code == 200 and 'id="session-expired"' in page.text, path
        other.client.cookies.set(COOKIE, "stale", path="/mijn")
    english = await other.client.get("/mijn/?lang=en")
    assert "Your session has ended" in english.text
