"""The demo service provider's registration, so ``toegang demo`` works on a fresh checkout.

The demo SP (served by the broker itself under ``/demo-sp/``) is an ordinary client that
authenticates with ``private_key_jwt``; its private key lives beside the broker's keys in
``<keys dir>/demo-sp.jwk.json`` (owner-readable, git-ignored) and only the public half is
registered. Calling :func:`ensure_demo_client` again is harmless: it reuses the key and the
client, and only adds what a changed host, port or key requires.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import Engine
from sqlmodel import Session

from broker.assurance import Level
from broker.config import Config
from broker.register.clients import add_client, add_service, get_service
from broker.register.jwks import PRIVATE_MEMBERS
from broker.register.models import Client

DEMO_CLIENT_ID = "demo-sp"
DEMO_KEY_FILE = "demo-sp.jwk.json"
DEMO_SERVICE_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "urn:toegang:demo-sp:service"))
DEMO_PATH = "/demo-sp/"
DEMO_CALLBACK_PATH = "/demo-sp/callback"


def _b64int(value: int) -> str:
    return (
        base64.urlsafe_b64encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))
        .rstrip(b"=")
        .decode()
    )


def new_private_jwk() -> dict[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    priv, pub = key.private_numbers(), key.public_key().public_numbers()
    jwk = {
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "n": _b64int(pub.n),
        "e": _b64int(pub.e),
        "d": _b64int(priv.d),
        "p": _b64int(priv.p),
        "q": _b64int(priv.q),
        "dp": _b64int(priv.dmp1),
        "dq": _b64int(priv.dmq1),
        "qi": _b64int(priv.iqmp),
    }
    jwk["kid"] = "demo-sp-" + _b64int(pub.n)[:16]
    return jwk


def public_jwk(private_jwk: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in private_jwk.items() if k not in PRIVATE_MEMBERS}


def load_or_create_client_key(
    directory: Path, filename: str, kid_prefix: str | None = None
) -> dict[str, Any]:
    """The private JWK of one of the broker's own clients, generated (mode 0600) on first use;
    a worker that loses the race to create it reads the winner's."""
    path = directory / filename
    if path.exists():
        jwk: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return jwk
    directory.mkdir(parents=True, exist_ok=True)
    jwk = new_private_jwk()
    if kid_prefix is not None:
        jwk["kid"] = kid_prefix + str(jwk["n"])[:16]
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_or_create_client_key(directory, filename, kid_prefix)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(jwk, fh, indent=2)
    return jwk


def ensure_own_client(
    engine: Engine,
    *,
    client_id: str,
    name: str,
    private_jwk: dict[str, Any],
    redirect_uri: str,
    start_page: str,
) -> None:
    """Register one of the broker's own BSN-entitled ``private_key_jwt`` clients, or bring an
    existing registration up to date (a new port, a regenerated key file) in place."""
    jwks = {"keys": [public_jwk(private_jwk)]}
    with Session(engine) as session:
        client = session.get(Client, client_id)
        if client is not None:
            if redirect_uri not in client.redirect_uris:
                client.redirect_uris = [*client.redirect_uris, redirect_uri]
            if start_page not in client.post_logout_redirect_uris:
                client.post_logout_redirect_uris = [*client.post_logout_redirect_uris, start_page]
            if client.jwks != jwks:
                client.jwks = jwks
            session.add(client)
            session.commit()
            return
    add_client(
        engine,
        client_id=client_id,
        name=name,
        redirect_uris=[redirect_uri],
        post_logout_redirect_uris=[start_page],
        auth_method="private_key_jwt",
        jwks=jwks,
        bsn_entitled=True,
    )


def demo_redirect_uri(config: Config) -> str:
    return config.issuer + DEMO_CALLBACK_PATH


def ensure_demo_client(engine: Engine, config: Config) -> tuple[str, dict[str, Any]]:
    """Make sure the demo SP is registered for this issuer; return its client id and private JWK.

    The schema must be migrated first. The client is BSN-entitled so the demo shows what a
    BSN-entitled provider receives from the DigiD simulator; it offers one service at ``basic``
    (so every DigiD level can be tried) that allows representation (:data:`DEMO_SERVICE_ID`).
    """
    private_jwk = load_or_create_client_key(config.keys.directory, DEMO_KEY_FILE)
    ensure_own_client(
        engine,
        client_id=DEMO_CLIENT_ID,
        name="Demo service provider",
        private_jwk=private_jwk,
        redirect_uri=demo_redirect_uri(config),
        start_page=config.issuer + DEMO_PATH,
    )
    if get_service(engine, DEMO_SERVICE_ID) is None:
        add_service(
            engine,
            DEMO_CLIENT_ID,
            name_nl="Demodienst",
            name_en="Demo service",
            min_level=Level.BASIC,
            allows_representation=True,
            legal_domain="both",
            service_id=DEMO_SERVICE_ID,
        )
    return DEMO_CLIENT_ID, private_jwk
