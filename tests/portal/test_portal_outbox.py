"""The agent is told of a new mandate (outbox with console and file sinks, ``[portal]`` config),
and the portal is mounted whenever it and mandates are enabled, not only in the demo."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
from broker_harness import build_broker, make_config
from portal_support import free_bsn, grant, portal_login

from broker.app import create_app
from broker.identifiers import PartyId
from broker.store import MemoryStore
from portal.outbox import ConsoleOutbox, FileOutbox, outbox_from_config

CITIZEN = free_bsn(1700)
AGENT = free_bsn(1800)


def test_console_outbox_logs_without_the_bsn(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="toegang.portal.outbox")
    ConsoleOutbox().send(PartyId("bsn", AGENT), "Onderwerp", "Subject", "Tekst", "Text")
    logged = caplog.text
    assert f"BSN ••••••{AGENT[-3:]}" in logged
    assert AGENT not in logged
    assert all(part in logged for part in ("Onderwerp", "Subject", "Tekst", "Text"))


def test_file_outbox_appends_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "queue" / "outbox.jsonl"
    outbox = FileOutbox(path)
    outbox.send(PartyId("bsn", AGENT), "Onderwerp 1", "Subject 1", "Tekst 1", "Text 1")
    outbox.send(PartyId("bsn", CITIZEN), "Onderwerp 2", "Subject 2", "Tekst 2", "Text 2")
    first, second = (json.loads(line) for line in path.read_text("utf-8").splitlines())
    assert first["recipient"] == {"kind": "bsn", "value": AGENT}
    assert first["subject"] == {"nl": "Onderwerp 1", "en": "Subject 1"}
    assert first["body"] == {"nl": "Tekst 1", "en": "Text 1"}
    assert second["recipient"]["value"] == CITIZEN
    assert first["at"] <= second["at"]


def test_outbox_from_config(tmp_path: Path, key_dir: Path) -> None:
    config = make_config(tmp_path, key_dir)
    assert config.portal.enabled and config.portal.outbox == "console"
    assert isinstance(outbox_from_config(config.portal), ConsoleOutbox)
    target = tmp_path / "out.jsonl"
    config = make_config(
        tmp_path, key_dir, TOEGANG__PORTAL__OUTBOX="file", TOEGANG__PORTAL__OUTBOX_FILE=str(target)
    )
    outbox = outbox_from_config(config.portal)
    assert isinstance(outbox, FileOutbox) and outbox.path == target


async def test_granting_notifies_the_agent(tmp_path: Path, key_dir: Path) -> None:
    target = tmp_path / "outbox.jsonl"
    config = make_config(
        tmp_path, key_dir, TOEGANG__PORTAL__OUTBOX="file", TOEGANG__PORTAL__OUTBOX_FILE=str(target)
    )
    broker = await build_broker(config)
    try:
        citizen, _ = await portal_login(broker, CITIZEN)
        assert not target.exists()  # nothing is sent before a grant
        await grant(citizen, AGENT)
    finally:
        await broker.http.aclose()
    (line,) = target.read_text("utf-8").splitlines()
    message = json.loads(line)
    assert message["recipient"] == {"kind": "bsn", "value": AGENT}
    assert "gemachtigd" in message["body"]["nl"] and "Demodienst" in message["body"]["nl"]
    assert "authorised" in message["body"]["en"] and "Demo service" in message["body"]["en"]
    assert message["subject"]["nl"] and message["subject"]["en"]
    # The agent is not told who granted: the portal shows that after logging in.
    assert CITIZEN not in line


async def test_a_failing_outbox_does_not_undo_the_grant(tmp_path: Path, key_dir: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the outbox wants a folder")
    config = make_config(
        tmp_path,
        key_dir,
        TOEGANG__PORTAL__OUTBOX="file",
        TOEGANG__PORTAL__OUTBOX_FILE=str(blocked / "outbox.jsonl"),
    )
    broker = await build_broker(config)
    try:
        citizen, _ = await portal_login(broker, CITIZEN)
        mandate_id = await grant(citizen, AGENT)
        page = await citizen.client.get(f"/mijn/machtigingen/{mandate_id}")
        assert page.status_code == 200 and 'data-state="requested"' in page.text
    finally:
        await broker.http.aclose()


async def _portal_status(tmp_path: Path, key_dir: Path, **env: str) -> int:
    app = create_app(make_config(tmp_path, key_dir, **env), store=MemoryStore())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
    ) as client:
        return (await client.get("/mijn/")).status_code


async def test_portal_is_mounted_outside_the_demo(tmp_path: Path, key_dir: Path) -> None:
    assert await _portal_status(tmp_path / "on", key_dir) == 200
    off = await _portal_status(tmp_path / "off", key_dir, TOEGANG__PORTAL__ENABLED="false")
    assert off == 404
    no_mandates = await _portal_status(
        tmp_path / "no-mandates", key_dir, TOEGANG__MANDATES__ENABLED="false"
    )
    assert no_mandates == 404
