"""Fixtures for the SAML toolkit and DigiD tests: throwaway keys, a DigiD-like IdP that answers
ArtifactResolve over an in-process ASGI app, and a recording stand-in for the flow.

Messages are built here with the broker's own signing helper, so each test can change exactly
one thing (a value, a signature, an element's place) and expect exactly one rule to refuse it.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from broker.assurance import Level
from broker.errors import BrokerError
from broker.flow.model import Authentication, LoginRequest, Transaction
from broker.keys import self_signed_certificate
from broker.means.digid import DigidMeans, DigidSettings
from broker.saml import soap
from broker.saml.artifact import build_artifact
from broker.saml.messages import new_message_id
from broker.saml.signature import load_certificates, sign_enveloped, verify_enveloped
from broker.saml.timing import format_instant
from broker.saml.xml import (
    CM_BEARER,
    NS_DS,
    NS_SAML,
    NS_SAMLP,
    STATUS_SUCCESS,
    tag,
)
from broker.store import MemoryStore, Store
from conformance.digid.attacks import Signer, Target

IDP = "https://digid.example/saml/idp/metadata"
SP = "https://toegang.example/saml/digid/metadata"
ACS = "https://toegang.example/means/digid/acs"
SSO = "https://digid.example/saml/idp/request_authentication"
ARS = "https://digid.example/saml/idp/resolve_artifact"
BSN = "999999990"


KeyPair = Signer  # a private key and its certificate


def _keypair(common_name: str) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return KeyPair(key, self_signed_certificate(key, common_name))


@pytest.fixture(scope="session")
def idp_keys() -> KeyPair:
    return _keypair("DigiD test IdP")


@pytest.fixture(scope="session")
def sp_keys() -> KeyPair:
    return _keypair("Toegang test SP")


@pytest.fixture(scope="session")
def attacker_keys() -> KeyPair:
    # Same subject as the IdP certificate: SAML Raider's "clone certificate".
    return _keypair("DigiD test IdP")


def S(local: str) -> str:
    return tag(NS_SAML, local)


def P(local: str) -> str:
    return tag(NS_SAMLP, local)


def sub(parent: etree._Element, name: str, text: str | None = None,
        **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, name, attrs)
    if text is not None:
        element.text = text
    return element


def status(parent: etree._Element, code: str = STATUS_SUCCESS, sub_code: str | None = None,
           message: str | None = None) -> None:
    st = sub(parent, P("Status"))
    sc = sub(st, P("StatusCode"), Value=code)
    if sub_code is not None:
        sub(sc, P("StatusCode"), Value=sub_code)
    if message is not None:
        sub(st, P("StatusMessage"), message)


@dataclass
class Answer:
    """The knobs of one DigiD answer; defaults make a valid one."""

    request_id: str
    assertion_id: str = field(default_factory=new_message_id)
    issuer: str = IDP
    assertion_issuer: str = IDP
    name_id: str = f"s00000000:{BSN}"
    method: str = CM_BEARER
    recipient: str = ACS
    confirmation_in_response_to: str | None = None  # None: the request id
    confirmation_not_on_or_after: float = 300
    not_before: float = -30
    not_on_or_after: float = 300
    audience: str = SP
    class_ref: str = Level.SUBSTANTIAL.digid_class_ref
    session_index: str = "_session-1"
    session_not_on_or_after: float | None = None  # seconds from now; None: not sent
    destination: str | None = ACS
    response_in_response_to: str | None = None  # None: the request id
    status_code: str = STATUS_SUCCESS
    status_sub_code: str | None = None
    status_message: str | None = None
    with_assertion: bool = True
    assertion_signer: KeyPair | None = None  # None: the IdP; see sign_assertion
    sign_assertion: bool = True
    sign_response: bool = False
    outer_signer: KeyPair | None = None
    sign_outer: bool = True
    outer_in_response_to: str | None = None  # None: the resolve id
    empty: bool = False
    tamper_response: Callable[[etree._Element], etree._Element] | None = None
    tamper_outer: Callable[[etree._Element], etree._Element] | None = None
    tamper_body: Callable[[bytes], bytes] | None = None
    raw_body: bytes | None = None


class DigidIdp:
    """Builds DigiD answers to the message format contract and serves ArtifactResolve."""

    def __init__(self, idp: KeyPair, sp: KeyPair) -> None:
        self.keys = idp
        self.sp_certs = load_certificates([sp.cert_pem])
        self.pending: dict[str, Answer] = {}
        self.requests: list[Request] = []
        self.headers: list[dict[str, str]] = []

    # -- message construction --------------------------------------------------------------
    def assertion(self, a: Answer) -> etree._Element:
        now = time.time()
        assertion = etree.Element(
            S("Assertion"),
            {"ID": a.assertion_id, "Version": "2.0", "IssueInstant": format_instant(now)},
            nsmap={"saml": NS_SAML},
        )
        sub(assertion, S("Issuer"), a.assertion_issuer)
        subject = sub(assertion, S("Subject"))
        sub(subject, S("NameID"), a.name_id)
        confirmation = sub(subject, S("SubjectConfirmation"), Method=a.method)
        sub(
            confirmation,
            S("SubjectConfirmationData"),
            InResponseTo=a.confirmation_in_response_to or a.request_id,
            Recipient=a.recipient,
            NotOnOrAfter=format_instant(now + a.confirmation_not_on_or_after),
        )
        conditions = sub(
            assertion,
            S("Conditions"),
            NotBefore=format_instant(now + a.not_before),
            NotOnOrAfter=format_instant(now + a.not_on_or_after),
        )
        sub(sub(conditions, S("AudienceRestriction")), S("Audience"), a.audience)
        statement = sub(
            assertion, S("AuthnStatement"), AuthnInstant=format_instant(now - 5),
            SessionIndex=a.session_index,
        )
        if a.session_not_on_or_after is not None:
            statement.set("SessionNotOnOrAfter", format_instant(now + a.session_not_on_or_after))
        sub(sub(statement, S("AuthnContext")), S("AuthnContextClassRef"), a.class_ref)
        return assertion

    def signed_assertion(self, a: Answer) -> etree._Element:
        assertion = self.assertion(a)
        if not a.sign_assertion:
            return assertion
        signer = a.assertion_signer or self.keys
        return sign_enveloped(assertion, signer.key, signer.cert_pem)

    def response(self, a: Answer) -> etree._Element:
        attrs = {"ID": new_message_id(), "Version": "2.0", "IssueInstant": format_instant(),
                 "InResponseTo": a.response_in_response_to or a.request_id}
        if a.destination is not None:
            attrs["Destination"] = a.destination
        response = etree.Element(P("Response"), attrs, nsmap={"samlp": NS_SAMLP,
                                                                "saml": NS_SAML})
        sub(response, S("Issuer"), a.issuer)
        status(response, a.status_code, a.status_sub_code, a.status_message)
        if a.with_assertion:
            response.append(self.signed_assertion(a))
        if a.sign_response:
            response = sign_enveloped(response, self.keys.key, self.keys.cert_pem)
        if a.tamper_response is not None:
            response = a.tamper_response(response)
        return response

    def artifact_response(self, a: Answer | None, resolve_id: str) -> etree._Element:
        outer = etree.Element(
            P("ArtifactResponse"),
            {"ID": new_message_id(), "Version": "2.0", "IssueInstant": format_instant(),
             "InResponseTo": (a.outer_in_response_to if a else None) or resolve_id},
            nsmap={"samlp": NS_SAMLP, "saml": NS_SAML},
        )
        sub(outer, S("Issuer"), IDP)
        status(outer)
        if a is not None and not a.empty:
            outer.append(self.response(a))
        if a is None or a.sign_outer:
            signer = (a.outer_signer if a else None) or self.keys
            outer = sign_enveloped(outer, signer.key, signer.cert_pem)
        if a is not None and a.tamper_outer is not None:
            outer = a.tamper_outer(outer)
        return outer

    def issue(self, answer: Answer) -> str:
        """A fresh artifact whose resolution gives ``answer``."""
        artifact = build_artifact(IDP)
        self.pending[artifact] = answer
        return artifact

    # -- the ArtifactResolve endpoint ------------------------------------------------------
    async def resolve(self, request: Request) -> Response:
        self.requests.append(request)
        self.headers.append(dict(request.headers))
        received = soap.unwrap(await request.body())
        verified = verify_enveloped(received, self.sp_certs)  # the SP must sign
        resolve_id = verified.get("ID") or ""
        artifact = verified.findtext(P("Artifact")) or ""
        answer = self.pending.pop(artifact, None)  # one use (SAML Bindings §3.6.4)
        if answer is not None and answer.raw_body is not None:
            return Response(answer.raw_body, media_type="text/xml")
        if answer is None:
            body = soap.wrap(self.artifact_response(None, resolve_id))  # empty ArtifactResponse
        else:
            body = soap.wrap(self.artifact_response(answer, resolve_id))
            if answer.tamper_body is not None:
                body = answer.tamper_body(body)
        return Response(body, media_type="text/xml")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/saml/idp/resolve_artifact", self.resolve,
                                       methods=["POST"])])


class RecordingFlow:
    """A stand-in for the flow engine that records what the means hands it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.transactions: dict[str, Transaction] = {}
        self.completed: list[Authentication] = []
        self.failed: list[BrokerError] = []

    async def load(self, request: Request, transaction_id: str) -> Transaction:
        found = self.transactions.get(transaction_id)
        if found is None:
            raise BrokerError("Onbekend.", "unknown transaction", code="invalid_request")
        return Transaction.from_json(found.to_json())

    async def save(self, transaction: Transaction) -> None:
        self.transactions[transaction.id] = Transaction.from_json(transaction.to_json())

    async def complete(self, request: Request, transaction: Transaction,
                       authentication: Authentication) -> Response:
        self.completed.append(authentication)
        return JSONResponse({"done": True, "level": authentication.level.label})

    async def fail(self, request: Request, transaction: Transaction,
                   error: BrokerError) -> Response:
        self.failed.append(error)
        return JSONResponse({"error": error.code, "message": error.message_en}, status_code=400)


@dataclass
class World:
    """A DigiD means wired to the test IdP, with one transaction already started."""

    means: DigidMeans
    idp: DigidIdp
    flow: RecordingFlow
    store: MemoryStore
    transaction: Transaction
    http: httpx.AsyncClient
    sp: KeyPair

    @property
    def request_id(self) -> str:
        return str(self.transaction.means_state["digid"]["request_id"])

    def answer(self, **changes: Any) -> Answer:
        return Answer(request_id=self.request_id, **changes)

    async def login(self, answer: Answer | None = None) -> Authentication:
        artifact = self.idp.issue(answer or self.answer())
        return await self.means.authenticate(self.transaction, artifact)

    def app(self) -> Starlette:
        return Starlette(routes=[Mount("/means/digid", routes=self.means.routes())])


def make_settings(idp: KeyPair, sp: KeyPair, **changes: Any) -> DigidSettings:
    values: dict[str, Any] = {
        "sp_entity_id": SP,
        "acs_url": ACS,
        "idp_entity_id": IDP,
        "idp_sso_url": SSO,
        "idp_artifact_resolution_url": ARS,
        "idp_certificates": [idp.cert_pem],
        "sp_key": sp.key,
        "sp_cert_pem": sp.cert_pem,
        "clock_skew": 60,
    }
    values.update(changes)
    return DigidSettings(**values)


def new_transaction(level: Level = Level.SUBSTANTIAL, **changes: Any) -> Transaction:
    login = LoginRequest(client_id="c", service_id="s", required_level=level, protocol="oidc",
                         protocol_params={}, **changes)
    return Transaction(id=new_message_id(), request=login, created=int(time.time()),
                       browser_binding="b")


def plain_request(path: str = "/", query: bytes = b"") -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "headers": [],
                    "query_string": query, "app": Starlette()})


@pytest.fixture
async def world(idp_keys: KeyPair, sp_keys: KeyPair) -> Any:
    return await build_world(idp_keys, sp_keys)


async def build_world(idp_keys: KeyPair, sp_keys: KeyPair, level: Level = Level.SUBSTANTIAL,
                      shared_http: bool = True, **settings: Any) -> World:
    """With ``shared_http`` the means calls the IdP in-process through an injected client;
    without, over the network with its own back-channel client."""
    store = MemoryStore()
    idp = DigidIdp(idp_keys, sp_keys)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=idp.app()))
    means = DigidMeans(make_settings(idp_keys, sp_keys, **settings), store,
                       http_client=http if shared_http else None)
    flow = RecordingFlow(store)
    means.bind(flow)
    transaction = new_transaction(level)
    await means.start(plain_request(), transaction, flow)
    return World(means, idp, flow, store, flow.transactions[transaction.id], http, sp_keys)


@pytest.fixture
def world_factory(idp_keys: KeyPair, sp_keys: KeyPair) -> Callable[..., Any]:
    async def factory(level: Level = Level.SUBSTANTIAL, shared_http: bool = True,
                      **settings: Any) -> World:
        return await build_world(idp_keys, sp_keys, level, shared_http, **settings)
    return factory


def strip_signature(element: etree._Element) -> etree._Element:
    """A copy of ``element`` without its own (direct child) ds:Signature."""
    copied = copy.deepcopy(element)
    for signature in copied.findall(tag(NS_DS, "Signature")):
        copied.remove(signature)
    return copied


def only(iterable: Iterator[etree._Element] | list[etree._Element]) -> etree._Element:
    items = list(iterable)
    assert len(items) == 1
    return items[0]


def name_id_of(assertion: etree._Element) -> etree._Element:
    """The plain NameID that names the person in a DigiD assertion."""
    found = assertion.find(f"{S('Subject')}/{S('NameID')}")
    assert found is not None
    return found


@pytest.fixture
def attack_target(idp_keys: KeyPair, attacker_keys: KeyPair) -> Target:
    """DigiD as the shared SAML attack set (``conformance.digid.attacks``) sees it."""
    return Target(name_id_of, "s00000000:111222333", idp_keys, attacker_keys)


@pytest.fixture
def kit() -> Any:
    """This module's builders and constants, for tests (no cross-directory imports needed)."""
    import sys

    return sys.modules[__name__]
