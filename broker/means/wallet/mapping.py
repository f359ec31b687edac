"""From a verified PID presentation to the broker's ``Authentication``.

Subject: the NL PID carries the BSN in the claim ``bsn`` (fact sheet §5.3); an EU PID carries
``personal_administrative_number`` (§5.1), which is a BSN only where the trust anchor's
configuration says so. Either way a BSN must pass the elfproef. Any other PID gets
``subject_kind`` ``eudi-pid`` with a derived identifier::

    base64url(SHA-256("eudi-pid:v1|" + <anchor name> + "|" + <personal_administrative_number>))

It is stable for as long as the provider keeps issuing the same number and the operator keeps
the anchor's ``name``; it is not the raw number, so a foreign national number never travels as
if it were a Dutch identifier (attack catalogue §6 "identity namespace confusion"). Names and
birth date alone are not unique, so a PID without an identifier is refused (the DCQL query asks
for it, so a wallet that leaves it out has already failed ``dcql.check_response``).

Level: the level configured for the anchor the issuer chain validated to (fact sheet §5.4).

PID type: each anchor is trusted for the PID types (variants) it is configured for. Every PID
Provider signs with its own key, so without this a provider trusted for the EU PID of its own
Member State could issue a credential of the NL PID type (``urn:eudi:pid:nl:1``) with any
``bsn`` and log in as any Dutch citizen (attack catalogue §6 "identity namespace confusion").
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

from broker.assurance import Level
from broker.flow.model import Authentication
from broker.identifiers import elfproef
from wallet_adapters.dcql import PID_VARIANTS, VerifiedCredential
from wallet_adapters.encoding import b64url_encode
from wallet_adapters.errors import PolicyError, UntrustedIssuer, WalletVerificationError
from wallet_adapters.mdoc.verifier import MdocResult
from wallet_adapters.openid4vp import VerifiedVpToken

NL_PID = "urn:eudi:pid:nl:1"
MAX_ATTRIBUTE_LENGTH = 256


@dataclass(frozen=True)
class AnchorPolicy:
    name: str
    level: Level
    pan_is_bsn: bool = False
    variants: frozenset[str] = frozenset(PID_VARIANTS)


def _variant(credential: VerifiedCredential) -> str | None:
    """The PID variant (``nl``, ``eu``) whose vct or doctype the credential has."""
    for name, variant in PID_VARIANTS.items():
        if isinstance(credential, MdocResult):
            if credential.doctype == variant["doctype"]:
                return name
        elif credential.vct == variant["vct"]:
            return name
    return None


def anchor_fingerprint(der: bytes) -> bytes:
    return hashlib.sha256(der).digest()


def _claims(credential: VerifiedCredential) -> tuple[bool, dict[str, Any]]:
    """(is NL PID, flat claims) in either format."""
    if isinstance(credential, MdocResult):
        merged: dict[str, Any] = {}
        for ns in credential.claims.values():
            merged.update(ns)
        return credential.doctype == NL_PID, merged
    return credential.vct == NL_PID, dict(credential.claims)


def _text(value: Any) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and 0 < len(value) <= MAX_ATTRIBUTE_LENGTH:
        return value
    return None


def derived_subject(anchor_name: str, number: str) -> str:
    digest = hashlib.sha256(f"eudi-pid:v1|{anchor_name}|{number}".encode()).digest()
    return b64url_encode(digest)


def to_authentication(
    verified: VerifiedVpToken,
    anchors: Mapping[bytes, AnchorPolicy],
    *,
    means: str,
    now: int,
) -> Authentication:
    """The one PID in ``verified`` as an Authentication; ``WalletVerificationError`` otherwise."""
    credentials = [c for items in verified.credentials.values() for c in items]
    if len(credentials) != 1:
        raise PolicyError("exactly one PID expected")
    credential = credentials[0]
    chain = credential.issuer_chain
    if chain is None:
        raise UntrustedIssuer("PID issuer has no validated certificate chain")
    policy = anchors.get(anchor_fingerprint(chain.anchor.public_bytes(Encoding.DER)))
    if policy is None:
        raise UntrustedIssuer("PID issuer anchor has no configured policy")
    if _variant(credential) not in policy.variants:
        raise UntrustedIssuer("PID provider is not trusted for this PID type", code="pid_type")
    is_nl, claims = _claims(credential)
    attributes = {}
    for name, sources in (
        ("family_name", ("family_name",)),
        ("given_name", ("given_name",)),
        ("birthdate", ("birthdate", "birth_date")),
    ):
        for source in sources:
            value = _text(claims.get(source))
            if value is not None:
                attributes[name] = value
                break
    number = claims.get("bsn") if is_nl else claims.get("personal_administrative_number")
    if not isinstance(number, str) or not number:
        raise PolicyError("PID has no usable identifier")
    if is_nl or policy.pan_is_bsn:
        if not elfproef(number):
            raise WalletVerificationError("PID BSN fails the elfproef", code="bsn")
        kind, subject = "bsn", number
    else:
        kind, subject = "eudi-pid", derived_subject(policy.name, number)
    return Authentication(
        means=means,
        subject_kind=kind,
        subject=subject,
        level=policy.level,
        auth_time=now,
        attributes=attributes,
    )


__all__ = ["AnchorPolicy", "anchor_fingerprint", "derived_subject", "to_authentication"]
