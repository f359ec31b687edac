"""Signature and wrapping cases on top of the shared SAML attack set (``test_digid_attacks``):
both DigiD signatures gone at once, wrapping of a Response that DigiD signed as well, and where
the broker's own signer puts the signature."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from lxml import etree

from broker.saml.signature import sign_enveloped
from broker.saml.xml import NS_DS, SamlError, tag
from conformance.digid.attacks import ATTACKS, Target


async def test_both_signatures_removed_refused(world: Any) -> None:
    with pytest.raises(SamlError, match="not signed"):
        await world.login(world.answer(sign_assertion=False, sign_outer=False))


@pytest.mark.parametrize("name", ["xsw1", "xsw2"])
async def test_wrapping_of_signed_response_refused(
    world: Any, attack_target: Target, name: str
) -> None:
    [attack] = [a for a in ATTACKS if a.name == name]
    with pytest.raises(SamlError, match="Reference URI"):
        await world.login(
            world.answer(
                sign_response=True, tamper_response=lambda r: attack.apply(r, attack_target)
            )
        )


def test_sign_enveloped_places_signature_after_issuer(idp_keys: Any, kit: Any) -> None:
    assertion = kit.DigidIdp(idp_keys, idp_keys).assertion(kit.Answer(request_id="_r"))
    signed = sign_enveloped(assertion, idp_keys.key, idp_keys.cert_pem)
    names = [etree.QName(c).localname for c in signed]
    assert names[:3] == ["Issuer", "Signature", "Subject"]
    assert copy.deepcopy(signed).find(tag(NS_DS, "Signature")) is not None
