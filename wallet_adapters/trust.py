"""X.509 trust lists and certificate path validation for issuers and status signers.

HAIP §"IETF SD-JWT VC Profile" and ISO 18013-5 §9.3.3 resolve the signer's key from
an ``x5c`` / ``x5chain`` whose top certificate is issued by a trust anchor obtained
out of band (the PID Provider / IACA trust list, ARF §6). The anchors are NOT taken
from the credential.

Path validation uses ``cryptography.x509.verification`` (RFC 5280 path building with
the CA/B-Forum "web PKI" profile for CA certificates: basicConstraints CA, keyUsage
keyCertSign, validity, signature, path length). The end-entity policy is relaxed to
"permit all" because document-signer and PID-issuer certificates carry no TLS EKU or
SAN; instead this module checks the leaf itself: keyUsage must be present and allow
digitalSignature, and, when configured, an EKU (e.g. ISO mDL DS 1.0.18013.5.1.2, or
the Status List signing EKU of draft-ietf-oauth-status-list §"EKU") must be present.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.verification import (
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from wallet_adapters.errors import MalformedInput, UntrustedIssuer

MAX_CHAIN_LENGTH = 5
_CACHE_SIZE = 256


@dataclass(frozen=True)
class ValidatedChain:
    """Result of a successful path validation, leaf first, trust anchor last."""

    leaf: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def anchor(self) -> x509.Certificate:
        return self.chain[-1]

    def leaf_public_key(self) -> ec.EllipticCurvePublicKey:
        key = self.leaf.public_key()
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise UntrustedIssuer("signer certificate has no EC key")
        return key


@dataclass
class TrustList:
    """A set of trust anchors for one purpose (e.g. PID issuers), plus leaf rules.

    ``required_eku``: when set, the leaf certificate must contain this EKU OID.
    """

    anchors: Sequence[x509.Certificate]
    required_eku: x509.ObjectIdentifier | None = None
    _store: Store = field(init=False, repr=False)
    _cache: dict[tuple[bytes, ...], tuple[x509.Certificate, ...]] = field(
        init=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        if not self.anchors:
            raise ValueError("a trust list needs at least one anchor")
        self._store = Store(list(self.anchors))

    def validate(self, chain: Sequence[x509.Certificate], now: dt.datetime) -> ValidatedChain:
        """Validate ``chain`` (leaf first, anchors optional) at time ``now``.

        Successful path builds are cached by the DER of the presented chain; on a
        cache hit only the validity periods are re-checked against ``now``.
        """
        if not chain or len(chain) > MAX_CHAIN_LENGTH:
            raise UntrustedIssuer("certificate chain missing or too long")
        key = tuple(c.public_bytes(Encoding.DER) for c in chain)
        built = self._cache.get(key)
        if built is None:
            builder = (
                PolicyBuilder()
                .store(self._store)
                .time(now)
                .max_chain_depth(MAX_CHAIN_LENGTH)
                .extension_policies(
                    ca_policy=ExtensionPolicy.webpki_defaults_ca(),
                    ee_policy=ExtensionPolicy.permit_all(),
                )
            )
            try:
                verified = builder.build_client_verifier().verify(chain[0], list(chain[1:]))
            except VerificationError as exc:
                raise UntrustedIssuer(f"certificate path validation failed: {exc}") from exc
            built = tuple(verified.chain)
            self._check_leaf(built[0])
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = built
        else:
            for cert in built:
                if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
                    raise UntrustedIssuer("certificate not valid at validation time")
        return ValidatedChain(built[0], built)

    def _check_leaf(self, leaf: x509.Certificate) -> None:
        try:
            usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
        except x509.ExtensionNotFound as exc:
            raise UntrustedIssuer("signer certificate lacks keyUsage") from exc
        if not usage.digital_signature:
            raise UntrustedIssuer("signer certificate keyUsage lacks digitalSignature")
        if self.required_eku is not None:
            try:
                eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
            except x509.ExtensionNotFound as exc:
                raise UntrustedIssuer("signer certificate lacks the required EKU") from exc
            if self.required_eku not in eku:
                raise UntrustedIssuer("signer certificate lacks the required EKU")


def certificates_from_x5c(x5c: object) -> list[x509.Certificate]:
    """RFC 7515 §4.1.6: ``x5c`` is a JSON array of standard (not url-safe) base64 DER."""
    if not isinstance(x5c, list) or not x5c or len(x5c) > MAX_CHAIN_LENGTH:
        raise MalformedInput("x5c must be a non-empty array")
    out = []
    for item in x5c:
        if not isinstance(item, str):
            raise MalformedInput("x5c entries must be strings")
        try:
            out.append(x509.load_der_x509_certificate(base64.b64decode(item, validate=True)))
        except (binascii.Error, ValueError) as exc:
            raise MalformedInput("x5c entry is not a DER certificate") from exc
    return out


def certificates_from_der_list(items: Sequence[bytes]) -> list[x509.Certificate]:
    if not items or len(items) > MAX_CHAIN_LENGTH:
        raise MalformedInput("certificate chain missing or too long")
    try:
        return [x509.load_der_x509_certificate(bytes(i)) for i in items]
    except (TypeError, ValueError) as exc:
        raise MalformedInput("x5chain entry is not a DER certificate") from exc


def x5c_value(chain: Sequence[x509.Certificate]) -> list[str]:
    return [base64.b64encode(c.public_bytes(Encoding.DER)).decode("ascii") for c in chain]


def certificate_sha256(cert: x509.Certificate) -> bytes:
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).digest()
