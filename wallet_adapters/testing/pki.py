"""A throw-away X.509 hierarchy: root CA -> PID issuer, status signer, verifier (access) cert."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from wallet_adapters.trust import TrustList

# ISO 18013-5 Annex B: id-mdl-kp-mdlDS
MDL_DS_EKU = x509.ObjectIdentifier("1.0.18013.5.1.2")


def _name(cn: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Stelsel Toegang TEST"),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def make_ca(cn: str, not_before: dt.datetime, not_after: dt.datetime) -> tuple[
    ec.EllipticCurvePrivateKey, x509.Certificate
]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn)).issuer_name(_name(cn)).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                       critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_leaf(
    cn: str,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    not_before: dt.datetime,
    not_after: dt.datetime,
    *,
    eku: x509.ObjectIdentifier | None = None,
    dns_name: str | None = None,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn)).issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                       critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
    )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
    if dns_name is not None:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False
        )
    return key, builder.sign(ca_key, hashes.SHA256())


@dataclass(frozen=True)
class TestPki:
    __test__ = False  # not a pytest test class

    root_key: ec.EllipticCurvePrivateKey
    root: x509.Certificate
    issuer_key: ec.EllipticCurvePrivateKey
    issuer_cert: x509.Certificate
    status_key: ec.EllipticCurvePrivateKey
    status_cert: x509.Certificate
    verifier_key: ec.EllipticCurvePrivateKey
    verifier_cert: x509.Certificate
    verifier_dns: str

    @classmethod
    def create(
        cls,
        name: str = "Test PID",
        *,
        now: dt.datetime | None = None,
        issuer_validity: dt.timedelta = dt.timedelta(days=365),
        verifier_dns: str = "verifier.toegang.example.nl",
    ) -> TestPki:
        now = now or dt.datetime.now(dt.UTC)
        start = now - dt.timedelta(days=1)
        root_key, root = make_ca(f"{name} Root CA", start, now + dt.timedelta(days=3650))
        issuer_key, issuer_cert = make_leaf(
            f"{name} Issuer", root_key, root, start, now + issuer_validity, eku=MDL_DS_EKU
        )
        status_key, status_cert = make_leaf(
            f"{name} Status List Signer", root_key, root, start, now + dt.timedelta(days=365)
        )
        verifier_key, verifier_cert = make_leaf(
            "Toegang Verifier", root_key, root, start, now + dt.timedelta(days=365),
            dns_name=verifier_dns,
        )
        return cls(root_key, root, issuer_key, issuer_cert, status_key, status_cert,
                   verifier_key, verifier_cert, verifier_dns)

    def trust_list(self) -> TrustList:
        return TrustList([self.root])
