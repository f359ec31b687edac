"""An upstream OpenID Provider as a login means: the broker is the relying party.

Flow (NL GOV OIDC profile §1.1-§1.4): ``start`` sends the browser to the OP's authorization
endpoint with state, nonce, PKCE S256 and ``acr_values``; the OP sends it back to
``/means/<name>/callback``; the code is redeemed on the back channel and the ID token checked
(``id_token.py``). ``state`` is the only thing the browser brings back: it finds the transaction
through a one-time store entry, so a replayed or forged callback finds nothing (RFC 9700 §4.7), and
each upstream has its own callback and state entries, so a code meant for one OP is never sent to
another (mix-up, RFC 9700 §4.4; RFC 9207 ``iss`` is checked too).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from broker.assurance import Level, UnknownLevel
from broker.errors import BrokerError, LoginCancelled, LoginMeansError
from broker.flow.model import Authentication, Transaction
from broker.identifiers import elfproef
from broker.means.base import FlowControl, bound_flow
from broker.means.oidc_upstream.id_token import CLOCK_SKEW, Expected, validate_id_token
from broker.means.oidc_upstream.provider import (
    ProviderMetadata,
    UpstreamError,
    UpstreamProvider,
    UpstreamUnavailable,
)
from broker.means.oidc_upstream.token import ClientCredentials, redeem_code
from broker.store import Store

log = logging.getLogger("toegang.means.oidc_upstream")

STATE_PREFIX = "oidc-up-state:"
STATE_TTL = 1800  # longer than a transaction lives; the transaction's own expiry still applies
STATE_KEY = "oidc_upstream"
MAX_PARAM_LENGTH = 2048
ATTRIBUTE_CLAIMS = ("name", "given_name", "family_name")
MAX_ATTRIBUTE_LENGTH = 256


class UnknownLoginAttempt(BrokerError):
    """A callback whose state leads to no login in progress (forged, replayed or expired)."""

    status = 400

    def __init__(self) -> None:
        super().__init__(
            "Deze inlogpoging is verlopen of onbekend. Ga terug naar de dienst en begin opnieuw.",
            "This login attempt has expired or is unknown. Go back to the service and start again.",
            code="invalid_request",
        )


@dataclass(frozen=True)
class UpstreamSettings:
    """One upstream, resolved from ``OidcUpstreamConfig`` (see ``setup.build_oidc_upstream``)."""

    name: str
    labels: dict[str, str]
    issuer: str
    redirect_uri: str
    credentials: ClientCredentials
    scopes: tuple[str, ...]
    max_level: Level
    acr_levels: dict[str, Level] = field(default_factory=dict)  # empty: eIDAS URIs (from_acr)
    subject_claim: str = "sub"
    subject_kind: str = ""
    bsn_claim: str | None = None


# RFC 6749 §4.1.2.1: the OP cannot serve the request now; not a refusal by or of the person.
OUTAGE_ERRORS = frozenset({"temporarily_unavailable", "server_error"})


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _not_verified(label: str) -> LoginMeansError:
    """What the person sees for any refused answer; the reason goes to the log only."""
    return LoginMeansError(
        f"Uw inlog bij {label} kon niet worden gecontroleerd. Probeer het opnieuw.",
        f"Your login with {label} could not be verified. Please try again.",
    )


def _unavailable(label: str) -> LoginMeansError:
    return LoginMeansError(
        f"{label} is op dit moment niet bereikbaar. Probeer het later opnieuw.",
        f"{label} cannot be reached at the moment. Please try again later.",
        code="temporarily_unavailable",
    )


class OidcUpstreamMeans:
    """A configured upstream OP (implements ``broker.means.base.LoginMeans``)."""

    def __init__(
        self,
        settings: UpstreamSettings,
        store: Store,
        http: httpx.AsyncClient,
        *,
        provider: UpstreamProvider | None = None,
        flow: FlowControl | None = None,
    ) -> None:
        self.settings = settings
        self.name = settings.name
        self.labels = dict(settings.labels)
        self.max_level = settings.max_level
        self.store = store
        self._http = http
        self.provider = provider or UpstreamProvider(settings.issuer, http)
        self._flow = flow
        self._warned_origin = False

    @property
    def sso_url(self) -> str:
        """The authorization endpoint once discovered, else the issuer.

        The app uses only its origin (for the CSP ``form-action`` after the chooser's POST);
        an OP whose authorization endpoint is on another origin than its issuer is logged.
        """
        metadata = self.provider.cached_metadata
        return metadata.authorization_endpoint if metadata else self.settings.issuer

    def bind(self, flow: FlowControl) -> None:
        """Give the means the flow its callback hands results to (the app does this)."""
        self._flow = flow

    async def discover(self) -> ProviderMetadata:
        """Fetch discovery now (optional, at start-up: fails early on a misconfigured issuer)."""
        return await self.provider.metadata()

    # -- LoginMeans ------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [Route("/callback", self.callback, methods=["GET"])]

    async def start(
        self, request: Request, transaction: Transaction, flow: FlowControl
    ) -> Response:
        """Send the browser to the OP (OIDC Core §3.1.2.1, NL GOV §1.2)."""
        if self._flow is None:
            self._flow = flow
        s = self.settings
        label = s.labels.get("nl", s.name)
        try:
            metadata = await self.provider.metadata()
        except UpstreamError as exc:
            log.warning("%s: discovery failed: %s", s.name, exc)
            return await flow.fail(request, transaction, _unavailable(label))
        self._check_origin(metadata)
        login = transaction.request
        required = login.required_level
        acr_values = self.acr_values_for(required)
        if not acr_values:
            return await flow.fail(request, transaction, _unavailable(label))
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(48)  # 64 characters, RFC 7636 §4.1
        now = int(time.time())
        transaction.means = s.name
        transaction.means_state[STATE_KEY] = {
            "state": state,
            "nonce": nonce,
            "verifier": verifier,
            "level": int(required),
            "issued": now,
            "force_authn": login.force_authn,
            "max_age": login.max_age,
        }
        await flow.save(transaction)
        await self.store.put(
            STATE_PREFIX + state, {"transaction": transaction.id, "means": s.name}, ttl=STATE_TTL
        )
        params: dict[str, str] = {
            "response_type": "code",
            "client_id": s.credentials.client_id,
            "redirect_uri": s.redirect_uri,
            "scope": " ".join(s.scopes),
            "state": state,
            "nonce": nonce,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
            "acr_values": " ".join(acr_values),
            "ui_locales": login.locale,
        }
        if login.force_authn:
            params["prompt"] = "login"
        if login.max_age is not None:
            params["max_age"] = str(login.max_age)
        return RedirectResponse(
            metadata.authorization_endpoint + "?" + urlencode(params), status_code=303
        )

    def acr_values_for(self, required: Level) -> list[str]:
        """Upstream acr values that satisfy ``required``, lowest level first."""
        if self.settings.acr_levels:
            fitting = [
                (lvl, acr) for acr, lvl in self.settings.acr_levels.items() if lvl >= required
            ]
            # Stable by level: equal levels keep the configured order.
            return [acr for _, acr in sorted(fitting, key=lambda item: item[0])]
        return [level.acr for level in Level if level >= max(required, Level.LOW)]

    def level_of(self, acr: object) -> Level:
        """The broker level of an upstream ``acr``: mapped exactly, never guessed."""
        if not isinstance(acr, str):
            raise UpstreamError("ID token has no acr")
        if self.settings.acr_levels:
            level = self.settings.acr_levels.get(acr)
            if level is None:
                raise UpstreamError(f"acr {acr!r} is not in acr_map")
        else:
            try:
                level = Level.from_acr(acr)
            except UnknownLevel as exc:
                raise UpstreamError(str(exc)) from None
            if level.acr != acr:  # OIDC Core §2: acr is compared as an exact string
                raise UpstreamError(f"acr {acr!r} is not exactly {level.acr!r}")
        return min(level, self.max_level)  # never more than the means was approved for

    # -- the callback ----------------------------------------------------------------------
    async def callback(self, request: Request) -> Response:
        """Redirection endpoint (OIDC Core §3.1.2.5/§3.1.2.6)."""
        flow = self._flow_for(request)
        params = request.query_params
        state = _single(params.getlist("state"))
        if state is None or len(state) > MAX_PARAM_LENGTH:
            raise UnknownLoginAttempt()
        entry = await self.store.take(STATE_PREFIX + state)  # one time, across workers
        if entry is None or entry.get("means") != self.name:
            log.warning("%s: callback with unknown or used state", self.name)
            raise UnknownLoginAttempt()
        transaction = await flow.load(request, str(entry.get("transaction", "")))
        saved = transaction.means_state.get(STATE_KEY)
        if (
            transaction.means != self.name
            or not isinstance(saved, dict)
            or not hmac.compare_digest(str(saved.get("state", "")).encode(), state.encode())
        ):
            raise UnknownLoginAttempt()
        label = self.labels.get("nl", self.name)
        try:
            authentication = await self.authenticate(
                {key: params.getlist(key) for key in params}, saved
            )
        except LoginCancelled as cancelled:
            log.info("%s: login cancelled at the upstream", self.name)
            return await flow.fail(request, transaction, cancelled)
        except UpstreamUnavailable as exc:
            log.warning("%s: upstream unavailable: %s", self.name, exc)
            return await flow.fail(request, transaction, _unavailable(label))
        except UpstreamError as exc:
            log.warning("%s: upstream answer refused: %s", self.name, exc)
            return await flow.fail(request, transaction, _not_verified(label))
        return await flow.complete(request, transaction, authentication)

    async def authenticate(
        self, params: dict[str, list[str]], saved: dict[str, Any]
    ) -> Authentication:
        """Check the authorization response, redeem the code, check the ID token.

        Raises ``LoginCancelled`` when the person cancelled, ``UpstreamError`` otherwise.
        """
        s = self.settings
        metadata = await self.provider.metadata()
        # RFC 9207 §2.4: checked before anything else, for success and error responses alike.
        if "iss" in params:
            iss = _single(params["iss"])
            if iss != metadata.issuer:
                raise UpstreamError(f"authorization response iss {iss!r} is not the issuer")
        elif metadata.iss_parameter_supported:
            raise UpstreamError("authorization response without iss (the OP advertises it)")
        if "error" in params:
            error = _single(params["error"]) or ""
            if error == "access_denied":
                raise LoginCancelled()
            if error in OUTAGE_ERRORS:
                raise UpstreamUnavailable(f"upstream error response {error!r}")
            raise UpstreamError(f"upstream error response {error[:64]!r}")
        code = _single(params.get("code", []))
        if not code or len(code) > MAX_PARAM_LENGTH:
            raise UpstreamError("authorization response without a (single) code")
        try:
            id_token = await redeem_code(
                self._http,
                metadata,
                s.credentials,
                code=code,
                redirect_uri=s.redirect_uri,
                verifier=str(saved["verifier"]),
            )
        except UpstreamError:
            self.provider.invalidate()  # refreshed on failure: next login rediscovers
            raise
        now = int(time.time())
        max_age = saved.get("max_age")
        expected = Expected(
            issuer=metadata.issuer,
            client_id=s.credentials.client_id,
            nonce=str(saved["nonce"]),
            max_age=int(max_age) if max_age is not None else None,
            not_before_auth=int(saved["issued"]) if saved.get("force_authn") else None,
        )
        claims = await validate_id_token(id_token, expected, metadata, self.provider)
        await self._once(claims, now)
        level = self.level_of(claims.get("acr"))
        requested = Level(int(saved["level"]))
        if level < requested:  # NL GOV §1.4: acr at least the requested LoA
            raise UpstreamError(f"acr {claims.get('acr')!r} is below the requested level")
        auth_time = claims.get("auth_time")
        sid = claims.get("sid")
        return Authentication(
            means=s.name,
            subject_kind=s.subject_kind,
            subject=self._subject(claims),
            level=level,
            auth_time=int(auth_time) if isinstance(auth_time, int) else now,
            attributes={
                name: value
                for name in ATTRIBUTE_CLAIMS
                if isinstance(value := claims.get(name), str)
                and 0 < len(value) <= MAX_ATTRIBUTE_LENGTH
            },
            upstream_session=sid if isinstance(sid, str) and len(sid) <= 256 else None,
        )

    def _subject(self, claims: dict[str, Any]) -> str:
        s = self.settings
        if s.bsn_claim is not None:
            bsn = claims.get(s.bsn_claim)
            if not isinstance(bsn, str) or not elfproef(bsn):
                raise UpstreamError(f"claim {s.bsn_claim} is not a valid BSN")
            return bsn
        subject = claims.get(s.subject_claim)
        if not isinstance(subject, str) or not subject or len(subject) > 255:
            raise UpstreamError(f"claim {s.subject_claim} is missing or malformed")
        return subject

    async def _once(self, claims: dict[str, Any], now: int) -> None:
        """NL GOV §1.4: ``jti`` is unique; a token seen before is refused (belt and braces)."""
        jti = claims.get("jti")
        if not isinstance(jti, str):
            return
        digest = hashlib.sha256(jti.encode()).hexdigest()
        ttl = max(1, int(claims["exp"]) - now + CLOCK_SKEW)
        if not await self.store.add(f"oidc-up-jti:{self.name}:{digest}", {"at": now}, ttl=ttl):
            raise UpstreamError("ID token replayed (jti seen before)")

    def _check_origin(self, metadata: ProviderMetadata) -> None:
        if self._warned_origin:
            return
        issuer, endpoint = urlsplit(metadata.issuer), urlsplit(metadata.authorization_endpoint)
        if (issuer.scheme, issuer.netloc) != (endpoint.scheme, endpoint.netloc):
            log.warning(
                "%s: authorization endpoint %s is not on the issuer's origin; the CSP "
                "form-action must allow it",
                self.name,
                metadata.authorization_endpoint,
            )
        self._warned_origin = True

    def _flow_for(self, request: Request) -> FlowControl:
        return bound_flow(self._flow, request, self.name)


def _single(values: list[str]) -> str | None:
    """One value; a repeated parameter counts as absent (and is refused by the caller)."""
    return values[0] if len(values) == 1 else None


__all__ = ["OidcUpstreamMeans", "UnknownLoginAttempt", "UpstreamSettings"]
