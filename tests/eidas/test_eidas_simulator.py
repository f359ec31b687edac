"""The node simulator's own rules and the configuration model."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from eidas_world import World, form_of
from pydantic import ValidationError

from broker.means.eidas import EidasConfig
from conformance.eidas.texts import TEXTS


async def test_unsigned_request_refused(world: World) -> None:
    _transaction, html = await world.started()
    action, fields = form_of(html)
    raw = base64.b64decode(fields["SAMLRequest"]).decode()
    start = raw.index("<ds:Signature")
    unsigned = raw[:start] + raw[raw.index("</ds:Signature>") + len("</ds:Signature>"):]
    fields["SAMLRequest"] = base64.b64encode(unsigned.encode()).decode()
    async with world.client() as client:
        response = await client.post(action, data=fields)
    assert response.status_code == 400 and "signature" in response.text


async def test_doctype_request_refused(world: World) -> None:
    async with world.client() as client:
        payload = base64.b64encode(b"<!DOCTYPE x []><x/>").decode()
        response = await client.post("/sim/eidas/sso", data={"SAMLRequest": payload})
    assert response.status_code == 400 and "DOCTYPE" in response.text


async def test_login_page_and_language_switch(world: World) -> None:
    _transaction, html = await world.started()
    action, fields = form_of(html)
    async with world.client() as client:
        page = await client.post(action, data=fields)
        assert "form-action" in page.headers["content-security-policy"]
        assert "<script" not in page.text.split("</head>")[1]
        for person in ("Müller", "Núñez García", "DE/NL/", "BE/NL/", "ES/NL/", "IT/NL/"):
            assert person in page.text
        _, login_fields = form_of(page.text)
        english = await client.get(
            "/sim/eidas/sso", params={"request_key": login_fields["request_key"], "lang": "en"}
        )
        assert "Simulator — not a real eIDAS node" in english.text
        missing = await client.post(
            "/sim/eidas/login", data={**login_fields, "action": "login", "level": "high"}
        )
        assert missing.status_code == 422 and TEXTS["nl"]["error_person"] in missing.text


def test_texts_have_same_keys() -> None:
    assert TEXTS["nl"].keys() == TEXTS["en"].keys()


def test_config_requires_node_values_without_simulator(tmp_path: Path) -> None:
    assert EidasConfig().simulator is True
    with pytest.raises(ValidationError, match="node_entity_id"):
        EidasConfig(simulator=False)
    with pytest.raises(ValidationError):
        EidasConfig(unknown=True)  # type: ignore[call-arg]
    config = EidasConfig(
        simulator=False, node_entity_id="https://node.example/metadata",
        node_sso_url="https://node.example/sso", node_certificate=tmp_path / "node.pem",
    )
    assert config.node_sso_url == "https://node.example/sso"
