"""Malformed or hostile input never escapes as an unhandled exception (attack-catalogue §5.4)."""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Callable

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wallet_support import *  # noqa: F403 - the shared pytest fixtures
from wallet_support import NOW

from wallet_adapters.encoding import b64url_encode
from wallet_adapters.errors import WalletVerificationError
from wallet_adapters.mdoc.verifier import MdocPolicy, verify_device_response
from wallet_adapters.openid4vp.request import EphemeralEncryptionKey
from wallet_adapters.openid4vp.response import decrypt_response
from wallet_adapters.sd_jwt_vc import SdJwtVcPolicy, verify_sd_jwt_vc
from wallet_adapters.status_list import decode_json_status_list

KEY = EphemeralEncryptionKey.generate()
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

cbor_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.binary(max_size=40) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text(max_size=12) | st.integers(), inner, max_size=4),
    max_leaves=30,
)


@FUZZ
@given(st.binary(max_size=2000) | cbor_values.map(cbor2.dumps))
def test_device_response_fuzz(mdoc_policy: MdocPolicy, transcript: Callable[[str], bytes],
                              blob: bytes) -> None:
    for form in (blob, b64url_encode(blob)):
        with contextlib.suppress(WalletVerificationError):
            verify_device_response(form, mdoc_policy, session_transcript=transcript("n"),
                                   now=NOW)


@FUZZ
@given(cbor_values)
def test_document_shaped_fuzz(mdoc_policy: MdocPolicy, transcript: Callable[[str], bytes],
                              doc: object) -> None:
    blob = cbor2.dumps({"version": "1.0", "status": 0, "documents": [doc]})
    with pytest.raises(WalletVerificationError):
        verify_device_response(blob, mdoc_policy, session_transcript=transcript("n"), now=NOW)


@FUZZ
@given(st.text(max_size=300), st.lists(st.text(max_size=60), max_size=4))
def test_sd_jwt_fuzz(sd_policy: SdJwtVcPolicy, head: str, rest: list[str]) -> None:
    with pytest.raises(WalletVerificationError):
        verify_sd_jwt_vc("~".join([head, *rest, ""]), sd_policy, nonce="n", audience="a",
                         now=NOW)


@FUZZ
@given(st.lists(st.binary(max_size=80), min_size=1, max_size=6))
def test_jwe_fuzz(parts: list[bytes]) -> None:
    text = ".".join(base64.urlsafe_b64encode(p).rstrip(b"=").decode() for p in parts)
    with pytest.raises(WalletVerificationError):
        decrypt_response(text, KEY)


@FUZZ
@given(cbor_values)
def test_status_list_fuzz(obj: object) -> None:
    with contextlib.suppress(WalletVerificationError):
        decode_json_status_list(obj)
