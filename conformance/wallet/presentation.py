"""Building the wallet's answer to a verified request object (OpenID4VP 1.0 §8).

Given the request's claims (``dcql_query``, ``nonce``, ``client_id``, ``response_uri``,
``client_metadata.jwks``) it issues a fresh PID, discloses exactly the claims the query names,
adds key binding (KB-JWT ``aud`` = full client_id, §14.8) or mdoc device authentication over the
OpenID4VPHandover SessionTranscript (Appendix B.2.6.1), then encrypts the payload for
``direct_post.jwt`` (§8.3). Fault switches change one step each; tests use these functions
directly to craft HTTP-level attacks.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from conformance.wallet.issuance import HOLDER_FAULTS, ISSUER_FAULTS, SimulatedIssuers
from wallet_adapters.jws import jwk_from_public_key, jwk_thumbprint
from wallet_adapters.mdoc.session_transcript import openid4vp_session_transcript
from wallet_adapters.testing import IssuerFault, TestHolder, TestPerson
from wallet_adapters.testing.holder import encrypt_response

FORMATS = ("dc+sd-jwt", "mso_mdoc")


class CannotAnswer(Exception):
    """The request asks for something this wallet cannot present."""


@dataclass(frozen=True)
class Answer:
    """The form body to POST to ``response_uri`` and what went into it."""

    form: dict[str, str]
    payload: dict[str, Any]


def credential_query(request: dict[str, Any], fmt: str) -> dict[str, Any]:
    for query in request.get("dcql_query", {}).get("credentials", []):
        if isinstance(query, dict) and query.get("format") == fmt:
            return query
    raise CannotAnswer(f"the request has no credential query in format {fmt}")


def encryption_jwk(request: dict[str, Any]) -> dict[str, Any]:
    keys = request.get("client_metadata", {}).get("jwks", {}).get("keys", [])
    for jwk in keys:
        if isinstance(jwk, dict) and jwk.get("use", "enc") == "enc" and jwk.get("kty") == "EC":
            return jwk
    raise CannotAnswer("the request offers no encryption key")


def present(
    request: dict[str, Any],
    *,
    person: TestPerson,
    fmt: str,
    faults: frozenset[str],
    issuers: SimulatedIssuers,
    holder: TestHolder,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The unencrypted response payload ``{"vp_token": {...}, "state": ...}``."""
    now = now or dt.datetime.now(dt.UTC)
    query = credential_query(request, fmt)
    holder_faults = frozenset(HOLDER_FAULTS[f] for f in faults if f in HOLDER_FAULTS)
    issuer_faults = frozenset(ISSUER_FAULTS[f] for f in faults if f in ISSUER_FAULTS)
    rogue = "untrusted_issuer" in faults or IssuerFault.SELF_SIGNED_X5C in issuer_faults
    issuer = issuers.rogue if rogue else issuers.issuer
    issued_at = now - dt.timedelta(days=8) if "expired" in faults else now
    status_idx = issuers.status_index(faults)
    claims = [c["path"] for c in query.get("claims", [])]
    if fmt == "dc+sd-jwt":
        issued = issuer.issue_sd_jwt_vc(
            person,
            holder.public_key,
            vct=query["meta"]["vct_values"][0],
            now=issued_at,
            status_idx=status_idx,
            faults=issuer_faults,
        )
        presentation = holder.present_sd_jwt(
            issued,
            [p[0] for p in claims],
            nonce=request["nonce"],
            audience=request["client_id"],
            now=now,
            faults=holder_faults,
        )
    elif fmt == "mso_mdoc":
        issued_mdoc = issuer.issue_mdoc(
            person,
            holder.public_key,
            doctype=query["meta"]["doctype_value"],
            now=issued_at,
            status_idx=status_idx,
        )
        elements: dict[str, list[str]] = {}
        for ns, name in claims:
            elements.setdefault(ns, []).append(name)
        transcript = openid4vp_session_transcript(
            request["client_id"],
            request["nonce"],
            jwk_thumbprint(encryption_jwk(request)),
            request["response_uri"],
        )
        presentation = holder.present_mdoc(
            issued_mdoc, elements, session_transcript=transcript, faults=holder_faults
        )
    else:
        raise CannotAnswer(f"unsupported format {fmt!r}")
    state = secrets.token_urlsafe(32) if "wrong_state" in faults else request["state"]
    return {"vp_token": {query["id"]: [presentation]}, "state": state}


def encrypt(
    request: dict[str, Any], payload: dict[str, Any], *, faults: frozenset[str], enc: str
) -> dict[str, str]:
    """The form body for ``response_uri``: ``response=<JWE>`` (or a fault's variant)."""
    if "plaintext" in faults:
        return {"vp_token": _json(payload["vp_token"]), "state": str(payload.get("state", ""))}
    jwk = encryption_jwk(request)
    if "wrong_encryption_key" in faults:
        other = jwk_from_public_key(ec.generate_private_key(ec.SECP256R1()).public_key())
        jwk = {**other, "kid": jwk.get("kid", "")}
    supported = request.get("client_metadata", {}).get(
        "encrypted_response_enc_values_supported", ["A128GCM"]
    )
    if enc not in supported:
        raise CannotAnswer(f"the verifier does not accept enc {enc}")
    return {"response": encrypt_response(payload, jwk, enc)}


def error_form(request: dict[str, Any], error: str = "access_denied") -> dict[str, str]:
    """An error Authorization Response (§8.5), e.g. when the person declines."""
    return {"error": error, "state": request["state"]}


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def answer(
    request: dict[str, Any],
    *,
    person: TestPerson,
    fmt: str,
    faults: frozenset[str],
    issuers: SimulatedIssuers,
    holder: TestHolder,
    enc: str = "A128GCM",
    now: dt.datetime | None = None,
) -> Answer:
    payload = present(
        request, person=person, fmt=fmt, faults=faults, issuers=issuers, holder=holder, now=now
    )
    return Answer(encrypt(request, payload, faults=faults, enc=enc), payload)


__all__ = ["FORMATS", "Answer", "CannotAnswer", "answer", "encrypt", "error_form", "present"]
