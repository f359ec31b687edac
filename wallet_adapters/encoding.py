"""base64url (RFC 4648 §5, no padding) and bounded JSON helpers.

JOSE (RFC 7515 §2) and SD-JWT (RFC 9901 §4) use unpadded base64url. Decoding is
strict: padding characters and non-alphabet bytes are refused instead of being
silently skipped, so two different strings cannot decode to the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from wallet_adapters.errors import MalformedInput

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or not _B64URL.match(text) or len(text) % 4 == 1:
        raise MalformedInput("invalid base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - regex guards
        raise MalformedInput("invalid base64url") from exc


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Refuse duplicate JSON member names (RFC 7515 §5.2 step 4 / RFC 9901 §4.2.1)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise MalformedInput(f"duplicate JSON member {key!r}")
        out[key] = value
    return out


def json_loads(data: bytes | str) -> Any:
    try:
        return json.loads(data, object_pairs_hook=_no_duplicates)
    except MalformedInput:
        raise
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedInput("invalid JSON") from exc


def json_object(data: bytes | str) -> dict[str, Any]:
    value = json_loads(data)
    if not isinstance(value, dict):
        raise MalformedInput("JSON object expected")
    return value


def json_dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
