"""DCQL query building and response satisfaction (OpenID4VP 1.0 §6, §8.6 step 3)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from wallet_support import NL_PID

from wallet_adapters import dcql
from wallet_adapters.errors import MalformedInput, QueryNotSatisfied
from wallet_adapters.sd_jwt_vc import SdJwtVcResult


def sd(claims: dict[str, Any], vct: str = NL_PID) -> SdJwtVcResult:
    return SdJwtVcResult(vct=vct, issuer=None, claims={"vct": vct, **claims}, holder_jwk=None,
                         key_bound=True, status=None)


FULL = {"family_name": "De Bruijn", "given_name": "Willeke", "birthdate": "1965-03-01",
        "bsn": "999999990", "recovery_code": "x"}


def test_nl_query_shape() -> None:
    q = dcql.build_pid_query("nl")
    assert [c["format"] for c in q["credentials"]] == ["dc+sd-jwt", "mso_mdoc"]
    assert q["credentials"][0]["meta"] == {"vct_values": [NL_PID]}
    assert {tuple(c["path"]) for c in q["credentials"][0]["claims"]} == {
        ("family_name",), ("given_name",), ("birthdate",), ("bsn",)}
    assert q["credentials"][1]["meta"] == {"doctype_value": NL_PID}
    assert q["credential_sets"] == [{"options": [["pid_sd_jwt"], ["pid_mdoc"]]}]


def test_eu_query_shape() -> None:
    q = dcql.build_pid_query("eu", formats=("mso_mdoc",))
    paths = [c["path"] for c in q["credentials"][0]["claims"]]
    assert ["eu.europa.ec.eudi.pid.1", "birth_date"] in paths
    assert ["eu.europa.ec.eudi.pid.1", "personal_administrative_number"] in paths
    assert "credential_sets" not in q


def test_satisfied_and_minimised() -> None:
    q = dcql.build_pid_query("nl", formats=("dc+sd-jwt",))
    out = dcql.check_response(q, {"pid_sd_jwt": [sd(FULL)]})
    assert out.satisfied == {"pid_sd_jwt"}
    assert dcql.requested_claims(q["credentials"][0], sd(FULL)) == {
        "family_name": "De Bruijn", "given_name": "Willeke", "birthdate": "1965-03-01",
        "bsn": "999999990"}  # recovery_code dropped


def test_missing_claim_refused() -> None:
    q = dcql.build_pid_query("nl")
    no_bsn = {k: v for k, v in FULL.items() if k != "bsn"}
    with pytest.raises(QueryNotSatisfied):
        dcql.check_response(q, {"pid_sd_jwt": [sd(no_bsn)]})


def test_wrong_type_refused() -> None:
    q = dcql.build_pid_query("nl")
    with pytest.raises(QueryNotSatisfied):
        dcql.check_response(q, {"pid_sd_jwt": [sd(FULL, vct="urn:eudi:pid:1")]})


def test_credential_sets_and_unknown_ids() -> None:
    q = dcql.build_pid_query("nl")
    with pytest.raises(QueryNotSatisfied):
        dcql.check_response(q, {})
    with pytest.raises(QueryNotSatisfied):
        dcql.check_response(q, {"other": [sd(FULL)]})
    no_sets = copy.deepcopy(q)
    del no_sets["credential_sets"]
    with pytest.raises(QueryNotSatisfied):  # both required without credential_sets
        dcql.check_response(no_sets, {"pid_sd_jwt": [sd(FULL)]})
    optional = copy.deepcopy(q)
    optional["credential_sets"][0]["required"] = False
    assert dcql.check_response(optional, {}).satisfied == frozenset()


def test_multiple_and_claim_sets_and_values() -> None:
    q: dict[str, Any] = {"credentials": [{
        "id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": [NL_PID]},
        "claims": [{"id": "a", "path": ["bsn"]}, {"id": "b", "path": ["birthdate"]},
                   {"id": "c", "path": ["address", "postal_code"], "values": ["2511 DP"]},
                   {"id": "d", "path": ["nationalities", None]}],
        "claim_sets": [["a", "c"], ["b", "d"]],
    }]}
    with pytest.raises(QueryNotSatisfied):
        dcql.check_response(q, {"pid": [sd(FULL), sd(FULL)]})
    assert dcql.check_response(q, {"pid": [sd({"birthdate": "x", "nationalities": ["NL"]})]})
    good = {"bsn": "1", "address": {"postal_code": "2511 DP"}}
    assert dcql.check_response(q, {"pid": [sd(good)]})
    bad = {"bsn": "1", "address": {"postal_code": "1000 AA"}}
    with pytest.raises(QueryNotSatisfied):  # value mismatch, and other set incomplete
        dcql.check_response(q, {"pid": [sd(bad)]})


@pytest.mark.parametrize("bad", [
    {}, {"credentials": []}, {"credentials": [{"id": "a b", "format": "dc+sd-jwt", "meta": {}}]},
    {"credentials": [{"id": "a", "format": "jwt_vc", "meta": {}}]},
    {"credentials": [{"id": "a", "format": "mso_mdoc", "meta": {}, "claims": [{"path": ["x"]}]}]},
    {"credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {}}],
     "credential_sets": [{"options": [["b"]]}]},
    {"credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {},
                      "claims": [{"id": "x", "path": ["p"]}], "claim_sets": [["y"]]}]},
])
def test_invalid_queries(bad: dict[str, Any]) -> None:
    with pytest.raises(MalformedInput):
        dcql.validate_query(bad)


def test_mdoc_selection() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    from wallet_adapters.mdoc.verifier import MdocResult

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    doc = MdocResult(NL_PID, {NL_PID: {k: v for k, v in FULL.items()}}, None, key,  # type: ignore[arg-type]
                     t, t, t, None)
    q = dcql.build_pid_query("nl")
    assert dcql.check_response(q, {"pid_mdoc": [doc]}).satisfied == {"pid_mdoc"}
