"""HTTP-Redirect binding (SAML Bindings §3.4) and its signed query string."""

from __future__ import annotations

import base64
import zlib
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker.saml.redirect import (
    _encode_base64,
    build_redirect_url,
    deflate_encode,
    inflate_decode,
    verify_redirect_query,
)
from broker.saml.signature import load_certificates
from broker.saml.xml import SamlError

XML = b'<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_abc"/>'


def _query(sp_keys: Any, relay_state: str | None = "tx-1") -> str:
    url = build_redirect_url("https://idp.example/sso", "SAMLRequest", XML, relay_state,
                             sp_keys.key)
    return urlsplit(url).query


def test_signed_redirect_round_trip(sp_keys: Any) -> None:
    message = verify_redirect_query(_query(sp_keys), load_certificates([sp_keys.cert_pem]))
    assert message.xml == XML
    assert message.relay_state == "tx-1"
    assert message.parameter == "SAMLRequest"


def test_signed_string_order_and_raw_values(sp_keys: Any) -> None:
    query = _query(sp_keys)
    names = [item.split("=", 1)[0] for item in query.split("&")]
    assert names == ["SAMLRequest", "RelayState", "SigAlg", "Signature"]
    assert "SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256" in query


def test_deflate_is_raw_without_zlib_header() -> None:
    raw = base64.b64decode(deflate_encode(XML))
    assert zlib.decompress(raw, -15) == XML
    with pytest.raises(zlib.error):
        zlib.decompress(raw)  # a zlib header would make this succeed


def test_tampered_relay_state_refused(sp_keys: Any) -> None:
    query = _query(sp_keys).replace("RelayState=tx-1", "RelayState=tx-2")
    with pytest.raises(SamlError, match="signature invalid"):
        verify_redirect_query(query, load_certificates([sp_keys.cert_pem]))


def test_removed_relay_state_refused(sp_keys: Any) -> None:
    query = _query(sp_keys).replace("&RelayState=tx-1", "")
    with pytest.raises(SamlError):
        verify_redirect_query(query, load_certificates([sp_keys.cert_pem]))


def test_sigalg_swapped_to_sha1_refused(sp_keys: Any) -> None:
    sha1 = quote("http://www.w3.org/2000/09/xmldsig#rsa-sha1", safe="")
    query = _query(sp_keys).replace(
        quote("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", safe=""), sha1
    )
    with pytest.raises(SamlError, match="SigAlg"):
        verify_redirect_query(query, load_certificates([sp_keys.cert_pem]))


def test_sigalg_swapped_to_sha512_refused(sp_keys: Any) -> None:
    query = _query(sp_keys).replace("rsa-sha256", "rsa-sha512")
    with pytest.raises(SamlError, match="signature invalid"):
        verify_redirect_query(query, load_certificates([sp_keys.cert_pem]))


def test_duplicate_parameter_refused(sp_keys: Any) -> None:
    query = _query(sp_keys)
    first = query.split("&")[0]
    with pytest.raises(SamlError, match="duplicate"):
        verify_redirect_query(query + "&" + first, load_certificates([sp_keys.cert_pem]))


def test_unsigned_query_refused(sp_keys: Any) -> None:
    query = "&".join(p for p in _query(sp_keys).split("&") if not p.startswith("Signature="))
    with pytest.raises(SamlError, match="not signed"):
        verify_redirect_query(query, load_certificates([sp_keys.cert_pem]))


def test_signature_by_other_key_refused(sp_keys: Any, attacker_keys: Any) -> None:
    with pytest.raises(SamlError, match="signature invalid"):
        verify_redirect_query(_query(attacker_keys), load_certificates([sp_keys.cert_pem]))


def test_relay_state_over_80_bytes_refused_when_building(sp_keys: Any) -> None:
    with pytest.raises(ValueError, match="80 bytes"):
        _query(sp_keys, relay_state="x" * 81)


def test_deflate_bomb_refused() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = compressor.compress(b"<a>" + b"A" * (20 * 1024 * 1024)) + compressor.flush()
    assert len(bomb) < 64 * 1024
    with pytest.raises(SamlError, match="too large"):
        inflate_decode(base64.b64encode(bomb).decode())


def test_truncated_deflate_refused() -> None:
    encoded = base64.b64decode(deflate_encode(XML * 20))
    with pytest.raises(SamlError):
        inflate_decode(base64.b64encode(encoded[:-5]).decode())


@given(st.binary(max_size=600))
def test_base64_escaping_matches_full_percent_encoding(data: bytes) -> None:
    text = base64.b64encode(data).decode("ascii")
    assert _encode_base64(text) == quote(text, safe="")
