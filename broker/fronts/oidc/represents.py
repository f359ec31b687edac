"""The NL GOV `represents` claim (profile §1.6): who the logged-in person acts for.

The acting person stays in `sub`; the represented party goes into `represents`, nested for
chains, outermost (the intermediary) first and the actual service consumer deepest. Each object
carries `sub`, `iss` and `sub_id_type`, and never token-level claims such as `exp` or `aud`.

``act_claim`` gives the same decision in RFC 8693 §4.1 shape for clients that asked for it:
`sub` is the represented party (the deepest one), `act` the person acting; for a chain the
intermediaries follow as nested, earlier actors (§4.1: nested `act` is informational only).
"""

from __future__ import annotations

from typing import Any

from broker.fronts.oidc.subject import subject_for
from broker.identifiers import SUB_ID_TYPE_KVK, SUB_ID_TYPE_RSIN

# Public organisation identifiers go out as they are; persons are pseudonymised like `sub`.
ORGANISATION_ID_TYPES = {"kvk": SUB_ID_TYPE_KVK, "rsin": SUB_ID_TYPE_RSIN}
EXTRA_CLAIMS = ("name", "branch")


def _identify(
    party: dict[str, Any], *, secret: bytes, sector: str, bsn_entitled: bool
) -> tuple[str, str]:
    kind, value = party["kind"], party["value"]
    if kind in ORGANISATION_ID_TYPES:
        return value, ORGANISATION_ID_TYPES[kind]
    return subject_for(
        secret=secret, sector=sector, kind=kind, value=value, bsn_entitled=bsn_entitled
    )


def act_claim(
    parties: list[dict[str, Any]],
    *,
    actor: tuple[str, str],
    issuer: str,
    secret: bytes,
    sector: str,
    bsn_entitled: bool,
) -> dict[str, Any]:
    """``{"sub", "sub_id_type", "act"}`` for an RFC 8693-style client (``parties`` outermost
    first, as in ``represents_claim``; ``actor`` is the logged-in person's (sub, type))."""
    names = [_identify(p, secret=secret, sector=sector, bsn_entitled=bsn_entitled) for p in parties]
    sub, sub_id_type = names[-1]
    act: dict[str, Any] | None = None
    # The intermediary nearest the actor comes right under the actor; earlier ones nest deeper.
    for prior_sub, prior_type in reversed(names[:-1]):
        node: dict[str, Any] = {"sub": prior_sub, "sub_id_type": prior_type, "iss": issuer}
        if act is not None:
            node["act"] = act
        act = node
    current: dict[str, Any] = {"sub": actor[0], "sub_id_type": actor[1], "iss": issuer}
    if act is not None:
        current["act"] = act
    return {"sub": sub, "sub_id_type": sub_id_type, "act": current}


def represents_claim(
    parties: list[dict[str, Any]],
    *,
    issuer: str,
    secret: bytes,
    sector: str,
    bsn_entitled: bool,
) -> dict[str, Any] | None:
    """Nest ``parties`` (outermost first) into one `represents` object, or None when empty."""
    claim: dict[str, Any] | None = None
    for party in reversed(parties):
        sub, sub_id_type = _identify(party, secret=secret, sector=sector, bsn_entitled=bsn_entitled)
        node: dict[str, Any] = {"sub": sub, "iss": issuer, "sub_id_type": sub_id_type}
        attributes = party.get("attributes") or {}
        node.update({k: attributes[k] for k in EXTRA_CLAIMS if attributes.get(k)})
        if claim is not None:
            node["represents"] = claim
        claim = node
    return claim
