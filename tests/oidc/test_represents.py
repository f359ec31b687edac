"""The `represents` claim (NL GOV profile §1.6), built from what a login means asserted."""

from __future__ import annotations

from broker.fronts.oidc.represents import represents_claim
from broker.identifiers import SUB_ID_TYPE_BSN, SUB_ID_TYPE_KVK, SUB_ID_TYPE_PSEUDONYM

ISSUER = "https://broker.example"


def _claim(parties: list[dict[str, object]], bsn_entitled: bool = False) -> object:
    return represents_claim(
        parties, issuer=ISSUER, secret=b"s", sector="rp", bsn_entitled=bsn_entitled
    )


def test_no_representation_no_claim() -> None:
    assert _claim([]) is None


def test_company_is_represented_by_kvk_number_with_iss_and_type() -> None:
    claim = _claim([{"kind": "kvk", "value": "12345678", "attributes": {"name": "Bakkerij"}}])
    assert claim == {
        "sub": "12345678",
        "iss": ISSUER,
        "sub_id_type": SUB_ID_TYPE_KVK,
        "name": "Bakkerij",
    }


def test_chain_nests_intermediary_outside_and_consumer_deepest() -> None:
    claim = _claim(
        [
            {"kind": "kvk", "value": "11111111", "attributes": {"name": "Accountant"}},
            {
                "kind": "kvk",
                "value": "22222222",
                "attributes": {"name": "Klant", "branch": "000012345678"},
            },
        ]
    )
    assert isinstance(claim, dict)
    assert claim["sub"] == "11111111"
    inner = claim["represents"]
    assert inner["sub"] == "22222222" and inner["branch"] == "000012345678"
    assert "represents" not in inner
    for node in (claim, inner):
        assert not {"exp", "nbf", "aud", "iat"} & node.keys()


def test_represented_person_is_pseudonymous_unless_the_client_may_have_the_bsn() -> None:
    person = [{"kind": "bsn", "value": "999999990"}]
    hidden = _claim(person)
    assert isinstance(hidden, dict)
    assert hidden["sub"] != "999999990" and hidden["sub_id_type"] == SUB_ID_TYPE_PSEUDONYM
    shown = _claim(person, bsn_entitled=True)
    assert shown == {"sub": "999999990", "iss": ISSUER, "sub_id_type": SUB_ID_TYPE_BSN}
