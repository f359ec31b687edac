"""Request and response bodies of the management API, as pydantic models.

Every request model forbids unknown fields (``extra="forbid"``): state, ids and the principal are
never taken from a body, so a body carrying ``state``, ``principal`` or ``id`` is refused instead
of silently ignored (attack-catalogue §6 "Mass assignment"; ASVS 5 8.2.3). The principal is
always the logged-in person from the broker session.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool

PartyKind = Literal["bsn", "kvk", "rsin", "eidas"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartyRef(_Strict):
    """A party, always namespaced by kind (a BSN and a KvK number never mix)."""

    kind: PartyKind
    value: str = Field(min_length=1, max_length=220)


class GrantRequest(_Strict):
    """The logged-in person asks ``agent`` to act for them for ``services``."""

    agent: PartyRef
    services: list[uuid.UUID] = Field(min_length=1, max_length=50)
    valid_from: AwareDatetime | None = Field(None, description="Default: now")
    valid_until: AwareDatetime
    # Strict: "yes", "0" or 1 are not a yes/no answer to "may the agent pass this on?".
    onward: StrictBool = Field(
        False, description="Chain mandate: the agent organisation's own agents"
    )


class EmptyRequest(_Strict):
    """accept / reject / revoke take no fields: the mandate id is in the path."""


class CheckRequest(_Strict):
    """A service provider asks whether ``actor`` may act for ``represented`` for its service."""

    service_id: uuid.UUID
    actor_type: PartyKind
    actor: str = Field(min_length=1, max_length=220)
    represented_type: PartyKind
    represented: str = Field(min_length=1, max_length=220)
    acr: str | None = Field(None, description="Level the actor logged in at; default: minimum")


class CheckForm(CheckRequest):
    """The form ``/check`` takes: the question plus the client assertion (RFC 7523)."""

    client_assertion_type: Literal["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
    client_assertion: str = Field(description="JWT signed with the client's key, aud = issuer")
    client_id: str | None = None


class Message(BaseModel):
    nl: str
    en: str


class ErrorResponse(BaseModel):
    error: str
    message: Message | None = None
    details: list[dict[str, Any]] | None = Field(
        None, description="422 only: the fields that do not match (input never echoed)"
    )


class MandateOut(BaseModel):
    id: str
    role: Literal["principal", "agent"]
    state: str
    principal: PartyRef
    agent: PartyRef
    services: list[str]
    valid_from: dt.datetime
    valid_until: dt.datetime
    granted_acr: str
    onward: bool


class MandateList(BaseModel):
    given: list[MandateOut]
    received: list[MandateOut]


class Representation(BaseModel):
    kind: str
    basis: list[str]
    scope: list[str]
    source: str


class CheckResponse(BaseModel):
    allowed: bool
    reason: str
    message: Message
    representation: Representation | None = None
    acr: str | None = None
