"""The portal "Mijn machtigingen" end to end, in-process: a citizen grants, the agent accepts
and uses the demo service on the citizen's behalf, the citizen sees the use and revokes, and
the agent is no longer offered the citizen. Plus: IDOR, CSRF, the session cookie, the form."""

from __future__ import annotations

import datetime as dt
import re

from broker_harness import BrokerFixture
from portal_support import (
    act,
    choose,
    confirmation_token,
    csrf_of,
    demo_login,
    free_bsn,
    grant,
    grant_fields,
    option_for,
    portal_login,
)

from broker.register.demo import DEMO_SERVICE_ID

CITIZEN = free_bsn(1000)
AGENT = free_bsn(1100)
STRANGER = free_bsn(1200)


async def test_grant_accept_use_see_revoke(broker: BrokerFixture) -> None:
    citizen, overview = await portal_login(broker, CITIZEN)
    assert overview.status_code == 200
    assert "Mijn machtigingen" in overview.text
    assert 'id="given-empty"' in overview.text

    mandate_id = await grant(citizen, AGENT)
    detail = await citizen.client.get(f"/mijn/machtigingen/{mandate_id}?gedaan=granted")
    assert "Wacht op acceptatie" in detail.text
    assert "Demodienst" in detail.text
    assert "Substantieel" in detail.text

    # The agent logs in to the portal and sees the request waiting for an answer.
    agent, agent_overview = await portal_login(broker, AGENT)
    pending = agent_overview.text.split('id="pending"')[1].split("</table>")[0]
    assert mandate_id in pending
    accepted = await act(agent, mandate_id, "accept")
    assert accepted.status_code == 200
    assert "U heeft de machtiging geaccepteerd." in accepted.text
    assert 'data-state="active"' in accepted.text

    # The agent uses the demo service on the citizen's behalf.
    demo, page = await demo_login(broker, AGENT)
    choice = option_for(page, CITIZEN)
    assert choice is not None, page.text[:2000]
    result = await choose(demo, page, choice)
    assert result.status_code == 200
    represents = re.search(r'data-claim="represents"[^>]*>(.*?)</td>', result.text, re.S)
    assert represents and CITIZEN in represents.group(1)

    # The citizen sees who acted on their behalf.
    history = await citizen.client.get("/mijn/gehandeld")
    assert history.status_code == 200
    table = history.text.split('id="uses"')[1]
    assert f"BSN ••••••{AGENT[-3:]}" in table and AGENT not in table
    assert "Demodienst" in table and "machtiging" in table
    # ...and the agent does not see the citizen's history as their own.
    assert 'id="uses-empty"' in (await agent.client.get("/mijn/gehandeld")).text

    # The citizen revokes; the effect is immediate.
    revoked = await act(citizen, mandate_id, "revoke")
    assert "De machtiging is ingetrokken." in revoked.text
    assert 'data-state="revoked"' in revoked.text

    _, after = await demo_login(broker, AGENT)
    assert option_for(after, CITIZEN) is None
    assert CITIZEN not in after.text


async def test_another_persons_mandate_is_not_found(broker: BrokerFixture) -> None:
    citizen, _ = await portal_login(broker, CITIZEN)
    mandate_id = await grant(citizen, AGENT)
    stranger, overview = await portal_login(broker, STRANGER)
    assert mandate_id not in overview.text

    for path in ("", "/revoke", "/accept", "/reject"):
        page = await stranger.client.get(f"/mijn/machtigingen/{mandate_id}{path}")
        assert page.status_code == 404, path
        assert CITIZEN not in page.text and AGENT not in page.text
    token = csrf_of(overview)
    for action in ("revoke", "accept", "reject"):
        refused = await stranger.client.post(
            f"/mijn/machtigingen/{mandate_id}/{action}", data={"csrf": token}
        )
        assert refused.status_code == 404, action
    # An unknown id answers exactly the same.
    unknown = await stranger.client.get("/mijn/machtigingen/00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 404

    # The principal cannot accept their own grant; the mandate is untouched.
    own = await citizen.client.post(
        f"/mijn/machtigingen/{mandate_id}/accept",
        data={"csrf": csrf_of(await citizen.client.get("/mijn/"))},
    )
    assert own.status_code == 409
    still = await citizen.client.get(f"/mijn/machtigingen/{mandate_id}")
    assert 'data-state="requested"' in still.text


async def test_posts_without_the_session_csrf_token_are_refused(broker: BrokerFixture) -> None:
    citizen, overview = await portal_login(broker, CITIZEN)
    mandate_id = await grant(citizen, AGENT)
    for data in ({}, {"csrf": "forged"}):
        refused = await citizen.client.post(f"/mijn/machtigingen/{mandate_id}/revoke", data=data)
        assert refused.status_code == 403
        assert 'data-reason="csrf"' in refused.text
        grant_attempt = await citizen.client.post(
            "/mijn/machtigen/bevestigen",
            data={
                **data,
                "services": DEMO_SERVICE_ID,
                "agent": STRANGER,
                "valid_from": "2030-01-01",
                "valid_until": "2030-02-01",
            },
        )
        assert grant_attempt.status_code == 403
    # Another person's token does not work either.
    _, other = await portal_login(broker, STRANGER)
    cross = await citizen.client.post(
        f"/mijn/machtigingen/{mandate_id}/revoke", data={"csrf": csrf_of(other)}
    )
    assert cross.status_code == 403
    page = await citizen.client.get(f"/mijn/machtigingen/{mandate_id}")
    assert 'data-state="requested"' in page.text
    assert "/mijn/machtigingen/" not in overview.text  # nothing granted yet at first sight


async def test_session_cookie_and_logout(broker: BrokerFixture) -> None:
    browser = broker.browser()
    anonymous = await browser.client.get("/mijn/machtigen")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/mijn/"
    browser, _ = await portal_login(broker, CITIZEN)
    cookies = [
        h
        for r in browser.history
        for h in r.headers.get_list("set-cookie")
        if h.startswith("mijn_session=")
    ]
    assert cookies, "no portal session cookie set"
    cookie = cookies[-1].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/mijn" in cookie
    assert "max-age" not in cookie  # ends with the browser; idle timeout is server-side
    home = await browser.client.get("/mijn/")
    out = await browser.client.post("/mijn/logout", data={"csrf": csrf_of(home)})
    # The portal session ends and the browser goes on to the broker's logout, which ends the
    # broker session too and returns to the portal's start page.
    assert out.status_code == 303 and "/logout?client_id=mijn-portaal" in out.headers["location"]
    back = await browser.client.get(out.headers["location"])
    assert back.status_code == 303 and back.headers["location"].endswith("/mijn/")
    again = await browser.client.get("/mijn/")
    assert 'id="portal-login"' in again.text
    # No single sign-on left: logging in again goes to a login means, not straight back.
    start = await browser.client.post("/mijn/login")
    authorize = await browser.client.get(start.headers["location"])
    assert "/mijn/callback" not in authorize.headers.get("location", "")


async def test_login_state_must_be_bound_to_the_browser(broker: BrokerFixture) -> None:
    browser = broker.browser()
    start = await browser.client.post("/mijn/login")
    state = re.search(r"state=([^&]+)", start.headers["location"])
    assert state
    other = broker.browser()
    refused = await other.client.get(f"/mijn/callback?state={state.group(1)}&code=x&iss=x")
    assert refused.status_code == 400
    assert 'data-reason="login_failed"' in refused.text


async def test_grant_form_errors_are_summarised(broker: BrokerFixture) -> None:
    citizen, _ = await portal_login(broker, CITIZEN)
    form = await citizen.client.get("/mijn/machtigen")
    assert "Demodienst" in form.text
    bad = await citizen.client.post(
        "/mijn/machtigen",
        data={
            "csrf": csrf_of(form),
            "agent": "123456789",
            "valid_from": "2026-13-01",
            "valid_until": "",
        },
    )
    assert bad.status_code == 400
    assert "<title>Fout: " in bad.text
    summary = bad.text.split('id="error-summary"')[1].split("</ul>")[0]
    for anchor in ("#service-0", "#agent", "#valid_from", "#valid_until"):
        assert anchor in summary
    assert 'aria-invalid="true"' in bad.text
    # The last day the calendar has: its exclusive end does not exist, so it is no date here.
    last = await citizen.client.post(
        "/mijn/machtigen",
        data={
            "csrf": csrf_of(form),
            "services": DEMO_SERVICE_ID,
            "agent": "999990019",
            "valid_from": "2030-01-01",
            "valid_until": "9999-12-31",
        },
    )
    assert last.status_code == 400
    assert "#valid_until" in last.text.split('id="error-summary"')[1].split("</ul>")[0]
    # Granting to oneself is refused by the mandate rules, shown on the form, also when the
    # confirmation page of another grant is submitted with the person's own number.
    mine = {
        "csrf": csrf_of(form),
        "services": DEMO_SERVICE_ID,
        "agent": AGENT,
        "valid_from": "2030-01-01",
        "valid_until": "2030-02-01",
    }
    token = await confirmation_token(citizen, mine)
    self_grant = await citizen.client.post(
        "/mijn/machtigen/bevestigen", data={**mine, "agent": CITIZEN, "grant_token": token}
    )
    assert self_grant.status_code == 400
    assert 'id="grant-refusal"' in self_grant.text
    assert "<title>Fout: " in self_grant.text  # a refusal is an error as well


async def test_portal_in_english(broker: BrokerFixture) -> None:
    citizen, _ = await portal_login(broker, CITIZEN)
    page = await citizen.client.get("/mijn/?lang=en")
    assert '<html lang="en">' in page.text
    assert "Mandates you have given" in page.text
    grant_page = await citizen.client.get("/mijn/machtigen")
    assert "Authorise someone" in grant_page.text


async def test_grant_form_says_on_the_field_what_the_confirmation_would_refuse(
    broker: BrokerFixture,
) -> None:
    """An end date in the past, a date in another ISO 8601 form than yyyy-mm-dd and the
    person's own BSN are errors on their field, before any confirmation page."""
    citizen, _ = await portal_login(broker, CITIZEN)
    form = await citizen.client.get("/mijn/machtigen")
    today = dt.date.today()
    base = grant_fields(
        form,
        AGENT,
        start=today - dt.timedelta(days=10),
        until=today + dt.timedelta(days=10),
    )
    cases = {
        "valid_until": {"valid_until": (today - dt.timedelta(days=5)).isoformat()},
        "valid_from": {"valid_from": f"{today.year + 1}-W01-1"},
        "agent": {"agent": CITIZEN},
    }
    for name, change in cases.items():
        page = await citizen.client.post("/mijn/machtigen", data={**base, **change})
        assert page.status_code == 400, (name, page.text[:500])
        assert 'id="confirm-explain"' not in page.text
        summary = page.text.split('id="error-summary"')[1].split("</ul>")[0]
        assert f'href="#{name}"' in summary, name
        assert f'id="{name}-error"' in page.text, name
    past = await citizen.client.post("/mijn/machtigen", data={**base, **cases["valid_until"]})
    assert "De einddatum ligt in het verleden" in past.text
    own = await citizen.client.post("/mijn/machtigen", data={**base, **cases["agent"]})
    assert "U kunt uzelf niet machtigen" in own.text
    # A start date in the past still means "from today".
    fine = await citizen.client.post("/mijn/machtigen", data=base)
    assert fine.status_code == 200 and 'id="confirm-explain"' in fine.text


async def test_a_new_login_ends_the_session_the_browser_had(broker: BrokerFixture) -> None:
    citizen, _ = await portal_login(broker, CITIZEN)

    def session_ids() -> list[str]:
        return [
            header.split(";")[0].split("=", 1)[1]
            for response in citizen.history
            for header in response.headers.get_list("set-cookie")
            if header.startswith("mijn_session=")
        ]

    first = session_ids()[-1]
    # Logging in again in the same browser (the broker's single sign-on answers at once).
    again = await citizen.follow(await citizen.client.post("/mijn/login"))
    assert 'id="portal-logout"' in again.text
    second = session_ids()[-1]
    assert second != first
    for cookie, live in ((first, False), (second, True)):
        page = await broker.browser().client.get(
            "/mijn/", headers={"cookie": f"mijn_session={cookie}"}
        )
        assert ('id="portal-logout"' in page.text) is live


async def test_a_link_cannot_announce_a_step_that_was_not_taken(broker: BrokerFixture) -> None:
    citizen, _ = await portal_login(broker, CITIZEN)
    mandate_id = await grant(citizen, AGENT)
    granted = await citizen.client.get(f"/mijn/machtigingen/{mandate_id}?gedaan=granted")
    assert 'id="portal-notice"' in granted.text
    for done in ("revoked", "accepted", "rejected"):
        page = await citizen.client.get(f"/mijn/machtigingen/{mandate_id}?gedaan={done}")
        assert 'id="portal-notice"' not in page.text, done
        assert 'data-state="requested"' in page.text
        home = await citizen.client.get(f"/mijn/?gedaan={done}")
        assert 'id="portal-notice"' not in home.text, done


async def test_page_titles_name_the_step_and_the_portal_once(broker: BrokerFixture) -> None:
    start = await broker.browser().client.get("/mijn/")
    assert "<title>Mijn machtigingen – Stelsel Toegang</title>" in start.text
    citizen, overview = await portal_login(broker, CITIZEN)
    assert "<title>Mijn machtigingen – Stelsel Toegang</title>" in overview.text
    english = await citizen.client.get("/mijn/?lang=en")
    assert "<title>My mandates – Stelsel Toegang</title>" in english.text
    grant_page = await citizen.client.get("/mijn/machtigen?lang=nl")
    assert (
        "<title>Iemand machtigen – Mijn machtigingen – Stelsel Toegang</title>" in grant_page.text
    )


async def test_the_language_switch_works_on_pages_answering_a_post(broker: BrokerFixture) -> None:
    """A page answering the confirmation POST ("Wijzigen", or a refusal) links to its own
    path in the other language: that GET goes back to the form, not to a bare 405."""
    citizen, _ = await portal_login(broker, CITIZEN)
    form = await citizen.client.get("/mijn/machtigen?lang=nl")
    fields = grant_fields(form, AGENT, until=dt.date.today() + dt.timedelta(days=7))
    change = await citizen.client.post("/mijn/machtigen/bevestigen", data={**fields, "back": "1"})
    assert change.status_code == 200 and 'id="grant-next"' in change.text
    switch = re.search(r'href="([^"]+)" hreflang="en"', change.text)
    assert switch, change.text[:2000]
    english = await citizen.follow(await citizen.client.get(switch.group(1).replace("&amp;", "&")))
    assert english.status_code == 200, english.text[:200]
    assert str(english.url).endswith("/mijn/machtigen?lang=en")
    assert '<html lang="en">' in english.text and 'id="grant-next"' in english.text
    home = await citizen.client.get("/mijn/logout?lang=en")
    assert home.status_code == 303 and home.headers["location"] == "/mijn/?lang=en"
    # The GET changes nothing: the session is still there.
    assert 'id="portal-logout"' in (await citizen.client.get("/mijn/")).text


async def test_one_confirmation_page_grants_once(broker: BrokerFixture) -> None:
    """A second submit of the same confirmation page (a double click, the back button)
    grants nothing more; a confirmation never shown, or another session's, grants nothing."""
    citizen, _ = await portal_login(broker, CITIZEN)
    form = await citizen.client.get("/mijn/machtigen")
    data = grant_fields(form, AGENT, until=dt.date.today() + dt.timedelta(days=7))
    token = await confirmation_token(citizen, data)
    first = await citizen.client.post(
        "/mijn/machtigen/bevestigen", data={**data, "grant_token": token}
    )
    assert first.status_code == 303 and "?gedaan=granted" in first.headers["location"]
    again = await citizen.client.post(
        "/mijn/machtigen/bevestigen", data={**data, "grant_token": token}
    )
    assert again.status_code == 303 and again.headers["location"] == "/mijn/"
    unseen = await citizen.client.post("/mijn/machtigen/bevestigen", data=data)
    assert unseen.status_code == 303 and unseen.headers["location"] == "/mijn/"
    other, other_home = await portal_login(broker, STRANGER)
    stolen = await confirmation_token(citizen, data)
    crossed = await other.client.post(
        "/mijn/machtigen/bevestigen",
        data={**data, "csrf": csrf_of(other_home), "agent": CITIZEN, "grant_token": stolen},
    )
    assert crossed.status_code == 303 and crossed.headers["location"] == "/mijn/"
    overview = await citizen.client.get("/mijn/")
    given = overview.text.split('id="given"')[1].split("</table>")[0]
    assert given.count("data-mandate=") == 1
    assert 'id="given-empty"' in (await other.client.get("/mijn/")).text
