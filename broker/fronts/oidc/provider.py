"""The OpenID Connect provider endpoints and the OIDC side of the flow (``Front``)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import re
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import jwt
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from broker.assurance import Level
from broker.errors import BrokerError
from broker.flow.engine import Flow, ServiceView
from broker.flow.mandate_uses import MandateUses
from broker.flow.model import LoginRequest, Transaction, new_id
from broker.flow.representation import representation_mode
from broker.flow.session import BrokerSession, binding_of
from broker.fronts.oidc import authorization_request as authz
from broker.fronts.oidc.client_auth import ClientAuthenticator, assertion_reused
from broker.fronts.oidc.discovery import metadata
from broker.fronts.oidc.errors import OAuthError, error_description
from broker.fronts.oidc.represents import act_claim, represents_claim
from broker.fronts.oidc.request_object import RequestObjectError, RequestObjects
from broker.fronts.oidc.subject import subject_for
from broker.fronts.oidc.tokens import ACCESS_TOKEN_TYPE, TokenSigner
from broker.pages.render import Renderer
from broker.register.cache import ClientCache, ClientInfo
from broker.store import Put, Store

log = logging.getLogger("toegang.oidc")
VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")  # RFC 7636 §4.1
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
LOGOUT_CONFIRM_SECONDS = 600  # how long the logout question can be answered
MAX_TOKEN_REQUEST = 64 * 1024  # bytes; a token request with a client assertion is about 1 KiB


def _sector(client: ClientInfo) -> str:
    """Pairwise input (OIDC Core §8.1): the client's sector; one shared sector for `public`."""
    return "public" if client.subject_type == "public" else client.sector_identifier


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def _token_form(request: Request) -> FormData:
    """The urlencoded body in one ``parse_qsl`` call, decoded as Starlette's form parser does
    (percent-escapes as UTF-8): its streaming parser costs twice as much for a small body.

    The size cap holds while reading: a larger declared length is refused before any of the
    body is read, and a body streamed without one is dropped as soon as it passes the cap.
    """
    too_large = OAuthError("invalid_request", "the request body is too large")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_TOKEN_REQUEST:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_TOKEN_REQUEST:
            raise too_large
        chunks.append(chunk)
    body = b"".join(chunks)
    try:
        fields: list[tuple[str, str | UploadFile]] = [
            *parse_qsl(body.decode("latin-1"), keep_blank_values=True, max_num_fields=50)
        ]
    except ValueError:
        raise OAuthError("invalid_request", "too many parameters") from None
    return FormData(fields)


def _add_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = (parts.query + "&" if parts.query else "") + urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


class OidcProvider:
    def __init__(
        self,
        *,
        issuer: str,
        flow: Flow,
        store: Store,
        clients: ClientCache,
        signer: TokenSigner,
        authenticator: ClientAuthenticator,
        request_objects: RequestObjects,
        renderer: Renderer,
        http: httpx.AsyncClient,
        pairwise_secret: bytes,
        id_token_lifetime: int,
        access_token_lifetime: int,
        code_lifetime: int,
    ) -> None:
        self.issuer = issuer
        self.flow = flow
        self.store = store
        self.clients = clients
        self.signer = signer
        self.authenticator = authenticator
        self.request_objects = request_objects
        self.renderer = renderer
        self.http = http
        self.pairwise_secret = pairwise_secret
        self.id_token_lifetime = id_token_lifetime
        self.access_token_lifetime = access_token_lifetime
        self.code_lifetime = code_lifetime
        self.userinfo_audience = f"{issuer}/userinfo"
        # acr_values_supported follows the enabled login means: nothing above what one reaches.
        reachable = max((m.max_level for m in flow.means.values()), default=Level.BASIC)
        acr_values = [level.acr for level in Level if level <= reachable]
        self._metadata = json.dumps(metadata(issuer, acr_values)).encode()
        self._jwks = json.dumps(signer.keys.jwks()).encode()
        self._background: set[asyncio.Task[None]] = set()
        # Set when representation is on: logins resting on a mandate, for revocation.
        self.mandate_uses: MandateUses | None = None
        flow.fronts["oidc"] = self

    def routes(self) -> list[Route]:
        return [
            Route("/.well-known/openid-configuration", self.discovery, methods=["GET"]),
            Route("/.well-known/oauth-authorization-server", self.discovery, methods=["GET"]),
            Route("/jwks", self.jwks, methods=["GET"]),
            Route("/authorize", self.authorize, methods=["GET", "POST"]),
            Route("/token", self.token, methods=["POST"]),
            Route("/userinfo", self.userinfo, methods=["GET", "POST"]),
            Route("/logout", self.logout, methods=["GET", "POST"]),
        ]

    # -- discovery --------------------------------------------------------------------------
    async def discovery(self, request: Request) -> Response:
        return Response(
            self._metadata,
            media_type="application/json",
            # The NL GOV profile recommends at least a week: it changes only with the
            # configuration. Keys rotate through the JWKS, which is re-read within minutes.
            headers={"Cache-Control": "public, max-age=604800"},
        )

    async def jwks(self, request: Request) -> Response:
        return Response(
            self._jwks,
            media_type="application/jwk-set+json",
            headers={"Cache-Control": "public, max-age=300"},
        )

    # -- authorization endpoint -------------------------------------------------------------
    def _error_page(self, request: Request, description: str, status: int = 400) -> Response:
        """Shown to the person when the request cannot safely go back to the client."""
        error = BrokerError(
            "De dienst heeft een ongeldig inlogverzoek gestuurd. Neem contact op met de dienst. "
            f"(Technisch: {description})",
            f"The service sent an invalid login request. Please contact the service. "
            f"(Technical: {description})",
            code="invalid_request",
        )
        return self.renderer.render_error(request, error, status_code=status)

    def _redirect_error(
        self, redirect_uri: str, state: str | None, error: str, description: str
    ) -> Response:
        params = {"error": error, "error_description": error_description(description)}
        if state:
            params["state"] = state
        params["iss"] = self.issuer  # RFC 9207 §2
        return RedirectResponse(_add_query(redirect_uri, params), status_code=303, headers=NO_STORE)

    async def authorize(self, request: Request) -> Response:
        if request.method == "POST":
            form = await request.form()
            raw = {k: v for k, v in form.multi_items() if isinstance(v, str)}
            keys = [k for k, _ in form.multi_items()]
        else:
            raw = dict(request.query_params)
            keys = [k for k, _ in request.query_params.multi_items()]
        twice: set[str] = set()
        if len(keys) != len(set(keys)):
            twice = {key for key in keys if keys.count(key) > 1}
        if twice & {"client_id", "redirect_uri"}:
            return self._error_page(request, "a parameter was sent more than once")
        client = (
            await self.clients.client(raw.get("client_id", "")) if raw.get("client_id") else None
        )
        if twice:
            # RFC 6749 §4.1.2.1: with the client and its redirect URI certain, the client hears
            # of it (a state sent twice is not echoed: which one would be a guess).
            try:
                redirect_uri = authz.check_redirect(client, raw)
            except authz.UnsafeRedirect as unsafe:
                return self._error_page(request, unsafe.description)
            return self._redirect_error(
                redirect_uri,
                None if "state" in twice else raw.get("state"),
                "invalid_request",
                f"parameter {sorted(twice)[0]} was sent more than once",
            )
        params: dict[str, str] = raw
        if client is not None and ("request" in raw or "request_uri" in raw):
            try:
                if "request" in raw and "request_uri" in raw:  # OIDC Core §6.1, §6.2
                    raise RequestObjectError(
                        "request and request_uri cannot be used together", "invalid_request"
                    )
                token = raw.get("request") or await self.request_objects.fetch(
                    client, raw["request_uri"]
                )
                params = {
                    **await self.request_objects.parse(client, token),
                    "client_id": client.client_id,
                }
            except RequestObjectError as exc:
                # The redirect URI may only be trusted if it is also in the signed object.
                try:
                    redirect_uri = authz.check_redirect(client, raw)
                except authz.UnsafeRedirect as unsafe:
                    return self._error_page(request, unsafe.description)
                return self._redirect_error(redirect_uri, raw.get("state"), exc.error, str(exc))
        try:
            redirect_uri = authz.check_redirect(client, params)
        except authz.UnsafeRedirect as exc:
            return self._error_page(request, exc.description)
        assert client is not None
        state = params.get("state")
        try:
            services = await self.clients.services(client.client_id)
            req = authz.validate(client, services, redirect_uri, params, set(self.flow.means))
            mode = representation_mode(req.scopes)
            someone_else = (
                await self._hint_names_someone_else(request, client, params["id_token_hint"])
                if params.get("id_token_hint")
                else False
            )
        except OAuthError as exc:
            return self._redirect_error(redirect_uri, state, exc.error, exc.description)
        except ValueError as exc:
            return self._redirect_error(redirect_uri, state, "invalid_scope", str(exc))
        if someone_else and "none" in req.prompt:
            return self._redirect_error(
                redirect_uri, state, "login_required", "the id_token_hint names someone else"
            )

        login = LoginRequest(
            client_id=client.client_id,
            service_id=req.service.service_id if req.service else "",
            required_level=req.required_level,
            protocol="oidc",
            protocol_params={
                "redirect_uri": req.redirect_uri,
                "state": req.state,
                "nonce": req.nonce,
                "code_challenge": req.code_challenge,
                "scope": " ".join(req.scopes),
                "claims": req.claims,
                "prompt_none": "none" in req.prompt,
                "representation": mode,
            },
            means_hint=req.login_means,
            # The client expects another person than the one logged in: no single sign-on.
            force_authn=req.force_authn or someone_else,
            max_age=req.max_age,
            locale=req.ui_locale or "nl",
        )
        service = ServiceView(
            name_nl=req.service.name_nl if req.service else client.name,
            name_en=req.service.name_en if req.service else client.name,
        )
        if "none" in req.prompt:
            return await self._prompt_none(request, login, service)
        return await self.flow.begin(request, login, service)

    async def _hint_names_someone_else(
        self, request: Request, client: ClientInfo, hint_token: str
    ) -> bool:
        """OIDC Core §3.1.2.1 ``id_token_hint``: an ID token this broker gave this client
        (expired ones too). True when the person logged in in this browser is not its
        subject (the acting person, also when the client takes RFC 8693 ``act``)."""
        try:
            hint = self.signer.verify_own(
                hint_token, typ="JWT", audience=client.client_id, verify_exp=False
            )
            if "nonce" not in hint or "sub" not in hint:
                raise jwt.InvalidTokenError("not an ID token")
        except jwt.InvalidTokenError:
            raise OAuthError(
                "invalid_request", "id_token_hint is not an ID token this provider gave this client"
            ) from None
        session = await self.flow.sessions.load(self.flow.sessions.session_id(request))
        if session is None or session.authentication is None:
            return False  # nobody is logged in: the login itself decides who it is
        auth = session.authentication
        sub, _ = self._subject(client, auth.subject_kind, auth.subject)
        act = hint.get("act")
        actor = act.get("sub") if isinstance(act, dict) else hint["sub"]
        return not hmac.compare_digest(str(actor), sub)

    async def _prompt_none(
        self, request: Request, login: LoginRequest, service: ServiceView
    ) -> Response:
        """OIDC Core §3.1.2.1: no UI; answer login_required unless a session already suffices."""
        session_id = self.flow.sessions.session_id(request)
        session = await self.flow.sessions.load(session_id)
        if session is None or self.flow.reusable(session, login) is None:
            params = login.protocol_params
            return self._redirect_error(
                params["redirect_uri"],
                params["state"],
                "login_required",
                "no active login session at the required level",
            )
        return await self.flow.begin(request, login, service)

    # -- Front: answers from the flow -------------------------------------------------------
    async def finish(
        self,
        request: Request,
        transaction: Transaction,
        session_id: str,
        session: BrokerSession,
        writes: list[Put],
    ) -> Response:
        login = transaction.request
        auth = transaction.authentication
        assert auth is not None
        params = login.protocol_params
        sid = session.clients.get(login.client_id) or new_id(16)
        session.clients[login.client_id] = sid
        code = new_id(32)
        writes.append(
            (
                "code:" + _hash(code),
                {
                    "client_id": login.client_id,
                    "redirect_uri": params["redirect_uri"],
                    "nonce": params["nonce"],
                    "code_challenge": params["code_challenge"],
                    "scope": params["scope"],
                    "claims": params.get("claims") or {},
                    "service_id": login.service_id,
                    "authentication": auth.to_json(),
                    "representation": transaction.means_state.get("representation"),
                    "sid": sid,
                    "exp": int(time.time()) + self.code_lifetime,
                },
                self.code_lifetime,
            )
        )
        mandate_ids = transaction.means_state.get("mandate_ids")
        if mandate_ids and self.mandate_uses is not None and session.authentication is not None:
            await self.mandate_uses.record(
                mandate_ids,
                client_id=login.client_id,
                sid=sid,
                session_binding=binding_of(session_id),
                session=session,
            )
        target = _add_query(
            params["redirect_uri"], {"code": code, "state": params["state"], "iss": self.issuer}
        )
        return RedirectResponse(target, status_code=303, headers=NO_STORE)

    async def fail(
        self, request: Request, transaction: Transaction, error: BrokerError
    ) -> Response:
        params = transaction.request.protocol_params
        return self._redirect_error(
            params["redirect_uri"], params["state"], error.code, error.message_en
        )

    # -- token endpoint ---------------------------------------------------------------------
    async def token(self, request: Request) -> Response:
        try:
            return await self._token(request)
        except OAuthError as exc:
            return exc.response()

    async def _token(self, request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            raise OAuthError("invalid_request", "use application/x-www-form-urlencoded")
        form = await _token_form(request)
        keys = [k for k, _ in form.multi_items()]
        if len(keys) != len(set(keys)):
            raise OAuthError("invalid_request", "a parameter was sent more than once")
        client, once = await self.authenticator.identify(request, form)
        if not form.get("grant_type"):
            raise OAuthError("invalid_request", "grant_type is required")  # RFC 6749 §5.2
        if form.get("grant_type") != "authorization_code":
            raise OAuthError("unsupported_grant_type", "only authorization_code is supported")
        code = form.get("code")
        if not isinstance(code, str) or not code:
            raise OAuthError("invalid_request", "code is required")
        code_key = _hash(code)
        if once is None:
            grant = await self.store.take("code:" + code_key)
        else:  # the assertion's jti must be fresh before the code is used up
            fresh, grant = await self.store.add_and_take(once, "code:" + code_key)
            if not fresh:
                raise assertion_reused()
        if grant is None:
            await self._revoke_after_reuse(code_key)
            raise OAuthError("invalid_grant", "the code is invalid, expired or already used")
        if grant["client_id"] != client.client_id:
            raise OAuthError("invalid_grant", "the code was issued to another client")
        if grant["exp"] < time.time():
            raise OAuthError("invalid_grant", "the code has expired")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            raise OAuthError(
                "invalid_grant", "redirect_uri does not match the authorization request"
            )
        verifier = form.get("code_verifier")
        if not isinstance(verifier, str) or not VERIFIER.match(verifier):
            raise OAuthError("invalid_grant", "code_verifier is missing or malformed")
        # RFC 7636 §4.6: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge
        computed = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest())
            .rstrip(b"=")
            .decode()
        )
        if not hmac.compare_digest(computed, grant["code_challenge"]):
            raise OAuthError("invalid_grant", "PKCE verification failed")

        claims = self._subject_claims(client, grant)
        id_claims = {
            **claims,
            "aud": client.client_id,
            "nonce": grant["nonce"],
            "sid": grant["sid"],
            "azp": client.client_id,
        }
        id_token = self.signer.id_token(
            id_claims, client.id_token_signed_response_alg, self.id_token_lifetime
        )
        access_token, jti, exp = self.signer.access_token(
            {
                "sub": claims["sub"],
                "aud": self.userinfo_audience,
                "client_id": client.client_id,
                "scope": grant["scope"],
            },
            self.access_token_lifetime,
        )
        # One round trip for both records: the access token's and the used-code marker.
        await self.store.write_many(
            puts=[
                (
                    "at:" + jti,
                    {"client_id": client.client_id, "claims": claims},
                    max(exp - int(time.time()), 1),
                ),
                ("code-used:" + code_key, {"jti": jti}, self.access_token_lifetime),
            ]
        )
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": self.access_token_lifetime,
                "id_token": id_token,
                "scope": grant["scope"],
            },
            headers=NO_STORE,
        )

    async def _revoke_after_reuse(self, code_key: str) -> None:
        """RFC 6749 §4.1.2: a reused code revokes the tokens issued for its first use."""
        used = await self.store.take("code-used:" + code_key)
        if used is not None:
            await self.store.delete("at:" + used["jti"])
            log.warning("authorization code reused; access token revoked")

    def _subject(self, client: ClientInfo, kind: str, value: str) -> tuple[str, str]:
        """``sub`` and ``sub_id_type`` of a person for ``client`` (pairwise unless the client
        may receive the BSN)."""
        return subject_for(
            secret=self.pairwise_secret,
            sector=_sector(client),
            kind=kind,
            value=value,
            bsn_entitled=client.bsn_entitled,
        )

    def _subject_claims(self, client: ClientInfo, grant: dict[str, Any]) -> dict[str, Any]:
        """``sub`` is who logged in and ``represents`` whom they act for (NL GOV §1.6), or, for
        clients registered with ``representation_style = rfc8693``, ``sub`` is the represented
        party and ``act`` the actor (RFC 8693 §4.1). ``acr`` is the effective level, and the
        private ``representation`` claim names kind, basis, scope and source (README,
        "Acting on behalf of others")."""
        auth = grant["authentication"]
        sector = _sector(client)
        sub, sub_id_type = self._subject(client, auth["subject_kind"], auth["subject"])
        claims: dict[str, Any] = {
            "sub": sub,
            "sub_id_type": sub_id_type,
            "acr": authz.reported_acr(Level(auth["level"]), grant.get("claims") or {}),
            "auth_time": auth["auth_time"],
        }
        parties = auth.get("represents") or []
        secret, entitled = self.pairwise_secret, client.bsn_entitled
        if parties and client.representation_style == "rfc8693":
            claims.update(
                act_claim(
                    parties,
                    actor=(sub, sub_id_type),
                    issuer=self.issuer,
                    secret=secret,
                    sector=sector,
                    bsn_entitled=entitled,
                )
            )
        else:
            represents = represents_claim(
                parties, issuer=self.issuer, secret=secret, sector=sector, bsn_entitled=entitled
            )
            if represents is not None:
                claims["represents"] = represents
        if parties and grant.get("representation"):
            claims["representation"] = grant["representation"]
        return claims

    # -- userinfo ---------------------------------------------------------------------------
    async def userinfo(self, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        if request.method == "POST" and request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            # RFC 6750 §2.2: the access token may also come as a form-encoded body parameter.
            try:
                form = await _token_form(request)
            except OAuthError as exc:
                return self._bearer_error(exc.error, exc.description, status=400)
            in_body = form.getlist("access_token")
            if in_body and (token or len(in_body) > 1):
                return self._bearer_error(
                    "invalid_request", "send the access token only once", status=400
                )
            if in_body and isinstance(in_body[0], str):
                token = in_body[0]
        if not token:
            # RFC 6750 §3.1: no authentication at all gets a challenge without an error code.
            return Response(
                status_code=401,
                headers={**NO_STORE, "WWW-Authenticate": f'Bearer realm="{self.issuer}"'},
            )
        try:
            claims = self.signer.verify_own(
                token, typ=ACCESS_TOKEN_TYPE, audience=self.userinfo_audience
            )
        except jwt.InvalidTokenError:
            return self._bearer_error("invalid_token", "the access token is invalid")
        record = await self.store.get("at:" + claims["jti"])
        if record is None:
            return self._bearer_error("invalid_token", "the access token was revoked or expired")
        client = await self.clients.client(record["client_id"])
        if client is None:
            return self._bearer_error("invalid_token", "the client no longer exists")
        body = dict(record["claims"])
        if client.userinfo_signed_response_alg:
            signed = self.signer.sign(
                {**body, "iss": self.issuer, "aud": client.client_id, "iat": int(time.time())},
                client.userinfo_signed_response_alg,
            )
            return Response(signed, media_type="application/jwt", headers=NO_STORE)
        return JSONResponse(body, headers=NO_STORE)

    @staticmethod
    def _bearer_error(error: str, description: str, status: int = 401) -> Response:
        # RFC 6750 §3
        description = error_description(description)
        return JSONResponse(
            {"error": error, "error_description": description},
            status_code=status,
            headers={
                **NO_STORE,
                "WWW-Authenticate": f'Bearer error="{error}", error_description="{description}"',
            },
        )

    # -- logout -----------------------------------------------------------------------------
    async def logout(self, request: Request) -> Response:
        """OIDC RP-Initiated Logout 1.0 §2–3, then back-channel logout to every client.

        The session ends at once only when the request carries an ID token that this session
        gave the client (its ``sid``); otherwise the person is asked first (§2 and §6: a link on
        any site could end the session and every client's too). The question is answered by a
        POST with a one-time ``confirm`` value bound to this browser's session."""
        if request.method == "POST":
            form = await request.form()
            params = {k: v for k, v in form.items() if isinstance(v, str)}
            if "confirm" in params:
                return await self._confirmed_logout(request, params)
        else:
            params = dict(request.query_params)
        client: ClientInfo | None = None
        hint: dict[str, Any] | None = None
        if params.get("id_token_hint"):
            try:
                # Only an ID token (typ JWT): never an access token or a logout token.
                hint = self.signer.verify_own(
                    params["id_token_hint"], typ="JWT", audience=None, verify_exp=False
                )
                if "nonce" not in hint or "sub" not in hint:
                    raise jwt.InvalidTokenError("not an ID token")
            except jwt.InvalidTokenError:
                return self._logout_error(
                    request, "id_token_hint is not a valid ID token from this provider"
                )
            aud = hint.get("aud")
            if isinstance(aud, list) and aud:
                aud = aud[0]
            if not isinstance(aud, str):
                return self._logout_error(request, "id_token_hint has no audience")
            client = await self.clients.client(aud)
        if params.get("client_id"):
            if client is not None and client.client_id != params["client_id"]:
                return self._logout_error(request, "client_id does not match id_token_hint")
            client = client or await self.clients.client(params["client_id"])
        target = params.get("post_logout_redirect_uri")
        if target and (client is None or target not in client.post_logout_redirect_uris):
            return self._logout_error(request, "post_logout_redirect_uri is not registered")
        state = params.get("state") or None

        session_id = self.flow.sessions.session_id(request)
        session = await self.flow.sessions.load(session_id)
        if session_id is None or session is None:
            return await self._logged_out(request, None, target, state)  # nothing to end
        sid = None if client is None else session.clients.get(client.client_id)
        if hint is not None and sid is not None and hint.get("sid") == sid:
            return await self._logged_out(request, session_id, target, state)
        confirm = new_id(32)
        await self.store.put(
            "logout:" + _hash(confirm),
            {"session": binding_of(session_id), "target": target, "state": state},
            LOGOUT_CONFIRM_SECONDS,
        )
        response = self.renderer.render(
            request,
            "logout_confirm.html",
            {
                "kept": False,
                "client_name": None if client is None else client.name,
                "confirm": confirm,
                "logout_url": f"{self.issuer}/logout",
            },
        )
        response.headers.update(NO_STORE)
        return response

    async def _confirmed_logout(self, request: Request, params: dict[str, str]) -> Response:
        """The person's answer to the logout question (one-time, this session only)."""
        pending = await self.store.take("logout:" + _hash(params["confirm"]))
        session_id = self.flow.sessions.session_id(request)
        if (
            pending is None
            or session_id is None
            or not hmac.compare_digest(pending["session"], binding_of(session_id))
        ):
            return self._logout_error(request, "the logout question expired or is not yours")
        if params.get("action") == "logout":
            return await self._logged_out(request, session_id, pending["target"], pending["state"])
        response = self.renderer.render(request, "logout_confirm.html", {"kept": True})
        response.headers.update(NO_STORE)
        return response

    async def _logged_out(
        self, request: Request, session_id: str | None, target: str | None, state: str | None
    ) -> Response:
        """End the session (when there is one), tell its clients, and go where the client
        asked (with its ``state``) or show the logged-out page."""
        ended = await self.flow.sessions.end(session_id) if session_id is not None else None
        if ended is not None:
            self._send_backchannel(ended)
        if target:
            response: Response = RedirectResponse(
                _add_query(target, {"state": state}) if state else target,
                status_code=303,
                headers=NO_STORE,
            )
        else:
            response = self.renderer.render(request, "logged_out.html", {})
        self.flow.sessions.clear_cookie(response)
        return response

    def _logout_error(self, request: Request, description: str) -> Response:
        error = BrokerError(
            f"Het uitlogverzoek is ongeldig. (Technisch: {description})",
            f"The logout request is invalid. (Technical: {description})",
            code="invalid_request",
        )
        return self.renderer.render_error(request, error, status_code=400)

    def _send_backchannel(self, session: BrokerSession) -> None:
        task = asyncio.create_task(self.backchannel_logout(session))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def backchannel_logout(self, session: BrokerSession) -> None:
        """OIDC Back-Channel Logout 1.0 §2.5: POST a logout token to every client's endpoint."""
        for client_id, sid in session.clients.items():
            client = await self.clients.client(client_id)
            if client is None or not client.backchannel_logout_uri:
                continue
            auth = session.authentication
            sub = None
            # An RFC 8693 client knew the represented party as `sub`: the sid names the login.
            if auth is not None and client.representation_style != "rfc8693":
                sub, _ = self._subject(client, auth.subject_kind, auth.subject)
            token = self.signer.logout_token(
                audience=client.client_id,
                sub=sub,
                sid=sid,
                alg=client.id_token_signed_response_alg,
            )
            try:
                await self.http.post(
                    client.backchannel_logout_uri,
                    data={"logout_token": token},
                    timeout=5.0,
                    follow_redirects=False,
                )
            except httpx.HTTPError as exc:
                log.warning("back-channel logout to client %s failed: %s", client_id, exc)
