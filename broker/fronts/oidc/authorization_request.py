"""Validation of the authorization request (OIDC Core §3.1.2; NL GOV profile §1.2).

Two phases, as RFC 6749 §4.1.2.1 demands: while the client or its redirect URI is not
established, errors are shown to the person and never redirected; after that every error goes
back to the exact registered redirect URI with `state` and `iss`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from broker.assurance import Level, UnknownLevel
from broker.fronts.oidc.errors import OAuthError
from broker.level_policy import required_level
from broker.register.cache import ClientInfo, ServiceInfo

PKCE_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # BASE64URL(SHA256(verifier)), RFC 7636 §4.2
SERVICE_SCOPE = re.compile(r"^urn:uuid:([0-9a-fA-F-]{36})$")
MAX_AGE = re.compile(r"^[0-9]+$")  # a non-negative integer (OIDC Core §3.1.2.1)
PROMPTS = {"none", "login", "consent", "select_account"}
MAX_PARAM = 4096


class UnsafeRedirect(Exception):
    """Client or redirect_uri not established: show an error page, never redirect."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass
class AuthorizationRequest:
    client: ClientInfo
    redirect_uri: str
    state: str
    nonce: str
    scopes: list[str]
    code_challenge: str
    service: ServiceInfo | None
    required_level: Level
    claims: dict[str, Any] = field(default_factory=dict)
    prompt: set[str] = field(default_factory=set)
    max_age: int | None = None
    login_means: str | None = None
    ui_locale: str | None = None

    @property
    def force_authn(self) -> bool:
        return "login" in self.prompt or self.max_age == 0


def check_redirect(client: ClientInfo | None, params: Mapping[str, str]) -> str:
    """Phase 1: the client is known and the redirect URI matches a registered one exactly."""
    if client is None:
        raise UnsafeRedirect("unknown client_id")
    redirect_uri = params.get("redirect_uri")
    if not redirect_uri:
        raise UnsafeRedirect("redirect_uri is required")
    # Exact string comparison (RFC 9700 §4.1.3; NL GOV §1.2): no prefix, no normalisation.
    if redirect_uri not in client.redirect_uris:
        raise UnsafeRedirect("redirect_uri is not registered for this client")
    return redirect_uri


def _acr_claim_values(claims: Mapping[str, Any], target: str) -> list[str]:
    """The ``value``/``values`` of an ``acr`` claims request for ``target`` (§5.5.1.1)."""
    acr = (claims.get(target) or {}).get("acr")
    if not isinstance(acr, dict):
        return []
    values = [acr["value"]] if isinstance(acr.get("value"), str) else []
    if isinstance(acr.get("values"), list):
        values += [v for v in acr["values"] if isinstance(v, str)]
    return values


def _known_levels(values: list[str]) -> list[Level]:
    levels = []
    for value in values:
        try:
            levels.append(Level.from_acr(value))
        except UnknownLevel:
            continue  # acr_values are voluntary: unknown values are ignored, never guessed
    return levels


def _requested_levels(params: Mapping[str, str], claims: dict[str, Any]) -> list[Level]:
    """Levels the client will accept: acr_values and an acr claims request (OIDC Core §5.5.1.1)."""
    values: list[str] = (params.get("acr_values") or "").split()
    for target in ("id_token", "userinfo"):
        values += _acr_claim_values(claims, target)
    return _known_levels(values)


def essential_acr_levels(claims: Mapping[str, Any]) -> list[Level] | None:
    """The known levels of an ``acr`` requested for the ID token as essential with values
    (OIDC Core §5.5.1.1: the ``acr`` returned must then be one of them); None otherwise."""
    acr = (claims.get("id_token") or {}).get("acr")
    if not isinstance(acr, dict) or acr.get("essential") is not True:
        return None
    values = _acr_claim_values(claims, "id_token")
    return _known_levels(values) if values else None


def reported_acr(level: Level, claims: Mapping[str, Any]) -> str:
    """The ``acr`` of an ID token: the level reached, or, when the client asked for ``acr``
    as essential with values, the highest of those the level meets (a login at substantial
    meets low; eIDAS levels are ordered). Never a level above the one reached."""
    essential = essential_acr_levels(claims) or []
    met = [wanted for wanted in essential if wanted <= level]
    return max(met).acr if met else level.acr


def _service(
    client: ClientInfo, services: Sequence[ServiceInfo], scopes: list[str]
) -> ServiceInfo | None:
    named = [m.group(1).lower() for s in scopes if (m := SERVICE_SCOPE.match(s))]
    if len(named) > 1:
        raise OAuthError("invalid_scope", "name exactly one service (urn:uuid:<service-id>)")
    if named:
        for service in services:
            if service.service_id.lower() == named[0]:
                return service
        raise OAuthError("invalid_scope", "the service is not registered for this client")
    if len(services) == 1:
        return services[0]
    if len(services) > 1:
        raise OAuthError(
            "invalid_scope", "this client offers several services: add scope urn:uuid:<service-id>"
        )
    return None


def validate(
    client: ClientInfo,
    services: Sequence[ServiceInfo],
    redirect_uri: str,
    params: Mapping[str, str],
    means_names: set[str],
) -> AuthorizationRequest:
    """Phase 2: every rule of the profile; raises OAuthError to be sent to the redirect URI."""
    for name, value in params.items():
        if len(value) > MAX_PARAM:
            raise OAuthError("invalid_request", f"parameter {name} is too long")
    if not params.get("response_type"):
        raise OAuthError("invalid_request", "response_type is required")  # RFC 6749 §4.1.2.1
    if params.get("response_type") != "code":
        # NL GOV §1.1: only the authorization code flow.
        raise OAuthError("unsupported_response_type", "response_type must be code")
    if params.get("response_mode") not in (None, "query"):
        raise OAuthError("invalid_request", "only response_mode=query is supported")
    scopes = (params.get("scope") or "").split()
    if "openid" not in scopes:
        raise OAuthError("invalid_scope", "scope must contain openid")
    state = params.get("state")
    if not state:
        raise OAuthError("invalid_request", "state is required (NL GOV profile)")
    nonce = params.get("nonce")
    if not nonce:
        raise OAuthError("invalid_request", "nonce is required (NL GOV profile)")
    challenge = params.get("code_challenge")
    method = params.get("code_challenge_method")
    if not challenge:
        raise OAuthError("invalid_request", "code_challenge is required (PKCE)")
    if method != "S256":
        raise OAuthError("invalid_request", "code_challenge_method must be S256")
    if not PKCE_CHALLENGE.match(challenge):
        raise OAuthError("invalid_request", "code_challenge is not a base64url SHA-256 value")
    if "vtr" in params and ("acr_values" in params):
        raise OAuthError("invalid_request", "vtr cannot be combined with acr_values")

    claims: dict[str, Any] = {}
    if params.get("claims"):
        try:
            claims = json.loads(params["claims"])
        except ValueError:
            raise OAuthError("invalid_request", "claims is not valid JSON") from None
        if not isinstance(claims, dict) or any(
            not isinstance(claims.get(k, {}), dict) for k in ("id_token", "userinfo")
        ):
            raise OAuthError("invalid_request", "claims must be a JSON object of objects")

    prompt = set((params.get("prompt") or "").split())
    if not prompt <= PROMPTS:
        raise OAuthError("invalid_request", "unknown prompt value")
    if "none" in prompt and len(prompt) > 1:
        raise OAuthError("invalid_request", "prompt=none cannot be combined with other values")
    max_age = None
    if params.get("max_age") is not None:
        raw = params["max_age"]
        if not MAX_AGE.match(raw):  # str.isdigit() also passes "²", which int() refuses
            raise OAuthError("invalid_request", "max_age must be a non-negative integer")
        max_age = int(raw)

    service = _service(client, services, scopes)
    required = required_level(
        service.min_level if service else None, _requested_levels(params, claims)
    )
    essential = essential_acr_levels(claims)
    if essential is not None:
        # One of these values must be returned, and none below the service's minimum may be.
        floor = required_level(service.min_level if service else None, [])
        acceptable = [level for level in essential if level >= floor]
        if not acceptable:
            raise OAuthError(
                "access_denied", "none of the essential acr values can be met for this service"
            )
        required = max(required, min(acceptable))

    login_means = params.get("login_means") or None
    if login_means is not None and login_means not in means_names:
        raise OAuthError("invalid_request", f"unknown login_means {login_means!r}")
    locales = (params.get("ui_locales") or "").split()
    ui_locale = next((loc[:2] for loc in locales if loc[:2] in ("nl", "en")), None)

    return AuthorizationRequest(
        client=client,
        redirect_uri=redirect_uri,
        state=state,
        nonce=nonce,
        scopes=scopes,
        code_challenge=challenge,
        service=service,
        required_level=required,
        claims=claims,
        prompt=prompt,
        max_age=max_age,
        login_means=login_means,
        ui_locale=ui_locale,
    )
