"""Subject identifiers toward clients (NL GOV §1.5): pairwise by default, BSN only if entitled."""

from __future__ import annotations

import base64
import hashlib
import hmac

from broker.identifiers import SUB_ID_TYPE_BSN, SUB_ID_TYPE_PSEUDONYM

# Identifier types a client may receive as `sub`, published as sub_id_types_supported.
SUB_ID_TYPES = (SUB_ID_TYPE_PSEUDONYM, SUB_ID_TYPE_BSN)


def pairwise(secret: bytes, sector: str, kind: str, value: str) -> str:
    """OIDC Core §8.1: a stable per-sector identifier that does not correlate across sectors."""
    mac = hmac.new(secret, f"{sector}\x1f{kind}\x1f{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def subject_for(
    *, secret: bytes, sector: str, kind: str, value: str, bsn_entitled: bool
) -> tuple[str, str]:
    """``(sub, sub_id_type)`` for a client: the BSN itself only for BSN-entitled clients."""
    if kind == "bsn" and bsn_entitled:
        return value, SUB_ID_TYPE_BSN
    return pairwise(secret, sector, kind, value), SUB_ID_TYPE_PSEUDONYM
