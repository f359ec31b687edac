"""VP Token validation (OpenID4VP 1.0 §8.6) tying the format verifiers together.

For each presentation: integrity/authenticity and holder binding against *this*
request's ``nonce`` and full ``client_id`` (SD-JWT: KB-JWT ``aud``/``nonce``; mdoc:
SessionTranscript with the OpenID4VPHandover), trust and status policy; then the
set must satisfy the DCQL query (``credential_sets``/``claim_sets``). Any failing
presentation refuses the whole response (fail closed, simpler than discarding).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

from wallet_adapters import dcql
from wallet_adapters.errors import MalformedInput, PolicyError
from wallet_adapters.mdoc.session_transcript import openid4vp_session_transcript
from wallet_adapters.mdoc.verifier import MdocPolicy, verify_device_response
from wallet_adapters.sd_jwt_vc import SdJwtVcPolicy, verify_sd_jwt_vc
from wallet_adapters.status_list import StatusListClient


@dataclass(frozen=True)
class RequestContext:
    """The verifier-side state of one Authorization Request."""

    client_id: str
    nonce: str
    response_uri: str
    encryption_jwk_thumbprint: bytes | None
    dcql_query: dict[str, Any]


@dataclass(frozen=True)
class VerifiedVpToken:
    credentials: dict[str, list[dcql.VerifiedCredential]]
    satisfied: frozenset[str]


async def verify_vp_token(
    vp_token: dict[str, list[Any]],
    request: RequestContext,
    *,
    sd_jwt_policy: SdJwtVcPolicy | None,
    mdoc_policy: MdocPolicy | None,
    status_client: StatusListClient | None,
    require_status: bool = False,
    now: dt.datetime | None = None,
) -> VerifiedVpToken:
    now = now or dt.datetime.now(dt.UTC)
    queries = {q["id"]: q for q in request.dcql_query.get("credentials", [])}
    transcript = openid4vp_session_transcript(
        request.client_id, request.nonce, request.encryption_jwk_thumbprint, request.response_uri
    )
    verified: dict[str, list[dcql.VerifiedCredential]] = {}
    for cid, items in vp_token.items():
        query = queries.get(cid)
        if query is None:
            raise MalformedInput(f"vp_token entry {cid!r} matches no credential query")
        out: list[dcql.VerifiedCredential] = []
        for item in items:
            if query["format"] == "dc+sd-jwt":
                if sd_jwt_policy is None:
                    raise PolicyError("SD-JWT VC not accepted")
                out.append(verify_sd_jwt_vc(
                    item, sd_jwt_policy, nonce=request.nonce, audience=request.client_id,
                    now=now,
                ))
            else:
                if mdoc_policy is None:
                    raise PolicyError("mdoc not accepted")
                docs = verify_device_response(
                    item, mdoc_policy, session_transcript=transcript, now=now
                )
                if len(docs) != 1:  # HAIP: one DeviceResponse per mdoc
                    raise MalformedInput("exactly one Document per DeviceResponse expected")
                out.append(docs[0])
        verified[cid] = out
    outcome = dcql.check_response(request.dcql_query, verified)
    for creds in verified.values():
        for cred in creds:
            if cred.status is None:
                if require_status:
                    raise PolicyError("credential has no status reference", code="status")
                continue
            if status_client is None:
                raise PolicyError("status reference present but no status client configured")
            chain = cred.issuer_chain
            anchor = chain.anchor.public_bytes(Encoding.DER) if chain is not None else None
            await status_client.check(cred.status, issuer_anchor=anchor)
    return VerifiedVpToken(outcome.credentials, outcome.satisfied)
