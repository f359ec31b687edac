"""SD-JWT VC verification (draft-ietf-oauth-sd-jwt-vc, profiled by HAIP 1.0).

Adds to RFC 9901 processing (:mod:`wallet_adapters.sd_jwt`): the ``typ`` header,
issuer key resolution from ``x5c`` against a configured trust list (HAIP: x5c
only, anchor not taken from the credential), ``vct`` allow-list, ``exp``/``nbf``/
``iat`` checks, claims that must not be selectively disclosable, holder binding
required *by policy*, and extraction of the ``status`` reference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from wallet_adapters import sd_jwt
from wallet_adapters.errors import (
    MalformedInput,
    PolicyError,
    SignatureInvalid,
    UntrustedIssuer,
    ValidityError,
    WalletVerificationError,
)
from wallet_adapters.jws import DEFAULT_ALGS, CompactJws, parse_compact, verify_compact
from wallet_adapters.status_list import StatusReference, parse_status_claim
from wallet_adapters.trust import TrustList, ValidatedChain, certificates_from_x5c

TYP = "dc+sd-jwt"
# SD-JWT VC drafts before -06 (Nov 2024) used `vc+sd-jwt`; the current draft dropped
# the transition text, so it is off by default and only a policy switch.
LEGACY_TYP = "vc+sd-jwt"
# SD-JWT VC §"Registered JWT Claims": these MUST NOT be selectively disclosed.
NEVER_DISCLOSED = frozenset(
    {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status", "aka_vcts"}
)

IssuerKeyResolver = Callable[[CompactJws, dt.datetime], "ResolvedIssuerKey"]


@dataclass(frozen=True)
class ResolvedIssuerKey:
    key: ec.EllipticCurvePublicKey
    chain: ValidatedChain | None = None


def x5c_resolver(trust: TrustList) -> IssuerKeyResolver:
    """HAIP §"IETF SD-JWT VC Profile": leaf of ``x5c``, chain validated to ``trust``."""

    def resolve(jws: CompactJws, now: dt.datetime) -> ResolvedIssuerKey:
        if "x5c" not in jws.header:
            raise UntrustedIssuer("issuer JWT has no x5c header")
        chain = trust.validate(certificates_from_x5c(jws.header["x5c"]), now)
        return ResolvedIssuerKey(chain.leaf_public_key(), chain)

    return resolve


def static_key_resolver(key: ec.EllipticCurvePublicKey) -> IssuerKeyResolver:
    """For published test vectors that sign with a bare key and no certificate."""

    def resolve(jws: CompactJws, now: dt.datetime) -> ResolvedIssuerKey:
        return ResolvedIssuerKey(key)

    return resolve


@dataclass(frozen=True)
class SdJwtVcPolicy:
    key_resolver: IssuerKeyResolver
    allowed_vcts: frozenset[str]
    require_key_binding: bool = True
    accept_legacy_typ: bool = False
    require_exp: bool = True
    clock_skew: dt.timedelta = dt.timedelta(seconds=60)
    kb_max_age: dt.timedelta = dt.timedelta(minutes=5)
    algorithms: frozenset[str] = DEFAULT_ALGS


@dataclass(frozen=True)
class SdJwtVcResult:
    """A verified SD-JWT VC presentation; ``claims`` excludes `_sd`/`_sd_alg`."""

    vct: str
    issuer: str | None
    claims: dict[str, Any]
    holder_jwk: dict[str, Any] | None
    key_bound: bool
    status: StatusReference | None
    issuer_chain: ValidatedChain | None = None
    disclosed_claims: frozenset[str] = field(default_factory=frozenset)
    format: str = "dc+sd-jwt"

    @property
    def issuer_certificate(self) -> x509.Certificate | None:
        return self.issuer_chain.leaf if self.issuer_chain else None


def _numeric(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidityError(f"{name} must be a NumericDate")
    return float(value)


def _check_time(claims: dict[str, Any], policy: SdJwtVcPolicy, now: dt.datetime) -> None:
    t = now.timestamp()
    skew = policy.clock_skew.total_seconds()
    exp = _numeric(claims, "exp")
    nbf = _numeric(claims, "nbf")
    iat = _numeric(claims, "iat")
    if exp is None and policy.require_exp:
        raise ValidityError("issuer JWT has no exp")
    if exp is not None and t > exp + skew:
        raise ValidityError("credential expired", code="expired")
    if nbf is not None and t < nbf - skew:
        raise ValidityError("credential not yet valid")
    if iat is not None and t < iat - skew:
        raise ValidityError("credential issued in the future")


def verify_sd_jwt_vc(
    presentation: str,
    policy: SdJwtVcPolicy,
    *,
    nonce: str | None,
    audience: str | None,
    now: dt.datetime | None = None,
) -> SdJwtVcResult:
    """Verify an SD-JWT VC presentation (RFC 9901 §7.1, §7.3; SD-JWT VC §"Verification").

    ``audience`` must be the *full* client_id including its prefix (OpenID4VP 1.0
    §14.8), e.g. ``x509_hash:...``. Status is NOT checked here (it needs I/O); the
    returned ``status`` reference goes to :class:`~wallet_adapters.status_list.StatusListClient`.
    """
    now = now or dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        parts = sd_jwt.split_presentation(presentation)
        jws = parse_compact(parts.issuer_jwt)
        typ = jws.header.get("typ")
        if typ != TYP and not (policy.accept_legacy_typ and typ == LEGACY_TYP):
            raise PolicyError(f"issuer JWT typ {typ!r} is not {TYP}", code="typ")
        if jws.header.get("alg") not in policy.algorithms:  # before any key lookup
            raise SignatureInvalid(f"issuer JWT alg {jws.header.get('alg')!r} not allowed")
        resolved = policy.key_resolver(jws, now)
        verify_compact(jws, resolved.key, policy.algorithms)
        processed = sd_jwt.process(parts, jws)
        claims = processed.claims
        forbidden = processed.disclosed_top_level & NEVER_DISCLOSED
        if forbidden:
            raise PolicyError(f"claims must not be selectively disclosable: {sorted(forbidden)}")
        _check_time(claims, policy, now)
        vct = claims.get("vct")
        if not isinstance(vct, str) or vct not in policy.allowed_vcts:
            raise PolicyError(f"vct {vct!r} not allowed", code="vct")
        cnf = claims.get("cnf")
        holder_jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
        key_bound = False
        if policy.require_key_binding:
            if holder_jwk is None:
                raise PolicyError("credential is not holder-bound (no cnf.jwk)", code="missing_kb")
            if nonce is None or audience is None:
                raise ValueError("nonce and audience are required when key binding is required")
            sd_jwt.verify_key_binding(
                parts,
                holder_jwk,
                processed.hash_fn,
                sd_jwt.KeyBindingExpectation(
                    nonce, audience, now, policy.kb_max_age, policy.clock_skew, policy.algorithms
                ),
            )
            key_bound = True
        status = parse_status_claim(claims.get("status"))
        issuer = claims.get("iss")
        return SdJwtVcResult(
            vct=vct,
            issuer=issuer if isinstance(issuer, str) else None,
            claims=claims,
            holder_jwk=holder_jwk if isinstance(holder_jwk, dict) else None,
            key_bound=key_bound,
            status=status,
            issuer_chain=resolved.chain,
            disclosed_claims=processed.disclosed_top_level,
        )
    except WalletVerificationError:
        raise
    except (KeyError, TypeError, AttributeError, UnicodeError, RecursionError) as exc:
        raise MalformedInput(f"malformed SD-JWT VC: {type(exc).__name__}") from exc
