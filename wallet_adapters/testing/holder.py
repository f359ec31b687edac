"""Test holder (wallet): SD-JWT VC presentations with KB-JWT, mdoc DeviceResponses with
device signature, and ``direct_post.jwt`` response encryption; with fault switches."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwe
from joserfc.jwk import ECKey

from wallet_adapters import cose
from wallet_adapters.encoding import b64url_decode, b64url_encode, json_dumps, json_loads
from wallet_adapters.jws import sign_compact
from wallet_adapters.mdoc.session_transcript import openid4vp_session_transcript
from wallet_adapters.mdoc.verifier import device_authentication_bytes
from wallet_adapters.sd_jwt import digest
from wallet_adapters.testing.issuer import IssuedMdoc, IssuedSdJwtVc


class HolderFault(enum.Enum):
    WRONG_NONCE = "wrong_nonce"  # KB-JWT / transcript with another nonce
    WRONG_AUD = "wrong_aud"  # KB-JWT aud = client_id without its prefix
    WRONG_TRANSCRIPT = "wrong_transcript"  # device auth over another SessionTranscript
    MISSING_KB = "missing_kb"
    TAMPERED_DISCLOSURE = "tampered_disclosure"  # value changed after issuance
    EXTRA_DISCLOSURE = "extra_disclosure"  # a disclosure no digest references
    DUPLICATE_DISCLOSURE = "duplicate_disclosure"
    KB_WRONG_TYP = "kb_wrong_typ"
    KB_WRONG_KEY = "kb_wrong_key"
    KB_ALG_NONE = "kb_alg_none"
    KB_STALE = "kb_stale"  # iat far in the past
    KB_FUTURE = "kb_future"  # iat far in the future
    SD_HASH_DROPPED_DISCLOSURE = "sd_hash_dropped"  # sd_hash over a different set
    # mdoc
    TAMPERED_ELEMENT = "tampered_element"
    UNLISTED_ELEMENT = "unlisted_element"  # item whose digestID is not in the MSO
    DEVICE_KEY_MISMATCH = "device_key_mismatch"
    DEVICE_MAC = "device_mac"
    ZERO_SIGNATURE = "zero_signature"
    DEVICE_SIGNED_ELEMENT = "device_signed_element"  # not in keyAuthorizations
    WRONG_DOCTYPE_IN_DOCUMENT = "wrong_doctype_in_document"


@dataclass
class TestHolder:
    __test__ = False  # not a pytest test class

    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self.key.public_key()

    def present_sd_jwt(
        self,
        issued: IssuedSdJwtVc,
        disclose: Iterable[str] | None,
        *,
        nonce: str,
        audience: str,
        now: dt.datetime | None = None,
        faults: frozenset[HolderFault] = frozenset(),
    ) -> str:
        """``disclose``: dotted paths (``address`` and ``address.locality`` ...); None = all."""
        now = now or dt.datetime.now(dt.UTC)
        if HolderFault.WRONG_NONCE in faults:
            nonce = nonce + "-other-session"
        if HolderFault.WRONG_AUD in faults:
            audience = audience.split(":", 1)[-1]
        wanted = set(issued.disclosures) if disclose is None else set(disclose)
        chosen = [d for path, d in issued.disclosures.items()
                  if path in wanted or path.split("[")[0] in wanted]
        if HolderFault.TAMPERED_DISCLOSURE in faults:
            salt, name, _value = json_loads(b64url_decode(chosen[0]))
            chosen[0] = b64url_encode(json_dumps([salt, name, "Tampered"]))
        if HolderFault.EXTRA_DISCLOSURE in faults:
            chosen.append(b64url_encode(json_dumps(["c2FsdHNhbHQ", "given_name", "Mallory"])))
        if HolderFault.DUPLICATE_DISCLOSURE in faults:
            chosen.append(chosen[0])
        body = issued.issuer_jwt + "~" + "".join(d + "~" for d in chosen)
        if HolderFault.MISSING_KB in faults:
            return body
        hashed = body
        if HolderFault.SD_HASH_DROPPED_DISCLOSURE in faults:
            hashed = issued.issuer_jwt + "~" + "".join(d + "~" for d in chosen[1:])
        iat = now
        if HolderFault.KB_STALE in faults:
            iat = now - dt.timedelta(days=365)
        if HolderFault.KB_FUTURE in faults:
            iat = now + dt.timedelta(days=1)
        payload = {"nonce": nonce, "aud": audience, "iat": int(iat.timestamp()),
                   "sd_hash": digest(hashlib.sha256, hashed)}
        key = ec.generate_private_key(ec.SECP256R1()) if (
            HolderFault.KB_WRONG_KEY in faults) else self.key
        typ = "JWT" if HolderFault.KB_WRONG_TYP in faults else "kb+jwt"
        kb = sign_compact({"typ": typ}, payload, key)
        if HolderFault.KB_ALG_NONE in faults:
            kb = (b64url_encode(b'{"alg":"none","typ":"kb+jwt"}') + "."
                  + kb.split(".")[1] + ".")
        return body + kb

    def present_mdoc(
        self,
        issued: IssuedMdoc,
        elements: Mapping[str, Iterable[str]] | None,
        *,
        session_transcript: bytes,
        faults: frozenset[HolderFault] = frozenset(),
    ) -> str:
        """Return base64url(DeviceResponse) disclosing ``elements`` (None = all)."""
        if HolderFault.WRONG_TRANSCRIPT in faults:
            session_transcript = openid4vp_session_transcript(
                "x509_san_dns:other-verifier.example", "other-nonce", None,
                "https://other-verifier.example/response",
            )
        namespaces: dict[str, list[cbor2.CBORTag]] = {}
        for ns, tags in issued.namespaces.items():
            keep = None if elements is None else set(elements.get(ns, ()))
            selected = [t for t in tags
                        if keep is None or cbor2.loads(t.value)["elementIdentifier"] in keep]
            if selected:
                namespaces[ns] = selected
        first_ns = next(iter(namespaces))
        if HolderFault.TAMPERED_ELEMENT in faults:
            item = cbor2.loads(namespaces[first_ns][0].value)
            item["elementValue"] = "Tampered"
            namespaces[first_ns][0] = cbor2.CBORTag(24, cbor2.dumps(item))
        if HolderFault.UNLISTED_ELEMENT in faults:
            item = {"digestID": 999, "random": b"\x00" * 16,
                    "elementIdentifier": "bsn_extra", "elementValue": "123"}
            namespaces[first_ns].append(cbor2.CBORTag(24, cbor2.dumps(item)))
        device_ns: dict[str, Any] = {}
        if HolderFault.DEVICE_SIGNED_ELEMENT in faults:
            device_ns = {first_ns: {"bsn": "111222333"}}
        dns_bytes = cbor2.dumps(device_ns)
        doctype = issued.doctype
        if HolderFault.WRONG_DOCTYPE_IN_DOCUMENT in faults:
            doctype = "org.iso.18013.5.1.mDL"
        payload = device_authentication_bytes(session_transcript, doctype, dns_bytes)
        key = ec.generate_private_key(ec.SECP256R1()) if (
            HolderFault.DEVICE_KEY_MISMATCH in faults) else self.key
        signature = cose.sign1(payload, key, detached=True)
        if HolderFault.ZERO_SIGNATURE in faults:
            signature[3] = b"\x00" * 64
        device_auth: dict[str, Any] = {"deviceSignature": signature}
        if HolderFault.DEVICE_MAC in faults:
            device_auth = {"deviceMac": [cbor2.dumps({1: 5}), {}, None, b"\x00" * 32]}
        response = {
            "version": "1.0",
            "documents": [{
                "docType": doctype,
                "issuerSigned": {"nameSpaces": namespaces, "issuerAuth": issued.issuer_auth},
                "deviceSigned": {"nameSpaces": cbor2.CBORTag(24, dns_bytes),
                                 "deviceAuth": device_auth},
            }],
            "status": 0,
        }
        return b64url_encode(cbor2.dumps(response))


def encrypt_response(
    payload: dict[str, Any], verifier_jwk: dict[str, Any], enc: str = "A128GCM"
) -> str:
    """What a wallet POSTs as ``response`` for ``direct_post.jwt`` (OpenID4VP §8.3)."""
    key = ECKey.import_key(verifier_jwk)
    header: dict[str, Any] = {"alg": "ECDH-ES", "enc": enc}
    if "kid" in verifier_jwk:
        header["kid"] = verifier_jwk["kid"]
    return jwe.encrypt_compact(header, json_dumps(payload), key,
                               algorithms=["ECDH-ES", enc])
