"""XML Encryption of EncryptedIDs: algorithms, key choice by Recipient, uniform failures."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from broker.saml.encryption import (
    AES128_CBC,
    AES128_GCM,
    AES256_CBC,
    AES256_GCM,
    NS_XENC,
    RSA_1_5,
    RSA_OAEP,
    RSA_OAEP_MGF1P,
    DecryptionError,
    Recipient,
    decrypt_element,
    encrypt_element,
)
from broker.saml.xml import NS_SAML, tag

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
SP = "urn:etoegang:DV:00000000000000000000:entities:9000"


def name_id() -> etree._Element:
    element = etree.Element(tag(NS_SAML, "NameID"), nsmap={"saml": NS_SAML},
                            NameQualifier="urn:etoegang:1.9:EntityConcernedID:KvKnr")
    element.text = "90000001"
    return element


def roundtrip(encrypted: etree._Element, key: rsa.RSAPrivateKey = KEY) -> etree._Element:
    return decrypt_element(etree.fromstring(etree.tostring(encrypted)), key, recipient=SP)


@pytest.mark.parametrize("data", [AES128_GCM, AES256_GCM, AES128_CBC, AES256_CBC])
@pytest.mark.parametrize("transport", [(RSA_OAEP_MGF1P, hashes.SHA1, hashes.SHA1),
                                       (RSA_OAEP, hashes.SHA256, hashes.SHA256)])
@pytest.mark.parametrize("inline", [True, False])
def test_roundtrip(data: str, transport: tuple[str, type, type], inline: bool) -> None:
    encrypted = encrypt_element(name_id(), [Recipient(KEY.public_key(), SP)],
                                data_algorithm=data, key_algorithm=transport[0],
                                key_digest=transport[1], mgf_digest=transport[2],
                                inline_key=inline)
    decrypted = roundtrip(encrypted)
    assert decrypted.text == "90000001"
    assert decrypted.get("NameQualifier").endswith("KvKnr")


def test_wrong_key_refused() -> None:
    encrypted = encrypt_element(name_id(), [Recipient(OTHER.public_key(), SP)])
    with pytest.raises(DecryptionError):
        roundtrip(encrypted)


def test_key_for_our_recipient_chosen() -> None:
    encrypted = encrypt_element(name_id(), [Recipient(OTHER.public_key(), "urn:someone-else"),
                                            Recipient(KEY.public_key(), SP)])
    assert roundtrip(encrypted).text == "90000001"


def test_only_key_for_other_recipient_refused() -> None:
    encrypted = encrypt_element(name_id(), [Recipient(KEY.public_key(), "urn:someone-else")])
    with pytest.raises(DecryptionError):
        roundtrip(encrypted)


def test_rsa_1_5_refused() -> None:
    encrypted = encrypt_element(name_id(), [Recipient(KEY.public_key(), SP)],
                                key_algorithm=RSA_1_5)
    with pytest.raises(DecryptionError):
        roundtrip(encrypted)


def _flip_content(encrypted: etree._Element, position: int) -> etree._Element:
    value = encrypted.find(f"{tag(NS_XENC, 'EncryptedData')}/{tag(NS_XENC, 'CipherData')}/"
                           f"{tag(NS_XENC, 'CipherValue')}")
    raw = bytearray(base64.b64decode(value.text))
    raw[position] ^= 0x01
    value.text = base64.b64encode(bytes(raw)).decode()
    return encrypted


@pytest.mark.parametrize("data", [AES256_GCM, AES256_CBC])
@pytest.mark.parametrize("position", [0, 20, -1])
def test_tampered_ciphertext_gives_uniform_error(data: str, position: int) -> None:
    encrypted = encrypt_element(name_id(), [Recipient(KEY.public_key(), SP)],
                                data_algorithm=data)
    with pytest.raises(DecryptionError) as caught:
        roundtrip(_flip_content(encrypted, position))
    assert caught.value.message_en == "encrypted element could not be decrypted"


def test_tampered_key_and_wrong_key_same_error() -> None:
    encrypted = encrypt_element(name_id(), [Recipient(KEY.public_key(), SP)])
    key_value = encrypted.find(f".//{tag(NS_XENC, 'EncryptedKey')}//{tag(NS_XENC, 'CipherValue')}")
    raw = bytearray(base64.b64decode(key_value.text))
    raw[5] ^= 0xFF
    key_value.text = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(DecryptionError) as tampered:
        roundtrip(encrypted)
    with pytest.raises(DecryptionError) as wrong:
        roundtrip(encrypt_element(name_id(), [Recipient(KEY.public_key(), SP)]), OTHER)
    assert str(tampered.value) == str(wrong.value)


def test_comment_in_plaintext_reads_full_text() -> None:
    """CVE-2017-11427 family: a comment must not cut the decrypted identifier short."""
    element = name_id()
    element.text = "9000"
    element.append(etree.Comment("x"))
    element[-1].tail = "0001"
    decrypted = roundtrip(encrypt_element(element, [Recipient(KEY.public_key(), SP)]))
    assert "".join(decrypted.itertext(etree.Element)) == "90000001"
