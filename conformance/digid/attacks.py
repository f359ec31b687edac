"""The SAML attack set (attack catalogue §3.1–§3.4) as edits of an IdP's answer, for every SAML
login means: DigiD and eHerkenning (artifact binding) and eIDAS (HTTP-POST).

An attack is one edit at one of three places, so each scheme's test harness applies it where
its own transport allows:

* ``INSIDE`` edits the ``samlp:Response`` *before* the IdP signs whatever envelope is around it
  (the ArtifactResponse; for eIDAS the Response itself is signed again). Assertion rules must
  hold on their own, whatever the transport did;
* ``ENVELOPE`` edits the outermost signed message as received (ArtifactResponse or, for
  HTTP-POST, the signed Response): signature removal, foreign keys, XSW1/XSW2;
* ``RAW`` edits the bytes of the delivered document (DOCTYPE, entities).

Every attack must be refused, with a reason matching ``reason`` in the broker's log.
``COMMENT_INJECTION`` is the exception: the signature stays valid, and the broker must read the
whole signed value, so the login succeeds with the genuine identity (CVE-2017-11427).
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.signer import XMLSigner

from conformance.digid.samlxml import (
    DS,
    SAML,
    SAMLP,
    SOAP11,
    new_id,
    parse_untrusted,
    q,
    saml_time,
)
from conformance.digid.signing import sign_after_issuer

ASSERTION = q(SAML, "Assertion")
SIGNATURE = q(DS, "Signature")
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


class Scope(enum.Enum):
    INSIDE = "inside"
    ENVELOPE = "envelope"
    RAW = "raw"


@dataclass(frozen=True)
class Signer:
    key: rsa.RSAPrivateKey
    cert_pem: bytes


@dataclass(frozen=True)
class Target:
    """One scheme as the attacks see it.

    ``identity`` finds, in an Assertion, the plain signed element that names who logged in
    (DigiD's NameID, eIDAS' PersonIdentifier value, eHerkenning's represented KvK number);
    ``forged_identity`` is what an attacker would like it to say. ``idp`` signs like the IdP;
    ``attacker`` has a certificate that clones the IdP certificate's subject.
    """

    identity: Callable[[etree._Element], etree._Element]
    forged_identity: str
    idp: Signer
    attacker: Signer


Edit = Callable[[etree._Element, Target], etree._Element]


@dataclass(frozen=True)
class Attack:
    name: str
    scope: Scope
    reason: str  # regular expression on the refusal's English log message
    edit: Edit | None = None
    raw: Callable[[bytes], bytes] | None = None

    def apply(self, message: etree._Element, target: Target) -> etree._Element:
        assert self.edit is not None, f"{self.name} is a raw attack"
        return self.edit(message, target)


def strip_signature(element: etree._Element) -> etree._Element:
    """A copy of ``element`` without its own (direct child) ds:Signature."""
    copied = copy.deepcopy(element)
    for signature in copied.findall(SIGNATURE):
        copied.remove(signature)
    return copied


def _assertion(message: etree._Element) -> etree._Element:
    found = message.find(ASSERTION)
    if found is None:
        found = message.find(f".//{ASSERTION}")
    assert found is not None, "the message carries no Assertion"
    return found


def _replace(old: etree._Element, new: etree._Element) -> None:
    parent = old.getparent()
    assert parent is not None
    parent.replace(old, new)


def _renew_ids(element: etree._Element, *, keep_own: bool = False) -> None:
    """New values for every ID-like attribute (XML Encryption's ``Id`` too), so that a copy
    is refused for what it is, not merely for repeating an ID."""
    for found in element.iter(etree.Element):
        if keep_own and found is element:
            continue
        for name in ("ID", "Id", "id"):
            if found.get(name) is not None:
                found.set(name, new_id())


def _forge(assertion: etree._Element, target: Target) -> etree._Element:
    """An unsigned copy of ``assertion`` with new IDs that names the attacker."""
    forged = strip_signature(assertion)
    _renew_ids(forged)
    target.identity(forged).text = target.forged_identity
    return forged


def _resign(assertion: etree._Element, signer: Signer) -> etree._Element:
    return sign_after_issuer(strip_signature(assertion), signer.key, signer.cert_pem)


def _signed_by_idp(change: Callable[[etree._Element], None]) -> Edit:
    """An Assertion the IdP really signed, with ``change`` made before signing (an assertion
    issued for another party, or outside its window, replayed here)."""

    def edit(response: etree._Element, target: Target) -> etree._Element:
        original = _assertion(response)
        changed = strip_signature(original)
        change(changed)
        _replace(original, _resign(changed, target.idp))
        return response

    return edit


def _response_attribute(name: str, value: str) -> Edit:
    def edit(response: etree._Element, target: Target) -> etree._Element:
        response.set(name, value)
        return response

    return edit


# -- signature exclusion and foreign keys ------------------------------------------------------


def _assertion_unsigned(response: etree._Element, target: Target) -> etree._Element:
    original = _assertion(response)
    _replace(original, strip_signature(original))
    return response


def _assertion_foreign_key(response: etree._Element, target: Target) -> etree._Element:
    original = _assertion(response)
    forged = _forge(original, target)
    _replace(original, _resign(forged, target.attacker))
    return response


def _assertion_changed(response: etree._Element, target: Target) -> etree._Element:
    target.identity(_assertion(response)).text = target.forged_identity
    return response


class _Sha1Signer(XMLSigner):
    def check_deprecated_methods(self) -> None:  # signxml refuses SHA-1 itself
        return None


def _assertion_sha1(response: etree._Element, target: Target) -> etree._Element:
    original = _assertion(response)
    unsigned = strip_signature(original)
    placeholder = etree.Element(SIGNATURE, {"Id": "placeholder"}, nsmap={"ds": DS})
    issuer = unsigned.find(q(SAML, "Issuer"))
    assert issuer is not None
    issuer.addnext(placeholder)
    signed = _Sha1Signer(
        signature_algorithm=SignatureMethod.RSA_SHA1,
        digest_algorithm=DigestAlgorithm.SHA1,
        c14n_algorithm=EXC_C14N,
    ).sign(unsigned, key=target.idp.key, cert=target.idp.cert_pem.decode(), id_attribute="ID")
    _replace(original, signed)
    return response


def _own_signature_part(local_path: str) -> Callable[[etree._Element], etree._Element]:
    def find(response: etree._Element) -> etree._Element:
        found = _assertion(response).find(
            "/".join([SIGNATURE, *(q(DS, part) for part in local_path.split("/"))])
        )
        assert found is not None
        return found

    return find


def _reference_elsewhere(response: etree._Element, target: Target) -> etree._Element:
    _own_signature_part("SignedInfo/Reference")(response).set("URI", "")
    return response


def _c14n_with_comments(response: etree._Element, target: Target) -> etree._Element:
    method = _own_signature_part("SignedInfo/CanonicalizationMethod")(response)
    method.set("Algorithm", EXC_C14N + "WithComments")
    return response


def _extensions(response: etree._Element, content: etree._Element) -> None:
    """``content`` in a new samlp:Extensions, where the schema puts it (before Status)."""
    extensions = etree.Element(q(SAMLP, "Extensions"))
    extensions.append(content)
    status = response.find(q(SAMLP, "Status"))
    assert status is not None
    status.addprevious(extensions)


def _duplicate_id(response: etree._Element, target: Target) -> etree._Element:
    _extensions(response, etree.Element("{urn:x}Other", {"ID": _assertion(response).get("ID", "")}))
    return response


# -- XML Signature Wrapping ------------------------------------------------------------------


def _wrapped_original(inside_signature: bool) -> Edit:
    """XSW1 (``inside_signature``) and XSW2: the signed original, its own Signature removed,
    hidden inside or right before the Signature of a forged envelope that has new IDs
    throughout and an unsigned Assertion naming the attacker."""

    def edit(envelope: etree._Element, target: Target) -> etree._Element:
        original = strip_signature(envelope)
        assertion = _assertion(envelope)
        _replace(assertion, _forge(assertion, target))
        _renew_ids(envelope)
        signature = envelope.find(SIGNATURE)
        assert signature is not None
        if inside_signature:
            signature.append(original)
        else:
            signature.addprevious(original)
        return envelope

    return edit


def _xsw3(response: etree._Element, target: Target) -> etree._Element:
    original = _assertion(response)
    original.addprevious(_forge(original, target))
    return response


def _xsw4(response: etree._Element, target: Target) -> etree._Element:
    original = _assertion(response)
    forged = _forge(original, target)
    original.addprevious(forged)
    forged.append(original)  # moves the signed original inside the forgery
    return response


def _edit_in_place(original: etree._Element, target: Target) -> etree._Element:
    """XSW5/6/8 base: keep the Signature, change ID and identity; return an unedited copy."""
    unedited = strip_signature(original)
    _renew_ids(unedited, keep_own=True)
    original.set("ID", new_id())
    target.identity(original).text = target.forged_identity
    return unedited


def _xsw5(response: etree._Element, target: Target) -> etree._Element:
    original = _assertion(response)
    original.addnext(_edit_in_place(original, target))
    return response


def _xsw6(response: etree._Element, target: Target) -> etree._Element:
    original = _assertion(response)
    unedited = _edit_in_place(original, target)
    signature = original.find(SIGNATURE)
    assert signature is not None
    signature.append(unedited)
    return response


def _xsw7(response: etree._Element, target: Target) -> etree._Element:
    _extensions(response, _forge(_assertion(response), target))
    return response


def _xsw8(response: etree._Element, target: Target) -> etree._Element:
    original = _assertion(response)
    unedited = _edit_in_place(original, target)
    signature = original.find(SIGNATURE)
    assert signature is not None
    etree.SubElement(signature, q(DS, "Object")).append(unedited)
    return response


def _forged_after_signed(response: etree._Element, target: Target) -> etree._Element:
    """crewjam/saml CVE-2022-41912 and the CVE-2025-23369 "derived ID" variant."""
    original = _assertion(response)
    forged = _forge(original, target)
    forged.set("ID", original.get("ID", "") + "x")
    original.addnext(forged)
    return response


def _second_signed_assertion(response: etree._Element, target: Target) -> etree._Element:
    original = _assertion(response)
    other = _forge(original, target)
    original.addnext(_resign(other, target.idp))
    return response


# -- assertion rules, each broken in an assertion the IdP did sign ------------------------------


def _set(path: str, name: str, value: str | Callable[[], str]) -> Callable[[etree._Element], None]:
    """Set attribute ``name`` of the element at ``path`` (saml: local names) in an Assertion."""

    def change(assertion: etree._Element) -> None:
        found = assertion.find("/".join(q(SAML, part) for part in path.split("/")))
        assert found is not None, path
        found.set(name, value() if callable(value) else value)

    return change


def _set_text(path: str, value: str) -> Callable[[etree._Element], None]:
    def change(assertion: etree._Element) -> None:
        found = assertion.find("/".join(q(SAML, part) for part in path.split("/")))
        assert found is not None, path
        found.text = value

    return change


def _expire(assertion: etree._Element) -> None:
    conditions = assertion.find(q(SAML, "Conditions"))
    assert conditions is not None
    conditions.set("NotBefore", "2020-01-01T00:00:00Z")
    conditions.set("NotOnOrAfter", "2020-01-01T00:05:00Z")


def _in_an_hour() -> str:
    return saml_time(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))


CONFIRMATION = "Subject/SubjectConfirmation"
CONFIRMATION_DATA = CONFIRMATION + "/SubjectConfirmationData"
OTHER_PARTY = "https://other.example/saml"


def _with_doctype(doctype: bytes) -> Callable[[bytes], bytes]:
    """Put ``doctype`` where a DOCTYPE goes: after the XML declaration, if there is one."""

    def edit(data: bytes) -> bytes:
        if data.startswith(b"<?xml"):
            end = data.index(b"?>") + 2
            return data[:end] + doctype + data[end:]
        return doctype + data

    return edit


INSIDE = Scope.INSIDE
ATTACKS: tuple[Attack, ...] = (
    # §3.1 signature exclusion, foreign keys, tampering, algorithms
    Attack("assertion-signature-removed", INSIDE, "element is not signed", _assertion_unsigned),
    Attack("assertion-foreign-certificate", INSIDE, "InvalidSignature", _assertion_foreign_key),
    Attack("assertion-changed-after-signing", INSIDE, "Digest mismatch", _assertion_changed),
    Attack("assertion-sha1-signature", INSIDE, "RSA_SHA1 forbidden", _assertion_sha1),
    Attack("assertion-reference-elsewhere", INSIDE, "Reference URI", _reference_elsewhere),
    Attack("assertion-c14n-with-comments", INSIDE, "canonicalization", _c14n_with_comments),
    Attack("duplicate-id", INSIDE, "duplicate ID", _duplicate_id),
    Attack(
        "envelope-signature-removed",
        Scope.ENVELOPE,
        "is not signed",
        lambda envelope, target: strip_signature(envelope),
    ),
    Attack(
        "envelope-foreign-certificate",
        Scope.ENVELOPE,
        "InvalidSignature",
        lambda envelope, target: sign_after_issuer(
            strip_signature(envelope), target.attacker.key, target.attacker.cert_pem
        ),
    ),
    Attack("envelope-changed-after-signing", Scope.ENVELOPE, "Digest mismatch", _assertion_changed),
    # §3.2 XML Signature Wrapping
    Attack("xsw1", Scope.ENVELOPE, "Reference URI", _wrapped_original(inside_signature=True)),
    Attack("xsw2", Scope.ENVELOPE, "Reference URI", _wrapped_original(inside_signature=False)),
    Attack("xsw3", INSIDE, "exactly one Assertion", _xsw3),
    Attack("xsw4", INSIDE, "exactly one Assertion", _xsw4),
    Attack("xsw5", INSIDE, "exactly one Assertion", _xsw5),
    Attack("xsw6", INSIDE, "exactly one Assertion", _xsw6),
    Attack("xsw7", INSIDE, "exactly one Assertion", _xsw7),
    Attack("xsw8", INSIDE, "ds:Object", _xsw8),
    Attack("forged-assertion-after-signed", INSIDE, "exactly one Assertion", _forged_after_signed),
    Attack("second-signed-assertion", INSIDE, "exactly one Assertion", _second_signed_assertion),
    # §3.3 parsing
    Attack(
        "doctype-external-entity",
        Scope.RAW,
        "DOCTYPE",
        raw=_with_doctype(b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>'),
    ),
    Attack(
        "doctype-entity-expansion",
        Scope.RAW,
        "DOCTYPE",
        raw=_with_doctype(b'<!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'),
    ),
    # §3.4 the assertion's own rules
    Attack(
        "wrong-audience",
        INSIDE,
        "Audience",
        _signed_by_idp(_set_text("Conditions/AudienceRestriction/Audience", OTHER_PARTY)),
    ),
    Attack(
        "wrong-recipient",
        INSIDE,
        "Recipient",
        _signed_by_idp(_set(CONFIRMATION_DATA, "Recipient", OTHER_PARTY + "/acs")),
    ),
    Attack(
        "confirmation-for-other-request",
        INSIDE,
        "confirmation InResponseTo",
        _signed_by_idp(_set(CONFIRMATION_DATA, "InResponseTo", "_other-request")),
    ),
    Attack(
        "not-bearer",
        INSIDE,
        "bearer",
        _signed_by_idp(
            _set(CONFIRMATION, "Method", "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key")
        ),
    ),
    Attack(
        "assertion-from-other-issuer",
        INSIDE,
        "Issuer is not the expected IdP",
        _signed_by_idp(_set_text("Issuer", OTHER_PARTY)),
    ),
    Attack(
        "expired-conditions", INSIDE, "Conditions NotOnOrAfter has passed", _signed_by_idp(_expire)
    ),
    Attack(
        "expired-confirmation",
        INSIDE,
        "SubjectConfirmationData NotOnOrAfter has passed",
        _signed_by_idp(_set(CONFIRMATION_DATA, "NotOnOrAfter", "2020-01-01T00:05:00Z")),
    ),
    Attack(
        "confirmation-with-not-before",
        INSIDE,
        "must not carry NotBefore",
        _signed_by_idp(_set(CONFIRMATION_DATA, "NotBefore", "2020-01-01T00:00:00Z")),
    ),
    Attack(
        "not-yet-valid",
        INSIDE,
        "Conditions NotBefore is in the future",
        _signed_by_idp(_set("Conditions", "NotBefore", _in_an_hour)),
    ),
    Attack(
        "response-for-other-request",
        INSIDE,
        "Response InResponseTo mismatch",
        _response_attribute("InResponseTo", "_other-request"),
    ),
    Attack(
        "response-for-other-destination",
        INSIDE,
        "Destination",
        _response_attribute("Destination", OTHER_PARTY + "/acs"),
    ),
)


def _inject_comment(response: etree._Element, target: Target) -> etree._Element:
    """Split the signed identity with an empty comment: a reader of the first text node only
    sees a prefix; c14n drops comments, so the signatures stay valid."""
    element = target.identity(_assertion(response))
    text = element.text or ""
    middle = len(text) // 2
    element.text = text[:middle]
    comment = etree.Comment("")
    comment.tail = text[middle:]
    element.insert(0, comment)
    return response


COMMENT_INJECTION = Attack("comment-in-identity", INSIDE, "", _inject_comment)


def assert_refused(attack: Attack, status: int, completions: int, logged: Sequence[str]) -> None:
    """What every scheme's harness checks after an attack: the person got an error page, the
    flow completed nothing, and the broker's log names the rule that refused the answer."""
    assert status == 400, status
    assert completions == 0
    assert any(re.search(attack.reason, line) for line in logged), logged


def edit_soap_payload(body: bytes, edit: Callable[[etree._Element], etree._Element]) -> bytes:
    """``body`` (a SOAP envelope) with its one payload element replaced by ``edit(payload)``."""
    envelope = parse_untrusted(body)
    soap_body = envelope.find(q(SOAP11, "Body"))
    assert soap_body is not None and len(soap_body) == 1
    soap_body.replace(soap_body[0], edit(soap_body[0]))
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))
