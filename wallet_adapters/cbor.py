"""Bounded CBOR decoding (RFC 8949) for untrusted wallet input.

ISO 18013-5 §8.1 requires definite-length, preferred-serialization CBOR, and
attack-catalogue §5.4 asks for bounded rejection of deep nesting and huge byte
strings. cbor2 reads lengths lazily (a claimed 2^60-byte string with a short input
ends in ``CBORDecodeEOF``, no allocation), so an input size cap plus a depth cap
bounds memory. Tag 24 (embedded CBOR) is left as ``CBORTag`` so the exact bytes
that the MSO digests cover stay available.
"""

from __future__ import annotations

from typing import Any

import cbor2

from wallet_adapters.errors import MalformedInput

MAX_CBOR_SIZE = 1024 * 1024
MAX_DEPTH = 24


def loads(data: bytes, *, max_size: int = MAX_CBOR_SIZE) -> Any:
    if not isinstance(data, bytes | bytearray) or len(data) > max_size:
        raise MalformedInput("CBOR input missing or too large")
    try:
        return cbor2.loads(
            bytes(data),
            max_depth=MAX_DEPTH,
            allow_indefinite=False,
            allow_duplicate_keys=False,
        )
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise MalformedInput(f"invalid CBOR: {exc}") from exc


def dumps(value: Any) -> bytes:
    return cbor2.dumps(value)


def embedded(value: Any, *, max_size: int = MAX_CBOR_SIZE) -> tuple[bytes, Any]:
    """Unwrap ``#6.24(bstr .cbor X)``; returns (inner bytes, decoded X)."""
    if not isinstance(value, cbor2.CBORTag) or value.tag != 24 or not isinstance(
        value.value, bytes
    ):
        raise MalformedInput("tag-24 embedded CBOR expected")
    return value.value, loads(value.value, max_size=max_size)


def tag24(data: bytes) -> cbor2.CBORTag:
    return cbor2.CBORTag(24, data)
