"""mdoc DeviceResponse verification (ISO/IEC 18013-5 §8.3.2.1.2, §9.1.2-§9.3).

Steps per Document (cf. eudi-wallet fact sheet §4.3 and ISO 18013-5 §9.3.1):
issuerAuth COSE_Sign1 with x5chain to the trust list; MSO (tag-24 wrapped) version,
docType and validityInfo; every returned IssuerSignedItemBytes hashed (whole tag-24
encoding) and compared with ``valueDigests``; DeviceAuthentication verified with the
MSO ``deviceKey`` over the OpenID4VP SessionTranscript (detached payload). Only
``deviceSignature`` is accepted: HAIP requires signatures, and the MAC key
agreement for OpenID4VP is not specified there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec

from wallet_adapters import cbor, cose
from wallet_adapters.encoding import b64url_decode
from wallet_adapters.errors import (
    HolderBindingError,
    MalformedInput,
    PolicyError,
    UntrustedIssuer,
    ValidityError,
    WalletVerificationError,
)
from wallet_adapters.status_list import StatusReference, parse_status_claim
from wallet_adapters.trust import TrustList, ValidatedChain, certificates_from_der_list

# ISO 18013-5 §9.1.2.5 digest algorithm identifiers
DIGESTS: dict[str, Callable[[bytes], Any]] = {
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}
MAX_DEVICE_RESPONSE = 1024 * 1024
MAX_DOCUMENTS = 8


@dataclass(frozen=True)
class MdocPolicy:
    trust: TrustList
    allowed_doctypes: frozenset[str]
    digest_algorithms: frozenset[str] = frozenset({"SHA-256"})
    require_device_auth: bool = True
    clock_skew: dt.timedelta = dt.timedelta(seconds=60)
    issuer_algs: frozenset[int] = cose.DEFAULT_COSE_ALGS
    device_algs: frozenset[int] = cose.DEFAULT_COSE_ALGS


@dataclass(frozen=True)
class MdocResult:
    doctype: str
    claims: dict[str, dict[str, Any]]
    issuer_chain: ValidatedChain
    device_key: ec.EllipticCurvePublicKey
    signed: dt.datetime
    valid_from: dt.datetime
    valid_until: dt.datetime
    status: StatusReference | None
    device_authenticated: bool = False
    format: str = "mso_mdoc"
    mso: dict[str, Any] = field(default_factory=dict, repr=False)


def _get(mapping: Any, key: str, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(mapping, dict) or not isinstance(mapping.get(key), kind):
        raise MalformedInput(f"{what}: {key!r} missing or of wrong type")
    return mapping[key]


def _tdate(value: Any, name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise MalformedInput(f"validityInfo.{name} must be a tdate")
    return value


def verify_issuer_signed(
    document: dict[str, Any], policy: MdocPolicy, now: dt.datetime
) -> MdocResult:
    """Verify issuerAuth, MSO and value digests of one Document (no device auth)."""
    doctype = _get(document, "docType", str, "Document")
    issuer_signed = _get(document, "issuerSigned", dict, "Document")
    msg = cose.parse_sign1(issuer_signed.get("issuerAuth"))
    chain = policy.trust.validate(certificates_from_der_list(msg.x5chain()), now)
    cose.verify_sign1(msg, chain.leaf_public_key(), allowed=policy.issuer_algs)
    if msg.payload is None:
        raise MalformedInput("issuerAuth has no payload")
    _, mso = cbor.embedded(cbor.loads(msg.payload))  # MobileSecurityObjectBytes, §9.1.2.4
    if not isinstance(mso, dict) or mso.get("version") != "1.0":
        raise MalformedInput("MSO missing or unsupported version")
    if mso.get("docType") != doctype:
        raise PolicyError("MSO docType differs from Document docType", code="doctype")
    if doctype not in policy.allowed_doctypes:
        raise PolicyError(f"docType {doctype!r} not allowed", code="doctype")
    alg = mso.get("digestAlgorithm")
    if alg not in policy.digest_algorithms or alg not in DIGESTS:
        raise PolicyError(f"digest algorithm {alg!r} not allowed", code="digest_alg")
    hash_fn = DIGESTS[alg]

    validity = _get(mso, "validityInfo", dict, "MSO")
    signed = _tdate(validity.get("signed"), "signed")
    valid_from = _tdate(validity.get("validFrom"), "validFrom")
    valid_until = _tdate(validity.get("validUntil"), "validUntil")
    if signed > now + policy.clock_skew or valid_from < signed:  # §9.1.2.4
        raise ValidityError("MSO signed in the future or validFrom before signed")
    if now + policy.clock_skew < valid_from:
        raise ValidityError("MSO not yet valid")
    if now - policy.clock_skew > valid_until:
        raise ValidityError("MSO expired", code="expired")
    leaf = chain.leaf
    if not leaf.not_valid_before_utc <= signed <= leaf.not_valid_after_utc:
        raise UntrustedIssuer("MSO signed outside the document signer certificate validity")

    value_digests = _get(mso, "valueDigests", dict, "MSO")
    claims: dict[str, dict[str, Any]] = {}
    namespaces = issuer_signed.get("nameSpaces", {})
    if not isinstance(namespaces, dict):
        raise MalformedInput("issuerSigned.nameSpaces must be a map")
    for ns, items in namespaces.items():
        ns_digests = value_digests.get(ns)
        if not isinstance(ns, str) or not isinstance(items, list) or not isinstance(
            ns_digests, dict
        ):
            raise PolicyError(f"namespace {ns!r} not covered by the MSO", code="digest")
        out: dict[str, Any] = {}
        used_ids: set[int] = set()
        for wrapped in items:
            _, item = cbor.embedded(wrapped)
            digest_id = _get(item, "digestID", int, "IssuerSignedItem")
            name = _get(item, "elementIdentifier", str, "IssuerSignedItem")
            random = _get(item, "random", bytes, "IssuerSignedItem")
            if "elementValue" not in item or len(random) < 16:  # §9.1.2.5: >= 16 bytes
                raise MalformedInput("IssuerSignedItem incomplete")
            expected = ns_digests.get(digest_id)
            # §9.1.2.5: digest over the full #6.24 IssuerSignedItemBytes encoding
            actual = hash_fn(cbor2.dumps(wrapped)).digest()
            if not isinstance(expected, bytes) or not hmac.compare_digest(expected, actual):
                raise PolicyError(f"value digest mismatch for {ns}/{name}", code="digest")
            if digest_id in used_ids or name in out:
                raise PolicyError("element disclosed twice", code="digest")
            used_ids.add(digest_id)
            out[name] = item["elementValue"]
        claims[ns] = out

    key_info = _get(mso, "deviceKeyInfo", dict, "MSO")
    device_key = cose.cose_key_to_public(key_info.get("deviceKey"))
    status = parse_status_claim(mso.get("status"))
    return MdocResult(
        doctype, claims, chain, device_key, signed, valid_from, valid_until, status, mso=mso
    )


def device_authentication_bytes(
    session_transcript: bytes, doctype: str, device_namespaces_bytes: bytes
) -> bytes:
    """§9.1.3.4: #6.24(bstr .cbor ["DeviceAuthentication", ST, DocType, DNSBytes]).

    The transcript is spliced in as encoded so that it is hashed byte for byte.
    """
    inner = (
        b"\x84"
        + cbor2.dumps("DeviceAuthentication")
        + session_transcript
        + cbor2.dumps(doctype)
        + cbor2.dumps(cbor.tag24(device_namespaces_bytes))
    )
    return cbor2.dumps(cbor.tag24(inner))


def _authorized(key_info: dict[str, Any], ns: str, element: str) -> bool:
    """§9.1.2.4 keyAuthorizations: namespaces or dataElements the device key may sign."""
    auth = key_info.get("keyAuthorizations")
    if not isinstance(auth, dict):
        return False
    namespaces = auth.get("nameSpaces")
    if isinstance(namespaces, list) and ns in namespaces:
        return True
    elements = auth.get("dataElements")
    return isinstance(elements, dict) and element in (elements.get(ns) or [])


def verify_device_signed(
    document: dict[str, Any],
    result: MdocResult,
    session_transcript: bytes,
    policy: MdocPolicy,
) -> None:
    device_signed = _get(document, "deviceSigned", dict, "Document")
    dns_bytes, dns = cbor.embedded(device_signed.get("nameSpaces"))
    if not isinstance(dns, dict):
        raise MalformedInput("DeviceNameSpaces must be a map")
    key_info = result.mso.get("deviceKeyInfo", {})
    for ns, elements in dns.items():
        if not isinstance(elements, dict):
            raise MalformedInput("DeviceSignedItems must be a map")
        for element in elements:
            if not _authorized(key_info, ns, element):
                raise PolicyError("device-signed element not in keyAuthorizations")
    device_auth = _get(device_signed, "deviceAuth", dict, "DeviceSigned")
    if "deviceSignature" not in device_auth:
        raise HolderBindingError("only deviceSignature is accepted (deviceMac refused)")
    msg = cose.parse_sign1(device_auth["deviceSignature"])
    payload = device_authentication_bytes(session_transcript, result.doctype, dns_bytes)
    try:
        cose.verify_sign1(msg, result.device_key, detached_payload=payload,
                          allowed=policy.device_algs)
    except WalletVerificationError as exc:
        raise HolderBindingError(f"device authentication failed: {exc}") from exc


def decode_device_response(data: bytes | str) -> dict[str, Any]:
    """OpenID4VP B.2.4: the vp_token entry is base64url(DeviceResponse)."""
    if isinstance(data, str):
        if len(data) > MAX_DEVICE_RESPONSE * 4 // 3 + 4:
            raise MalformedInput("DeviceResponse too large")
        data = b64url_decode(data)
    response = cbor.loads(data, max_size=MAX_DEVICE_RESPONSE)
    if not isinstance(response, dict) or response.get("version") != "1.0":
        raise MalformedInput("DeviceResponse missing or unsupported version")
    if response.get("status") != 0:
        raise PolicyError(f"DeviceResponse status {response.get('status')!r}")
    documents = response.get("documents")
    if not isinstance(documents, list) or not 1 <= len(documents) <= MAX_DOCUMENTS:
        raise MalformedInput("DeviceResponse has no documents")
    return response


def verify_device_response(
    data: bytes | str,
    policy: MdocPolicy,
    *,
    session_transcript: bytes,
    now: dt.datetime | None = None,
) -> list[MdocResult]:
    """Verify every Document; device authentication is required unless the policy waives it."""
    now = now or dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        response = decode_device_response(data)
        results = []
        for document in response["documents"]:
            if not isinstance(document, dict):
                raise MalformedInput("Document must be a map")
            result = verify_issuer_signed(document, policy, now)
            if policy.require_device_auth:
                verify_device_signed(document, result, session_transcript, policy)
                result = MdocResult(**{**result.__dict__, "device_authenticated": True})
            results.append(result)
        return results
    except WalletVerificationError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, RecursionError) as exc:
        raise MalformedInput(f"malformed DeviceResponse: {type(exc).__name__}") from exc
