"""The register's rules for clients and services, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwk_factory import ec_jwk, rsa_jwk
from sqlalchemy import Engine, inspect

from broker.assurance import Level
from broker.register.clients import (
    add_client,
    add_service,
    get_client,
    get_service,
    list_clients,
    list_services,
    remove_client,
    remove_service,
    verify_client_secret,
)
from broker.register.database import current_revision, head_revision, migrate
from broker.register.errors import RegisterError, UnknownClient
from broker.register.snapshots import ClientInfo

RP = "https://rp.example.nl/callback"


def jwt_client(engine: Engine, **kwargs: Any) -> Any:
    args: dict[str, Any] = {
        "name": "RP",
        "redirect_uris": [RP],
        "auth_method": "private_key_jwt",
        "jwks": {"keys": [rsa_jwk()]},
    }
    args.update(kwargs)
    return add_client(engine, **args)


# --- schema ---------------------------------------------------------------------------------


def test_migrations_reach_head_and_are_idempotent(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    migrate(engine)  # second run changes nothing
    assert {"clients", "services"} <= set(inspect(engine).get_table_names())


# --- redirect URIs (NL GOV: absolute https, exact match; http only on loopback) ----------------


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("/callback", "absolute"),
        ("rp.example.nl/callback", "absolute"),
        ("https://rp.example.nl/callback#frag", "fragment"),
        ("https://rp.example.nl/callback#", "fragment"),
        ("http://rp.example.nl/callback", "https"),
        ("http://127.0.0.2/callback", "https"),
        ("ftp://rp.example.nl/callback", "https"),
        ("https://user:pw@rp.example.nl/callback", "credentials"),
        ("https://rp.example.nl/call back", "spaces"),
        ("https://rp.example.nl:99999/callback", "not a valid URI"),
    ],
)
def test_bad_redirect_uri_is_refused(engine: Engine, uri: str, message: str) -> None:
    with pytest.raises(RegisterError, match=message):
        jwt_client(engine, redirect_uris=[uri])
    assert list_clients(engine) == []


def test_at_least_one_redirect_uri(engine: Engine) -> None:
    with pytest.raises(RegisterError, match="at least one redirect URI"):
        jwt_client(engine, redirect_uris=[])


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1/callback",
        "http://127.0.0.1:51234/callback",
        "http://localhost:8080/cb",
        "http://[::1]:8080/cb",
        "https://rp.example.nl/callback?tenant=1",
    ],
)
def test_https_and_loopback_http_redirect_uris_are_accepted(engine: Engine, uri: str) -> None:
    client, _ = jwt_client(engine, redirect_uris=[uri])
    assert client.redirect_uris == [uri]


def test_post_logout_and_backchannel_uris_follow_the_same_rules(engine: Engine) -> None:
    with pytest.raises(RegisterError, match="post-logout redirect URI"):
        jwt_client(engine, post_logout_redirect_uris=["http://rp.example.nl/"])
    with pytest.raises(RegisterError, match="back-channel logout URI"):
        jwt_client(engine, backchannel_logout_uri="https://rp.example.nl/bcl#x")


def test_request_uris_may_carry_a_content_hash_fragment(engine: Engine) -> None:
    uri = "https://rp.example.nl/request.jwt#Ql8bWS6GwJvVZ_2kx8v3LmZx"
    client, _ = jwt_client(engine, request_uris=[uri])
    assert get_client(engine, client.client_id).request_uris == [uri]  # type: ignore[union-attr]
    with pytest.raises(RegisterError, match="request URI"):
        jwt_client(engine, request_uris=["http://rp.example.nl/request.jwt"])


# --- private_key_jwt and the client's keys -------------------------------------------------


def test_private_key_jwt_needs_keys(engine: Engine) -> None:
    with pytest.raises(RegisterError, match="JWKS or a JWKS URI"):
        jwt_client(engine, jwks=None)


def test_private_key_jwt_takes_jwks_or_jwks_uri_not_both(engine: Engine) -> None:
    with pytest.raises(RegisterError, match="not both"):
        jwt_client(engine, jwks_uri="https://rp.example.nl/jwks")
    client, secret = jwt_client(engine, jwks=None, jwks_uri="https://rp.example.nl/jwks")
    assert secret is None and client.jwks is None
    assert client.jwks_uri == "https://rp.example.nl/jwks"


def test_jwks_uri_must_be_https(engine: Engine) -> None:
    with pytest.raises(RegisterError, match="JWKS URI"):
        jwt_client(engine, jwks=None, jwks_uri="http://rp.example.nl/jwks")


def test_jwks_with_private_key_is_refused(engine: Engine) -> None:
    with pytest.raises(RegisterError, match="private key material"):
        jwt_client(engine, jwks={"keys": [rsa_jwk(private=True)]})
    assert list_clients(engine) == []


def test_symmetric_key_is_refused(engine: Engine) -> None:
    with pytest.raises(RegisterError, match="private key material"):
        jwt_client(engine, jwks={"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})


@pytest.mark.parametrize(
    ("jwks", "message"),
    [
        ({"keys": []}, "no keys"),
        ([], "JSON object"),
        ({"kid": "x"}, "JSON object"),
        ({"keys": ["x"]}, "not a JSON object"),
        ({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AA"}]}, "unsupported key type"),
        ({"keys": [{"kty": "RSA", "e": "AQAB"}]}, "'n' is missing"),
        ({"keys": [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}]}, "P-256"),
    ],
)
def test_malformed_jwks_is_refused(engine: Engine, jwks: Any, message: str) -> None:
    with pytest.raises(RegisterError, match=message):
        jwt_client(engine, jwks=jwks)


def test_weak_rsa_key_is_refused(engine: Engine) -> None:
    with pytest.raises(RegisterError, match="at least 2048"):
        jwt_client(engine, jwks={"keys": [rsa_jwk(1024)]})


def test_ec_key_must_be_p256(engine: Engine) -> None:
    with pytest.raises(RegisterError, match="P-256"):
        jwt_client(engine, jwks={"keys": [ec_jwk(ec.SECP384R1())]})
    client, _ = jwt_client(engine, jwks={"keys": [ec_jwk()]})
    assert client.jwks["keys"][0]["crv"] == "P-256"


def test_jwks_needs_a_signing_key(engine: Engine) -> None:
    enc_only = {**rsa_jwk(), "use": "enc"}
    with pytest.raises(RegisterError, match="no signing key"):
        jwt_client(engine, jwks={"keys": [enc_only]})
    client, _ = jwt_client(engine, jwks={"keys": [enc_only, ec_jwk()]})
    assert len(client.jwks["keys"]) == 2


def test_duplicate_kids_are_refused(engine: Engine) -> None:
    with pytest.raises(RegisterError, match="same kid"):
        jwt_client(engine, jwks={"keys": [ec_jwk(kid="a"), ec_jwk(kid="a")]})


# --- client_secret_basic ---------------------------------------------------------------------


def test_client_secret_is_random_returned_once_and_stored_hashed(engine: Engine) -> None:
    client, secret = add_client(
        engine, name="RP", redirect_uris=[RP], auth_method="client_secret_basic"
    )
    assert secret is not None and len(secret) >= 43  # 256 bits, base64url
    stored = get_client(engine, client.client_id)
    assert stored is not None and stored.client_secret_hash is not None
    assert secret not in stored.client_secret_hash
    assert stored.client_secret_hash.startswith("scrypt$")
    assert verify_client_secret(stored, secret)
    assert not verify_client_secret(stored, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    assert not verify_client_secret(stored, "")
    other, other_secret = add_client(
        engine, name="RP2", redirect_uris=[RP], auth_method="client_secret_basic"
    )
    assert other_secret != secret
    assert other.client_secret_hash != stored.client_secret_hash  # per-secret salt


def test_secret_verification_works_on_snapshots_and_refuses_jwt_clients(engine: Engine) -> None:
    client, secret = add_client(
        engine, name="RP", redirect_uris=[RP], auth_method="client_secret_basic"
    )
    assert secret is not None
    assert verify_client_secret(ClientInfo.from_row(client), secret)
    jwt, _ = jwt_client(engine)
    assert not verify_client_secret(jwt, secret)


# --- other metadata --------------------------------------------------------------------------


def test_defaults_are_pairwise_rs256_not_bsn_entitled(engine: Engine) -> None:
    client, _ = jwt_client(engine)
    stored = get_client(engine, client.client_id)
    assert stored is not None
    assert stored.subject_type == "pairwise"
    assert stored.id_token_signed_response_alg == "RS256"
    assert stored.userinfo_signed_response_alg is None
    assert stored.bsn_entitled is False
    assert stored.sector_identifier is None
    info = ClientInfo.from_row(stored)
    assert info.sector_identifier == client.client_id  # its own sector
    assert info.redirect_uris == (RP,)


def test_client_ids_are_random_and_url_safe(engine: Engine) -> None:
    ids = {jwt_client(engine)[0].client_id for _ in range(3)}
    assert len(ids) == 3
    for client_id in ids:
        assert len(client_id) >= 22
        assert all(c.isalnum() or c in "-_" for c in client_id)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"auth_method": "client_secret_post"}, "auth method"),
        ({"subject_type": "global"}, "subject type"),
        ({"id_token_alg": "HS256"}, "ID token signing algorithm"),
        ({"id_token_alg": "none"}, "ID token signing algorithm"),
        ({"userinfo_alg": "RS512"}, "userinfo signing algorithm"),
        ({"name": "  "}, "name"),
        ({"sector_identifier": ""}, "sector identifier"),
    ],
)
def test_invalid_metadata_is_refused(engine: Engine, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(RegisterError, match=message):
        jwt_client(engine, **kwargs)


def test_all_metadata_round_trips(engine: Engine) -> None:
    jwks = {"keys": [rsa_jwk(), ec_jwk()]}
    client, _ = jwt_client(
        engine,
        jwks=jwks,
        bsn_entitled=True,
        post_logout_redirect_uris=["https://rp.example.nl/"],
        backchannel_logout_uri="https://rp.example.nl/bcl",
        id_token_alg="PS256",
        userinfo_alg="ES256",
        request_uris=["https://rp.example.nl/r.jwt"],
        subject_type="public",
        sector_identifier="gemeente-x",
        redirect_uris=[RP, RP, "http://127.0.0.1:9000/cb"],
    )
    info = ClientInfo.from_row(get_client(engine, client.client_id))  # type: ignore[arg-type]
    assert info.redirect_uris == (RP, "http://127.0.0.1:9000/cb")  # duplicates dropped
    assert info.jwks == jwks
    assert info.bsn_entitled and info.subject_type == "public"
    assert info.id_token_signed_response_alg == "PS256"
    assert info.userinfo_signed_response_alg == "ES256"
    assert info.post_logout_redirect_uris == ("https://rp.example.nl/",)
    assert info.backchannel_logout_uri == "https://rp.example.nl/bcl"
    assert info.request_uris == ("https://rp.example.nl/r.jwt",)
    assert info.sector_identifier == "gemeente-x"


def test_fixed_client_id_cannot_be_taken_twice(engine: Engine) -> None:
    jwt_client(engine, client_id="demo-sp")
    with pytest.raises(RegisterError, match="already registered"):
        jwt_client(engine, client_id="demo-sp")


# --- services ------------------------------------------------------------------------------


def test_service_gets_a_uuid_and_keeps_its_level(engine: Engine) -> None:
    client, _ = jwt_client(engine)
    service = add_service(
        engine,
        client.client_id,
        name_nl="Aangifte",
        name_en="Tax return",
        min_level=Level.SUBSTANTIAL,
    )
    assert str(uuid.UUID(service.service_id)) == service.service_id
    stored = get_service(engine, service.service_id)
    assert stored is not None and Level(stored.min_level) is Level.SUBSTANTIAL
    assert stored.allows_representation is False and stored.legal_domain is None


def test_service_id_is_canonical_uuid(engine: Engine) -> None:
    client, _ = jwt_client(engine)
    given = "6F1C7C4E-9E59-4C85-8E2B-5B1B2C3D4E5F"
    service = add_service(
        engine, client.client_id, name_nl="A", name_en="A", min_level=Level.HIGH, service_id=given
    )
    assert service.service_id == given.lower()
    with pytest.raises(RegisterError, match="already registered"):
        add_service(
            engine,
            client.client_id,
            name_nl="B",
            name_en="B",
            min_level=Level.LOW,
            service_id=given.lower(),
        )
    with pytest.raises(RegisterError, match="not a UUID"):
        add_service(
            engine,
            client.client_id,
            name_nl="B",
            name_en="B",
            min_level=Level.LOW,
            service_id="tax-return",
        )


def test_service_for_unknown_client_is_refused(engine: Engine) -> None:
    with pytest.raises(UnknownClient):
        add_service(engine, "nobody", name_nl="A", name_en="A", min_level=Level.LOW)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"legal_domain": "medical"}, "legal domain"),
        ({"name_nl": ""}, "Dutch service name"),
        ({"min_level": 2}, "Level"),
    ],
)
def test_invalid_service_is_refused(engine: Engine, kwargs: dict[str, Any], message: str) -> None:
    client, _ = jwt_client(engine)
    args: dict[str, Any] = {"name_nl": "A", "name_en": "A", "min_level": Level.LOW, **kwargs}
    with pytest.raises(RegisterError, match=message):
        add_service(engine, client.client_id, **args)


def test_list_and_remove_services(engine: Engine) -> None:
    one, _ = jwt_client(engine)
    two, _ = jwt_client(engine)
    a = add_service(
        engine,
        one.client_id,
        name_nl="A",
        name_en="A",
        min_level=Level.LOW,
        allows_representation=True,
        legal_domain="financial",
    )
    add_service(engine, two.client_id, name_nl="B", name_en="B", min_level=Level.HIGH)
    assert [s.service_id for s in list_services(engine, one.client_id)] == [a.service_id]
    assert len(list_services(engine)) == 2
    assert remove_service(engine, a.service_id)
    assert not remove_service(engine, a.service_id)
    assert list_services(engine, one.client_id) == []


def test_remove_client_removes_its_services(engine: Engine) -> None:
    client, _ = jwt_client(engine)
    keep, _ = jwt_client(engine)
    for name in ("A", "B"):
        add_service(engine, client.client_id, name_nl=name, name_en=name, min_level=Level.LOW)
    kept = add_service(engine, keep.client_id, name_nl="C", name_en="C", min_level=Level.LOW)
    assert remove_client(engine, client.client_id)
    assert get_client(engine, client.client_id) is None
    assert list_services(engine, client.client_id) == []
    assert [s.service_id for s in list_services(engine)] == [kept.service_id]
    assert not remove_client(engine, client.client_id)


def test_database_cascade_also_removes_services(engine: Engine) -> None:
    """ON DELETE CASCADE holds even when rows are deleted behind the repository's back."""
    from sqlalchemy import text

    client, _ = jwt_client(engine)
    add_service(engine, client.client_id, name_nl="A", name_en="A", min_level=Level.LOW)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM clients WHERE client_id = :id"), {"id": client.client_id})
    assert list_services(engine) == []
