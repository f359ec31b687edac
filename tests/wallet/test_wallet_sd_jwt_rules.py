"""RFC 9901 §7.1 disclosure rules on hand-built SD-JWTs (attack-catalogue §5.2)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from wallet_support import *  # noqa: F403 - the shared pytest fixtures
from wallet_support import NOW

from wallet_adapters import sd_jwt
from wallet_adapters.encoding import b64url_encode
from wallet_adapters.errors import (
    DisclosureError,
    MalformedInput,
    SignatureInvalid,
    WalletVerificationError,
)
from wallet_adapters.jws import sign_compact
from wallet_adapters.sd_jwt_vc import SdJwtVcPolicy, verify_sd_jwt_vc
from wallet_adapters.testing import TestPki
from wallet_adapters.trust import x5c_value


def _d(*array: Any) -> tuple[str, str]:
    text = b64url_encode(json.dumps(list(array)).encode())
    return text, sd_jwt.digest(hashlib.sha256, text)


def _process(payload: dict[str, Any], disclosures: list[str]) -> dict[str, Any]:
    jwt = b64url_encode(b'{"alg":"ES256"}') + "." + b64url_encode(
        json.dumps(payload).encode()) + ".AA"
    parts = sd_jwt.split_presentation(jwt + "~" + "".join(d + "~" for d in disclosures))
    return sd_jwt.process(parts).claims


def test_array_disclosure_referenced_from_sd_refused() -> None:
    text, dig = _d("salt", "value")
    with pytest.raises(DisclosureError):
        _process({"_sd": [dig]}, [text])


def test_property_disclosure_used_as_array_element_refused() -> None:
    text, dig = _d("salt", "name", "value")
    with pytest.raises(DisclosureError):
        _process({"list": [{"...": dig}]}, [text])


def test_nested_duplicate_digest_refused() -> None:
    text, dig = _d("salt", "name", "value")
    with pytest.raises(DisclosureError):
        _process({"_sd": [dig], "nested": {"_sd": [dig]}}, [text])


def test_dots_claim_name_refused() -> None:
    text, dig = _d("salt", "...", "value")
    with pytest.raises(DisclosureError):
        _process({"_sd": [dig]}, [text])


def test_disclosure_inside_disclosure_collision_refused() -> None:
    inner, inner_dig = _d("s1", "city", "Utrecht")
    outer, outer_dig = _d("s2", "address", {"city": "Den Haag", "_sd": [inner_dig]})
    with pytest.raises(DisclosureError):
        _process({"_sd": [outer_dig]}, [outer, inner])


def test_undisclosed_array_elements_removed_and_decoys_ignored() -> None:
    text, dig = _d("salt", "NL")
    claims = _process({"n": [{"...": dig}, {"...": "decoy"}, "plain"], "_sd": ["decoy2"]},
                      [text])
    assert claims == {"n": ["NL", "plain"]}


def test_dots_object_with_extra_keys_refused() -> None:
    with pytest.raises(DisclosureError):
        _process({"n": [{"...": "x", "y": 1}]}, [])


def _token(pki: TestPki, header: dict[str, Any], payload: dict[str, Any]) -> str:
    return sign_compact({"typ": "dc+sd-jwt", "x5c": x5c_value([pki.issuer_cert]), **header},
                        payload, pki.issuer_key)


def test_json_serialization_refused(sd_policy: SdJwtVcPolicy) -> None:
    flattened = json.dumps({"protected": "eyJ9", "payload": "eyJ9", "signature": "AA",
                            "header": {"disclosures": []}})
    with pytest.raises(MalformedInput):
        verify_sd_jwt_vc(flattened + "~", sd_policy, nonce="n", audience="a", now=NOW)


def test_psychic_signature_refused(pki: TestPki, sd_policy: SdJwtVcPolicy) -> None:
    token = _token(pki, {}, {"vct": "urn:eudi:pid:nl:1"})
    zero = token.rsplit(".", 1)[0] + "." + b64url_encode(b"\x00" * 64)
    with pytest.raises(SignatureInvalid):
        verify_sd_jwt_vc(zero + "~", sd_policy, nonce="n", audience="a", now=NOW)


@pytest.mark.parametrize("alg", ["HS256", "RS256", "none", "ES384", None])
def test_weak_or_unexpected_alg_refused(alg: str | None, pki: TestPki,
                                        sd_policy: SdJwtVcPolicy) -> None:
    token = _token(pki, {}, {"vct": "urn:eudi:pid:nl:1"})
    head = {"typ": "dc+sd-jwt", "x5c": x5c_value([pki.issuer_cert])}
    if alg is not None:
        head["alg"] = alg
    forged = b64url_encode(json.dumps(head).encode()) + "." + token.split(".", 1)[1]
    with pytest.raises(WalletVerificationError):
        verify_sd_jwt_vc(forged + "~", sd_policy, nonce="n", audience="a", now=NOW)


def test_crit_header_refused(pki: TestPki, sd_policy: SdJwtVcPolicy) -> None:
    token = _token(pki, {"crit": ["x"], "x": 1}, {"vct": "urn:eudi:pid:nl:1"})
    with pytest.raises(MalformedInput):
        verify_sd_jwt_vc(token + "~", sd_policy, nonce="n", audience="a", now=NOW)


def test_duplicate_json_member_refused(sd_policy: SdJwtVcPolicy) -> None:
    head = b64url_encode(b'{"alg":"ES256","typ":"dc+sd-jwt","typ":"x"}')
    with pytest.raises(MalformedInput):
        verify_sd_jwt_vc(head + ".e30.AA~", sd_policy, nonce="n", audience="a", now=NOW)
