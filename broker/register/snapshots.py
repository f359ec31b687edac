"""Immutable views of register rows for the hot path.

The fronts and the flow get these instead of ORM objects: no session to keep open, no lazy
loading from an event loop, no accidental write-back, and JSON columns already parsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from broker.assurance import Level
from broker.register.models import Client, Service
from mandates.catalogue import LegalDomain, RepresentationKind, ServiceTerms


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """A registered client, with OIDC registration metadata names."""

    client_id: str
    name: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    token_endpoint_auth_method: str
    client_secret_hash: str | None
    jwks: dict[str, Any] | None
    jwks_uri: str | None
    bsn_entitled: bool
    subject_type: str
    id_token_signed_response_alg: str
    userinfo_signed_response_alg: str | None
    request_uris: tuple[str, ...]
    backchannel_logout_uri: str | None
    # Always set: the registered sector, else the client id (its own sector) - pairwise input.
    sector_identifier: str
    # "nlgov" (`represents`, NL GOV §1.6) or "rfc8693" (`sub` = represented, `act` = actor).
    representation_style: str = "nlgov"

    @classmethod
    def from_row(cls, row: Client) -> ClientInfo:
        return cls(
            client_id=row.client_id,
            name=row.name,
            redirect_uris=tuple(row.redirect_uris),
            post_logout_redirect_uris=tuple(row.post_logout_redirect_uris),
            token_endpoint_auth_method=row.token_endpoint_auth_method,
            client_secret_hash=row.client_secret_hash,
            jwks=row.jwks,
            jwks_uri=row.jwks_uri,
            bsn_entitled=row.bsn_entitled,
            subject_type=row.subject_type,
            id_token_signed_response_alg=row.id_token_signed_response_alg,
            userinfo_signed_response_alg=row.userinfo_signed_response_alg,
            request_uris=tuple(row.request_uris),
            backchannel_logout_uri=row.backchannel_logout_uri,
            sector_identifier=row.sector_identifier or row.client_id,
            representation_style=row.representation_style or "nlgov",
        )


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """A catalogue entry: what a client offers and the minimum level it needs."""

    service_id: str
    client_id: str
    name_nl: str
    name_en: str
    min_level: Level
    allows_representation: bool
    legal_domain: str | None
    representation_kinds: tuple[str, ...] = ()
    max_mandate_days: int | None = None

    def name(self, lang: str) -> str:
        return self.name_nl if lang == "nl" else self.name_en

    @classmethod
    def from_row(cls, row: Service) -> ServiceInfo:
        return cls(
            service_id=row.service_id,
            client_id=row.client_id,
            name_nl=row.name_nl,
            name_en=row.name_en,
            min_level=Level(row.min_level),
            allows_representation=row.allows_representation,
            legal_domain=row.legal_domain,
            representation_kinds=tuple(row.representation_kinds or ()),
            max_mandate_days=row.max_mandate_days,
        )

    def terms(self) -> ServiceTerms:
        """The catalogue entry as resolution sees it (``mandates.catalogue``). A service that
        does not allow representation offers no kind, whatever its kinds column says."""
        kinds = frozenset(
            RepresentationKind(kind)
            for kind in self.representation_kinds
            if kind in RepresentationKind.__members__.values()
        )
        return ServiceTerms(
            service_id=self.service_id,
            min_level=self.min_level,
            representation=kinds if self.allows_representation else frozenset(),
            legal_domain=None if self.legal_domain is None else LegalDomain(self.legal_domain),
            max_mandate_days=self.max_mandate_days,
        )
