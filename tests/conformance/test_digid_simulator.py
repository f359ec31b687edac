"""Drive the DigiD simulator the way a service provider does: signed redirect AuthnRequest, login
form, artifact on the ACS, signed SOAP ArtifactResolve, then check every signature and field."""

from __future__ import annotations

import base64
import datetime as dt
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree, html
from signxml.algorithms import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConstructionMethod,
    SignatureMethod,
)
from signxml.signer import XMLSigner
from signxml.verifier import SignatureConfiguration, XMLVerifier
from starlette.applications import Starlette
from starlette.routing import Mount

from broker.assurance import Level
from broker.keys import self_signed_certificate
from conformance.digid import DigidSimulator, SimulatorSettings
from conformance.digid.artifact import source_id
from conformance.digid.texts import TEXTS

BASE = "http://sim.test/sim/digid"
SP = "urn:test:sp"
ACS = "https://sp.test/saml/acs"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
NS = {"samlp": SAMLP, "saml": SAML, "ds": DS, "soap": SOAP}
EXPECT = SignatureConfiguration(
    signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
)


# -- fixtures ------------------------------------------------------------------------------


class Party:
    def __init__(self, name: str) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.cert_pem = self_signed_certificate(self.key, name)


@pytest.fixture(scope="module")
def sp() -> Party:
    return Party("test SP")


@pytest.fixture(scope="module")
def other_sp() -> Party:
    return Party("other SP")


@pytest.fixture(scope="module")
def idp_key() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, self_signed_certificate(key, "sim")


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_sim(
    sp: Party, other_sp: Party, idp_key: tuple[rsa.RSAPrivateKey, bytes], clock: Clock
) -> Callable[..., DigidSimulator]:
    def make(**options: Any) -> DigidSimulator:
        settings = SimulatorSettings(
            base_url=BASE,
            key=idp_key[0],
            cert_pem=idp_key[1],
            sp_certificates={SP: [sp.cert_pem], "urn:test:other": [other_sp.cert_pem]},
            **options,
        )
        return DigidSimulator(settings, clock=clock)

    return make


@pytest.fixture
def sim(make_sim: Callable[..., DigidSimulator]) -> DigidSimulator:
    return make_sim()


def client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim.test")


@pytest.fixture
async def client(sim: DigidSimulator) -> Any:
    async with client_for(sim.app) as c:
        yield c


# -- SP-side helpers -----------------------------------------------------------------------


def authn_request(
    *,
    issuer: str = SP,
    level: Level | None = Level.LOW,
    destination: str = BASE + "/sso",
    request_id: str = "_req1",
    prolog: str = "",
    force_authn: bool = False,
) -> bytes:
    requested = (
        ""
        if level is None
        else (
            '<samlp:RequestedAuthnContext Comparison="minimum">'
            f"<saml:AuthnContextClassRef>{level.digid_class_ref}</saml:AuthnContextClassRef>"
            "</samlp:RequestedAuthnContext>"
        )
    )
    return (
        f"{prolog}<samlp:AuthnRequest xmlns:samlp='{SAMLP}' xmlns:saml='{SAML}' "
        f"ID='{request_id}' Version='2.0' IssueInstant='2026-01-01T00:00:00Z' "
        f"Destination='{destination}' AssertionConsumerServiceURL='{ACS}' "
        "ProtocolBinding='urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact' "
        f"ForceAuthn='{'true' if force_authn else 'false'}'>"
        f"<saml:Issuer>{issuer}</saml:Issuer>{requested}</samlp:AuthnRequest>"
    ).encode()


def redirect_query(
    xml: bytes,
    key: rsa.RSAPrivateKey | None,
    *,
    relay_state: str | None = "state-123",
    sig_alg: str = RSA_SHA256,
) -> str:
    deflater = zlib.compressobj(wbits=-15)
    encoded = base64.b64encode(deflater.compress(xml) + deflater.flush()).decode()
    query = "SAMLRequest=" + quote_plus(encoded)
    if relay_state is not None:
        query += "&RelayState=" + quote_plus(relay_state)
    if key is None:
        return query
    query += "&SigAlg=" + quote_plus(sig_alg)
    signature = key.sign(query.encode(), padding.PKCS1v15(), hashes.SHA256())
    return query + "&Signature=" + quote_plus(base64.b64encode(signature).decode())


def sign_after_issuer(element: etree._Element, key: rsa.RSAPrivateKey, cert: bytes) -> bytes:
    issuer = element.find(f"{{{SAML}}}Issuer")
    assert issuer is not None
    issuer.addnext(etree.Element(f"{{{DS}}}Signature", Id="placeholder", nsmap={"ds": DS}))
    signed = XMLSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    ).sign(element, key=key, cert=cert.decode(), reference_uri="#" + element.get("ID", ""))
    return etree.tostring(signed)


def artifact_resolve(
    artifact: str, party: Party | None, *, issuer: str = SP, request_id: str = "_resolve1"
) -> bytes:
    resolve = etree.Element(
        f"{{{SAMLP}}}ArtifactResolve",
        nsmap={"samlp": SAMLP, "saml": SAML},
        ID=request_id,
        Version="2.0",
        IssueInstant="2026-01-01T00:00:00Z",
        Destination=BASE + "/artifact",
    )
    etree.SubElement(resolve, f"{{{SAML}}}Issuer").text = issuer
    etree.SubElement(resolve, f"{{{SAMLP}}}Artifact").text = artifact
    inner = (
        etree.tostring(resolve)
        if party is None
        else sign_after_issuer(resolve, party.key, party.cert_pem)
    )
    return (
        f"<soap:Envelope xmlns:soap='{SOAP}'><soap:Body>".encode()
        + inner
        + b"</soap:Body></soap:Envelope>"
    )


async def show_form(client: httpx.AsyncClient, sp: Party, **kwargs: Any) -> tuple[str, Any]:
    response = await client.get("/sso?" + redirect_query(authn_request(**kwargs), sp.key))
    assert response.status_code == 200, response.text
    page = html.fromstring(response.text)
    return page.xpath("//input[@name='request_key']/@value")[0], page


async def login(
    client: httpx.AsyncClient,
    sp: Party,
    *,
    level: str = "substantieel",
    action: str = "login",
    **kwargs: Any,
) -> dict[str, list[str]]:
    key, _ = await show_form(client, sp, **kwargs)
    response = await client.post(
        "/sso", data={"request_key": key, "bsn": "999999990", "level": level, "action": action}
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(ACS + "?")
    return parse_qs(urlsplit(location).query)


async def resolve(
    client: httpx.AsyncClient, body: bytes, content_type: str = "text/xml"
) -> etree._Element:
    response = await client.post("/artifact", content=body, headers={"content-type": content_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    envelope = etree.fromstring(response.content)
    artifact_response = envelope.find("soap:Body/samlp:ArtifactResponse", NS)
    assert artifact_response is not None
    return artifact_response


def verify(element: etree._Element, cert_pem: bytes) -> etree._Element:
    result = XMLVerifier().verify(element, x509_cert=cert_pem.decode(), expect_config=EXPECT)
    assert not isinstance(result, list)
    assert result.signed_xml is not None
    return result.signed_xml


def status_codes(element: etree._Element) -> list[str]:
    return [
        code.get("Value", "") for code in element.iterfind("samlp:Status//samlp:StatusCode", NS)
    ]


def assert_signature_after_issuer(element: etree._Element) -> None:
    children = list(element)
    assert children[0].tag == f"{{{SAML}}}Issuer"
    assert children[1].tag == f"{{{DS}}}Signature"


# -- the happy path ------------------------------------------------------------------------


async def test_login_form_fields(client: httpx.AsyncClient, sp: Party) -> None:
    _, page = await show_form(client, sp)
    assert page.get("lang") == "nl"
    assert page.xpath("//body/@class") == ["voorbeeld-theme utrecht-document"]
    assert len(page.xpath("//h1")) == 1
    assert "Simulator — geen echte DigiD" in page.text_content()
    bsn = page.xpath("//input[@name='bsn']")[0]
    assert bsn.get("value") == "999999990" and bsn.get("autocomplete") == "off"
    assert page.xpath("//label[@for='bsn']")
    levels = page.xpath("//fieldset//input[@name='level']")
    assert [i.get("value") for i in levels] == ["basis", "midden", "substantieel", "hoog"]
    assert [i.get("value") for i in levels if i.get("checked") is not None] == ["midden"]
    assert page.xpath("//button[@name='action']/@value") == ["login", "cancel"]
    assert page.xpath("//a[contains(@class,'utrecht-skip-link')]/@href") == ["#main"]
    assert page.xpath("//main[@id='main']") and page.xpath("//header") and page.xpath("//footer")
    assert not page.xpath("//script") and not page.xpath("//*[@style]")


async def test_full_flow_signed_response(
    client: httpx.AsyncClient, sp: Party, idp_key: tuple[rsa.RSAPrivateKey, bytes]
) -> None:
    params = await login(client, sp, level="substantieel")
    assert params["RelayState"] == ["state-123"]
    artifact = params["SAMLart"][0]
    raw = base64.b64decode(artifact)
    assert len(raw) == 44 and raw[:4] == b"\x00\x04\x00\x00"
    assert raw[4:24] == source_id("urn:toegang:sim:digid")

    artifact_response = await resolve(client, artifact_resolve(artifact, sp))
    assert artifact_response.get("InResponseTo") == "_resolve1"
    assert_signature_after_issuer(artifact_response)
    signed = verify(artifact_response, idp_key[1])
    assert status_codes(signed) == ["urn:oasis:names:tc:SAML:2.0:status:Success"]

    response = signed.find("samlp:Response", NS)
    assert response is not None
    assert response.get("InResponseTo") == "_req1" and response.get("Destination") == ACS
    assertions = response.findall("saml:Assertion", NS)
    assert len(assertions) == 1
    assertion = assertions[0]
    assert_signature_after_issuer(assertion)
    verify(assertion, idp_key[1])
    assert assertion.findtext("saml:Subject/saml:NameID", namespaces=NS) == "s00000000:999999990"
    confirmation = assertion.find("saml:Subject/saml:SubjectConfirmation", NS)
    assert confirmation is not None
    assert confirmation.get("Method") == "urn:oasis:names:tc:SAML:2.0:cm:bearer"
    data = confirmation.find("saml:SubjectConfirmationData", NS)
    assert data is not None
    assert data.get("InResponseTo") == "_req1" and data.get("Recipient") == ACS
    not_on_or_after = dt.datetime.strptime(data.get("NotOnOrAfter", ""), "%Y-%m-%dT%H:%M:%SZ")
    assert not_on_or_after.replace(tzinfo=dt.UTC) > dt.datetime.now(dt.UTC)
    audience = "saml:Conditions/saml:AudienceRestriction/saml:Audience"
    assert assertion.findtext(audience, namespaces=NS) == SP
    class_ref = "saml:AuthnStatement/saml:AuthnContext/saml:AuthnContextClassRef"
    assert assertion.findtext(class_ref, namespaces=NS) == Level.SUBSTANTIAL.digid_class_ref

    again = await resolve(client, artifact_resolve(artifact, sp, request_id="_resolve2"))
    verify(again, idp_key[1])
    assert status_codes(again) == ["urn:oasis:names:tc:SAML:2.0:status:Success"]
    assert again.find("samlp:Response", NS) is None


async def test_level_below_minimum_is_returned(client: httpx.AsyncClient, sp: Party) -> None:
    key, page = await show_form(client, sp, level=Level.HIGH)
    assert page.xpath("//input[@name='level'][@checked]/@value") == ["hoog"]
    response = await client.post(
        "/sso", data={"request_key": key, "bsn": "999999990", "level": "basis", "action": "login"}
    )
    artifact = parse_qs(urlsplit(response.headers["location"]).query)["SAMLart"][0]
    answer = await resolve(client, artifact_resolve(artifact, sp))
    class_ref = ".//saml:AuthnContextClassRef"
    assert answer.findtext(class_ref, namespaces=NS) == Level.BASIC.digid_class_ref


async def test_cancel_gives_authn_failed(
    client: httpx.AsyncClient, sp: Party, idp_key: tuple[rsa.RSAPrivateKey, bytes]
) -> None:
    params = await login(client, sp, action="cancel")
    answer = await resolve(client, artifact_resolve(params["SAMLart"][0], sp))
    signed = verify(answer, idp_key[1])
    response = signed.find("samlp:Response", NS)
    assert response is not None
    assert status_codes(response) == [
        "urn:oasis:names:tc:SAML:2.0:status:Responder",
        "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed",
    ]
    assert response.findtext("samlp:Status/samlp:StatusMessage", namespaces=NS) == (
        "Authentication cancelled"
    )
    assert response.find("saml:Assertion", NS) is None


async def test_english_page_and_language_switch(client: httpx.AsyncClient, sp: Party) -> None:
    key, page = await show_form(client, sp)
    switch = page.xpath("//a[@hreflang='en']/@href")[0]
    response = await client.get("/sso" + switch)
    english = html.fromstring(response.text)
    assert english.get("lang") == "en"
    assert "Simulator — not the real DigiD" in english.text_content()
    assert english.xpath("//button[@value='login']")[0].text_content().strip() == "Log in"
    assert english.xpath("//input[@name='request_key']/@value") == [key]


# -- refusals on the front channel -----------------------------------------------------------


async def test_unsigned_request_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/sso?" + redirect_query(authn_request(), None))
    assert response.status_code == 400 and "location" not in response.headers
    assert "not signed" in response.text


async def test_wrongly_signed_request_refused(client: httpx.AsyncClient, other_sp: Party) -> None:
    response = await client.get("/sso?" + redirect_query(authn_request(), other_sp.key))
    assert response.status_code == 400 and "location" not in response.headers


async def test_tampered_relay_state_refused(client: httpx.AsyncClient, sp: Party) -> None:
    query = redirect_query(authn_request(), sp.key).replace("state-123", "state-999")
    response = await client.get("/sso?" + query)
    assert response.status_code == 400


async def test_sha1_sigalg_refused(client: httpx.AsyncClient, sp: Party) -> None:
    query = redirect_query(
        authn_request(), sp.key, sig_alg="http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    )
    assert (await client.get("/sso?" + query)).status_code == 400


async def test_unknown_sp_refused(client: httpx.AsyncClient, sp: Party) -> None:
    query = redirect_query(authn_request(issuer="urn:test:stranger"), sp.key)
    response = await client.get("/sso?" + query)
    assert response.status_code == 400 and "unknown service provider" in response.text


async def test_wrong_destination_refused(client: httpx.AsyncClient, sp: Party) -> None:
    query = redirect_query(authn_request(destination="https://elsewhere/sso"), sp.key)
    assert (await client.get("/sso?" + query)).status_code == 400


async def test_doctype_refused(client: httpx.AsyncClient, sp: Party) -> None:
    prolog = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    response = await client.get("/sso?" + redirect_query(authn_request(prolog=prolog), sp.key))
    assert response.status_code == 400 and "DOCTYPE" in response.text
    assert "root:" not in response.text


async def test_bad_bsn_reshows_form(client: httpx.AsyncClient, sp: Party) -> None:
    key, _ = await show_form(client, sp)
    response = await client.post(
        "/sso", data={"request_key": key, "bsn": "123456789", "level": "midden", "action": "login"}
    )
    assert response.status_code == 422 and "location" not in response.headers
    page = html.fromstring(response.text)
    assert (page.findtext(".//title") or "").startswith("Fout: ")
    assert page.xpath("//div[@role='alert']//a/@href") == ["#bsn"]
    field = page.xpath("//input[@name='bsn']")[0]
    assert field.get("aria-invalid") == "true" and field.get("value") == "123456789"
    assert "bsn-error" in field.get("aria-describedby").split()
    assert page.xpath("//*[@id='bsn-error']")
    assert page.xpath("//input[@name='level'][@checked]/@value") == ["midden"]
    # the same form still works after the correction
    fixed = await client.post(
        "/sso", data={"request_key": key, "bsn": "999999047", "level": "midden", "action": "login"}
    )
    assert fixed.status_code == 303


async def test_request_key_is_single_use(client: httpx.AsyncClient, sp: Party) -> None:
    key, _ = await show_form(client, sp)
    form = {"request_key": key, "bsn": "999999990", "level": "basis", "action": "login"}
    assert (await client.post("/sso", data=form)).status_code == 303
    assert (await client.post("/sso", data=form)).status_code == 400


# -- refusals on the back channel ----------------------------------------------------------


async def test_unsigned_resolve_denied(client: httpx.AsyncClient, sp: Party) -> None:
    params = await login(client, sp)
    answer = await resolve(client, artifact_resolve(params["SAMLart"][0], None))
    assert status_codes(answer)[1] == "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"
    assert answer.find("samlp:Response", NS) is None


async def test_resolve_by_other_sp_gets_nothing(
    client: httpx.AsyncClient, sp: Party, other_sp: Party
) -> None:
    artifact = (await login(client, sp))["SAMLart"][0]
    stolen = await resolve(client, artifact_resolve(artifact, other_sp, issuer="urn:test:other"))
    assert stolen.find("samlp:Response", NS) is None
    mine = await resolve(client, artifact_resolve(artifact, sp))
    assert mine.find("samlp:Response", NS) is not None


async def test_resolve_signed_with_wrong_key_denied(
    client: httpx.AsyncClient, sp: Party, other_sp: Party
) -> None:
    artifact = (await login(client, sp))["SAMLart"][0]
    answer = await resolve(client, artifact_resolve(artifact, other_sp, issuer=SP))
    assert "urn:oasis:names:tc:SAML:2.0:status:RequestDenied" in status_codes(answer)


async def test_expired_artifact(client: httpx.AsyncClient, sp: Party, clock: Clock) -> None:
    artifact = (await login(client, sp))["SAMLart"][0]
    clock.now += dt.timedelta(seconds=901)
    answer = await resolve(client, artifact_resolve(artifact, sp))
    assert answer.find("samlp:Response", NS) is None


async def test_soap_content_types(client: httpx.AsyncClient, sp: Party) -> None:
    artifact = (await login(client, sp))["SAMLart"][0]
    body = artifact_resolve(artifact, sp)
    refused = await client.post("/artifact", content=body, headers={"content-type": "text/plain"})
    assert refused.status_code == 415
    answer = await resolve(client, body, "application/soap+xml; charset=utf-8")
    assert answer.find("samlp:Response", NS) is not None


async def test_resolve_doctype_is_fault(client: httpx.AsyncClient) -> None:
    body = b'<!DOCTYPE x [<!ENTITY e "e">]><soap:Envelope xmlns:soap="' + SOAP.encode() + b'"/>'
    response = await client.post("/artifact", content=body, headers={"content-type": "text/xml"})
    assert response.status_code == 500 and b"Fault" in response.content


async def test_mtls_required(make_sim: Callable[..., DigidSimulator], sp: Party) -> None:
    sim = make_sim(require_mtls=True)

    def with_tls(cert: bytes) -> Any:
        async def app(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                tls = {"client_cert_chain": [cert.decode()], "client_cert_error": None}
                scope = {**scope, "extensions": {**scope.get("extensions", {}), "tls": tls}}
            await sim.app(scope, receive, send)

        return app

    async with client_for(sim.app) as plain:
        artifact = (await login(plain, sp))["SAMLart"][0]
        body = artifact_resolve(artifact, sp)
        refused = await plain.post("/artifact", content=body, headers={"content-type": "text/xml"})
        assert refused.status_code == 403
    async with client_for(with_tls(Party("intruder").cert_pem)) as wrong:
        response = await wrong.post("/artifact", content=body, headers={"content-type": "text/xml"})
        assert response.status_code == 403
    async with client_for(with_tls(sp.cert_pem)) as mutual:
        assert (await resolve(mutual, body)).find("samlp:Response", NS) is not None


# -- metadata, settings, mounting ----------------------------------------------------------


async def test_metadata(
    client: httpx.AsyncClient, idp_key: tuple[rsa.RSAPrivateKey, bytes]
) -> None:
    response = await client.get("/metadata")
    root = etree.fromstring(response.content)
    md = {"md": "urn:oasis:names:tc:SAML:2.0:metadata", "ds": DS}
    assert root.get("entityID") == "urn:toegang:sim:digid"
    sso = root.find("md:IDPSSODescriptor/md:SingleSignOnService", md)
    ars = root.find("md:IDPSSODescriptor/md:ArtifactResolutionService", md)
    assert sso is not None and sso.get("Location") == BASE + "/sso"
    assert ars is not None and ars.get("Location") == BASE + "/artifact" and ars.get("index") == "0"
    cert = root.findtext(".//md:KeyDescriptor[@use='signing']//ds:X509Certificate", namespaces=md)
    assert cert is not None and cert in idp_key[1].decode().replace("\n", "")


def test_generate_with_keys_dir(tmp_path: Path) -> None:
    first = SimulatorSettings.generate("http://127.0.0.1:8081", keys_dir=tmp_path)
    assert os.stat(tmp_path / "digid-sim.key").st_mode & 0o777 == 0o600
    second = SimulatorSettings.generate("http://127.0.0.1:8081", keys_dir=tmp_path)
    assert first.cert_pem == second.cert_pem == (tmp_path / "digid-sim.crt").read_bytes()


def test_invalid_default_bsn_refused(idp_key: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    with pytest.raises(ValueError, match="BSN"):
        SimulatorSettings(base_url=BASE, key=idp_key[0], cert_pem=idp_key[1], default_bsn="1")


def test_texts_complete() -> None:
    assert TEXTS["nl"].keys() == TEXTS["en"].keys()


async def test_mounted_in_parent_app(sim: DigidSimulator, sp: Party) -> None:
    parent = Starlette(routes=[Mount("/sim/digid", app=sim.app)])
    async with client_for(parent) as c:
        response = await c.get("/sim/digid/sso?" + redirect_query(authn_request(), sp.key))
        assert response.status_code == 200
        action = html.fromstring(response.text).xpath("//form/@action")[0]
        assert action == "/sim/digid/sso"
