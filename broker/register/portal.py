"""The self-service portal's registration (``/mijn``), so the portal can log people in.

The portal is an ordinary relying party of the broker, served by the broker itself: a
BSN-entitled client authenticating with ``private_key_jwt``, redirect ``<issuer>/mijn/callback``,
no service of its own (so no "on whose behalf" step). Its private key lives beside the broker's
keys in ``<keys dir>/portal.jwk.json`` (mode 0600); only the public half is registered. Calling
:func:`ensure_portal_client` again is harmless, as with the demo client.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from broker.config import Config
from broker.register.demo import ensure_own_client, load_or_create_client_key

PORTAL_CLIENT_ID = "mijn-portaal"
PORTAL_KEY_FILE = "portal.jwk.json"
PORTAL_PATH = "/mijn/"
PORTAL_CALLBACK_PATH = "/mijn/callback"


def portal_redirect_uri(config: Config) -> str:
    return config.issuer + PORTAL_CALLBACK_PATH


def ensure_portal_client(engine: Engine, config: Config) -> tuple[str, dict[str, Any]]:
    """Make sure the portal is registered for this issuer; return its client id and key."""
    private_jwk = load_or_create_client_key(config.keys.directory, PORTAL_KEY_FILE, "portal-")
    ensure_own_client(
        engine,
        client_id=PORTAL_CLIENT_ID,
        name="Mijn machtigingen",
        private_jwk=private_jwk,
        redirect_uri=portal_redirect_uri(config),
        start_page=config.issuer + PORTAL_PATH,
    )
    return PORTAL_CLIENT_ID, private_jwk
