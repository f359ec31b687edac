"""Whole wallet logins through the wallet means and the test wallet, in-process (no broker)."""

from __future__ import annotations

from pathlib import Path

import pytest
from wallet_login_support import Env, build_env

from broker.assurance import Level
from broker.keys import KeyRing
from broker.means.wallet.mapping import derived_subject


@pytest.mark.parametrize("fmt", ["dc+sd-jwt", "mso_mdoc"])
async def test_same_device_login_at_high_with_bsn(env: Env, fmt: str) -> None:
    _, _, answer = await env.login(fmt=fmt)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == "ok"
    [auth] = env.flow.completed
    assert auth.means == "wallet"
    assert auth.subject_kind == "bsn"
    assert auth.subject == "999999990"
    assert auth.level is Level.HIGH
    assert auth.attributes == {
        "family_name": "De Bruijn",
        "given_name": "Willeke Liselotte",
        "birthdate": "1965-03-01",
    }


async def test_cross_device_login_moves_on_after_polling(env: Env) -> None:
    browser = env.browser()
    page = await env.start(browser, "substantial")
    assert "<svg" in page.html and 'role="img"' in page.html
    status = await browser.client.get(f"/means/wallet/status/{page.request_id}")
    assert status.json() == {"status": "pending", "continue": False}
    phone = env.browser()  # another device: no cookies of the browser
    answer = await env.share(phone, page.cross_device_wallet, fmt="mso_mdoc")
    assert answer.status_code == 200, answer.text
    assert "ga terug naar uw computer" in answer.text
    status = await browser.client.get(f"/means/wallet/status/{page.request_id}")
    assert status.json() == {"status": "done", "continue": True}
    done = await browser.client.post(
        f"/means/wallet/continue/{page.request_id}", data={"csrf": page.csrf}
    )
    assert done.json()["result"] == "ok"
    [auth] = env.flow.completed
    assert (auth.subject_kind, auth.subject) == ("bsn", "999999990")
    # Not bound to the browser session: capped at substantial (cross_device_for_high false).
    assert auth.level is Level.SUBSTANTIAL


async def test_cross_device_for_high_when_configured(tmp_path: Path, wallet_keys: KeyRing) -> None:
    env = build_env(tmp_path, wallet_keys, cross_device_for_high=True)
    browser = env.browser()
    page = await env.start(browser, "high")
    answer = await env.share(env.browser(), page.cross_device_wallet)
    assert answer.status_code == 200
    done = await browser.client.post(
        f"/means/wallet/continue/{page.request_id}", data={"csrf": page.csrf}
    )
    assert done.json()["result"] == "ok"
    assert env.flow.completed[0].level is Level.HIGH


async def test_no_cross_device_for_high_by_default(env: Env) -> None:
    page = await env.start(env.browser(), "high")
    assert "<svg" not in page.html
    assert len([h for h in page.links() if "/sim/wallet/authorize" in h]) == 1
    assert "alleen op dit apparaat" in page.html


async def test_wallet_page_links_and_no_inline_script(env: Env) -> None:
    page = await env.start(env.browser(), "substantial")
    for scheme in ("openid4vp://?", "haip-vp://?"):
        link = page.link(scheme)
        assert "client_id=x509_hash%3A" in link
        assert (
            f"request_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fmeans%2Fwallet%2Frequest%2F{page.request_id}"
            in link
        )
    assert '<script src="/means/wallet/poll.js" defer></script>' in page.html
    assert "<script>" not in page.html and "style=" not in page.html
    script = await env.browser().client.get("/means/wallet/poll.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert 'role="status"' in page.html and 'aria-live="polite"' in page.html
    browser = env.browser()
    start = await browser.client.get("/start", params={"level": "substantial"})
    shown = await browser.client.get(start.headers["location"])
    csp = shown.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert "unsafe-inline" not in csp


async def test_cancel_in_the_wallet_returns_access_denied(env: Env) -> None:
    browser = env.browser()
    page = await env.start(browser)
    answer = await env.share(browser, page.same_device_wallet, action="cancel")
    assert answer.status_code == 303
    result = await browser.client.get(answer.headers["location"])
    assert result.json()["result"] == "cancelled"
    assert result.json()["code"] == "access_denied"


async def test_cancel_on_the_wallet_page(env: Env) -> None:
    browser = env.browser()
    page = await env.start(browser)
    result = await browser.client.post(
        f"/means/wallet/cancel/{page.request_id}", data={"csrf": page.csrf}
    )
    assert result.json()["result"] == "cancelled"


@pytest.mark.parametrize("enc", ["A128GCM", "A256GCM"])
async def test_both_haip_content_encryptions(env: Env, enc: str) -> None:
    browser = env.browser()
    page = await env.start(browser)
    answer = await env.share(browser, page.same_device_wallet, enc=enc)
    assert answer.status_code == 303
    assert (await browser.client.get(answer.headers["location"])).json()["result"] == "ok"


async def test_continue_without_answer_shows_the_page_again(env: Env) -> None:
    browser = env.browser()
    page = await env.start(browser, "substantial")
    again = await browser.client.post(
        f"/means/wallet/continue/{page.request_id}", data={"csrf": page.csrf}
    )
    assert again.status_code == 200
    assert "nog niet geantwoord" in again.text
    assert env.flow.completed == [] and env.flow.failed == []


@pytest.mark.parametrize("form", ["continue", "cancel"])
async def test_an_expired_wallet_request_returns_to_the_service(env: Env, form: str) -> None:
    """After the wallet request's lifetime the page's forms still lead back to the service,
    with an OAuth error, as long as the login is this browser's; another browser learns
    nothing and ends nothing."""
    browser = env.browser()
    page = await env.start(browser, "substantial")
    await env.store.delete("wallet-req:" + page.request_id)  # its lifetime passed
    fields = {"csrf": page.csrf, "transaction": page.transaction}
    stranger = await env.browser().client.post(
        f"/means/wallet/{form}/{page.request_id}", data=fields
    )
    assert stranger.status_code == 400 and env.flow.failed == []
    back = await browser.client.post(f"/means/wallet/{form}/{page.request_id}", data=fields)
    assert back.json() == {
        "result": "error",
        "code": "access_denied",
        "message": "The wallet login attempt has expired. Start again at the service.",
    }
    unknown = await browser.client.post(
        f"/means/wallet/{form}/{page.request_id}", data={"csrf": page.csrf}
    )
    assert unknown.status_code == 400


async def test_level_of_a_substantial_issuer(tmp_path: Path, wallet_keys: KeyRing) -> None:
    env = build_env(tmp_path, wallet_keys, simulator_level="substantial")
    _, _, answer = await env.login(level="substantial")
    assert answer.json()["result"] == "ok"
    assert env.flow.completed[0].level is Level.SUBSTANTIAL


@pytest.mark.parametrize("fmt", ["dc+sd-jwt", "mso_mdoc"])
async def test_eu_pid_without_bsn_policy_gets_a_derived_identifier(
    tmp_path: Path, wallet_keys: KeyRing, fmt: str
) -> None:
    env = build_env(tmp_path, wallet_keys, pid_variants=["eu"])
    _, _, answer = await env.login(fmt=fmt)
    assert answer.json()["result"] == "ok", answer.text
    [auth] = env.flow.completed
    assert auth.subject_kind == "eudi-pid"
    assert auth.subject == derived_subject("simulator", "999999990")
    assert "999999990" not in auth.subject
    assert auth.attributes["birthdate"] == "1965-03-01"


async def test_bsn_failing_the_elfproef_is_refused(env: Env) -> None:
    _, _, answer = await env.login(person="123456789")
    assert answer.status_code == 400
    assert "presentation refused (bsn)" in answer.text
    assert env.flow.completed == []
