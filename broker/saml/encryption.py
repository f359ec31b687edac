"""XML Encryption for SAML encrypted elements (``saml:EncryptedID``, ``EncryptedAttribute``,
``EncryptedAssertion``; SAML Core §2.2.4, §2.7.3.2, §2.3.4), in-process with ``cryptography``.

eHerkenning delivers every identifier as an ``EncryptedID`` (``nl-login-means.md`` §3.4), so the
SP must decrypt. The rules here follow from the attack catalogue (§3.4, last item):

* key transport is RSA-OAEP only — ``xmlenc#rsa-oaep-mgf1p`` (MGF1 with SHA-1, digest from
  ``ds:DigestMethod``, default SHA-1) or ``xmlenc11#rsa-oaep`` (digest from ``ds:DigestMethod``,
  mask function from ``xenc11:MGF``, both default SHA-1, XML Encryption 1.1 §5.5.2);
  RSA PKCS#1 v1.5 (``xmlenc#rsa-1_5``) is refused because it is Bleichenbacher-prone;
* content encryption is AES-GCM (``xmlenc11#aes128-gcm``/``aes256-gcm``, §5.2.4) or AES-CBC
  (``xmlenc#aes128-cbc``/``aes256-cbc``, §5.2.2), the latter because eTD/ST-SAML parties use it;
* every failure — unknown algorithm, wrong key, bad padding, bad tag, unparsable plaintext —
  raises the same ``DecryptionError`` with the same text, and a failed RSA unwrap continues with
  a random key so the time taken does not tell key failure from content failure either. CBC has
  no integrity of its own: it is only safe here because the encrypted element sits inside an
  assertion whose signature is checked *before* anything is decrypted;
* when several ``EncryptedKey`` elements are present, the one whose ``Recipient`` is our entity
  id is used (SAML errata E43); keys addressed to someone else are never tried;
* the plaintext goes through the same hardened parser as everything else (``broker.saml.xml``).

``encrypt_element`` builds such elements; the simulator and the tests use it.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from lxml import etree

from broker.saml.xml import MAX_XML_BYTES, NS_DS, NS_SAML, SamlError, full_text, parse_xml, tag

NS_XENC = "http://www.w3.org/2001/04/xmlenc#"
NS_XENC11 = "http://www.w3.org/2009/xmlenc11#"

TYPE_ELEMENT = NS_XENC + "Element"
TYPE_ENCRYPTED_KEY = NS_XENC + "EncryptedKey"

RSA_OAEP_MGF1P = NS_XENC + "rsa-oaep-mgf1p"
RSA_OAEP = NS_XENC11 + "rsa-oaep"
RSA_1_5 = NS_XENC + "rsa-1_5"  # refused; named only so tests can prove it

AES128_GCM = NS_XENC11 + "aes128-gcm"
AES256_GCM = NS_XENC11 + "aes256-gcm"
AES128_CBC = NS_XENC + "aes128-cbc"
AES256_CBC = NS_XENC + "aes256-cbc"

DIGEST_SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
DIGEST_SHA256 = NS_XENC + "sha256"
DIGEST_SHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
DIGEST_SHA512 = NS_XENC + "sha512"

_DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {
    DIGEST_SHA1: hashes.SHA1,  # OAEP with SHA-1 is still sound; it is the mgf1p default
    DIGEST_SHA256: hashes.SHA256,
    DIGEST_SHA384: hashes.SHA384,
    DIGEST_SHA512: hashes.SHA512,
}
_MGFS: dict[str, type[hashes.HashAlgorithm]] = {
    NS_XENC11 + "mgf1sha1": hashes.SHA1,
    NS_XENC11 + "mgf1sha256": hashes.SHA256,
    NS_XENC11 + "mgf1sha384": hashes.SHA384,
    NS_XENC11 + "mgf1sha512": hashes.SHA512,
}
_MGF_OF_HASH = {cls: uri for uri, cls in _MGFS.items()}
_DIGEST_OF_HASH = {cls: uri for uri, cls in _DIGESTS.items()}
# Content algorithm -> key length in bytes.
_CONTENT_KEY_BYTES = {AES128_GCM: 16, AES256_GCM: 32, AES128_CBC: 16, AES256_CBC: 32}
_GCM = (AES128_GCM, AES256_GCM)
_GCM_IV = 12  # XML Encryption 1.1 §5.2.4: 96-bit IV prepended, 128-bit tag appended
_GCM_TAG = 16
_CBC_IV = 16
_CONTAINERS = frozenset(
    tag(NS_SAML, local) for local in ("EncryptedID", "EncryptedAttribute", "EncryptedAssertion")
)


class DecryptionError(SamlError):
    """Any decryption failure. One text for all causes, so nothing acts as an oracle."""

    def __init__(self) -> None:
        super().__init__(
            "Een versleuteld gegeven kon niet worden ontsleuteld.",
            "encrypted element could not be decrypted",
        )


class _Failure(Exception):
    """Internal: some check failed; always surfaces as ``DecryptionError``."""


def _x(local: str) -> str:
    return tag(NS_XENC, local)


def _cipher_value(parent: etree._Element) -> bytes:
    cipher_data = parent.findall(_x("CipherData"))
    if len(cipher_data) != 1:
        raise _Failure
    values = cipher_data[0].findall(_x("CipherValue"))
    if len(values) != 1:  # CipherReference (a URI to fetch) is never followed
        raise _Failure
    text = "".join(full_text(values[0]).split())
    if len(text) > MAX_XML_BYTES:
        raise _Failure
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _Failure from None


def _method(parent: etree._Element) -> etree._Element:
    methods = parent.findall(_x("EncryptionMethod"))
    if len(methods) != 1:
        raise _Failure
    return methods[0]


def _oaep(method: etree._Element) -> padding.OAEP:
    """The OAEP parameters an ``EncryptionMethod`` names (XML Encryption 1.1 §5.5.2)."""
    algorithm = method.get("Algorithm")
    if algorithm not in (RSA_OAEP_MGF1P, RSA_OAEP):
        raise _Failure  # rsa-1_5 and anything unknown
    digests = method.findall(tag(NS_DS, "DigestMethod"))
    if len(digests) > 1:
        raise _Failure
    digest = _DIGESTS.get(digests[0].get("Algorithm") or "") if digests else hashes.SHA1
    if digest is None:
        raise _Failure
    mgf_hash: type[hashes.HashAlgorithm] = hashes.SHA1
    mgfs = method.findall(tag(NS_XENC11, "MGF"))
    if mgfs:
        if algorithm != RSA_OAEP or len(mgfs) > 1:  # mgf1p fixes MGF1 with SHA-1
            raise _Failure
        named = _MGFS.get(mgfs[0].get("Algorithm") or "")
        if named is None:
            raise _Failure
        mgf_hash = named
    label: bytes | None = None
    params = method.findall(_x("OAEPparams"))
    if len(params) > 1:
        raise _Failure
    if params:
        try:
            label = base64.b64decode("".join(full_text(params[0]).split()), validate=True)
        except (binascii.Error, ValueError):
            raise _Failure from None
    return padding.OAEP(mgf=padding.MGF1(mgf_hash()), algorithm=digest(), label=label or None)


def _choose_key(container: etree._Element, data: etree._Element,
                recipient: str | None) -> etree._Element:
    """The EncryptedKey meant for us (SAML errata E43): ``Recipient`` equal to our entity id,
    else one without ``Recipient``. Keys inline in ``EncryptedData/ds:KeyInfo`` and keys that are
    children of the SAML container both count; ``RetrievalMethod`` URIs are not followed."""
    keys = list(container.findall(_x("EncryptedKey")))
    key_info = data.find(tag(NS_DS, "KeyInfo"))
    if key_info is not None:
        keys.extend(key_info.findall(_x("EncryptedKey")))
    ours = [k for k in keys if recipient is not None and k.get("Recipient") == recipient]
    if not ours:
        ours = [k for k in keys if k.get("Recipient") is None]
    if not ours:
        raise _Failure
    return ours[0]


def _content_key(encrypted_key: etree._Element, key: rsa.RSAPrivateKey, length: int) -> bytes:
    """Unwrap the content key; on any failure a random key of the right length instead, so the
    caller fails later in the same way and after the same work (no unwrap oracle)."""
    oaep = _oaep(_method(encrypted_key))  # an algorithm refusal is policy, not key-dependent
    wrapped = _cipher_value(encrypted_key)
    try:
        content_key = key.decrypt(wrapped, oaep)
    except ValueError:
        content_key = b""
    if len(content_key) != length:
        content_key = secrets.token_bytes(length)
    return content_key


def _decrypt_content(algorithm: str, content_key: bytes, data: bytes) -> bytes:
    if algorithm in _GCM:
        if len(data) < _GCM_IV + _GCM_TAG:
            raise _Failure
        try:
            return AESGCM(content_key).decrypt(data[:_GCM_IV], data[_GCM_IV:], None)
        except InvalidTag:
            raise _Failure from None
    if len(data) < 2 * _CBC_IV or len(data) % _CBC_IV:
        raise _Failure
    decryptor = Cipher(algorithms.AES(content_key), modes.CBC(data[:_CBC_IV])).decryptor()
    padded = decryptor.update(data[_CBC_IV:]) + decryptor.finalize()
    # XML Encryption §5.2: the last octet is the padding length; the other padding octets are
    # arbitrary, so only the length is checked (checking them would refuse valid senders).
    pad = padded[-1]
    if not 1 <= pad <= _CBC_IV:
        raise _Failure
    return padded[:-pad]


def _parse_plaintext(plaintext: bytes, context: etree._Element) -> etree._Element:
    """Parse the decrypted element with the hardened parser, inside a wrapper that declares
    the namespaces in scope at the encrypted element (XML Encryption §4.5: the plaintext is
    interpreted in the context it replaces)."""
    declarations = "".join(
        f" xmlns:{prefix}={quoteattr(uri)}" if prefix else f" xmlns={quoteattr(uri)}"
        for prefix, uri in context.nsmap.items()
    )
    try:
        text = plaintext.decode("utf-8")
    except UnicodeDecodeError:
        raise _Failure from None
    if text.lstrip().startswith("<?xml"):
        text = text.split("?>", 1)[1] if "?>" in text else ""
    try:
        wrapper = parse_xml(f"<wrapper{declarations}>{text}</wrapper>")
    except SamlError:
        raise _Failure from None
    elements = [c for c in wrapper if isinstance(c.tag, str)]
    if len(elements) != 1 or (wrapper.text or "").strip() or any(
        (c.tail or "").strip() for c in wrapper
    ):
        raise _Failure
    element = elements[0]
    wrapper.remove(element)
    return element


def decrypt_element(
    container: etree._Element, key: rsa.RSAPrivateKey, *, recipient: str | None
) -> etree._Element:
    """The element inside a SAML encrypted container, decrypted with ``key``.

    ``container`` is a ``saml:EncryptedID``, ``EncryptedAttribute`` or ``EncryptedAssertion``
    taken from an already verified assertion; ``recipient`` is our entity id. Raises
    ``DecryptionError`` on every failure.
    """
    try:
        if container.tag not in _CONTAINERS:
            raise _Failure
        datas = container.findall(_x("EncryptedData"))
        if len(datas) != 1:
            raise _Failure
        data = datas[0]
        if data.get("Type") not in (None, TYPE_ELEMENT):  # SAML Core §2.2.4: an element
            raise _Failure
        algorithm = _method(data).get("Algorithm") or ""
        length = _CONTENT_KEY_BYTES.get(algorithm)
        if length is None:
            raise _Failure
        encrypted_key = _choose_key(container, data, recipient)
        content_key = _content_key(encrypted_key, key, length)
        plaintext = _decrypt_content(algorithm, content_key, _cipher_value(data))
        return _parse_plaintext(plaintext, container)
    except _Failure:
        raise DecryptionError() from None


@dataclass(frozen=True)
class Recipient:
    """Whom a content key is wrapped for: their public key and, optionally, their entity id."""

    public_key: rsa.RSAPublicKey
    entity_id: str | None = None


def _new_id() -> str:
    return "_" + secrets.token_hex(16)


def encrypt_element(
    element: etree._Element,
    recipients: Sequence[Recipient],
    *,
    container: str = "EncryptedID",
    data_algorithm: str = AES256_GCM,
    key_algorithm: str = RSA_OAEP_MGF1P,
    key_digest: type[hashes.HashAlgorithm] = hashes.SHA1,
    mgf_digest: type[hashes.HashAlgorithm] = hashes.SHA1,
    inline_key: bool = False,
) -> etree._Element:
    """``saml:<container>`` holding ``element`` encrypted for every recipient.

    With ``inline_key`` the (single) EncryptedKey goes into ``EncryptedData/ds:KeyInfo``;
    otherwise each EncryptedKey is a child of the container, with ``Recipient`` when given
    (SAML Core §2.2.4). ``key_algorithm=RSA_1_5`` exists only so tests can prove that the
    decryptor refuses it.
    """
    length = _CONTENT_KEY_BYTES.get(data_algorithm)
    if length is None:
        raise ValueError(f"unsupported content algorithm {data_algorithm}")
    if inline_key and len(recipients) != 1:
        raise ValueError("an inline EncryptedKey needs exactly one recipient")
    content_key = secrets.token_bytes(length)
    plaintext = etree.tostring(element, encoding="utf-8")
    if data_algorithm in _GCM:
        iv = os.urandom(_GCM_IV)
        ciphertext = iv + AESGCM(content_key).encrypt(iv, plaintext, None)
    else:
        iv = os.urandom(_CBC_IV)
        pad = _CBC_IV - len(plaintext) % _CBC_IV
        padded = plaintext + os.urandom(pad - 1) + bytes([pad])
        encryptor = Cipher(algorithms.AES(content_key), modes.CBC(iv)).encryptor()
        ciphertext = iv + encryptor.update(padded) + encryptor.finalize()

    nsmap = {"saml": NS_SAML, "xenc": NS_XENC, "ds": NS_DS}
    if key_algorithm == RSA_OAEP:
        nsmap["xenc11"] = NS_XENC11
    wrapper = etree.Element(tag(NS_SAML, container), nsmap=nsmap)
    data_id = _new_id()
    data = etree.SubElement(wrapper, _x("EncryptedData"), {"Id": data_id, "Type": TYPE_ELEMENT})
    etree.SubElement(data, _x("EncryptionMethod"), {"Algorithm": data_algorithm})
    key_info = etree.SubElement(data, tag(NS_DS, "KeyInfo"))
    _add_cipher_value(data, ciphertext)
    for recipient in recipients:
        parent = key_info if inline_key else wrapper
        key_id = _new_id()
        attrs = {"Id": key_id}
        if recipient.entity_id is not None:
            attrs["Recipient"] = recipient.entity_id
        encrypted_key = etree.SubElement(parent, _x("EncryptedKey"), attrs)
        method = etree.SubElement(encrypted_key, _x("EncryptionMethod"),
                                  {"Algorithm": key_algorithm})
        if key_algorithm == RSA_1_5:
            wrapped = recipient.public_key.encrypt(content_key, padding.PKCS1v15())
        else:
            etree.SubElement(method, tag(NS_DS, "DigestMethod"),
                             {"Algorithm": _DIGEST_OF_HASH[key_digest]})
            if key_algorithm == RSA_OAEP:
                etree.SubElement(method, tag(NS_XENC11, "MGF"),
                                 {"Algorithm": _MGF_OF_HASH[mgf_digest]})
            elif mgf_digest is not hashes.SHA1:
                raise ValueError("rsa-oaep-mgf1p always uses MGF1 with SHA-1")
            oaep = padding.OAEP(mgf=padding.MGF1(mgf_digest()), algorithm=key_digest(),
                                label=None)
            wrapped = recipient.public_key.encrypt(content_key, oaep)
        _add_cipher_value(encrypted_key, wrapped)
        if not inline_key:
            references = etree.SubElement(encrypted_key, _x("ReferenceList"))
            etree.SubElement(references, _x("DataReference"), {"URI": "#" + data_id})
            etree.SubElement(key_info, tag(NS_DS, "RetrievalMethod"),
                             {"URI": "#" + key_id, "Type": TYPE_ENCRYPTED_KEY})
    return wrapper


def _add_cipher_value(parent: etree._Element, value: bytes) -> None:
    cipher_data = etree.SubElement(parent, _x("CipherData"))
    etree.SubElement(cipher_data, _x("CipherValue")).text = base64.b64encode(value).decode("ascii")


__all__ = [
    "AES128_CBC",
    "AES128_GCM",
    "AES256_CBC",
    "AES256_GCM",
    "NS_XENC",
    "NS_XENC11",
    "RSA_1_5",
    "RSA_OAEP",
    "RSA_OAEP_MGF1P",
    "DecryptionError",
    "Recipient",
    "decrypt_element",
    "encrypt_element",
]
