"""The NL GOV `represents` claim (profile §1.6): who the logged-in person acts for.

The acting person stays in `sub`; the represented party goes into `represents`, nested for
chains, outermost (the intermediary) first and the actual service consumer deepest. Each object
carries `sub`, `iss` and `sub_id_type`, and never token-level claims such as `exp` or `aud`.
"""

from __future__ import annotations

from typing import Any

from broker.fronts.oidc.subject import subject_for
from broker.identifiers import SUB_ID_TYPE_KVK, SUB_ID_TYPE_RSIN

# Public organisation identifiers go out as they are; persons are pseudonymised like `sub`.
ORGANISATION_ID_TYPES = {"kvk": SUB_ID_TYPE_KVK, "rsin": SUB_ID_TYPE_RSIN}
EXTRA_CLAIMS = ("name", "branch")


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
        kind, value = party["kind"], party["value"]
        if kind in ORGANISATION_ID_TYPES:
            sub, sub_id_type = value, ORGANISATION_ID_TYPES[kind]
        else:
            sub, sub_id_type = subject_for(
                secret=secret, sector=sector, kind=kind, value=value, bsn_entitled=bsn_entitled
            )
        node: dict[str, Any] = {"sub": sub, "iss": issuer, "sub_id_type": sub_id_type}
        attributes = party.get("attributes") or {}
        node.update({k: attributes[k] for k in EXTRA_CLAIMS if attributes.get(k)})
        if claim is not None:
            node["represents"] = claim
        claim = node
    return claim
