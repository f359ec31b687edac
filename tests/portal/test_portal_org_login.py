"""Who the portal lets in, from the verified ID token: a citizen with their own BSN, or the
organisation an eHerkenning login represents directly; nobody acting for someone else."""

from __future__ import annotations

from typing import Any

import pytest

from broker.assurance import Level
from broker.identifiers import (
    SUB_ID_TYPE_BSN,
    SUB_ID_TYPE_KVK,
    SUB_ID_TYPE_PSEUDONYM,
    SUB_ID_TYPE_RSIN,
    PartyId,
)
from portal.login import LoggedIn, LoginFailed, _who

PSEUDONYM = {"sub": "x" * 43, "sub_id_type": SUB_ID_TYPE_PSEUDONYM}


def _org(sub: str, sub_id_type: str = SUB_ID_TYPE_KVK, **extra: Any) -> dict[str, Any]:
    return {**PSEUDONYM, "represents": {"sub": sub, "sub_id_type": sub_id_type, **extra}}


@pytest.mark.parametrize(
    ("claims", "party", "name"),
    [
        ({"sub": "999990019", "sub_id_type": SUB_ID_TYPE_BSN}, PartyId("bsn", "999990019"), ""),
        (_org("90000001", name="Bakkerij"), PartyId("kvk", "90000001"), "Bakkerij"),
        (_org("100023757", SUB_ID_TYPE_RSIN), PartyId("rsin", "100023757"), ""),
    ],
)
def test_let_in(claims: dict[str, Any], party: PartyId, name: str) -> None:
    assert _who(claims, Level.SUBSTANTIAL) == LoggedIn(party, Level.SUBSTANTIAL, name)


@pytest.mark.parametrize(
    "claims",
    [
        # A citizen acting for someone else (a mandate resolved into the token).
        {**_org("90000001"), "sub": "999990019", "sub_id_type": SUB_ID_TYPE_BSN},
        # A pseudonymous login for nobody (eIDAS, a wallet).
        PSEUDONYM,
        # An intermediary acting for its client (an eHerkenning chain).
        {
            **PSEUDONYM,
            "represents": {
                **_org("90000010")["represents"],
                "represents": _org("90000003")["represents"],
            },
        },
        # Not an organisation, or not a well-formed number.
        _org("y" * 43, SUB_ID_TYPE_PSEUDONYM),
        _org("1234"),
        _org("123456789", SUB_ID_TYPE_RSIN),
        {**PSEUDONYM, "represents": "90000001"},
    ],
)
def test_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(LoginFailed):
        _who(claims, Level.SUBSTANTIAL)
