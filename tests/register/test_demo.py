"""The demo service provider registration is idempotent and keeps its private key local."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from sqlalchemy import Engine

from broker.assurance import Level
from broker.config import load_config
from broker.register.clients import get_client, get_service, list_clients
from broker.register.demo import DEMO_KEY_FILE, DEMO_SERVICE_ID, ensure_demo_client


def config_for(tmp_path: Path, port: int = 8000):  # type: ignore[no-untyped-def]
    return load_config(
        environ={
            "TOEGANG__KEYS__DIRECTORY": str(tmp_path / "keys"),
            "TOEGANG__SERVER__PORT": str(port),
        }
    )


def test_demo_client_is_registered_once_with_public_key_only(
    engine: Engine, tmp_path: Path
) -> None:
    config = config_for(tmp_path)
    client_id, private_jwk = ensure_demo_client(engine, config)
    again_id, again_jwk = ensure_demo_client(engine, config)
    assert (client_id, private_jwk) == (again_id, again_jwk)
    assert len(list_clients(engine)) == 1

    client = get_client(engine, client_id)
    assert client is not None
    assert client.token_endpoint_auth_method == "private_key_jwt"
    assert client.redirect_uris == ["http://127.0.0.1:8000/demo-sp/callback"]
    assert client.jwks is not None
    (public,) = client.jwks["keys"]
    assert "d" not in public and public["n"] == private_jwk["n"] and "d" in private_jwk

    key_file = tmp_path / "keys" / DEMO_KEY_FILE
    assert json.loads(key_file.read_text()) == private_jwk
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    service = get_service(engine, DEMO_SERVICE_ID)
    assert service is not None and service.client_id == client_id
    assert Level(service.min_level) is Level.BASIC


def test_demo_client_follows_a_new_port_and_a_new_key(engine: Engine, tmp_path: Path) -> None:
    client_id, first_jwk = ensure_demo_client(engine, config_for(tmp_path))
    (tmp_path / "keys" / DEMO_KEY_FILE).unlink()
    _, second_jwk = ensure_demo_client(engine, config_for(tmp_path, port=9000))
    client = get_client(engine, client_id)
    assert client is not None and client.jwks is not None
    assert client.redirect_uris == [
        "http://127.0.0.1:8000/demo-sp/callback",
        "http://127.0.0.1:9000/demo-sp/callback",
    ]
    assert client.jwks["keys"][0]["n"] == second_jwk["n"] != first_jwk["n"]
