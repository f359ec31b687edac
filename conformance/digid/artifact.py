"""SAML 2.0 type 0x0004 artifacts (SAML Bindings §3.6.4) as the simulator issues them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets

TYPE_CODE = b"\x00\x04"
ENDPOINT_INDEX = b"\x00\x00"
ARTIFACT_LENGTH = 44


def source_id(entity_id: str) -> bytes:
    """SHA-1 of the IdP entity id: how an SP finds the issuer of an artifact in its metadata."""
    return hashlib.sha1(entity_id.encode("utf-8")).digest()  # noqa: S324 - fixed by the spec


def make_artifact(entity_id: str) -> str:
    """TypeCode | EndpointIndex 0 | SourceID | 20 random bytes (the message handle), base64."""
    raw = TYPE_CODE + ENDPOINT_INDEX + source_id(entity_id) + secrets.token_bytes(20)
    return base64.b64encode(raw).decode("ascii")


def is_own_artifact(artifact: str, entity_id: str) -> bool:
    """Whether ``artifact`` is well-formed and was issued under ``entity_id``."""
    try:
        raw = base64.b64decode(artifact, validate=True)
    except (binascii.Error, ValueError):
        return False
    return (
        len(raw) == ARTIFACT_LENGTH and raw[:2] == TYPE_CODE and raw[4:24] == source_id(entity_id)
    )
