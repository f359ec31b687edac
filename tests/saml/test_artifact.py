"""SAML artifact type 0x0004 (SAML Bindings §3.6.4)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from broker.saml.artifact import build_artifact, parse_artifact
from broker.saml.xml import SamlError

IDP = "https://digid.example/saml/idp/metadata"


def test_artifact_layout() -> None:
    raw = base64.b64decode(build_artifact(IDP, endpoint_index=0))
    assert len(raw) == 44
    assert raw[:2] == b"\x00\x04"
    assert raw[2:4] == b"\x00\x00"
    assert raw[4:24] == hashlib.sha1(IDP.encode(), usedforsecurity=False).digest()


def test_message_handles_differ() -> None:
    assert build_artifact(IDP) != build_artifact(IDP)


def test_parse_round_trip() -> None:
    artifact = parse_artifact(build_artifact(IDP, endpoint_index=2), IDP)
    assert artifact.endpoint_index == 2
    assert len(artifact.message_handle) == 20


def test_source_id_mismatch_refused() -> None:
    with pytest.raises(SamlError, match="SourceID"):
        parse_artifact(build_artifact("https://evil.example/idp"), IDP)


def test_wrong_type_code_refused() -> None:
    raw = bytearray(base64.b64decode(build_artifact(IDP)))
    raw[1] = 0x02
    with pytest.raises(SamlError, match="0x0004"):
        parse_artifact(base64.b64encode(bytes(raw)).decode(), IDP)


@pytest.mark.parametrize("value", ["", "not base64!", base64.b64encode(b"short").decode(),
                                   "A" * 200])
def test_malformed_artifact_refused(value: str) -> None:
    with pytest.raises(SamlError):
        parse_artifact(value, IDP)
