"""Typed refusals for wallet presentation verification.

Every check in this package raises a subclass of :class:`WalletVerificationError`
with a stable machine-readable ``code``, so the broker can log and map refusals
without string matching, and so malformed input never escapes as a bare
``KeyError``/``ValueError``/``CBORDecodeError``.
"""

from __future__ import annotations


class WalletVerificationError(Exception):
    """Base class: a presentation, token or response was refused."""

    code: str = "invalid_presentation"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class MalformedInput(WalletVerificationError):
    """Input could not be parsed (bad base64, JSON, CBOR, JWE, sizes, types)."""

    code = "malformed"


class SignatureInvalid(WalletVerificationError):
    """A JWS/COSE signature did not verify, or used a refused algorithm."""

    code = "bad_signature"


class UntrustedIssuer(WalletVerificationError):
    """The signer's certificate chain does not reach a configured trust anchor."""

    code = "untrusted_issuer"


class ValidityError(WalletVerificationError):
    """Expired, not yet valid, or missing validity information."""

    code = "validity"


class DisclosureError(WalletVerificationError):
    """SD-JWT disclosure processing failed (RFC 9901 §7.1 step 3)."""

    code = "disclosure"


class HolderBindingError(WalletVerificationError):
    """Key binding JWT / mdoc device authentication missing or wrong."""

    code = "holder_binding"


class PolicyError(WalletVerificationError):
    """Type, doctype, vct, typ or other policy mismatch."""

    code = "policy"


class StatusError(WalletVerificationError):
    """Token Status List says revoked/suspended, or status could not be established."""

    code = "status"


class QueryNotSatisfied(WalletVerificationError):
    """The vp_token does not satisfy the DCQL query."""

    code = "query_not_satisfied"


class DecryptionError(WalletVerificationError):
    """The encrypted authorization response could not be decrypted or was refused."""

    code = "decryption"
