"""A small OpenID Provider standing in for an approved private login means.

Mount ``OidcSimulator(issuer, clients).app`` at the path of ``issuer`` (the broker mounts it at
``/sim/oidc/<name>``). It speaks the NL GOV OIDC profile as far as a relying party notices:
authorization code flow only, PKCE S256 required, state and nonce required, ``iss`` in every
authorization response (RFC 9207), client authentication by ``private_key_jwt`` or
``client_secret_basic``, a signed ID token with its own ``acr`` values. Whatever the tester picks
is returned, even a level below the one requested, because the relying party must refuse that.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from conformance.digid.store import TtlStore
from conformance.oidc_provider.client_auth import (
    ClientAuthenticator,
    ClientAuthError,
    ClientRegistration,
)
from conformance.oidc_provider.texts import TEXTS, language_of
from conformance.oidc_provider.users import (
    ACR_OF_LEVEL,
    LEVEL_VALUES,
    USERS,
    VALUE_OF_ACR,
    TestUser,
)

TEMPLATES = Path(__file__).parent / "templates"
# Shared simulator skeleton and form macros (simulator_base.html, simulator_forms.html).
SHARED_TEMPLATES = Path(__file__).parent.parent / "templates"
ALGS = ("ES256", "RS256", "PS256")
CODE_LIFETIME = 60  # FAPI2 / catalogue §2.2: codes live at most a minute
PENDING_LIFETIME = 900
ID_TOKEN_LIFETIME = 300  # NL GOV §1.4: at most 5 minutes
PKCE_VALUE = re.compile(r"[A-Za-z0-9._~-]{43,128}")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass(frozen=True)
class PendingRequest:
    client_id: str
    redirect_uri: str
    state: str | None
    nonce: str
    code_challenge: str
    scopes: tuple[str, ...]
    acr_values: tuple[str, ...]
    prompt_login: bool
    max_age: int | None


@dataclass(frozen=True)
class Grant:
    request: PendingRequest
    user: TestUser
    acr: str
    auth_time: int
    sid: str


@dataclass(frozen=True)
class _Option:
    value: str
    label: str
    checked: bool
    acr: str = ""
    below: bool = False


class _Refused(Exception):
    """An authorization request error that goes back to the client (RFC 6749 §4.1.2.1)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcSimulator:
    """The simulator; ``app`` is the ASGI app. Keys are generated at construction."""

    def __init__(
        self,
        issuer: str,
        clients: list[ClientRegistration],
        *,
        signing_alg: str = "ES256",
        static_prefix: str = "/static",
    ) -> None:
        if signing_alg not in ALGS:
            raise ValueError(f"signing_alg must be one of {ALGS}")
        self.issuer = issuer.rstrip("/")
        self.clients = {client.client_id: client for client in clients}
        self.signing_alg = signing_alg
        self.static_prefix = static_prefix.rstrip("/")
        self.rotate_key()
        self.pending: TtlStore[PendingRequest] = TtlStore(PENDING_LIFETIME)
        self.codes: TtlStore[Grant] = TtlStore(CODE_LIFETIME)
        self.access_tokens: TtlStore[Grant] = TtlStore(ID_TOKEN_LIFETIME)
        self._auth = ClientAuthenticator(self.clients, (self.issuer, self.token_endpoint))
        self._env = Environment(
            loader=FileSystemLoader([TEMPLATES, SHARED_TEMPLATES]),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery, methods=["GET"]),
                Route("/jwks", self.jwks, methods=["GET"]),
                Route("/authorize", self.authorize_get, methods=["GET"]),
                Route("/authorize", self.authorize_post, methods=["POST"]),
                Route("/token", self.token, methods=["POST"]),
                Route("/userinfo", self.userinfo, methods=["GET", "POST"]),
            ]
        )
        self.app.state.simulator = self  # so whoever mounted the app can reach the simulator

    # -- keys and metadata -----------------------------------------------------------------
    def rotate_key(self) -> None:
        """A new signing key with a new kid (the old one disappears from the JWKS)."""
        if self.signing_alg == "ES256":
            self.key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = ec.generate_private_key(
                ec.SECP256R1()
            )
        else:
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_urlsafe(8)

    @property
    def token_endpoint(self) -> str:
        return self.issuer + "/token"

    @property
    def authorization_endpoint(self) -> str:
        return self.issuer + "/authorize"

    def public_jwk(self) -> dict[str, Any]:
        algorithm = jwt.algorithms.get_default_algorithms()[self.signing_alg]
        jwk: dict[str, Any] = algorithm.to_jwk(self.key.public_key(), as_dict=True)
        jwk.update(kid=self.kid, use="sig", alg=self.signing_alg)
        return jwk

    def metadata(self) -> dict[str, Any]:
        """OIDC Discovery 1.0 §3, with the NL GOV §1.9 fields."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.authorization_endpoint,
            "token_endpoint": self.token_endpoint,
            "userinfo_endpoint": self.issuer + "/userinfo",
            "jwks_uri": self.issuer + "/jwks",
            "scopes_supported": ["openid", "profile", "bsn"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_basic"],
            "token_endpoint_auth_signing_alg_values_supported": list(ALGS),
            "id_token_signing_alg_values_supported": [self.signing_alg],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": list(ACR_OF_LEVEL.values()),
            "claims_supported": [
                "sub",
                "acr",
                "auth_time",
                "name",
                "given_name",
                "family_name",
                "bsn",
                "sid",
            ],
            "ui_locales_supported": ["nl", "en"],
            "authorization_response_iss_parameter_supported": True,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
        }

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(self.metadata())

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.public_jwk()]})

    # -- authorization endpoint ------------------------------------------------------------
    def _render(self, template: str, lang: str, status: int, **context: Any) -> HTMLResponse:
        html = self._env.get_template(template).render(
            lang=lang, t=TEXTS[lang], static=self.static_prefix, **context
        )
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def _error_page(self, lang: str, reason: str) -> HTMLResponse:
        return self._render("error.html", lang, 400, reason=reason, switch_url=None)

    def _back(self, redirect_uri: str, state: str | None, **params: str) -> RedirectResponse:
        """A 303 to the client with ``iss`` (RFC 9207 §2) and the state it sent."""
        values = {**params, "iss": self.issuer}
        if state is not None:
            values["state"] = state
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(redirect_uri + separator + urlencode(values), status_code=303)

    def _read_request(self, query: dict[str, list[str]]) -> PendingRequest:
        def one(name: str) -> str | None:
            values = query.get(name, [])
            if len(values) > 1:
                raise _Refused("invalid_request", f"{name} repeated")
            return values[0] if values else None

        if one("request") is not None or one("request_uri") is not None:
            raise _Refused("request_not_supported", "request objects are not supported")
        if one("response_type") != "code":
            raise _Refused("unsupported_response_type", "only response_type=code (NL GOV §1.1)")
        scopes = tuple((one("scope") or "").split())
        if "openid" not in scopes:
            raise _Refused("invalid_scope", "scope must contain openid")
        nonce = one("nonce")
        if not nonce:
            raise _Refused("invalid_request", "nonce is required (NL GOV §1.2)")
        if one("code_challenge_method") != "S256":
            raise _Refused("invalid_request", "code_challenge_method must be S256")
        challenge = one("code_challenge") or ""
        if len(challenge) != 43 or not PKCE_VALUE.fullmatch(challenge):
            raise _Refused("invalid_request", "code_challenge missing or malformed")
        max_age_raw = one("max_age")
        if max_age_raw is not None and not max_age_raw.isdigit():
            raise _Refused("invalid_request", "max_age is not a number")
        prompt = (one("prompt") or "").split()
        if "none" in prompt:
            raise _Refused("login_required", "the simulator always shows its login page")
        return PendingRequest(
            client_id=one("client_id") or "",
            redirect_uri=one("redirect_uri") or "",
            state=one("state"),
            nonce=nonce,
            code_challenge=challenge,
            scopes=scopes,
            acr_values=tuple((one("acr_values") or "").split()),
            prompt_login="login" in prompt,
            max_age=int(max_age_raw) if max_age_raw is not None else None,
        )

    async def authorize_get(self, request: Request) -> Response:
        """Authorization request (OIDC Core §3.1.2.1); ``request_key`` re-renders in a language."""
        query = {key: request.query_params.getlist(key) for key in request.query_params}
        lang = language_of(
            request.query_params.get("lang") or request.query_params.get("ui_locales")
        )
        if "request_key" in query and "client_id" not in query:
            key = request.query_params["request_key"]
            pending = self.pending.get(key)
            if pending is None:
                return self._error_page(lang, "unknown or expired request_key")
            return self._login_page(lang, key, pending)
        # Client and redirect_uri first: a bad one gets an error page, never a redirect
        # (RFC 6749 §4.1.2.1, catalogue §2.1).
        client_ids, redirect_uris = query.get("client_id", []), query.get("redirect_uri", [])
        client = self.clients.get(client_ids[0]) if len(client_ids) == 1 else None
        if client is None:
            return self._error_page(lang, "unknown client_id")
        if len(redirect_uris) != 1 or redirect_uris[0] not in client.redirect_uris:
            return self._error_page(lang, "redirect_uri is not registered for this client")
        states = query.get("state", [])
        state = states[0] if len(states) == 1 else None
        try:
            pending = self._read_request(query)
        except _Refused as refused:
            return self._back(
                redirect_uris[0],
                state,
                error=refused.error,
                error_description=refused.description,
            )
        key = secrets.token_urlsafe(32)
        self.pending.put(key, pending)
        return self._login_page(lang, key, pending)

    def _login_page(
        self,
        lang: str,
        key: str,
        pending: PendingRequest,
        *,
        user: str | None = None,
        level: str | None = None,
        errors: dict[str, str] | None = None,
    ) -> HTMLResponse:
        texts = TEXTS[lang]
        requested = [VALUE_OF_ACR[acr] for acr in pending.acr_values if acr in VALUE_OF_ACR]
        lowest = min(
            (LEVEL_VALUES[value] for value in requested), default=LEVEL_VALUES["substantial"]
        )
        errors = errors or {}
        chosen_level = level if level in LEVEL_VALUES else None
        if chosen_level is None and "level" not in errors:
            chosen_level = next(v for v, lvl in LEVEL_VALUES.items() if lvl == lowest)
        chosen_user = user if user in USERS else None
        if chosen_user is None and "user" not in errors:
            chosen_user = next(iter(USERS))
        users = [
            _Option(u.user_id, f"{u.name} (BSN {u.bsn})", u.user_id == chosen_user)
            for u in USERS.values()
        ]
        levels = [
            _Option(
                value,
                texts[f"level_{value}"],
                value == chosen_level,
                ACR_OF_LEVEL[lvl],
                lvl < lowest,
            )
            for value, lvl in LEVEL_VALUES.items()
        ]
        other = "en" if lang == "nl" else "nl"
        return self._render(
            "login.html",
            lang,
            422 if errors else 200,
            pending=pending,
            request_key=key,
            intro=texts["intro"].format(client=pending.client_id),
            user_options=users,
            level_options=levels,
            first={"user": users[0].value, "level": levels[0].value},
            errors=errors,
            form_action=self.authorization_endpoint,
            switch_url="?" + urlencode({"request_key": key, "lang": other}),
        )

    async def authorize_post(self, request: Request) -> Response:
        """The login form: ``user``, ``level``, ``action`` (login|cancel), ``request_key``."""
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        lang = language_of(fields.get("lang"))
        key = fields.get("request_key", "")
        pending = self.pending.get(key) if key else None
        if pending is None:
            return self._error_page(lang, "unknown or expired request_key")
        if fields.get("action") == "cancel":
            self.pending.pop(key)
            return self._back(
                pending.redirect_uri,
                pending.state,
                error="access_denied",
                error_description="the user cancelled",
            )
        user, level = fields.get("user"), fields.get("level")
        errors = {}
        if user not in USERS:
            errors["user"] = TEXTS[lang]["error_user"]
        if level not in LEVEL_VALUES:
            errors["level"] = TEXTS[lang]["error_level"]
        if errors or user is None or level is None:
            return self._login_page(lang, key, pending, user=user, level=level, errors=errors)
        if self.pending.pop(key) is None:  # two tabs: one login per request
            return self._error_page(lang, "unknown or expired request_key")
        code = secrets.token_urlsafe(32)
        self.codes.put(
            code,
            Grant(
                request=pending,
                user=USERS[user],
                acr=ACR_OF_LEVEL[LEVEL_VALUES[level]],
                auth_time=int(time.time()),
                sid=secrets.token_urlsafe(16),
            ),
        )
        return self._back(pending.redirect_uri, pending.state, code=code)

    # -- token and userinfo ----------------------------------------------------------------
    def subject_for(self, client_id: str, user: TestUser) -> str:
        """A pairwise subject (NL GOV §1.5): stable per client, different between clients."""
        digest = hashlib.sha256(f"{self.issuer}|{client_id}|{user.user_id}".encode()).digest()
        return base64.urlsafe_b64encode(digest[:24]).rstrip(b"=").decode("ascii")

    def id_token_claims(self, grant: Grant, now: int) -> dict[str, Any]:
        request, user = grant.request, grant.user
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": self.subject_for(request.client_id, user),
            "aud": request.client_id,
            "exp": now + ID_TOKEN_LIFETIME,
            "iat": now,
            "nbf": now,
            "jti": secrets.token_urlsafe(16),
            "auth_time": grant.auth_time,
            "nonce": request.nonce,
            "acr": grant.acr,
            "sid": grant.sid,
            "name": user.name,
            "given_name": user.given_name,
            "family_name": user.family_name,
        }
        if "bsn" in request.scopes:
            claims["bsn"] = user.bsn
        return claims

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(
            claims,
            self.key,
            algorithm=self.signing_alg,
            headers={"kid": self.kid, "typ": "JWT"},
        )

    @staticmethod
    def _token_error(error: str, description: str, status: int = 400) -> JSONResponse:
        headers = dict(NO_STORE)
        if error == "invalid_client":
            status = 401
            headers["WWW-Authenticate"] = 'Basic realm="simulator"'
        return JSONResponse(
            {"error": error, "error_description": description},
            status_code=status,
            headers=headers,
        )

    async def token(self, request: Request) -> Response:
        """Token endpoint (OIDC Core §3.1.3, RFC 7636 §4.6 for PKCE)."""
        form = await request.form()
        fields: dict[str, str] = {}
        for name in form:
            values = form.getlist(name)
            if len(values) != 1 or not isinstance(values[0], str):
                return self._token_error("invalid_request", f"{name} repeated or not text")
            fields[name] = values[0]
        try:
            client = self._auth.authenticate(request.headers.get("authorization"), fields)
        except ClientAuthError as exc:
            return self._token_error("invalid_client", str(exc))
        if fields.get("grant_type") != "authorization_code":
            return self._token_error("unsupported_grant_type", "only authorization_code")
        grant = self.codes.pop(fields.get("code", ""))  # one use, even when refused below
        if grant is None:
            return self._token_error("invalid_grant", "unknown, used or expired code")
        if grant.request.client_id != client.client_id:
            return self._token_error("invalid_grant", "code was issued to another client")
        if fields.get("redirect_uri") != grant.request.redirect_uri:
            return self._token_error("invalid_grant", "redirect_uri differs")
        verifier = fields.get("code_verifier", "")
        if not PKCE_VALUE.fullmatch(verifier) or not hmac.compare_digest(
            _s256(verifier), grant.request.code_challenge
        ):
            return self._token_error("invalid_grant", "PKCE verification failed")
        now = int(time.time())
        access_token = secrets.token_urlsafe(32)
        self.access_tokens.put(access_token, grant)
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": ID_TOKEN_LIFETIME,
                "id_token": self.sign(self.id_token_claims(grant, now)),
                "scope": " ".join(grant.request.scopes),
            },
            headers=NO_STORE,
        )

    async def userinfo(self, request: Request) -> Response:
        """UserInfo (OIDC Core §5.3), plain JSON: sub and the names."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        grant = self.access_tokens.get(token) if scheme.lower() == "bearer" else None
        if grant is None:
            return JSONResponse(
                {"error": "invalid_token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        claims = self.id_token_claims(grant, int(time.time()))
        keep = ("sub", "name", "given_name", "family_name", "bsn")
        return JSONResponse({k: v for k, v in claims.items() if k in keep}, headers=NO_STORE)
