"""Registering clients (service providers) and their services: validate, then store.

Synchronous on purpose: the CLI calls these directly, and the hot path reads through
``broker.register.cache``, which runs the queries in a worker thread.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from broker.assurance import Level
from broker.register.errors import RegisterError, UnknownClient
from broker.register.jwks import check_jwks
from broker.register.models import (
    AUTH_METHODS,
    LEGAL_DOMAINS,
    REPRESENTATION_STYLES,
    SIGNING_ALGS,
    SUBJECT_TYPES,
    Client,
    Service,
)
from broker.register.secret_hash import hash_secret, new_secret, verify_secret
from broker.register.uris import check_uri, check_uris
from mandates.catalogue import RepresentationKind
from mandates.rules import DEFAULT_RULES

CLIENT_ID_BYTES = 16  # 128 bits: unguessable, so ids cannot be enumerated
# A service may shorten the longest mandate, never lengthen it beyond the global maximum.
MAX_MANDATE_DAYS = DEFAULT_RULES.max_duration.days


class HasSecretHash(Protocol):
    @property
    def client_secret_hash(self) -> str | None: ...


def _check_choice(value: str | None, allowed: Sequence[str], what: str) -> None:
    if value not in allowed:
        raise RegisterError(f"{what} {value!r} is not one of {', '.join(allowed)}")


def _check_name(value: str, what: str) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if not value or len(value) > 200:
        raise RegisterError(f"{what} must be 1 to 200 characters")
    return value


def _new_client_id() -> str:
    """128 random bits; never starting with '-', which command lines would read as an option."""
    while (value := secrets.token_urlsafe(CLIENT_ID_BYTES)).startswith("-"):
        continue
    return value


def add_client(
    engine: Engine,
    *,
    name: str,
    redirect_uris: Iterable[str],
    auth_method: str,
    jwks: dict[str, Any] | None = None,
    jwks_uri: str | None = None,
    bsn_entitled: bool = False,
    post_logout_redirect_uris: Iterable[str] = (),
    backchannel_logout_uri: str | None = None,
    id_token_alg: str = "RS256",  # noqa: S107 (an algorithm name, not a password)
    userinfo_alg: str | None = None,
    request_uris: Iterable[str] = (),
    subject_type: str = "pairwise",
    sector_identifier: str | None = None,
    client_id: str | None = None,
    representation_style: str = "nlgov",
) -> tuple[Client, str | None]:
    """Validate and store a client; returns it and, for ``client_secret_basic``, its secret.

    The secret is returned only here: the register keeps just its hash.
    """
    name = _check_name(name, "name")
    uris = check_uris(redirect_uris, "redirect URI", required=True)
    logout_uris = check_uris(post_logout_redirect_uris, "post-logout redirect URI")
    # OIDC Core 6.2: a request_uri may carry the SHA-256 of its content as fragment.
    registered_request_uris = check_uris(request_uris, "request URI", fragment_allowed=True)
    if backchannel_logout_uri is not None:
        check_uri(backchannel_logout_uri, "back-channel logout URI")
    _check_choice(auth_method, AUTH_METHODS, "auth method")
    _check_choice(subject_type, SUBJECT_TYPES, "subject type")
    _check_choice(representation_style, REPRESENTATION_STYLES, "representation style")
    _check_choice(id_token_alg, SIGNING_ALGS, "ID token signing algorithm")
    if userinfo_alg is not None:
        _check_choice(userinfo_alg, SIGNING_ALGS, "userinfo signing algorithm")
    if jwks is not None and jwks_uri is not None:
        raise RegisterError("give either a JWKS or a JWKS URI, not both")
    if auth_method == "private_key_jwt" and jwks is None and jwks_uri is None:
        raise RegisterError("private_key_jwt needs the client's public keys: a JWKS or a JWKS URI")
    if jwks is not None:
        check_jwks(jwks)
    if jwks_uri is not None:
        check_uri(jwks_uri, "JWKS URI")
    if sector_identifier is not None:
        sector_identifier = _check_name(sector_identifier, "sector identifier")
    if client_id is not None:
        client_id = _check_name(client_id, "client id")

    secret = new_secret() if auth_method == "client_secret_basic" else None
    client = Client(
        client_id=client_id or _new_client_id(),
        name=name,
        redirect_uris=uris,
        post_logout_redirect_uris=logout_uris,
        token_endpoint_auth_method=auth_method,
        client_secret_hash=hash_secret(secret) if secret is not None else None,
        jwks=jwks,
        jwks_uri=jwks_uri,
        bsn_entitled=bsn_entitled,
        subject_type=subject_type,
        id_token_signed_response_alg=id_token_alg,
        userinfo_signed_response_alg=userinfo_alg,
        request_uris=registered_request_uris,
        backchannel_logout_uri=backchannel_logout_uri,
        sector_identifier=sector_identifier,
        representation_style=representation_style,
    )
    with Session(engine, expire_on_commit=False) as session:
        if client_id is not None and session.get(Client, client_id) is not None:
            raise RegisterError(f"client id {client_id!r} is already registered")
        session.add(client)
        session.commit()
    return client, secret


def get_client(engine: Engine, client_id: str) -> Client | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.get(Client, client_id)


def list_clients(engine: Engine) -> list[Client]:
    with Session(engine) as session:
        return list(session.exec(select(Client).order_by(col(Client.created_at))).all())


def remove_client(engine: Engine, client_id: str) -> bool:
    """Remove a client and its services; False when no such client exists."""
    with Session(engine) as session:
        client = session.get(Client, client_id)
        if client is None:
            return False
        # Explicit, not only ON DELETE CASCADE: the outcome must not depend on the backend.
        session.exec(delete(Service).where(col(Service.client_id) == client_id))
        session.delete(client)
        session.commit()
    return True


def verify_client_secret(client: HasSecretHash, secret: str) -> bool:
    """Constant-time check of a presented secret against the client's stored hash."""
    return verify_secret(client.client_secret_hash, secret)


def add_service(
    engine: Engine,
    client_id: str,
    *,
    name_nl: str,
    name_en: str,
    min_level: Level,
    allows_representation: bool = False,
    legal_domain: str | None = None,
    service_id: str | None = None,
    representation_kinds: Iterable[str] | None = None,
    max_mandate_days: int | None = None,
) -> Service:
    """Add a service to a client's catalogue; ``service_id`` defaults to a random UUID.

    ``representation_kinds`` (``mandates.catalogue.RepresentationKind`` values) defaults to
    every kind when the service allows representation and to none otherwise.
    ``max_mandate_days`` (None: the global maximum only) bounds a mandate for the service.
    """
    name_nl = _check_name(name_nl, "Dutch service name")
    name_en = _check_name(name_en, "English service name")
    if not isinstance(min_level, Level):
        raise RegisterError(f"minimum level {min_level!r} is not a broker.assurance.Level")
    if legal_domain is not None:
        _check_choice(legal_domain, LEGAL_DOMAINS, "legal domain")
    kinds = _representation_kinds(allows_representation, representation_kinds)
    if max_mandate_days is not None and not 1 <= max_mandate_days <= MAX_MANDATE_DAYS:
        raise RegisterError(f"the maximum mandate period must be 1 to {MAX_MANDATE_DAYS} days")
    if service_id is None:
        service_id = str(uuid.uuid4())
    else:
        try:
            service_id = str(uuid.UUID(service_id))  # canonical lower-case form
        except ValueError:
            raise RegisterError(f"service id {service_id!r} is not a UUID") from None
    service = Service(
        service_id=service_id,
        client_id=client_id,
        name_nl=name_nl,
        name_en=name_en,
        min_level=int(min_level),
        allows_representation=allows_representation,
        legal_domain=legal_domain,
        representation_kinds=kinds,
        max_mandate_days=max_mandate_days,
    )
    with Session(engine, expire_on_commit=False) as session:
        if session.get(Client, client_id) is None:
            raise UnknownClient(client_id)
        if session.get(Service, service_id) is not None:
            raise RegisterError(f"service id {service_id!r} is already registered")
        session.add(service)
        session.commit()
    return service


def _representation_kinds(allows: bool, kinds: Iterable[str] | None) -> list[str]:
    known = [kind.value for kind in RepresentationKind]
    if kinds is None:
        return known if allows else []
    chosen = list(dict.fromkeys(kinds))
    for kind in chosen:
        _check_choice(kind, known, "representation kind")
    if chosen and not allows:
        raise RegisterError("representation kinds need --allows-representation")
    return chosen


def get_service(engine: Engine, service_id: str) -> Service | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.get(Service, service_id)


def list_services(engine: Engine, client_id: str | None = None) -> list[Service]:
    query = select(Service).order_by(col(Service.created_at), col(Service.service_id))
    if client_id is not None:
        query = query.where(col(Service.client_id) == client_id)
    with Session(engine) as session:
        return list(session.exec(query).all())


def remove_service(engine: Engine, service_id: str) -> bool:
    """Remove one service; False when no such service exists."""
    with Session(engine) as session:
        service = session.get(Service, service_id)
        if service is None:
            return False
        session.delete(service)
        session.commit()
    return True
