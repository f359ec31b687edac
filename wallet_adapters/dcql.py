"""Digital Credentials Query Language (OpenID4VP 1.0 §6) for the PID.

Two jobs: build the smallest query the broker needs (data minimisation, OpenID4VP
§15 "Strictly Necessary Claims"), and check that verified presentations actually
satisfy it (§6.4 selection rules, §8.6 "VP Token Validation" step 3), because a
wallet may return fewer claims or other credential types than asked for. Value
matching (``values``) is checked too, but is never relied on for security (§15.6.1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from wallet_adapters.errors import MalformedInput, QueryNotSatisfied
from wallet_adapters.mdoc.verifier import MdocResult
from wallet_adapters.sd_jwt_vc import SdJwtVcResult

VerifiedCredential = SdJwtVcResult | MdocResult
_ID = re.compile(r"^[A-Za-z0-9_-]+$")
FORMATS = frozenset({"dc+sd-jwt", "mso_mdoc"})

# PID identifiers: EU PID Rulebook v1.7 (SD-JWT VC names / mdoc names) and the NL
# wallet development metadata (fact sheet §5.1, §5.3). NL uses `birthdate` and `bsn`
# in both formats and `urn:eudi:pid:nl:1` as doctype and namespace.
PID_VARIANTS: dict[str, dict[str, Any]] = {
    "eu": {
        "vct": "urn:eudi:pid:1",
        "doctype": "eu.europa.ec.eudi.pid.1",
        "namespace": "eu.europa.ec.eudi.pid.1",
        "sd_jwt_claims": ["family_name", "given_name", "birthdate",
                          "personal_administrative_number"],
        "mdoc_claims": ["family_name", "given_name", "birth_date",
                        "personal_administrative_number"],
    },
    "nl": {
        "vct": "urn:eudi:pid:nl:1",
        "doctype": "urn:eudi:pid:nl:1",
        "namespace": "urn:eudi:pid:nl:1",
        "sd_jwt_claims": ["family_name", "given_name", "birthdate", "bsn"],
        "mdoc_claims": ["family_name", "given_name", "birthdate", "bsn"],
    },
}


def build_pid_query(
    variant: Literal["eu", "nl"] = "nl",
    formats: Sequence[str] = ("dc+sd-jwt", "mso_mdoc"),
    *,
    include_identifier: bool = True,
) -> dict[str, Any]:
    """A query for one PID in any of ``formats`` (alternatives via ``credential_sets``).

    ``include_identifier`` adds ``bsn`` (NL) / ``personal_administrative_number`` (EU).
    """
    v = PID_VARIANTS[variant]
    sd_claims = v["sd_jwt_claims"] if include_identifier else v["sd_jwt_claims"][:3]
    md_claims = v["mdoc_claims"] if include_identifier else v["mdoc_claims"][:3]
    credentials: list[dict[str, Any]] = []
    for fmt in formats:
        if fmt == "dc+sd-jwt":
            credentials.append({
                "id": "pid_sd_jwt",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [v["vct"]]},
                "claims": [{"path": [c]} for c in sd_claims],
            })
        elif fmt == "mso_mdoc":
            credentials.append({
                "id": "pid_mdoc",
                "format": "mso_mdoc",
                "meta": {"doctype_value": v["doctype"]},
                "claims": [
                    {"path": [v["namespace"], c], "intent_to_retain": c in ("bsn",
                     "personal_administrative_number")}
                    for c in md_claims
                ],
            })
        else:
            raise ValueError(f"unsupported format {fmt!r}")
    query: dict[str, Any] = {"credentials": credentials}
    if len(credentials) > 1:
        query["credential_sets"] = [{"options": [[c["id"]] for c in credentials]}]
    validate_query(query)
    return query


def validate_query(query: Any) -> None:
    """Structural checks of §6.1-§6.3 (ids, formats, meta, claim ids, claim_sets)."""
    if not isinstance(query, dict):
        raise MalformedInput("DCQL query must be an object")
    creds = query.get("credentials")
    if not isinstance(creds, list) or not creds:
        raise MalformedInput("DCQL credentials must be a non-empty array")
    ids: set[str] = set()
    for c in creds:
        cid = c.get("id") if isinstance(c, dict) else None
        if not isinstance(cid, str) or not _ID.match(cid) or cid in ids:
            raise MalformedInput("credential query id missing, invalid or duplicated")
        ids.add(cid)
        if c.get("format") not in FORMATS or not isinstance(c.get("meta"), dict):
            raise MalformedInput(f"credential query {cid}: format/meta invalid")
        claim_ids = set()
        for claim in c.get("claims", []):
            path = claim.get("path") if isinstance(claim, dict) else None
            if not isinstance(path, list) or not path:
                raise MalformedInput(f"credential query {cid}: claim path invalid")
            if c["format"] == "mso_mdoc" and (len(path) != 2 or
                                             not all(isinstance(p, str) for p in path)):
                raise MalformedInput("mdoc claim path must be [namespace, element]")
            if "id" in claim:
                claim_ids.add(claim["id"])
        for claim_set in c.get("claim_sets", []):
            if not isinstance(claim_set, list) or not set(claim_set) <= claim_ids:
                raise MalformedInput(f"credential query {cid}: claim_sets reference unknown ids")
    for cs in query.get("credential_sets", []):
        options = cs.get("options") if isinstance(cs, dict) else None
        if not isinstance(options, list) or not options or not all(
            isinstance(o, list) and o and set(o) <= ids for o in options
        ):
            raise MalformedInput("credential_sets options invalid")


def select(credential: VerifiedCredential, path: Sequence[Any]) -> list[Any]:
    """Claims path pointer (§7): returns the selected values (empty = absent)."""
    if isinstance(credential, MdocResult):
        if len(path) != 2:
            return []
        ns = credential.claims.get(path[0], {})
        return [ns[path[1]]] if path[1] in ns else []
    current: list[Any] = [credential.claims]
    for component in path:
        nxt: list[Any] = []
        for node in current:
            if isinstance(component, str) and isinstance(node, dict):
                if component in node:
                    nxt.append(node[component])
            elif component is None and isinstance(node, list):
                nxt.extend(node)
            elif (isinstance(component, int) and not isinstance(component, bool)
                  and isinstance(node, list) and 0 <= component < len(node)):
                nxt.append(node[component])
        current = nxt
    return current


def _type_matches(query: dict[str, Any], credential: VerifiedCredential) -> bool:
    meta = query["meta"]
    if query["format"] == "dc+sd-jwt":
        return isinstance(credential, SdJwtVcResult) and credential.vct in meta.get(
            "vct_values", []
        )
    return isinstance(credential, MdocResult) and credential.doctype == meta.get("doctype_value")


def _claim_present(credential: VerifiedCredential, claim: dict[str, Any]) -> bool:
    values = select(credential, claim["path"])
    if not values:
        return False
    wanted = claim.get("values")
    return wanted is None or any(v in wanted for v in values)


def credential_satisfies(query: dict[str, Any], credential: VerifiedCredential) -> bool:
    """§6.4.1: all claims (no claim_sets) or at least one claim set, all present."""
    if not _type_matches(query, credential):
        return False
    claims = query.get("claims")
    if not claims:
        return True
    if "claim_sets" not in query:
        return all(_claim_present(credential, c) for c in claims)
    by_id = {c["id"]: c for c in claims if "id" in c}
    return any(
        all(_claim_present(credential, by_id[i]) for i in claim_set)
        for claim_set in query["claim_sets"]
    )


@dataclass(frozen=True)
class DcqlOutcome:
    satisfied: frozenset[str]
    credentials: dict[str, list[VerifiedCredential]]


def check_response(
    query: dict[str, Any], presented: Mapping[str, Sequence[VerifiedCredential]]
) -> DcqlOutcome:
    """Check verified presentations (keyed by credential query id) against ``query``."""
    validate_query(query)
    by_id = {c["id"]: c for c in query["credentials"]}
    unknown = set(presented) - set(by_id)
    if unknown:
        raise QueryNotSatisfied(f"vp_token has entries for unknown query ids {sorted(unknown)}")
    satisfied = set()
    for cid, creds in presented.items():
        q = by_id[cid]
        if not creds:
            raise QueryNotSatisfied(f"{cid}: empty presentation array")
        if len(creds) > 1 and not q.get("multiple", False):
            raise QueryNotSatisfied(f"{cid}: several presentations but multiple=false")
        if not all(credential_satisfies(q, c) for c in creds):
            raise QueryNotSatisfied(f"{cid}: credential does not match the query")
        satisfied.add(cid)
    sets = query.get("credential_sets")
    if sets is None:
        missing = set(by_id) - satisfied
        if missing:
            raise QueryNotSatisfied(f"required credentials missing: {sorted(missing)}")
    else:
        for cs in sets:
            if cs.get("required", True) and not any(set(o) <= satisfied for o in cs["options"]):
                raise QueryNotSatisfied("a required credential set is not satisfied")
    return DcqlOutcome(frozenset(satisfied), {k: list(v) for k, v in presented.items()})


def requested_claims(query: dict[str, Any], credential: VerifiedCredential) -> dict[str, Any]:
    """Only the claims the query asked for, keyed by path joined with '/' (extras dropped)."""
    out: dict[str, Any] = {}
    for claim in query.get("claims", []):
        values = select(credential, claim["path"])
        if values:
            key = "/".join(str(p) for p in claim["path"])
            out[key] = values[0] if len(values) == 1 else values
    return out
