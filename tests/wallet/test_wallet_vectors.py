"""Published test vectors (see tests/data/wallet/SOURCE.md for provenance)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re

import cbor2
import pytest
from cryptography import x509
from joserfc.jwk import ECKey
from wallet_support import DATA

from wallet_adapters import sd_jwt
from wallet_adapters.encoding import b64url_decode
from wallet_adapters.errors import DisclosureError, HolderBindingError, UntrustedIssuer
from wallet_adapters.jws import jwk_thumbprint, parse_compact, public_key_from_jwk
from wallet_adapters.mdoc.session_transcript import (
    openid4vp_handover_info,
    openid4vp_session_transcript,
)
from wallet_adapters.mdoc.verifier import (
    MdocPolicy,
    decode_device_response,
    verify_device_response,
    verify_issuer_signed,
)
from wallet_adapters.openid4vp.response import decrypt_response
from wallet_adapters.sd_jwt_vc import SdJwtVcPolicy, static_key_resolver, verify_sd_jwt_vc
from wallet_adapters.status_list import (
    decode_json_status_list,
    verify_status_list_cwt,
    verify_status_list_jwt,
)
from wallet_adapters.trust import TrustList

SPEC_ISSUER_KEY = public_key_from_jwk({
    "kty": "EC", "crv": "P-256",
    "x": "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
    "y": "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8",
})


def _ts(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, dt.UTC)


# ---------------------------------------------------------------- OpenID4VP 1.0
def test_openid4vp_encrypted_response_example_decrypts() -> None:
    vec = json.loads((DATA / "openid4vp/encrypted_response.json").read_text())
    payload = decrypt_response(vec["response"], ECKey.import_key(vec["private_jwk"]))
    assert payload == vec["expected_payload"]
    header = json.loads(b64url_decode(vec["response"].split(".")[0]))
    assert header == vec["expected_header"]


def test_openid4vp_session_transcript_example() -> None:
    vec = json.loads((DATA / "openid4vp/session_transcript.json").read_text())
    thumb = jwk_thumbprint(vec["jwk"])
    assert thumb.hex() == "4283ec927ae0f208daaa2d026a814f2b22dca52cf85ffa8f3f8626c6bd669047"
    info = openid4vp_handover_info(vec["client_id"], vec["nonce"], thumb, vec["response_uri"])
    assert info.hex() == vec["handover_info_hex"]
    assert cbor2.dumps(["OpenID4VPHandover", hashlib.sha256(info).digest()]).hex() == (
        vec["handover_hex"]
    )
    st = openid4vp_session_transcript(vec["client_id"], vec["nonce"], thumb, vec["response_uri"])
    assert st.hex() == vec["session_transcript_hex"]


def test_openid4vp_sd_jwt_vcld_presentation_verifies() -> None:
    d = DATA / "openid4vp/sd_jwt_vcld"
    presentation = "".join((d / "sd_jwt_presentation.txt").read_text().split())
    kb = json.loads((d / "kb_jwt_payload.json").read_text())
    policy = SdJwtVcPolicy(
        key_resolver=static_key_resolver(SPEC_ISSUER_KEY),
        allowed_vcts=frozenset({"https://credentials.example.com/example_credential"}),
    )
    result = verify_sd_jwt_vc(presentation, policy, nonce="1234567890",
                              audience="https://verifier.example.org", now=_ts(kb["iat"] + 10))
    expected = json.loads((d / "verified_contents.json").read_text())
    assert result.claims == expected
    assert result.key_bound
    with pytest.raises(HolderBindingError):  # the same vector, another verifier
        verify_sd_jwt_vc(presentation, policy, nonce="1234567890",
                         audience="x509_hash:other", now=_ts(kb["iat"] + 10))


# ------------------------------------------------------------ RFC 9901 / SD-JWT VC
def test_sd_jwt_vc_spec_example_with_kb_verifies() -> None:
    text = (DATA / "sd_jwt/sd_jwt_vc_with_kb.jwt").read_text().strip()
    kb = parse_compact(sd_jwt.split_presentation(text).kb_jwt or "").payload
    policy = SdJwtVcPolicy(
        key_resolver=static_key_resolver(SPEC_ISSUER_KEY),
        allowed_vcts=frozenset({"https://bmi.bund.example/credential/pid/1.0"}),
    )
    result = verify_sd_jwt_vc(text, policy, nonce="1234567890",
                              audience="https://verifier.example.org", now=_ts(kb["iat"]))
    assert result.vct == "https://bmi.bund.example/credential/pid/1.0"
    assert "_sd" not in json.dumps(result.claims)


def test_rfc9901_with_kb_example_processes_and_binds() -> None:
    text = (DATA / "sd_jwt/with_kb.jwt").read_text().strip()
    parts = sd_jwt.split_presentation(text)
    processed = sd_jwt.process(parts)
    assert processed.claims["family_name"] == "Doe"
    assert processed.claims["nationalities"] == ["US"]
    kb = parse_compact(parts.kb_jwt or "").payload
    sd_jwt.verify_key_binding(
        parts, processed.claims["cnf"]["jwk"], processed.hash_fn,
        sd_jwt.KeyBindingExpectation("1234567890", "https://verifier.example.org",
                                     _ts(kb["iat"])),
    )


def test_rfc9901_disclosure_digest_example() -> None:
    # RFC 9901 §4.2.3 (oauth-wg/oauth-selective-disclosure-jwt@836b87c, draft .md l.469-472)
    disclosure = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
    assert sd_jwt.digest(hashlib.sha256, disclosure) == (
        "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"
    )


def test_nl_wallet_invalid_disclosure_example_refused() -> None:
    text = (DATA / "sd_jwt/invalid_disclosure.jwt").read_text().strip()
    with pytest.raises(DisclosureError):
        sd_jwt.process(sd_jwt.split_presentation(text))


# ------------------------------------------------------------- Token Status List
def _status_key() -> object:
    return public_key_from_jwk({
        k: v for k, v in json.loads((DATA / "status_list/example_key.json").read_text()).items()
        if k in ("kty", "crv", "x", "y")
    })


def _json_block(name: str) -> dict[str, object]:
    text = (DATA / "status_list" / name).read_text()
    body = text[text.index("{"):]
    obj = json.loads(re.sub(r"\n\s*", "", body))
    assert isinstance(obj, dict)
    return obj


def test_status_list_jwt_example_verifies() -> None:
    token = "".join((DATA / "status_list/status_list_jwt_raw.md").read_text().split())
    tok = verify_status_list_jwt(token, "https://example.com/statuslists/1", _ts(1686920170 + 60),
                                 static_key=_status_key())  # type: ignore[arg-type]
    assert [tok.status_list.get(i) for i in range(16)] == [
        1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1
    ]
    assert tok.ttl == dt.timedelta(seconds=43200)


def test_status_list_cwt_example_verifies() -> None:
    raw = bytes.fromhex("".join((DATA / "status_list/status_list_cwt.md").read_text().split()))
    tok = verify_status_list_cwt(raw, "https://example.com/statuslists/1",
                                 _ts(1686920170 + 60), static_key=_status_key())  # type: ignore[arg-type]
    assert tok.status_list.get(0) == 1 and tok.status_list.get(1) == 0


def test_status_list_encodings() -> None:
    two = decode_json_status_list(_json_block("status_list_encoding2_json.md"))
    assert [two.get(i) for i in range(12)] == [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]
    long1 = decode_json_status_list(_json_block("status_list_encoding1_long_json.md"))
    ones = {0, 1993, 25460, 159495, 495669, 554353, 645645, 723232, 854545, 934534, 1000345}
    assert long1.size == 2**20
    assert all(long1.get(i) == 1 for i in ones) and long1.get(1) == 0
    long2 = decode_json_status_list(_json_block("status_list_encoding2_long_json.md"))
    assert long2.get(1993) == 2 and long2.get(159495) == 3 and long2.get(1000345) == 3
    four = decode_json_status_list(_json_block("status_list_encoding4_json.md"))
    assert four.get(35460) == 3 and four.get(1030205) == 15 and four.get(1000345) == 12
    eight = decode_json_status_list(_json_block("status_list_encoding8_json.md"))
    rng = random.Random(42)  # reproduces src/main.py exampleStatusList8Bit
    expected: dict[int, int] = {}
    for value in range(256):
        expected[rng.randint(0, 2**20 - 1)] = value
    assert all(eight.get(i) == v for i, v in expected.items())


# ------------------------------------------------------------- ISO 18013-5 Annex D
ANNEX_D_NOW = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)


def _annex_d() -> tuple[bytes, x509.Certificate, MdocPolicy]:
    response = bytes.fromhex((DATA / "iso18013_5_annex_d/device_response.hex").read_text().strip())
    ds = x509.load_der_x509_certificate(
        bytes.fromhex((DATA / "iso18013_5_annex_d/ds_cert.hex").read_text().strip())
    )
    # The IACA is not published with the vectors: pin the DS certificate itself.
    policy = MdocPolicy(trust=TrustList([ds]), allowed_doctypes=frozenset({
        "org.iso.18013.5.1.mDL"}))
    return response, ds, policy


def test_iso_annex_d_issuer_auth_and_digests_verify() -> None:
    response, _, policy = _annex_d()
    doc = decode_device_response(response)["documents"][0]
    result = verify_issuer_signed(doc, policy, ANNEX_D_NOW)
    claims = result.claims["org.iso.18013.5.1"]
    assert claims["family_name"] == "Doe"
    assert claims["document_number"] == "123456789"
    assert claims["issue_date"] == dt.date(2019, 10, 20)
    key = json.loads((DATA / "iso18013_5_annex_d/static_device_key.json").read_text())
    assert result.device_key.public_numbers().x == int(key["x"], 16)


def test_iso_annex_d_first_digest_matches_fact_sheet() -> None:
    response, _, _ = _annex_d()
    doc = decode_device_response(response)["documents"][0]
    first = doc["issuerSigned"]["nameSpaces"]["org.iso.18013.5.1"][0]
    assert hashlib.sha256(cbor2.dumps(first)).hexdigest().startswith("75167333")


def test_iso_annex_d_refused_outside_validity() -> None:
    response, _, policy = _annex_d()
    doc = decode_device_response(response)["documents"][0]
    with pytest.raises(UntrustedIssuer):  # DS certificate expired 2021-10-01
        verify_issuer_signed(doc, policy, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def test_iso_annex_d_device_mac_refused() -> None:
    response, _, policy = _annex_d()
    transcript = cbor2.loads(bytes.fromhex(
        (DATA / "iso18013_5_annex_d/session_transcript_bytes.hex").read_text().strip()
    )).value
    with pytest.raises(HolderBindingError):
        verify_device_response(response, policy, session_transcript=transcript, now=ANNEX_D_NOW)
