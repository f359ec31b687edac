"""Attack catalogue §5 at the HTTP level: every refusal is a clear 4xx, never a 500, and the
login in progress ends in an error for the service instead of an Authentication."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from pydantic import ValidationError
from support import parse_form
from wallet_login_support import RESPONSE_PATH, Env, build_env, query_of

from broker.keys import KeyRing
from broker.means.wallet import WalletConfig
from conformance.wallet.presentation import encrypt, present
from conformance.wallet.request import fetch_request
from wallet_adapters.jws import jwk_thumbprint
from wallet_adapters.mdoc.session_transcript import openid4vp_session_transcript
from wallet_adapters.testing import TEST_PERSONS, TestPidIssuer, TestPki

PERSON = TEST_PERSONS["999999990"]


async def _refused(env: Env, fmt: str, fault: str) -> str:
    """Answer with ``fault``; the verifier refuses, the page's continue ends in an error."""
    browser = env.browser()
    page = await env.start(browser)
    answer = await env.share(browser, page.same_device_wallet, fmt=fmt, fault=fault)
    assert answer.status_code == 400, (answer.status_code, answer.text[:300])
    status = await browser.client.get(f"/means/wallet/status/{page.request_id}")
    assert status.json() == {"status": "failed", "continue": True}
    result = await browser.client.post(
        f"/means/wallet/continue/{page.request_id}", data={"csrf": page.csrf}
    )
    assert result.json()["result"] == "error"
    assert result.json()["code"] == "access_denied"
    assert env.flow.completed == []
    return answer.text


@pytest.mark.parametrize(
    ("fmt", "fault", "code"),
    [
        ("dc+sd-jwt", "wrong_nonce", "nonce"),
        ("dc+sd-jwt", "wrong_aud", "aud"),
        ("dc+sd-jwt", "tampered_disclosure", "unreferenced"),
        ("dc+sd-jwt", "duplicate_digest", "duplicate_digest"),
        ("dc+sd-jwt", "missing_kb", "missing_kb"),
        ("dc+sd-jwt", "untrusted_issuer", "untrusted_issuer"),
        ("mso_mdoc", "untrusted_issuer", "untrusted_issuer"),
        ("dc+sd-jwt", "expired", "expired"),
        ("mso_mdoc", "expired", ""),
        ("dc+sd-jwt", "revoked", "revoked"),
        ("mso_mdoc", "revoked", "revoked"),
        ("dc+sd-jwt", "suspended", "suspended"),
        ("mso_mdoc", "suspended", "suspended"),
        ("mso_mdoc", "wrong_transcript", ""),
        ("mso_mdoc", "tampered_element", ""),
        ("dc+sd-jwt", "bad_signature", "bad_signature"),
        ("dc+sd-jwt", "alg_none", ""),
        ("dc+sd-jwt", "kb_wrong_key", ""),
        ("dc+sd-jwt", "sd_hash_dropped", ""),
    ],
)
async def test_refused_presentations(env: Env, fmt: str, fault: str, code: str) -> None:
    text = await _refused(env, fmt, fault)
    assert "presentation refused" in text
    if code:
        assert f"({code})" in text, text


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("wrong_state", "state does not belong to this request"),
        ("plaintext", "plaintext refused"),
        ("wrong_encryption_key", "could not be decrypted"),
    ],
)
async def test_refused_responses_leave_the_request_open(env: Env, fault: str, message: str) -> None:
    """Response-layer refusals do not consume the request: an attacker who can post junk to
    the response_uri must not be able to end a victim's login with it."""
    browser = env.browser()
    page = await env.start(browser)
    answer = await env.share(browser, page.same_device_wallet, fault=fault)
    assert answer.status_code == 400
    assert message in answer.text
    status = await browser.client.get(f"/means/wallet/status/{page.request_id}")
    assert status.json()["status"] == "pending"


async def test_replayed_response_is_refused(env: Env) -> None:
    """The same presentation posted twice (§14.1): state and nonce are single use."""
    browser = env.browser()
    page = await env.start(browser)
    answer = await env.share(browser, page.same_device_wallet)
    [posted] = env.posted_responses()
    headers = {"content-type": "application/x-www-form-urlencoded"}
    url = f"http://127.0.0.1:8000{RESPONSE_PATH}"
    again = await env.http.post(url, content=posted.content, headers=headers)
    assert again.status_code == 400
    assert "already received" in again.json()["error_description"]
    done = await browser.client.get(answer.headers["location"])
    assert done.json()["result"] == "ok"
    after = await env.http.post(url, content=posted.content, headers=headers)
    assert after.status_code == 400
    assert len(env.flow.completed) == 1


async def _request_claims(env: Env, link: str) -> dict[str, object]:
    params = query_of(link)
    return await fetch_request(
        env.http,
        params["client_id"],
        params["request_uri"],
        method="post",
        access_trust=env.wallet.settings.access_trust,
    )


async def test_presentation_replayed_into_another_session(env: Env) -> None:
    """A vp_token captured in session A, re-encrypted for session B with B's state (§14.1)."""
    page_a = await env.start(env.browser())
    victim = env.browser()
    page_b = await env.start(victim)
    request_a = await _request_claims(env, page_a.same_device_wallet)
    request_b = await _request_claims(env, page_b.same_device_wallet)
    for fmt in ("dc+sd-jwt", "mso_mdoc"):
        payload = present(
            request_a,
            person=PERSON,
            fmt=fmt,
            faults=frozenset(),
            issuers=env.wallet.issuers,
            holder=env.wallet.holder,
        )
        payload["state"] = request_b["state"]
        form = encrypt(request_b, payload, faults=frozenset(), enc="A128GCM")
        answer = await env.http.post(f"http://127.0.0.1:8000{RESPONSE_PATH}", data=form)
        assert answer.status_code in (400,), answer.text
        if fmt == "dc+sd-jwt":
            assert "(nonce)" in answer.json()["error_description"]
        else:  # the first refusal consumed B's state: refused before any verification
            assert "already received" in answer.json()["error_description"]
    status = await victim.client.get(f"/means/wallet/status/{page_b.request_id}")
    assert status.json()["status"] == "failed"


async def test_response_encrypted_for_one_request_with_another_state(env: Env) -> None:
    page_a = await env.start(env.browser())
    page_b = await env.start(env.browser())
    request_a = await _request_claims(env, page_a.same_device_wallet)
    request_b = await _request_claims(env, page_b.same_device_wallet)
    payload = present(
        request_a,
        person=PERSON,
        fmt="dc+sd-jwt",
        faults=frozenset(),
        issuers=env.wallet.issuers,
        holder=env.wallet.holder,
    )
    payload["state"] = request_b["state"]
    form = encrypt(request_a, payload, faults=frozenset(), enc="A128GCM")
    answer = await env.http.post(f"http://127.0.0.1:8000{RESPONSE_PATH}", data=form)
    assert answer.status_code == 400
    assert "state does not belong" in answer.json()["error_description"]


async def test_response_code_from_another_browser(env: Env) -> None:
    """Session fixation (§14.2): the redirect with response_code only works in the browser that
    started the login, and that browser needs the code."""
    attacker = env.browser()
    page = await env.start(attacker)
    victim = env.browser()  # the victim's wallet answers the attacker's request
    answer = await env.share(victim, page.same_device_wallet)
    redirect = answer.headers["location"]
    assert "response_code=" in redirect
    refused = await victim.client.get(redirect)
    assert refused.status_code == 400 and env.flow.completed == []
    # The attacker's browser has the transaction but not the code.
    without = await attacker.client.get(f"/means/wallet/done/{page.request_id}")
    assert without.status_code == 400
    wrong = await attacker.client.get(f"/means/wallet/done/{page.request_id}?response_code=guessed")
    assert wrong.status_code == 400
    # ... nor can it poll its way in: a same-device result needs the redirect.
    status = await attacker.client.get(f"/means/wallet/status/{page.request_id}")
    assert status.json() == {"status": "done", "continue": False}
    cont = await attacker.client.post(
        f"/means/wallet/continue/{page.request_id}", data={"csrf": page.csrf}
    )
    assert cont.status_code == 200 and "venster" in cont.text
    assert env.flow.completed == []


async def test_response_code_is_single_use(env: Env) -> None:
    browser = env.browser()
    page = await env.start(browser)
    answer = await env.share(browser, page.same_device_wallet)
    first = await browser.client.get(answer.headers["location"])
    assert first.json()["result"] == "ok"
    second = await browser.client.get(answer.headers["location"])
    assert second.status_code == 400


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"response": "a" * (3 * 1024 * 1024 + 10)}, 413, "too large"),
        ({"response": "not-a-jwe"}, 400, "known request"),
        ({"response": "e30.a.b.c.d"}, 400, "known request"),
        ({"response": "!!!.a.b.c.d"}, 400, "known request"),
        ({"vp_token": "{}", "state": "x"}, 400, "plaintext refused"),
        ({}, 400, "response parameter missing"),
        ({"error": "access_denied", "state": "unknown"}, 400, "unknown"),
    ],
)
async def test_malformed_responses(
    env: Env, body: dict[str, str], status: int, fragment: str
) -> None:
    await env.start(env.browser())
    answer = await env.http.post(f"http://127.0.0.1:8000{RESPONSE_PATH}", data=body)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    assert fragment in answer.json()["error_description"]


async def test_malformed_jwe_for_a_known_key(env: Env) -> None:
    """A JWE naming this request's kid but with broken parts: a decryption error, no 500."""
    browser = env.browser()
    page = await env.start(browser)
    request = await _request_claims(env, page.same_device_wallet)
    kid = request["client_metadata"]["jwks"]["keys"][0]["kid"]  # type: ignore[index]
    header = {
        "alg": "ECDH-ES",
        "enc": "A128GCM",
        "kid": kid,
        "epk": {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
    }
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    for jwe in (
        f"{encoded}..AAAA.AAAA.AAAA",
        f"{encoded}.x.y.z.w",
        f"{encoded}" + ".AAAA" * 4 + "A" * 100_000,
    ):
        answer = await env.http.post(
            f"http://127.0.0.1:8000{RESPONSE_PATH}", data={"response": jwe}
        )
        assert answer.status_code == 400, answer.text
        assert "decrypted" in answer.json()["error_description"]


async def test_request_uri_get_and_post_with_wallet_nonce(env: Env) -> None:
    page = await env.start(env.browser())
    uri = query_of(page.same_device_wallet)["request_uri"]
    got = await env.http.get(uri)
    assert got.headers["content-type"] == "application/oauth-authz-req+jwt"
    header = json.loads(base64.urlsafe_b64decode(got.text.split(".")[0] + "=="))
    assert header["typ"] == "oauth-authz-req+jwt" and len(header["x5c"]) == 1
    claims = await _request_claims(env, page.same_device_wallet)  # POST + wallet_nonce checked
    assert claims["response_mode"] == "direct_post.jwt"
    assert str(claims["client_id"]).startswith("x509_hash:")
    meta = claims["client_metadata"]
    assert meta["encrypted_response_enc_values_supported"] == ["A128GCM", "A256GCM"]  # type: ignore[index]
    unknown = await env.http.get(uri.rsplit("/", 1)[0] + "/guessed-id")
    assert unknown.status_code == 404


async def test_request_object_is_never_valid_beyond_its_request(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-signed on every fetch, the request object still expires when its request does: a
    late fetch must not get a fresh lifetime for answers the verifier will refuse."""
    page = await env.start(env.browser())
    uri = query_of(page.same_device_wallet)["request_uri"]

    def claims_of(token: str) -> dict[str, int]:
        payload = token.split(".")[1]
        decoded: dict[str, int] = json.loads(base64.urlsafe_b64decode(payload + "=="))
        return decoded

    first = claims_of((await env.http.get(uri)).text)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    monkeypatch.setattr(env.means, "_now", lambda: later)
    second = claims_of((await env.http.get(uri)).text)
    assert second["iat"] >= first["iat"] + 299
    assert second["exp"] == first["exp"]


async def test_dcql_query_asks_only_what_is_needed(env: Env) -> None:
    page = await env.start(env.browser())
    claims = await _request_claims(env, page.same_device_wallet)
    query = claims["dcql_query"]
    paths = sorted(
        "/".join(c["path"])
        for q in query["credentials"]
        for c in q["claims"]  # type: ignore[index]
    )
    assert paths == sorted(
        [
            "bsn",
            "birthdate",
            "family_name",
            "given_name",
            "urn:eudi:pid:nl:1/bsn",
            "urn:eudi:pid:nl:1/birthdate",
            "urn:eudi:pid:nl:1/family_name",
            "urn:eudi:pid:nl:1/given_name",
        ]
    )
    assert query["credential_sets"] == [{"options": [["pid_nl_sd_jwt"], ["pid_nl_mdoc"]]}]  # type: ignore[index]


async def test_fresh_nonce_state_and_key_per_request(env: Env) -> None:
    seen: set[str] = set()
    for _ in range(3):
        page = await env.start(env.browser())
        claims = await _request_claims(env, page.same_device_wallet)
        jwk = claims["client_metadata"]["jwks"]["keys"][0]  # type: ignore[index]
        for value in (claims["nonce"], claims["state"], jwk["x"]):
            assert value not in seen
            seen.add(str(value))


async def test_request_fetched_on_one_device_cannot_switch_to_the_other(env: Env) -> None:
    page = await env.start(env.browser(), "substantial")
    await _request_claims(env, page.same_device_wallet)
    cross_uri = query_of(page.cross_device_wallet)["request_uri"]
    refused = await env.http.get(cross_uri)
    assert refused.status_code == 400


async def test_status_and_page_only_for_the_browser_that_started(env: Env) -> None:
    page = await env.start(env.browser())
    other = env.browser()
    status = await other.client.get(f"/means/wallet/status/{page.request_id}")
    assert status.status_code == 404
    assert (await other.client.get(page.url)).status_code == 400
    forged = await other.client.post(
        f"/means/wallet/continue/{page.request_id}", data={"csrf": page.csrf}
    )
    assert forged.status_code == 400


async def test_continue_needs_the_csrf_token(env: Env) -> None:
    browser = env.browser()
    page = await env.start(browser)
    refused = await browser.client.post(
        f"/means/wallet/continue/{page.request_id}", data={"csrf": "wrong"}
    )
    assert refused.status_code == 400


async def test_wallet_consent_page_lists_the_request(env: Env) -> None:
    browser = env.browser()
    page = await env.start(browser)
    consent = await env.consent(browser, page.same_device_wallet)
    assert "Testwallet — geen echte wallet" in consent.text
    for claim in ("family_name", "given_name", "birthdate", "bsn"):
        assert claim in consent.text
    assert "portrait" not in consent.text
    _, fields = parse_form(consent.text)
    assert "request_key" in fields


async def _foreign_provider_env(tmp_path: Path, keys: KeyRing) -> tuple[Env, TestPidIssuer]:
    """The broker also trusts a foreign PID provider, for its EU PID only."""
    foreign = TestPki.create("Foreign PID provider")
    pem = tmp_path / "foreign-pid.pem"
    pem.write_bytes(foreign.root.public_bytes(Encoding.PEM))
    anchor = {"name": "xx-pid", "file": str(pem), "level": "high", "pid_variants": ["eu"]}
    env = build_env(tmp_path, keys, pid_variants=["nl", "eu"], trust_anchors=[anchor])
    return env, TestPidIssuer(foreign)


async def _answer_with(env: Env, issuer: TestPidIssuer, fmt: str, variant: str) -> httpx.Response:
    """Answer a same-device request with a PID of ``variant`` issued (without status) by
    ``issuer``, disclosing what the query for that variant and format asks."""
    browser = env.browser()
    page = await env.start(browser)
    request = await _request_claims(env, page.same_device_wallet)
    query_id = f"pid_{variant}_" + ("sd_jwt" if fmt == "dc+sd-jwt" else "mdoc")
    [query] = [q for q in request["dcql_query"]["credentials"] if q["id"] == query_id]  # type: ignore[index]
    paths = [c["path"] for c in query["claims"]]
    holder = env.wallet.holder
    if fmt == "dc+sd-jwt":
        vct = query["meta"]["vct_values"][0]
        issued = issuer.issue_sd_jwt_vc(PERSON, holder.public_key, vct=vct)
        presentation = holder.present_sd_jwt(
            issued,
            [p[0] for p in paths],
            nonce=str(request["nonce"]),
            audience=str(request["client_id"]),
        )
    else:
        mdoc = issuer.issue_mdoc(PERSON, holder.public_key, doctype=query["meta"]["doctype_value"])
        elements: dict[str, list[str]] = {}
        for ns, name in paths:
            elements.setdefault(ns, []).append(name)
        jwk = request["client_metadata"]["jwks"]["keys"][0]  # type: ignore[index]
        transcript = openid4vp_session_transcript(
            str(request["client_id"]),
            str(request["nonce"]),
            jwk_thumbprint(jwk),
            str(request["response_uri"]),
        )
        presentation = holder.present_mdoc(mdoc, elements, session_transcript=transcript)
    payload = {"vp_token": {query_id: [presentation]}, "state": request["state"]}
    form = encrypt(request, payload, faults=frozenset(), enc="A128GCM")
    return await env.http.post(f"http://127.0.0.1:8000{RESPONSE_PATH}", data=form)


@pytest.mark.parametrize("fmt", ["dc+sd-jwt", "mso_mdoc"])
async def test_provider_trusted_for_eu_pid_cannot_issue_an_nl_pid(
    tmp_path: Path, wallet_keys: KeyRing, fmt: str
) -> None:
    """Identity namespace confusion (attack catalogue §6): a provider trusted for its own EU PID
    signs a credential of the NL PID type with someone's BSN; it must not log in as that BSN."""
    env, foreign = await _foreign_provider_env(tmp_path, wallet_keys)
    answer = await _answer_with(env, foreign, fmt, "nl")
    assert answer.status_code == 400, answer.text
    assert "(pid_type)" in answer.json()["error_description"]
    assert env.flow.completed == []
    # ... while its EU PID is accepted, with a derived (non-BSN) identifier.
    accepted = await _answer_with(env, foreign, fmt, "eu")
    assert accepted.status_code == 200, accepted.text


def test_anchor_must_name_its_pid_types_when_several_are_accepted(tmp_path: Path) -> None:
    pem = tmp_path / "a.pem"
    pem.write_text("")
    with pytest.raises(ValidationError, match="pid_variants"):
        WalletConfig(pid_variants=["nl", "eu"], trust_anchors=[{"name": "a", "file": pem}])
    with pytest.raises(ValidationError, match="pid_variants"):
        WalletConfig(trust_anchors=[{"name": "a", "file": pem, "pid_variants": ["eu"]}])
    WalletConfig(trust_anchors=[{"name": "a", "file": pem}])  # one variant: implied
