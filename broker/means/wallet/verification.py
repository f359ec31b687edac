"""What the verifier asks for and how it checks the answer (no HTTP here).

Query: the PID only, in the configured formats and variants, with only family_name,
given_name, birth date and the identifier (OpenID4VP 1.0 §15 "strictly necessary claims"; no
portrait). Alternatives go in one ``credential_sets`` entry so exactly one PID satisfies it.

Checks: ``wallet_adapters.openid4vp.verify_vp_token`` (OpenID4VP §8.6) with holder binding
against this request's nonce and full client_id, trust against the configured anchors, status
through the Token Status List client (fail closed), and DCQL satisfaction; then the mapping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from broker.flow.model import Authentication
from broker.means.wallet.mapping import AnchorPolicy, to_authentication
from wallet_adapters.dcql import PID_VARIANTS, build_pid_query, validate_query
from wallet_adapters.mdoc.verifier import MdocPolicy
from wallet_adapters.openid4vp import RequestContext, verify_vp_token
from wallet_adapters.sd_jwt_vc import SdJwtVcPolicy, x5c_resolver
from wallet_adapters.status_list import StatusListClient
from wallet_adapters.trust import TrustList


def pid_query(variants: Sequence[str], formats: Sequence[str]) -> dict[str, Any]:
    """One query with every (variant, format) as an alternative; ids ``pid_<variant>_<fmt>``."""
    credentials: list[dict[str, Any]] = []
    for variant in variants:
        single = build_pid_query(variant, formats)  # type: ignore[arg-type]
        for cred in single["credentials"]:
            cred["id"] = f"pid_{variant}_" + ("sd_jwt" if cred["format"] == "dc+sd-jwt" else "mdoc")
            credentials.append(cred)
    query: dict[str, Any] = {"credentials": credentials}
    if len(credentials) > 1:
        query["credential_sets"] = [{"options": [[c["id"]] for c in credentials]}]
    validate_query(query)
    return query


class PidVerifier:
    """Policies, trust list and status client for PID presentations."""

    def __init__(
        self,
        trust: TrustList,
        anchors: Mapping[bytes, AnchorPolicy],
        status_client: StatusListClient,
        *,
        variants: Sequence[str],
        formats: Sequence[str],
        require_status: bool,
        means: str = "wallet",
    ) -> None:
        self.anchors = dict(anchors)
        self.status_client = status_client
        self.require_status = require_status
        self.means = means
        self.query = pid_query(variants, formats)
        vcts = frozenset(PID_VARIANTS[v]["vct"] for v in variants)
        doctypes = frozenset(PID_VARIANTS[v]["doctype"] for v in variants)
        self.sd_jwt_policy = (
            SdJwtVcPolicy(key_resolver=x5c_resolver(trust), allowed_vcts=vcts)
            if "dc+sd-jwt" in formats
            else None
        )
        self.mdoc_policy = (
            MdocPolicy(trust=trust, allowed_doctypes=doctypes) if "mso_mdoc" in formats else None
        )

    async def verify(
        self, vp_token: dict[str, list[Any]], context: RequestContext, now: dt.datetime
    ) -> Authentication:
        """Raises ``WalletVerificationError`` (subclass) for every refusal."""
        verified = await verify_vp_token(
            vp_token,
            context,
            sd_jwt_policy=self.sd_jwt_policy,
            mdoc_policy=self.mdoc_policy,
            status_client=self.status_client,
            require_status=self.require_status,
            now=now,
        )
        return to_authentication(verified, self.anchors, means=self.means, now=int(now.timestamp()))


__all__ = ["PidVerifier", "pid_query"]
