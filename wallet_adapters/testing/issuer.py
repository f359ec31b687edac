"""Test PID issuer: SD-JWT VC and mdoc PIDs, and Token Status Lists, with fault switches."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from wallet_adapters import cose
from wallet_adapters.encoding import b64url_encode
from wallet_adapters.jws import jwk_from_public_key, sign_compact
from wallet_adapters.sd_jwt import digest, make_disclosure
from wallet_adapters.testing.pki import TestPki
from wallet_adapters.trust import x5c_value

NL_PID = "urn:eudi:pid:nl:1"
EU_PID_VCT = "urn:eudi:pid:1"
EU_PID_DOCTYPE = "eu.europa.ec.eudi.pid.1"


@dataclass(frozen=True)
class TestPerson:
    __test__ = False  # not a pytest test class

    given_name: str
    family_name: str
    birthdate: dt.date
    bsn: str
    nationalities: tuple[str, ...] = ("NL",)
    street_address: str = "Turfmarkt"
    house_number: str = "147"
    postal_code: str = "2511 DP"
    locality: str = "Den Haag"


# 999999990 passes the BSN eleven-test and is in the range reserved for testing.
TEST_PERSONS: dict[str, TestPerson] = {
    "999999990": TestPerson("Willeke Liselotte", "De Bruijn", dt.date(1965, 3, 1), "999999990"),
}


class IssuerFault(enum.Enum):
    DUPLICATE_DIGEST = "duplicate_digest"  # the same digest twice in `_sd`
    WEAK_SD_ALG = "weak_sd_alg"  # `_sd_alg: md5`
    RESERVED_CLAIM_NAME = "reserved_claim_name"  # a disclosure named `_sd`
    NAME_COLLISION = "name_collision"  # plain `birthdate` and a disclosed `birthdate`
    LEGACY_TYP = "legacy_typ"  # `vc+sd-jwt`
    ALG_NONE = "alg_none"
    BAD_SIGNATURE = "bad_signature"
    SD_EXP = "sd_exp"  # `exp` selectively disclosable
    NO_CNF = "no_cnf"
    NO_X5C = "no_x5c"
    MALFORMED_DISCLOSURE = "malformed_disclosure"  # 4-element disclosure
    SELF_SIGNED_X5C = "self_signed_x5c"  # x5c of an untrusted self-made chain


@dataclass(frozen=True)
class IssuedSdJwtVc:
    """``issuer_jwt`` plus disclosures keyed by a dotted path (e.g. ``address.locality``)."""

    issuer_jwt: str
    disclosures: dict[str, str]

    @property
    def serialized(self) -> str:
        return self.issuer_jwt + "~" + "".join(d + "~" for d in self.disclosures.values())


@dataclass(frozen=True)
class IssuedMdoc:
    doctype: str
    namespaces: dict[str, list[cbor2.CBORTag]]
    issuer_auth: list[Any]

    def element(self, ns: str, name: str) -> cbor2.CBORTag:
        for tag in self.namespaces[ns]:
            if cbor2.loads(tag.value)["elementIdentifier"] == name:
                return tag
        raise KeyError(name)


@dataclass
class TestPidIssuer:
    __test__ = False  # not a pytest test class

    pki: TestPki
    status_uri: str = "https://status.toegang.example.nl/pid/1"
    issuer_id: str = "https://pid-issuer.example.nl"

    def _salt(self) -> str:
        return b64url_encode(secrets.token_bytes(16))

    # ---------------------------------------------------------------- SD-JWT VC
    def issue_sd_jwt_vc(
        self,
        person: TestPerson,
        holder_key: ec.EllipticCurvePublicKey,
        *,
        vct: str = NL_PID,
        now: dt.datetime | None = None,
        lifetime: dt.timedelta = dt.timedelta(days=7),
        status_idx: int | None = None,
        faults: frozenset[IssuerFault] = frozenset(),
        signing_key: ec.EllipticCurvePrivateKey | None = None,
        x5c: list[str] | None = None,
    ) -> IssuedSdJwtVc:
        now = now or dt.datetime.now(dt.UTC)
        disclosures: dict[str, str] = {}

        def disclose(path: str, name: str | None, value: Any) -> str:
            d = make_disclosure(self._salt(), name, value)
            disclosures[path] = d
            return digest(hashlib.sha256, d)

        nat_digests = [
            {"...": disclose(f"nationalities[{i}]", None, n)}
            for i, n in enumerate(person.nationalities)
        ]
        address_inner = {
            "_sd": sorted([
                disclose("address.street_address", "street_address", person.street_address),
                disclose("address.house_number", "house_number", person.house_number),
                disclose("address.postal_code", "postal_code", person.postal_code),
                disclose("address.locality", "locality", person.locality),
            ]),
            "country": "NL",
        }
        birth = "birthdate"  # SD-JWT VC name in both the EU and NL PID
        identifier = "bsn" if vct == NL_PID else "personal_administrative_number"
        sd = [
            disclose("family_name", "family_name", person.family_name),
            disclose("given_name", "given_name", person.given_name),
            disclose(birth, birth, person.birthdate.isoformat()),
            disclose(identifier, identifier, person.bsn),
            disclose("age_over_18", "age_over_18", True),
            disclose("nationalities", "nationalities", nat_digests),
            disclose("address", "address", address_inner),
            digest(hashlib.sha256, make_disclosure(self._salt(), "decoy", 0)),  # decoy
        ]
        payload: dict[str, Any] = {
            "iss": self.issuer_id,
            "iat": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "vct": vct,
            "_sd_alg": "sha-256",
            "cnf": {"jwk": jwk_from_public_key(holder_key)},
        }
        if status_idx is not None:
            payload["status"] = {"status_list": {"idx": status_idx, "uri": self.status_uri}}
        if IssuerFault.DUPLICATE_DIGEST in faults:
            sd.append(sd[0])
        if IssuerFault.WEAK_SD_ALG in faults:
            payload["_sd_alg"] = "md5"
        if IssuerFault.RESERVED_CLAIM_NAME in faults:
            sd.append(disclose("_sd", "_sd", ["x"]))
        if IssuerFault.NAME_COLLISION in faults:
            payload[birth] = "1900-01-01"
        if IssuerFault.SD_EXP in faults:
            sd.append(disclose("exp", "exp", payload.pop("exp")))
        if IssuerFault.NO_CNF in faults:
            del payload["cnf"]
        if IssuerFault.MALFORMED_DISCLOSURE in faults:
            bad = b64url_encode(b'["salt","extra","name","value"]')
            disclosures["malformed"] = bad
            sd.append(digest(hashlib.sha256, bad))
        payload["_sd"] = sorted(sd)
        key = signing_key or self.pki.issuer_key
        header: dict[str, Any] = {
            "typ": "vc+sd-jwt" if IssuerFault.LEGACY_TYP in faults else "dc+sd-jwt",
            "x5c": x5c if x5c is not None else x5c_value([self.pki.issuer_cert]),
        }
        if IssuerFault.NO_X5C in faults:
            del header["x5c"]
        token = sign_compact(header, payload, key)
        if IssuerFault.BAD_SIGNATURE in faults:
            head, body, sig = token.split(".")
            token = f"{head}.{body}.{sig[:-4]}AAAA"
        if IssuerFault.ALG_NONE in faults:
            head_none = b64url_encode(b'{"alg":"none","typ":"dc+sd-jwt"}')
            token = head_none + "." + token.split(".")[1] + "."
        return IssuedSdJwtVc(token, disclosures)

    # -------------------------------------------------------------------- mdoc
    def issue_mdoc(
        self,
        person: TestPerson,
        holder_key: ec.EllipticCurvePublicKey,
        *,
        doctype: str = NL_PID,
        now: dt.datetime | None = None,
        lifetime: dt.timedelta = dt.timedelta(days=7),
        status_idx: int | None = None,
        digest_algorithm: str = "SHA-256",
        mso_doctype: str | None = None,
        signing_key: ec.EllipticCurvePrivateKey | None = None,
        x5chain: bytes | None = None,
    ) -> IssuedMdoc:
        now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        ns = doctype  # NL: doctype == namespace; EU: eu.europa.ec.eudi.pid.1 both
        nl = doctype == NL_PID
        elements: Mapping[str, Any] = {
            "family_name": person.family_name,
            "given_name": person.given_name,
            ("birthdate" if nl else "birth_date"): person.birthdate,
            ("bsn" if nl else "personal_administrative_number"): person.bsn,
            "nationality" if not nl else "nationalities": list(person.nationalities),
            "age_over_18": True,
        }
        items: list[cbor2.CBORTag] = []
        digests: dict[int, bytes] = {}
        for i, (name, value) in enumerate(elements.items()):
            item = {"digestID": i, "random": secrets.token_bytes(16),
                    "elementIdentifier": name, "elementValue": value}
            tag = cbor2.CBORTag(24, cbor2.dumps(item))
            items.append(tag)
            digests[i] = hashlib.new(digest_algorithm.replace("-", "").lower(),
                                     cbor2.dumps(tag)).digest()
        mso: dict[str, Any] = {
            "version": "1.0",
            "digestAlgorithm": digest_algorithm,
            "valueDigests": {ns: digests},
            "deviceKeyInfo": {"deviceKey": cose.public_to_cose_key(holder_key)},
            "docType": mso_doctype or doctype,
            "validityInfo": {"signed": now, "validFrom": now, "validUntil": now + lifetime},
        }
        if status_idx is not None:
            mso["status"] = {"status_list": {"idx": status_idx, "uri": self.status_uri}}
        payload = cbor2.dumps(cbor2.CBORTag(24, cbor2.dumps(mso)))
        chain = x5chain or self.pki.issuer_cert.public_bytes(Encoding.DER)
        issuer_auth = cose.sign1(payload, signing_key or self.pki.issuer_key,
                                 unprotected={cose.X5CHAIN: chain})
        return IssuedMdoc(doctype, {ns: items}, issuer_auth)

    # ------------------------------------------------------------ status lists
    def status_list_bytes(self, statuses: Mapping[int, int], bits: int, size: int) -> bytes:
        raw = bytearray(size * bits // 8)
        for idx, value in statuses.items():
            pos = idx * bits
            raw[pos // 8] |= value << (pos % 8)
        return zlib.compress(bytes(raw), 9)

    def status_list_jwt(
        self,
        statuses: Mapping[int, int],
        *,
        bits: int = 2,
        size: int = 1024,
        now: dt.datetime | None = None,
        ttl: int | None = 600,
        lifetime: dt.timedelta = dt.timedelta(hours=1),
        uri: str | None = None,
        typ: str = "statuslist+jwt",
        signing_key: ec.EllipticCurvePrivateKey | None = None,
    ) -> str:
        now = now or dt.datetime.now(dt.UTC)
        payload: dict[str, Any] = {
            "sub": uri or self.status_uri,
            "iat": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "status_list": {
                "bits": bits,
                "lst": b64url_encode(self.status_list_bytes(statuses, bits, size)),
            },
        }
        if ttl is not None:
            payload["ttl"] = ttl
        header = {"typ": typ, "x5c": x5c_value([self.pki.status_cert])}
        return sign_compact(header, payload, signing_key or self.pki.status_key)

    def status_list_cwt(
        self,
        statuses: Mapping[int, int],
        *,
        bits: int = 2,
        size: int = 1024,
        now: dt.datetime | None = None,
        ttl: int = 600,
    ) -> bytes:
        now = now or dt.datetime.now(dt.UTC)
        claims = {
            2: self.status_uri,
            6: int(now.timestamp()),
            4: int((now + dt.timedelta(hours=1)).timestamp()),
            65534: ttl,
            65533: {"bits": bits, "lst": self.status_list_bytes(statuses, bits, size)},
        }
        msg = cose.sign1(
            cbor2.dumps(claims), self.pki.status_key,
            protected={cose.TYP: "application/statuslist+cwt"},
            unprotected={cose.X5CHAIN: self.pki.status_cert.public_bytes(Encoding.DER)},
        )
        return cbor2.dumps(cbor2.CBORTag(18, msg))
