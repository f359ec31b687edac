"""The SAML messages of one login through each SAML means (and a cancel at each simulator),
recorded in-process, and a check of any of them against the official OASIS/W3C/eIDAS schemas.

The schemas are the local copies pysaml2 ships (``saml2.data.schemas``), loaded by its own
``saml2.xml.schema`` validator: no network access, and an opinion that is not the broker's own.
"""

from __future__ import annotations

import base64
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import httpx
from broker_harness import BrokerFixture, make_config
from lxml import etree
from saml2.xml.schema import XMLSchemaError, validate
from support import ISSUER, ClientKey, LoopbackTransport, auth_params, choose_means, parse_form

from broker.app import create_app
from broker.assurance import Level
from broker.saml.encryption import decrypt_element
from broker.saml.xml import NS_SAML, tag
from broker.store import MemoryStore

RP = "https://rp.example/cb"
SAML_MEANS = ("digid", "eherkenning", "eidas")
# The pages each simulator shows, with the tester's answers; the eIDAS login passes through
# the broker's POST page, the node's form, its POST back and the broker's same-site page.
_LOGIN_ANSWERS: dict[str, list[dict[str, str]]] = {
    "digid": [{"bsn": "999999990", "level": "substantieel", "action": "login"}],
    "eherkenning": [
        {"company": "90000002", "level": "loa3", "intermediary": "90000010", "action": "login"}
    ],
    "eidas": [{}, {"person": "de-mueller", "level": "high", "action": "login"}, {}, {}],
}


class RecordingTransport(LoopbackTransport):
    """The loopback transport, also keeping every answer body (the back channel's answers)."""

    def __init__(self) -> None:
        super().__init__()
        self.exchanges: list[tuple[httpx.Request, bytes]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        body = await response.aread()
        self.exchanges.append((request, body))
        return httpx.Response(response.status_code, headers=response.headers, content=body)


@dataclass
class Traffic:
    """The SAML messages by means, in the order they were sent: the broker's metadata, requests
    and ArtifactResolves; the simulators' metadata and answers (Responses, SOAP
    ArtifactResponses and Faults); and the NameIDs the eHerkenning simulator encrypted."""

    sp_metadata: dict[str, bytes] = field(default_factory=dict)
    idp_metadata: dict[str, bytes] = field(default_factory=dict)
    authn_requests: dict[str, list[bytes]] = field(default_factory=dict)
    artifact_resolves: dict[str, list[bytes]] = field(default_factory=dict)
    answers: dict[str, list[bytes]] = field(default_factory=dict)
    decrypted_ids: list[etree._Element] = field(default_factory=list)


def schema_error(document: bytes | etree._Element) -> str | None:
    """Why ``document`` breaks the SAML/XML-DSig/XML-Enc/SOAP/eIDAS schemas; None when valid."""
    root = etree.fromstring(document) if isinstance(document, bytes) else document
    try:
        validate(root)
    except XMLSchemaError as exc:
        return str(exc.args[0]["error"])
    return None


def _form(content: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(content.decode("ascii")).items()}


def _sort(traffic: Traffic, transport: RecordingTransport) -> None:
    """File each recorded SAML message under its means, by the simulator endpoint it went to."""
    for request, body in transport.exchanges:
        path = request.url.path
        means = next((m for m in SAML_MEANS if path.startswith(f"/sim/{m}/")), None)
        if path == "/means/eidas/acs":
            saml_response = base64.b64decode(_form(request.content)["SAMLResponse"])
            traffic.answers.setdefault("eidas", []).append(saml_response)
        if means is None:
            continue
        query = parse_qs(request.url.query.decode("ascii"))
        if path.endswith("/sso") and request.method == "GET" and "SAMLRequest" in query:
            encoded = query["SAMLRequest"][0]
            xml = zlib.decompress(base64.b64decode(encoded), -15)  # raw DEFLATE, Bindings §3.4.4
            traffic.authn_requests.setdefault(means, []).append(xml)
        elif path.endswith("/sso") and request.method == "POST" and means == "eidas":
            fields = _form(request.content)
            if "SAMLRequest" in fields:
                xml = base64.b64decode(fields["SAMLRequest"])
                traffic.authn_requests.setdefault(means, []).append(xml)
        elif path.endswith("/artifact"):
            traffic.artifact_resolves.setdefault(means, []).append(request.content)
            traffic.answers.setdefault(means, []).append(body)


async def _walk(fixture: BrokerFixture, client_id: str, means: str, answers: list[dict[str, str]]
                ) -> httpx.Response:
    """Authorize, pick ``means`` and answer its pages; the final redirect to the RP."""
    browser = fixture.browser()
    async with browser.client:
        page = await browser.follow(
            await browser.client.get("/authorize?" + urlencode(auth_params(client_id, RP).params)),
            stop_at=RP,
        )
        page = await choose_means(browser, page, means)
        for answer in answers:
            assert page.status_code == 200, (means, page.status_code, page.headers)
            action, values = parse_form(page.text)
            values.update(answer)
            target = str(page.url.join(action)) if action else str(page.url)
            page = await browser.follow(await browser.client.post(target, data=values), stop_at=RP)
    return page


async def record_traffic(tmp_path: Path, key_dir: Path) -> Traffic:
    """Run a login and a cancel through each SAML means and its simulator; sort what was said."""
    transport = RecordingTransport()
    http = httpx.AsyncClient(transport=transport)
    config = make_config(tmp_path, key_dir)
    app = create_app(config, http=http, store=MemoryStore(), demo=True)
    transport.attach(ISSUER, app)
    fixture = BrokerFixture(app, config, transport, http)
    client_id, _ = fixture.add_client(ClientKey.rsa(), services=[Level.LOW])
    traffic = Traffic()
    try:
        for means, answers in _LOGIN_ANSWERS.items():
            cancel = [dict(a, action="cancel") if "action" in a else a for a in answers]
            for script, outcome in ((answers, "code="), (cancel, "error=access_denied")):
                done = await _walk(fixture, client_id, means, script)
                assert outcome in done.headers.get("location", ""), (means, done.status_code)
            async with fixture.browser().client as browser:
                traffic.sp_metadata[means] = (await browser.get(f"/means/{means}/metadata")).content
                traffic.idp_metadata[means] = (await browser.get(f"/sim/{means}/metadata")).content
        _sort(traffic, transport)
        for means in ("digid", "eherkenning"):
            traffic.answers[means] += await _refusals(http, traffic.artifact_resolves[means][0])
    finally:
        await http.aclose()
    sp_entity_id = etree.fromstring(traffic.sp_metadata["eherkenning"]).get("entityID")
    for answer in traffic.answers["eherkenning"]:
        for container in etree.fromstring(answer).iter(tag(NS_SAML, "EncryptedID")):
            traffic.decrypted_ids.append(
                decrypt_element(container, fixture.state.keys.saml_key, recipient=sp_entity_id)
            )
    return traffic


async def _refusals(http: httpx.AsyncClient, resolve: bytes) -> list[bytes]:
    """The artifact endpoint's other answers: an already used artifact (empty ArtifactResponse),
    an unknown SP (RequestDenied), and a request it cannot read (SOAP Fault)."""
    url = etree.fromstring(resolve)[0][0].get("Destination")
    assert url is not None
    stranger = resolve.replace(b"<saml:Issuer>", b"<saml:Issuer>urn:stranger:")
    assert stranger != resolve
    answers = []
    for body, media_type in ((resolve, "text/xml"), (stranger, "text/xml"),
                             (resolve, "application/json")):
        answer = await http.post(url, content=body, headers={"Content-Type": media_type})
        answers.append(answer.content)
    return answers
