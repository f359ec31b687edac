"""Protocol-neutral records that travel between fronts, the flow and login means.

A front turns its protocol's request into a ``LoginRequest``; a login means turns its upstream
answer into an ``Authentication``. Both live in a ``Transaction`` in the store, so any worker can
continue any login.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from broker.assurance import Level


def new_id(nbytes: int = 32) -> str:
    """Unguessable identifier (256 bits by default)."""
    return secrets.token_urlsafe(nbytes)


@dataclass
class LoginRequest:
    """What a service provider asked for, in the broker's terms."""

    client_id: str
    service_id: str
    required_level: Level
    protocol: str  # "oidc" (later "saml")
    protocol_params: dict[str, Any]  # what the front needs to answer (redirect_uri, state, ...)
    means_hint: str | None = None
    force_authn: bool = False
    max_age: int | None = None
    locale: str = "nl"

    def to_json(self) -> dict[str, Any]:
        # Field by field: dataclasses.asdict deep-copies, which is measurable on the hot path.
        return {
            "client_id": self.client_id,
            "service_id": self.service_id,
            "required_level": int(self.required_level),
            "protocol": self.protocol,
            "protocol_params": self.protocol_params,
            "means_hint": self.means_hint,
            "force_authn": self.force_authn,
            "max_age": self.max_age,
            "locale": self.locale,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LoginRequest:
        return cls(**{**data, "required_level": Level(data["required_level"])})


@dataclass
class Authentication:
    """Who logged in, how and at which level, as asserted by a login means."""

    means: str
    subject_kind: str  # "bsn", "eidas", "kvk", ...
    subject: str
    level: Level
    auth_time: int
    attributes: dict[str, str] = field(default_factory=dict)
    upstream_session: str | None = None
    # Representation the means itself asserts (eHerkenning: "acts for KvK X"), outermost first:
    # [{"kind": "kvk", "value": "12345678", "attributes": {...}}, ...]; a chain lists the
    # intermediary before the represented organisation.
    represents: list[dict[str, Any]] = field(default_factory=list)
    # Epoch after which the means wants this login no longer reused (SAML SessionNotOnOrAfter).
    reusable_until: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "means": self.means,
            "subject_kind": self.subject_kind,
            "subject": self.subject,
            "level": int(self.level),
            "auth_time": self.auth_time,
            "attributes": self.attributes,
            "upstream_session": self.upstream_session,
            "represents": self.represents,
            "reusable_until": self.reusable_until,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Authentication:
        return cls(**{**data, "level": Level(data["level"])})


@dataclass
class Transaction:
    """One login in progress. ``means_state`` belongs to the chosen login means."""

    id: str
    request: LoginRequest
    created: int
    browser_binding: str  # hash of the browser cookie that started it
    means: str | None = None
    means_state: dict[str, Any] = field(default_factory=dict)
    authentication: Authentication | None = None
    # How often this object was stored in this request (not stored itself): lets the flow skip
    # a write the login means already made.
    revision: int = field(default=0, compare=False, repr=False)
    # The browser's session record as read with the transaction (binding, record or None), not
    # stored itself: finishing the login needs it, and reading both at once is one round trip.
    session_record: tuple[str, dict[str, Any] | None] | None = field(
        default=None, compare=False, repr=False
    )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "request": self.request.to_json(),
            "created": self.created,
            "browser_binding": self.browser_binding,
            "means": self.means,
            "means_state": self.means_state,
            "authentication": self.authentication.to_json() if self.authentication else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transaction:
        auth = data.get("authentication")
        return cls(
            id=data["id"],
            request=LoginRequest.from_json(data["request"]),
            created=data["created"],
            browser_binding=data["browser_binding"],
            means=data.get("means"),
            means_state=data.get("means_state") or {},
            authentication=Authentication.from_json(auth) if auth else None,
        )
