"""Signature exclusion, foreign keys and XML Signature Wrapping XSW1–XSW8 (attack catalogue
§3.1, §3.2), built concretely against the DigiD ArtifactResponse > Response > Assertion nesting.

For the Assertion-level attacks the (test) IdP still signs the ArtifactResponse around the
tampered Response: the Assertion rules must hold on their own, whatever the transport did.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner  # type: ignore[attr-defined]

from broker.saml.signature import sign_enveloped
from broker.saml.xml import NS_DS, NS_SAML, NS_SAMLP, SamlError, tag

ATTACKER_BSN = "111222333"
ASSERTION = tag(NS_SAML, "Assertion")
SIGNATURE = tag(NS_DS, "Signature")


def _forge(assertion: etree._Element, kit: Any) -> etree._Element:
    """An edited, unsigned copy of ``assertion`` with a new ID and the attacker's BSN."""
    forged = kit.strip_signature(assertion)
    forged.set("ID", "_forged")
    forged.find(f".//{tag(NS_SAML, 'NameID')}").text = f"s00000000:{ATTACKER_BSN}"
    return forged


async def test_valid_response_accepted(world: Any) -> None:
    auth = await world.login()
    assert auth.subject == "999999990"


async def test_assertion_signature_removed_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="not signed"):
        await world.login(world.answer(sign_assertion=False))


async def test_artifact_response_signature_removed_refused(world: Any, kit: Any) -> None:
    with pytest.raises(SamlError, match="not signed"):
        await world.login(world.answer(tamper_outer=kit.strip_signature))


async def test_both_signatures_removed_refused(world: Any, kit: Any) -> None:
    with pytest.raises(SamlError, match="not signed"):
        await world.login(world.answer(sign_assertion=False, sign_outer=False))


async def test_assertion_signed_by_other_certificate_refused(world: Any, attacker_keys: Any
                                                             ) -> None:
    with pytest.raises(SamlError, match="pinned"):
        await world.login(world.answer(assertion_signer=attacker_keys, name_id="s00000000:"
                                       + ATTACKER_BSN))


async def test_artifact_response_signed_by_cloned_subject_certificate_refused(
    world: Any, attacker_keys: Any
) -> None:
    # attacker_keys' certificate clones the IdP certificate's subject and issuer names.
    with pytest.raises(SamlError, match="pinned"):
        await world.login(world.answer(outer_signer=attacker_keys))


async def test_content_changed_after_signing_refused(world: Any, kit: Any) -> None:
    def edit(response: etree._Element) -> etree._Element:
        response.find(f".//{tag(NS_SAML, 'NameID')}").text = f"s00000000:{ATTACKER_BSN}"
        return response

    with pytest.raises(SamlError, match="signature invalid"):
        await world.login(world.answer(tamper_response=edit))


async def test_sha1_signature_algorithm_refused(world: Any, idp_keys: Any) -> None:
    class Sha1Signer(XMLSigner):  # type: ignore[misc]
        def check_deprecated_methods(self) -> None:  # signxml refuses SHA-1 itself
            return None

    def resign(response: etree._Element) -> etree._Element:
        assertion = response.find(ASSERTION)
        placeholder = etree.Element(SIGNATURE, {"Id": "placeholder"}, nsmap={"ds": NS_DS})
        unsigned = assertion.__copy__()
        for sig in unsigned.findall(SIGNATURE):
            unsigned.remove(sig)
        unsigned.find(tag(NS_SAML, "Issuer")).addnext(placeholder)
        signed = Sha1Signer(
            signature_algorithm=SignatureMethod.RSA_SHA1, digest_algorithm=DigestAlgorithm.SHA1,
            c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
        ).sign(unsigned, key=idp_keys.key, cert=idp_keys.cert_pem.decode(), id_attribute="ID")
        response.replace(assertion, signed)
        return response

    with pytest.raises(SamlError, match="RSA_SHA1 forbidden"):
        await world.login(world.answer(tamper_response=resign))


async def test_reference_to_other_element_refused(world: Any) -> None:
    def retarget(response: etree._Element) -> etree._Element:
        ref = response.find(f"{ASSERTION}/{SIGNATURE}/{tag(NS_DS, 'SignedInfo')}/"
                            f"{tag(NS_DS, 'Reference')}")
        ref.set("URI", "")
        return response

    with pytest.raises(SamlError, match="Reference URI"):
        await world.login(world.answer(tamper_response=retarget))


async def test_with_comments_canonicalization_refused(world: Any) -> None:
    def with_comments(response: etree._Element) -> etree._Element:
        c14n = response.find(f".//{tag(NS_DS, 'CanonicalizationMethod')}")
        c14n.set("Algorithm", "http://www.w3.org/2001/10/xml-exc-c14n#WithComments")
        return response

    with pytest.raises(SamlError, match="canonicalization"):
        await world.login(world.answer(tamper_response=with_comments))


async def test_duplicate_id_refused(world: Any, kit: Any) -> None:
    def duplicate(response: etree._Element) -> etree._Element:
        extensions = etree.Element(tag(NS_SAMLP, "Extensions"))
        etree.SubElement(extensions, "{urn:x}Other", {"ID": response.find(ASSERTION).get("ID")})
        response.find(tag(NS_SAMLP, "Status")).addprevious(extensions)
        return response

    with pytest.raises(SamlError, match="duplicate ID"):
        await world.login(world.answer(tamper_response=duplicate))


# -- XSW1/XSW2: against the signed outer message (the ArtifactResponse) ----------------------

def _forged_outer(outer: etree._Element, kit: Any) -> etree._Element:
    """The outer message with a new ID and a forged Response (attacker BSN, unsigned)."""
    forged_response = outer.find(tag(NS_SAMLP, "Response"))
    forged_response.set("ID", "_forged-response")
    assertion = forged_response.find(ASSERTION)
    forged_response.replace(assertion, _forge(assertion, kit))
    outer.set("ID", "_forged-outer")
    return outer


async def test_xsw1_signed_copy_hidden_inside_signature_refused(world: Any, kit: Any) -> None:
    def xsw1(outer: etree._Element) -> etree._Element:
        original = kit.strip_signature(outer)
        _forged_outer(outer, kit)
        outer.find(SIGNATURE).append(original)
        return outer

    with pytest.raises(SamlError, match="Reference URI"):
        await world.login(world.answer(tamper_outer=xsw1))


async def test_xsw2_signed_copy_as_sibling_before_signature_refused(world: Any, kit: Any
                                                                      ) -> None:
    def xsw2(outer: etree._Element) -> etree._Element:
        original = kit.strip_signature(outer)
        _forged_outer(outer, kit)
        outer.find(SIGNATURE).addprevious(original)
        return outer

    with pytest.raises(SamlError, match="Reference URI"):
        await world.login(world.answer(tamper_outer=xsw2))


async def test_xsw1_against_signed_response_refused(world: Any, kit: Any) -> None:
    def xsw1(response: etree._Element) -> etree._Element:
        original = kit.strip_signature(response)
        response.set("ID", "_forged-response")
        assertion = response.find(ASSERTION)
        response.replace(assertion, _forge(assertion, kit))
        response.find(SIGNATURE).append(original)
        return response

    with pytest.raises(SamlError, match="Reference URI"):
        await world.login(world.answer(sign_response=True, tamper_response=xsw1))


# -- XSW3–XSW8: against the signed Assertion ----------------------------------------------------

async def test_xsw3_forged_assertion_before_original_refused(world: Any, kit: Any) -> None:
    def xsw3(response: etree._Element) -> etree._Element:
        original = response.find(ASSERTION)
        original.addprevious(_forge(original, kit))
        return response

    with pytest.raises(SamlError, match="exactly one Assertion"):
        await world.login(world.answer(tamper_response=xsw3))


async def test_xsw4_original_moved_inside_forged_assertion_refused(world: Any, kit: Any
                                                                    ) -> None:
    def xsw4(response: etree._Element) -> etree._Element:
        original = response.find(ASSERTION)
        forged = _forge(original, kit)
        response.remove(original)
        forged.append(original)
        response.append(forged)
        return response

    with pytest.raises(SamlError, match="exactly one Assertion"):
        await world.login(world.answer(tamper_response=xsw4))


def _edit_in_place(original: etree._Element, kit: Any) -> etree._Element:
    """XSW5/6/8 base: keep the Signature, change ID and BSN; return an unedited unsigned copy."""
    unedited = kit.strip_signature(original)
    original.set("ID", "_forged")
    original.find(f".//{tag(NS_SAML, 'NameID')}").text = f"s00000000:{ATTACKER_BSN}"
    return unedited


async def test_xsw5_edited_original_with_unsigned_copy_appended_refused(world: Any, kit: Any
                                                                         ) -> None:
    def xsw5(response: etree._Element) -> etree._Element:
        response.append(_edit_in_place(response.find(ASSERTION), kit))
        return response

    with pytest.raises(SamlError, match="exactly one Assertion"):
        await world.login(world.answer(tamper_response=xsw5))


async def test_xsw6_unsigned_copy_inside_edited_signature_refused(world: Any, kit: Any) -> None:
    def xsw6(response: etree._Element) -> etree._Element:
        original = response.find(ASSERTION)
        unedited = _edit_in_place(original, kit)
        original.find(SIGNATURE).append(unedited)
        return response

    with pytest.raises(SamlError, match="exactly one Assertion"):
        await world.login(world.answer(tamper_response=xsw6))


async def test_xsw7_forged_copy_in_extensions_refused(world: Any, kit: Any) -> None:
    def xsw7(response: etree._Element) -> etree._Element:
        original = response.find(ASSERTION)
        extensions = etree.Element(tag(NS_SAMLP, "Extensions"))
        extensions.append(_forge(original, kit))
        response.find(tag(NS_SAMLP, "Status")).addprevious(extensions)
        return response

    with pytest.raises(SamlError, match="exactly one Assertion"):
        await world.login(world.answer(tamper_response=xsw7))


async def test_xsw8_unsigned_copy_in_ds_object_refused(world: Any, kit: Any) -> None:
    def xsw8(response: etree._Element) -> etree._Element:
        original = response.find(ASSERTION)
        unedited = _edit_in_place(original, kit)
        holder = etree.SubElement(original.find(SIGNATURE), tag(NS_DS, "Object"))
        holder.append(unedited)
        return response

    with pytest.raises(SamlError, match="ds:Object"):
        await world.login(world.answer(tamper_response=xsw8))


async def test_extra_forged_assertion_after_signed_one_refused(world: Any, kit: Any) -> None:
    # crewjam/saml CVE-2022-41912 and the CVE-2025-23369 "derived ID" transform.
    def append(response: etree._Element) -> etree._Element:
        original = response.find(ASSERTION)
        forged = _forge(original, kit)
        forged.set("ID", original.get("ID") + "x")
        response.append(forged)
        return response

    with pytest.raises(SamlError, match="exactly one Assertion"):
        await world.login(world.answer(tamper_response=append))


async def test_two_signed_assertions_refused(world: Any, kit: Any, idp_keys: Any) -> None:
    def second(response: etree._Element) -> etree._Element:
        other = kit.strip_signature(response.find(ASSERTION))
        other.set("ID", "_second")
        response.append(sign_enveloped(other, idp_keys.key, idp_keys.cert_pem))
        return response

    with pytest.raises(SamlError, match="exactly one Assertion"):
        await world.login(world.answer(tamper_response=second))


def test_sign_enveloped_places_signature_after_issuer(idp_keys: Any, kit: Any) -> None:
    assertion = kit.DigidIdp(idp_keys, idp_keys).assertion(kit.Answer(request_id="_r"))
    signed = sign_enveloped(assertion, idp_keys.key, idp_keys.cert_pem)
    names = [etree.QName(c).localname for c in signed]
    assert names[:3] == ["Issuer", "Signature", "Subject"]
    assert copy.deepcopy(signed).find(SIGNATURE) is not None
