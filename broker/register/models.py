"""SQL tables of the register: clients (service providers) and their services (the catalogue).

JSON columns use SQLAlchemy's generic ``JSON`` type so the same model runs on SQLite and
PostgreSQL. The schema itself is created by the hand-written Alembic migrations, never by
``metadata.create_all``, so production and tests see the same DDL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, String
from sqlmodel import Field, SQLModel

AUTH_METHODS = ("private_key_jwt", "client_secret_basic")
SUBJECT_TYPES = ("pairwise", "public")
SIGNING_ALGS = ("RS256", "PS256", "ES256")
LEGAL_DOMAINS = ("financial", "personal", "both")
# How a client receives representation (revision 0003): the NL GOV `represents` claim, or
# RFC 8693 §4.1 (`sub` = represented party, `act` = the actor) for clients built for that.
REPRESENTATION_STYLES = ("nlgov", "rfc8693")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Client(SQLModel, table=True):
    """A registered service provider (OIDC relying party)."""

    __tablename__ = "clients"

    client_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    redirect_uris: list[str] = Field(default_factory=list, sa_type=JSON)
    post_logout_redirect_uris: list[str] = Field(default_factory=list, sa_type=JSON)
    token_endpoint_auth_method: str = Field(max_length=32)
    # Only a salted scrypt hash (see broker.register.secrets); the secret is shown once.
    client_secret_hash: str | None = Field(default=None, max_length=255)
    jwks: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    jwks_uri: str | None = Field(default=None, max_length=2000)
    bsn_entitled: bool = False
    subject_type: str = Field(default="pairwise", max_length=16)
    id_token_signed_response_alg: str = Field(default="RS256", max_length=16)
    userinfo_signed_response_alg: str | None = Field(default=None, max_length=16)
    # NL GOV §1.2: request_uri values must be pre-registered and matched by string comparison.
    request_uris: list[str] = Field(default_factory=list, sa_type=JSON)
    backchannel_logout_uri: str | None = Field(default=None, max_length=2000)
    # Pairwise subjects are computed per sector; None means the client is its own sector.
    sector_identifier: str | None = Field(default=None, max_length=255)
    representation_style: str = Field(default="nlgov", max_length=16)
    created_at: dt.datetime = Field(
        default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class Service(SQLModel, table=True):
    """A service a client offers (ServiceUUID), with the minimum level it needs."""

    __tablename__ = "services"

    service_id: str = Field(primary_key=True, max_length=36)
    client_id: str = Field(
        sa_column=Column(
            String(64),
            ForeignKey("clients.client_id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    name_nl: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    min_level: int  # broker.assurance.Level
    allows_representation: bool = False
    legal_domain: str | None = Field(default=None, max_length=16)
    # mandates.catalogue.RepresentationKind values the service accepts (revision 0003); empty
    # when the service may only be used by the person themself.
    representation_kinds: list[str] = Field(default_factory=list, sa_type=JSON)
    # The longest a voluntary mandate for this service may count, in calendar days (revision
    # 0004); None: only the register's global maximum (mandates.rules.MandateRules).
    max_mandate_days: int | None = None
    created_at: dt.datetime = Field(
        default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
