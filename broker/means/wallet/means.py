"""The EU Digital Identity wallet as a login means: the broker is an OpenID4VP 1.0 verifier.

Flow (OpenID4VP 1.0 §5, §8.3, §13.3; HAIP 1.0 §"OpenID4VP via Redirects"):

1. ``start`` builds a signed request object (JAR, ``typ`` ``oauth-authz-req+jwt``, ``x5c``) with
   a DCQL query for the PID, a fresh nonce, state and ephemeral P-256 key, stores it
   (``records.py``) and sends the browser to the wallet page.
2. The wallet fetches the request at ``/request/{id}`` (GET, or POST with ``wallet_nonce``,
   §5.10) and posts the encrypted answer to ``/response`` (``direct_post.jwt``).
3. ``/response`` decrypts with *that* request's key, consumes ``state`` (single use), verifies the
   vp_token and stores the Authentication on the request.

Binding the result to the browser (session fixation, OpenID4VP §13.3 and attack catalogue §5.1):

* Same device: ``/response`` answers ``redirect_uri`` = ``/done/{id}?response_code=<fresh>``;
  ``/done`` releases the result only with that code *and* in the browser that started the
  transaction (``flow.load``). A victim's wallet answering an attacker's request sends the code to
  the victim's browser, which has no transaction; the attacker's browser has no code.
* Cross device: the QR code carries a *different* request id; a request fetched through it is a
  cross-device request, gets no ``redirect_uri``, and the polling browser moves on through the
  same-site ``/continue`` form (``flow.load`` + CSRF). This cannot be bound to the session: a
  phished person who scans an attacker's QR code logs the attacker in (OpenID4VP §13.3 says the
  mitigation "does not work" cross-device; HAIP recommends same-device only). Hence
  ``cross_device`` is configurable, off for services requiring *high* unless
  ``cross_device_for_high``, and a cross-device login is capped at *substantial* then, so single
  sign-on cannot later carry it to a *high* service.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from broker.assurance import Level
from broker.errors import BrokerError, LoginCancelled, LoginMeansError
from broker.flow.model import Authentication, Transaction, new_id
from broker.means.base import FlowControl, bound_flow
from broker.means.wallet.identity import VerifierIdentity
from broker.means.wallet.pages import (
    CUSTOM_SCHEME,
    HAIP_SCHEME,
    TEMPLATES,
    invocation_url,
    poll_script,
    qr_svg,
)
from broker.means.wallet.records import BY_CROSS_ID, BY_KID, WalletRequest, WalletRequests, key_pem
from broker.means.wallet.verification import PidVerifier
from broker.pages.i18n import locale_for, translate
from broker.pages.render import Renderer
from broker.pages.security import content_security_policy
from broker.store import Store
from wallet_adapters.encoding import b64url_decode, json_object
from wallet_adapters.errors import MalformedInput, WalletVerificationError
from wallet_adapters.jws import parse_compact, sign_compact
from wallet_adapters.openid4vp import (
    RequestContext,
    build_request_object,
    decrypt_response,
    parse_response_payload,
)
from wallet_adapters.openid4vp.request import REQUEST_TYP
from wallet_adapters.trust import x5c_value

log = logging.getLogger("toegang.means.wallet")

STATE_KEY = "wallet"
REQUEST_MEDIA_TYPE = "application/oauth-authz-req+jwt"
MAX_RESPONSE_BODY = 3 * 1024 * 1024  # above decrypt_response's 2 MiB JWE cap, then 413
MAX_REQUEST_BODY = 64 * 1024  # wallet_metadata + wallet_nonce
_WALLET_NONCE = re.compile(r"^[A-Za-z0-9._~-]{1,256}$")
NO_STORE = {"Cache-Control": "no-store"}
PAGE_CSP = content_security_policy() + "; connect-src 'self'"


@dataclass(frozen=True)
class WalletSettings:
    base_url: str  # absolute URL where the routes are mounted (…/means/wallet)
    identity: VerifierIdentity
    universal_link: str | None = None
    cross_device: bool = True
    cross_device_for_high: bool = False
    request_lifetime: int = 600
    simulator_url: str | None = None  # the test wallet (demo only)


class UnknownWalletRequest(BrokerError):
    status = 400

    def __init__(self) -> None:
        super().__init__(
            "Deze inlogpoging met de wallet is verlopen, al gebruikt of onbekend. Ga terug naar "
            "de dienst en begin opnieuw.",
            "This wallet login attempt has expired, was already used or is unknown. Go back to "
            "the service and start again.",
            code="invalid_request",
        )


def _expired_request() -> LoginMeansError:
    return LoginMeansError(
        "De inlogpoging met de wallet is verlopen. Begin opnieuw bij de dienst.",
        "The wallet login attempt has expired. Start again at the service.",
    )


def _not_verified() -> LoginMeansError:
    """What the person sees for any refused presentation; the reason goes to the log only."""
    return LoginMeansError(
        "De gegevens uit uw wallet konden niet worden gecontroleerd. Probeer het opnieuw.",
        "The data from your wallet could not be verified. Please try again.",
    )


def _json_error(status: int, description: str, error: str = "invalid_request") -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=NO_STORE
    )


class _TooLarge(Exception):
    pass


async def _read_form(request: Request, limit: int) -> dict[str, str]:
    """An urlencoded body read with a size cap; repeated or non-ASCII parameters are dropped."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge()
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise _TooLarge()
    try:
        parsed = parse_qs(body.decode("ascii"), max_num_fields=32)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {k: v[0] for k, v in parsed.items() if len(v) == 1}


class WalletMeans:
    """The ``wallet`` login means (implements ``broker.means.base.LoginMeans``)."""

    name = "wallet"
    labels = {  # noqa: RUF012 - protocol attribute
        "nl": "EU Digitale Identiteit (wallet)",
        "en": "EU Digital Identity wallet",
    }
    max_level = Level.HIGH

    def __init__(
        self,
        settings: WalletSettings,
        verifier: PidVerifier,
        store: Store,
        *,
        flow: FlowControl | None = None,
        renderer: Renderer | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.verifier = verifier
        self.store = store
        self.requests = WalletRequests(store, settings.request_lifetime)
        self._flow = flow
        self.renderer = renderer or Renderer([TEMPLATES])
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))
        self._base = settings.base_url.rstrip("/")
        self._path = urlsplit(self._base).path

    @property
    def sso_url(self) -> str:
        """Where ``start`` sends the browser: our own origin (nothing to add to form-action)."""
        return self._base + "/page"

    def bind(self, flow: FlowControl) -> None:
        self._flow = flow

    def _flow_for(self, request: Request) -> FlowControl:
        return bound_flow(self._flow, request, "WalletMeans")

    # -- LoginMeans ------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/page/{request_id}", self.page, methods=["GET"]),
            Route("/request/{request_id}", self.request_object, methods=["GET", "POST"]),
            Route("/response", self.response, methods=["POST"]),
            Route("/status/{request_id}", self.status, methods=["GET"]),
            Route("/done/{request_id}", self.done, methods=["GET"]),
            Route("/continue/{request_id}", self.continue_, methods=["POST"]),
            Route("/cancel/{request_id}", self.cancel, methods=["POST"]),
            Route("/poll.js", poll_script, methods=["GET"]),
        ]

    def cross_device_allowed(self, required: Level) -> bool:
        s = self.settings
        return s.cross_device and (required < Level.HIGH or s.cross_device_for_high)

    async def start(
        self, request: Request, transaction: Transaction, flow: FlowControl
    ) -> Response:
        """Create and store a signed request; send the browser to the wallet page."""
        if self._flow is None:
            self._flow = flow
        s = self.settings
        built = build_request_object(
            client_id=s.identity.client_id,
            response_uri=self._base + "/response",
            dcql_query=self.verifier.query,
            signing_key=s.identity.key,
            certificate_chain=s.identity.chain,
            lifetime=dt.timedelta(seconds=s.request_lifetime),
        )
        cross = self.cross_device_allowed(transaction.request.required_level)
        record = WalletRequest(
            id=new_id(),
            transaction=transaction.id,
            cross_id=new_id() if cross else None,
            client_id=built.client_id,
            nonce=built.nonce,
            state=built.state,
            response_uri=built.response_uri,
            dcql_query=built.dcql_query,
            payload=parse_compact(built.request_object).payload,
            enc_key_pem=key_pem(built.encryption_key),
            enc_kid=built.encryption_key.kid,
            csrf=new_id(24),
            created=int(time.time()),
        )
        await self.requests.create(record)
        transaction.means = self.name
        transaction.means_state[STATE_KEY] = {"request": record.id}
        await flow.save(transaction)
        return RedirectResponse(f"{self._path}/page/{record.id}", status_code=303)

    # -- the browser side -------------------------------------------------------------------
    async def _record_and_transaction(
        self, request: Request, request_id: str
    ) -> tuple[WalletRequest, Transaction]:
        record = await self.requests.get(request_id)
        if record is None:
            raise UnknownWalletRequest()
        transaction = await self._flow_for(request).load(request, record.transaction)
        return record, transaction

    async def page(self, request: Request) -> Response:
        record, transaction = await self._record_and_transaction(
            request, request.path_params["request_id"]
        )
        return self._render_page(request, record, transaction)

    def _render_page(
        self,
        request: Request,
        record: WalletRequest,
        transaction: Transaction,
        notice: str | None = None,
    ) -> Response:
        s = self.settings
        lang = locale_for(request)
        client_id = s.identity.client_id
        same_uri = f"{self._base}/request/{record.id}"
        links = [
            {
                "label": "wallet.same_device.open",
                "url": invocation_url(CUSTOM_SCHEME, client_id, same_uri),
            },
            {
                "label": "wallet.same_device.haip",
                "url": invocation_url(HAIP_SCHEME, client_id, same_uri),
            },
        ]
        if s.universal_link:
            links.append(
                {
                    "label": "wallet.same_device.universal",
                    "url": invocation_url(s.universal_link, client_id, same_uri),
                }
            )
        if s.simulator_url:
            links.append(
                {
                    "label": "wallet.sim.link",
                    "url": invocation_url(s.simulator_url + "/authorize", client_id, same_uri),
                }
            )
        qr = sim_cross = None
        if record.cross_id is not None:
            cross_uri = f"{self._base}/request/{record.cross_id}"
            qr = qr_svg(
                invocation_url(CUSTOM_SCHEME, client_id, cross_uri),
                translate(lang, "wallet.qr.label"),
            )
            if s.simulator_url:
                sim_cross = invocation_url(s.simulator_url + "/authorize", client_id, cross_uri)
        service = transaction.means_state.get("service", {})
        response = self.renderer.render(
            request,
            "wallet.html",
            {
                "service_name": service.get(lang) or service.get("nl", ""),
                "same_device_links": links,
                "qr_svg": qr,
                "sim_cross_link": sim_cross,
                "notice": notice,
                "status_url": f"{self._path}/status/{record.id}",
                "continue_url": f"{self._path}/continue/{record.id}",
                "cancel_url": f"{self._path}/cancel/{record.id}",
                "script_url": f"{self._path}/poll.js",
                "csrf": record.csrf,
                "transaction": transaction.id,
                "minutes": max(1, s.request_lifetime // 60),
            },
        )
        # The app-wide CSP has no connect-src (default-src 'none'), which would block the
        # status polling; the middleware keeps a policy the page set itself.
        response.headers["Content-Security-Policy"] = PAGE_CSP
        return response

    async def status(self, request: Request) -> Response:
        """Polled by the page (JSON); only for the browser that started the transaction."""
        record = await self.requests.get(request.path_params["request_id"])
        if record is not None:
            try:
                await self._flow_for(request).load(request, record.transaction)
            except BrokerError:
                record = None
        if record is None:
            return JSONResponse({"status": "gone"}, status_code=404, headers=NO_STORE)
        proceed = record.status == "failed" or (record.status == "done" and record.mode == "cross")
        return JSONResponse({"status": record.status, "continue": proceed}, headers=NO_STORE)

    async def _checked_form(
        self, request: Request
    ) -> tuple[WalletRequest, Transaction] | Response:
        """The request and its login for a form of the wallet page; a response instead when
        the request is gone but the login is still this browser's."""
        form = await request.form()
        record = await self.requests.get(request.path_params["request_id"])
        if record is None:
            return await self._expired(request, form.get("transaction"))
        transaction = await self._flow_for(request).load(request, record.transaction)
        csrf = form.get("csrf")
        if not isinstance(csrf, str) or not hmac.compare_digest(csrf, record.csrf):
            raise UnknownWalletRequest()
        return record, transaction

    async def _expired(self, request: Request, transaction_id: object) -> Response:
        """The wallet request is gone (its lifetime passed): when the login it belonged to is
        still this browser's, the person goes back to the service with an OAuth error instead
        of stopping at an error page."""
        if not isinstance(transaction_id, str) or not transaction_id:
            raise UnknownWalletRequest()
        flow = self._flow_for(request)
        try:
            transaction = await flow.load(request, transaction_id)
        except BrokerError:
            raise UnknownWalletRequest() from None
        return await flow.fail(request, transaction, _expired_request())

    async def continue_(self, request: Request) -> Response:
        """Cross-device completion (and the no-JavaScript fallback): same-site form POST."""
        checked = await self._checked_form(request)
        if isinstance(checked, Response):
            return checked
        record, transaction = checked
        if record.status == "pending":
            return self._render_page(request, record, transaction, "wallet.continue.not_yet")
        if record.status == "done" and record.mode != "cross":
            # Same device: only the wallet's redirect with the response_code releases it.
            return self._render_page(request, record, transaction, "wallet.status.done_elsewhere")
        return await self._finish(request, transaction, record.id)

    async def done(self, request: Request) -> Response:
        """Same-device return (the wallet's redirect_uri): needs the response_code and the
        browser that started the transaction (OpenID4VP §13.3; attack catalogue §5.1)."""
        record = await self.requests.get(request.path_params["request_id"])
        code = request.query_params.get("response_code", "")
        if (
            record is None
            or record.mode == "cross"
            or record.response_code is None
            or not hmac.compare_digest(code.encode(), record.response_code.encode())
        ):
            raise UnknownWalletRequest()
        transaction = await self._flow_for(request).load(request, record.transaction)
        return await self._finish(request, transaction, record.id)

    async def cancel(self, request: Request) -> Response:
        checked = await self._checked_form(request)
        if isinstance(checked, Response):
            return checked
        record, transaction = checked
        await self.requests.take(record.id)
        return await self._flow_for(request).fail(request, transaction, LoginCancelled())

    async def _finish(
        self, request: Request, transaction: Transaction, request_id: str
    ) -> Response:
        flow = self._flow_for(request)
        record = await self.requests.take(request_id)  # a result is released once
        if record is None or record.status == "pending":
            raise UnknownWalletRequest()
        if record.status == "done" and record.authentication is not None:
            authentication = Authentication.from_json(record.authentication)
            return await flow.complete(request, transaction, authentication)
        if record.error == "access_denied":
            return await flow.fail(request, transaction, LoginCancelled())
        return await flow.fail(request, transaction, _not_verified())

    # -- the wallet side --------------------------------------------------------------------
    async def request_object(self, request: Request) -> Response:
        """request_uri (OpenID4VP §5.10): the signed request object, re-signed per fetch so a
        POSTed ``wallet_nonce`` is echoed; the first fetch fixes same- or cross-device."""
        request_id = request.path_params["request_id"]
        record, mode = await self.requests.get(request_id), "same"
        if record is None:
            rid = await self.requests.id_by(BY_CROSS_ID, request_id)
            record, mode = (await self.requests.get(rid) if rid else None), "cross"
        if record is None or record.status != "pending":
            return PlainTextResponse("unknown or expired request", 404, headers=NO_STORE)
        if record.mode is None:
            record.mode = mode  # type: ignore[assignment]
            await self.requests.save(record)
        elif record.mode != mode:
            return PlainTextResponse("request already used on another device", 400)
        wallet_nonce = None
        if request.method == "POST":
            try:
                form = await _read_form(request, MAX_REQUEST_BODY)
            except _TooLarge:
                return PlainTextResponse("request too large", 413)
            wallet_nonce = form.get("wallet_nonce")
            if wallet_nonce is not None and not _WALLET_NONCE.match(wallet_nonce):
                return PlainTextResponse("wallet_nonce not acceptable", 400)
        return Response(
            self._sign(record, wallet_nonce), media_type=REQUEST_MEDIA_TYPE, headers=NO_STORE
        )

    def _sign(self, record: WalletRequest, wallet_nonce: str | None) -> str:
        identity = self.settings.identity
        now = int(self._now().timestamp())
        payload: dict[str, Any] = {
            **record.payload,
            "iat": now,
            # Never valid longer than the request it belongs to (answers after that are refused).
            "exp": record.created + self.settings.request_lifetime,
        }
        if wallet_nonce is not None:
            payload["wallet_nonce"] = wallet_nonce
        header = {"typ": REQUEST_TYP, "x5c": x5c_value(identity.chain)}
        return sign_compact(header, payload, identity.key)

    async def _record_for_jwe(self, jwe: str) -> WalletRequest | None:
        """The request whose ephemeral key the JWE names (``kid``, echoed per §8.3)."""
        try:
            header = json_object(b64url_decode(jwe.split(".", 1)[0]))
        except MalformedInput:
            return None
        kid = header.get("kid")
        if not isinstance(kid, str) or len(kid) > 128:
            return None
        rid = await self.requests.id_by(BY_KID, kid)
        return await self.requests.get(rid) if rid else None

    async def response(self, request: Request) -> Response:
        """response_uri for ``direct_post.jwt`` (OpenID4VP §8.3); JSON answers only."""
        try:
            form = await _read_form(request, MAX_RESPONSE_BODY)
        except _TooLarge:
            return _json_error(413, "response too large")
        jwe = form.get("response")
        if jwe is None:
            if "error" in form and "state" in form:
                return await self._wallet_error(form["state"], form["error"], None)
            if "vp_token" in form:
                return _json_error(400, "response_mode is direct_post.jwt: plaintext refused")
            return _json_error(400, "response parameter missing")
        record = await self._record_for_jwe(jwe)
        if record is None:
            return _json_error(400, "response is not for a known request (JWE kid)")
        try:
            payload = decrypt_response(jwe, record.encryption_key)
        except WalletVerificationError as exc:
            log.info("wallet response not decrypted: %s", exc)
            return _json_error(400, "response could not be decrypted")
        state = payload.get("state")
        if not isinstance(state, str) or not hmac.compare_digest(
            state.encode(), record.state.encode()
        ):
            return _json_error(400, "state does not belong to this request")
        if "error" in payload:
            return await self._wallet_error(state, str(payload["error"]), record)
        if await self.requests.consume_state(state) != record.id:
            return _json_error(400, "a response for this request was already received")
        record = await self.requests.get(record.id) or record
        try:
            authentication = await self._verify(record, payload)
        except WalletVerificationError as exc:
            log.warning("wallet presentation refused: %s: %s", exc.code, exc)
            record.status, record.error = "failed", exc.code
            await self.requests.save(record)
            return _json_error(400, f"presentation refused ({exc.code})")
        record.status = "done"
        record.authentication = authentication.to_json()
        answer: dict[str, str] = {}
        if record.mode != "cross":
            record.response_code = new_id()
            answer["redirect_uri"] = (
                f"{self._base}/done/{record.id}?response_code={record.response_code}"
            )
        await self.requests.save(record)
        return JSONResponse(answer, headers=NO_STORE)

    async def _verify(self, record: WalletRequest, payload: dict[str, Any]) -> Authentication:
        parsed = parse_response_payload(payload, record.state)
        if not await self.requests.first_use_of_nonce(record.nonce):
            raise MalformedInput("nonce already used", code="replay")
        context = RequestContext(
            client_id=record.client_id,
            nonce=record.nonce,
            response_uri=record.response_uri,
            encryption_jwk_thumbprint=record.encryption_key.thumbprint,
            dcql_query=record.dcql_query,
        )
        authentication = await self.verifier.verify(parsed.vp_token, context, self._now())
        if record.mode == "cross" and not self.settings.cross_device_for_high:
            # Not bound to the browser session: never worth more than substantial (see above).
            authentication.level = min(authentication.level, Level.SUBSTANTIAL)
        return authentication

    async def _wallet_error(self, state: str, error: str, record: WalletRequest | None) -> Response:
        """An error response from the wallet (§8.5), e.g. ``access_denied`` when the person
        declined: the request ends; same device gets a redirect back to the browser."""
        rid = await self.requests.consume_state(state)
        if rid is None or (record is not None and rid != record.id):
            return _json_error(400, "unknown or already answered request")
        current = await self.requests.get(rid)
        if current is None:
            return _json_error(400, "unknown or expired request")
        current.status = "failed"
        current.error = "access_denied" if error == "access_denied" else "wallet_error"
        answer: dict[str, str] = {}
        if current.mode != "cross":
            current.response_code = new_id()
            answer["redirect_uri"] = (
                f"{self._base}/done/{current.id}?response_code={current.response_code}"
            )
        await self.requests.save(current)
        log.info("wallet answered with an error: %s", json.dumps(error[:64]))
        return JSONResponse(answer, headers=NO_STORE)


__all__ = ["WalletMeans", "WalletSettings"]
