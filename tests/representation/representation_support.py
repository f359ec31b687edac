"""Helpers for the "acting on behalf of others" tests: a representable service, a DigiD login
that stops at the "on whose behalf" page, choosing, redeeming, and the management API."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
import psycopg
import pytest
from broker_harness import BrokerFixture
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from support import ISSUER, AuthRequest, Browser, ClientKey, auth_params, digid_login, parse_form

from broker.assurance import Level
from broker.identifiers import elfproef
from broker.register.clients import add_client, add_service

RP = "https://rp.example/cb"
RP_ORIGIN = "https://rp.example"
API_HEADERS = {"X-Requested-With": "toegang"}
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"

# conformance/brp_gezag/families.py and conformance/ccbr/measures.py
JAN, SANNE, BRAM = "999990007", "999990020", "999990032"
INGRID, WIM = "999990214", "999990226"  # bewindvoerder, under beschermingsbewind
JOKE, RIA = "999990238", "999990251"  # mentor, under mentorschap


def free_bsn(start: int) -> str:
    """A BSN passing the elfproef outside the simulators' families (999991xxx)."""
    for n in range(start, start + 1000):
        candidate = f"99999{n:04d}"
        if elfproef(candidate):
            return candidate
    raise AssertionError("no BSN found")


@dataclass
class Rp:
    """A registered client with one service that allows representation."""

    client_id: str
    service_id: str
    key: ClientKey


def add_rp(
    broker: BrokerFixture,
    *,
    bsn_entitled: bool = True,
    style: str = "nlgov",
    legal_domain: str | None = "both",
    min_level: Level = Level.LOW,
    kinds: list[str] | None = None,
    backchannel: bool = False,
) -> Rp:
    key = ClientKey.rsa()
    client, _ = add_client(
        broker.state.engine,
        name="Gemeente",
        redirect_uris=[RP],
        auth_method="private_key_jwt",
        jwks=key.jwks(),
        bsn_entitled=bsn_entitled,
        representation_style=style,
        backchannel_logout_uri=f"{RP_ORIGIN}/logout" if backchannel else None,
    )
    service = add_service(
        broker.state.engine,
        client.client_id,
        name_nl="Toeslag aanvragen",
        name_en="Apply for an allowance",
        min_level=min_level,
        allows_representation=True,
        legal_domain=legal_domain,
        representation_kinds=kinds,
    )
    return Rp(client.client_id, service.service_id, key)


def authorize_url(rp: Rp, *scopes: str, **extra: str) -> tuple[str, AuthRequest]:
    scope = " ".join(["openid", f"urn:uuid:{rp.service_id}", *scopes])
    request = auth_params(rp.client_id, RP, scope=scope, login_means="digid", **extra)
    return "/authorize?" + urlencode(request.params), request


async def login(
    browser: Browser, rp: Rp, bsn: str, *scopes: str, level: str = "substantieel"
) -> tuple[httpx.Response, AuthRequest]:
    """Log in at the DigiD simulator; returns the "on whose behalf" page or the redirect to
    the client, and the authorization request."""
    url, request = authorize_url(rp, *scopes)
    response = await digid_login(browser, url, bsn=bsn, level=level, stop_at=RP)
    return response, request


def options(page: httpx.Response) -> dict[str, str]:
    """The radio options of the page as {label text: opaque id}."""
    found = {}
    for match in re.finditer(
        r'<input[^>]*name="choice" value="([^"]+)"[^>]*>\s*([^<]+?)\s*</label>', page.text
    ):
        found[html.unescape(match.group(2)).strip()] = match.group(1)
    return found


def option_for(page: httpx.Response, bsn: str) -> str:
    """The id of the option whose masked label ends with ``bsn``'s last three digits."""
    hits = [i for label, i in options(page).items() if label.endswith(f"{bsn[-3:]})")]
    assert len(hits) == 1, options(page)
    return hits[0]


async def choose(browser: Browser, page: httpx.Response, choice: str | None) -> httpx.Response:
    action, fields = parse_form(page.text)
    data = {"csrf": fields["csrf"]}
    if choice is not None:
        data["choice"] = choice
    target = str(page.url.join(action))
    return await browser.follow(await browser.client.post(target, data=data), stop_at=RP)


async def redeem(
    broker: BrokerFixture, browser: Browser, rp: Rp, request: AuthRequest, back: httpx.Response
) -> tuple[dict[str, Any], str]:
    """Code → tokens; returns the verified ID token claims and the access token."""
    location = back.headers["location"]
    assert location.startswith(RP), location
    query = dict(httpx.URL(location).params)
    assert "code" in query, query
    token = await browser.client.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": RP,
            "code_verifier": request.verifier,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": rp.key.assertion(rp.client_id, ISSUER),
        },
    )
    assert token.status_code == 200, token.text
    id_token = token.json()["id_token"]
    kid = jwt.get_unverified_header(id_token)["kid"]
    jwk = next(k for k in broker.state.keys.jwks()["keys"] if k["kid"] == kid)
    claims = jwt.decode(
        id_token,
        jwt.PyJWK(jwk).key,
        algorithms=["RS256"],
        audience=rp.client_id,
        issuer=ISSUER,
    )
    assert claims["nonce"] == request.nonce
    return claims, token.json()["access_token"]


async def grant(browser: Browser, agent: str, service_id: str, **overrides: Any) -> httpx.Response:
    import datetime as dt

    body = {
        "agent": {"kind": "bsn", "value": agent},
        "services": [service_id],
        "valid_until": (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat(),
        **overrides,
    }
    return await browser.client.post("/api/v1/mandates", json=body, headers=API_HEADERS)


class LogoutReceiver:
    """The client's back-channel logout endpoint, attached at ``https://rp.example``."""

    def __init__(self, broker: BrokerFixture) -> None:
        self.tokens: list[str] = []

        async def logout(request: Request) -> Response:
            form = await request.form()
            self.tokens.append(str(form["logout_token"]))
            return Response(status_code=200)

        broker.transport.attach(
            RP_ORIGIN, Starlette(routes=[Route("/logout", logout, methods=["POST"])])
        )

    def claims(self) -> list[dict[str, Any]]:
        return [jwt.decode(t, options={"verify_signature": False}) for t in self.tokens]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    schema = "test_repr_" + secrets.token_hex(6)
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
