"""SAML artifacts of type 0x0004 (SAML Bindings §3.6.4).

``TypeCode (2) | EndpointIndex (2) | SourceID (20) | MessageHandle (20)``, base64-encoded.
SourceID is SHA-1 of the issuer's entityID (here SHA-1 is an identifier, not a signature), so
an artifact that claims another issuer is refused before any network call (catalogue §3.4).
MessageHandle is 20 bytes from a CSPRNG (Bindings §3.6.4: hard to guess).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from broker.saml.xml import SamlError

TYPE_CODE = 0x0004
_LENGTH = 44
MAX_ARTIFACT_CHARS = 100


def source_id(entity_id: str) -> bytes:
    """SHA-1 of the entityID (Bindings §3.6.4)."""
    return hashlib.sha1(entity_id.encode("utf-8"), usedforsecurity=False).digest()


@dataclass(frozen=True)
class Artifact:
    """A parsed type-0x0004 artifact."""

    endpoint_index: int
    source_id: bytes
    message_handle: bytes
    encoded: str


def build_artifact(issuer_entity_id: str, endpoint_index: int = 0) -> str:
    """A new artifact for ``issuer_entity_id`` (used by simulators and tests)."""
    raw = (
        TYPE_CODE.to_bytes(2, "big")
        + endpoint_index.to_bytes(2, "big")
        + source_id(issuer_entity_id)
        + secrets.token_bytes(20)
    )
    return base64.b64encode(raw).decode("ascii")


def parse_artifact(value: str, expected_issuer: str) -> Artifact:
    """Decode ``value``; refuse another type code, length, or a SourceID of another issuer."""
    if not value or len(value) > MAX_ARTIFACT_CHARS:
        raise SamlError("Ongeldig SAML-artefact.", "artifact missing or too long")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SamlError("Ongeldig SAML-artefact.", "artifact is not base64") from None
    if len(raw) != _LENGTH or int.from_bytes(raw[:2], "big") != TYPE_CODE:
        raise SamlError("Ongeldig SAML-artefact.", "artifact is not of type 0x0004")
    if not hmac.compare_digest(raw[4:24], source_id(expected_issuer)):
        raise SamlError("SAML-artefact van een onbekende uitgever.", "artifact SourceID mismatch")
    return Artifact(int.from_bytes(raw[2:4], "big"), raw[4:24], raw[24:], value)
