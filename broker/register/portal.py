"""The self-service portal's registration (``/mijn``), so the portal can log people in.

The portal is an ordinary relying party of the broker, served by the broker itself: a
BSN-entitled client authenticating with ``private_key_jwt``, redirect ``<issuer>/mijn/callback``,
no service of its own (so no "on whose behalf" step). Its private key lives beside the broker's
keys in ``<keys dir>/portal.jwk.json`` (mode 0600); only the public half is registered. Calling
:func:`ensure_portal_client` again is harmless, as with the demo client.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from broker.config import Config
from broker.register.clients import add_client
from broker.register.demo import new_private_jwk, public_jwk
from broker.register.models import Client

PORTAL_CLIENT_ID = "mijn-portaal"
PORTAL_KEY_FILE = "portal.jwk.json"
PORTAL_PATH = "/mijn/"
PORTAL_CALLBACK_PATH = "/mijn/callback"


def load_or_create_portal_key(directory: Path) -> dict[str, Any]:
    """The portal's private JWK, generated (mode 0600) on first use."""
    path = directory / PORTAL_KEY_FILE
    if path.exists():
        jwk: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return jwk
    directory.mkdir(parents=True, exist_ok=True)
    jwk = new_private_jwk()
    jwk["kid"] = "portal-" + str(jwk["n"])[:16]
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first: read theirs
        return load_or_create_portal_key(directory)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(jwk, fh, indent=2)
    return jwk


def portal_redirect_uri(config: Config) -> str:
    return config.issuer + PORTAL_CALLBACK_PATH


def ensure_portal_client(engine: Engine, config: Config) -> tuple[str, dict[str, Any]]:
    """Make sure the portal is registered for this issuer; return its client id and key."""
    private_jwk = load_or_create_portal_key(config.keys.directory)
    jwks = {"keys": [public_jwk(private_jwk)]}
    redirect_uri = portal_redirect_uri(config)
    start_page = config.issuer + PORTAL_PATH
    with Session(engine) as session:
        client = session.get(Client, PORTAL_CLIENT_ID)
        if client is not None:
            if redirect_uri not in client.redirect_uris:
                client.redirect_uris = [*client.redirect_uris, redirect_uri]
            if start_page not in client.post_logout_redirect_uris:
                client.post_logout_redirect_uris = [*client.post_logout_redirect_uris, start_page]
            if client.jwks != jwks:
                client.jwks = jwks
            session.add(client)
            session.commit()
    if client is None:
        add_client(
            engine,
            client_id=PORTAL_CLIENT_ID,
            name="Mijn machtigingen",
            redirect_uris=[redirect_uri],
            post_logout_redirect_uris=[start_page],
            auth_method="private_key_jwt",
            jwks=jwks,
            bsn_entitled=True,
        )
    return PORTAL_CLIENT_ID, private_jwk
