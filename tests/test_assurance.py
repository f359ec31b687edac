"""The one assurance scale and its exact mappings (nl-login-means §0.1); unknown values refused."""

from __future__ import annotations

import pytest

from broker.assurance import Level, UnknownLevel


def test_order_is_basic_low_substantial_high() -> None:
    assert Level.BASIC < Level.LOW < Level.SUBSTANTIAL < Level.HIGH


@pytest.mark.parametrize(
    ("level", "acr", "digid", "number"),
    [
        (Level.BASIC, "http://eID.logius.nl/LoA/basic",
         "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", 10),
        (Level.LOW, "http://eidas.europa.eu/LoA/low",
         "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract", 20),
        (Level.SUBSTANTIAL, "http://eidas.europa.eu/LoA/substantial",
         "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard", 25),
        (Level.HIGH, "http://eidas.europa.eu/LoA/high",
         "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI", 30),
    ],
)
def test_mappings_both_ways(level: Level, acr: str, digid: str, number: int) -> None:
    assert level.acr == acr and Level.from_acr(acr) is level
    assert level.digid_class_ref == digid and Level.from_digid_class_ref(digid) is level
    assert level.digid_number == number and Level.from_digid_number(number) is level


def test_basis_uri_is_compared_without_case() -> None:
    assert Level.from_acr("http://eid.logius.nl/LoA/basic") is Level.BASIC


@pytest.mark.parametrize(
    ("uri", "level"),
    [
        ("urn:etoegang:core:assurance-class:loa2", Level.LOW),
        ("urn:etoegang:core:assurance-class:loa2plus", Level.LOW),
        ("urn:etoegang:core:assurance-class:loa3", Level.SUBSTANTIAL),
        ("urn:etoegang:core:assurance-class:loa4", Level.HIGH),
    ],
)
def test_eherkenning_levels(uri: str, level: Level) -> None:
    assert Level.from_eherkenning(uri) is level


def test_eherkenning_and_eidas_have_no_basic() -> None:
    with pytest.raises(UnknownLevel):
        Level.from_eherkenning("urn:etoegang:core:assurance-class:loa1")
    with pytest.raises(UnknownLevel):
        _ = Level.BASIC.eherkenning
    with pytest.raises(UnknownLevel):
        Level.from_eidas("http://eID.logius.nl/LoA/basic")
    assert Level.from_eidas("http://eidas.europa.eu/LoA/high") is Level.HIGH


@pytest.mark.parametrize("value", ["", "high", "http://eidas.europa.eu/LoA/medium", "loa3"])
def test_unknown_values_are_refused(value: str) -> None:
    with pytest.raises(UnknownLevel):
        Level.from_acr(value)
    with pytest.raises(UnknownLevel):
        Level.from_digid_class_ref(value)
    with pytest.raises(UnknownLevel):
        Level.from_eherkenning(value)


def test_unknown_names_are_refused_with_the_choices() -> None:
    with pytest.raises(UnknownLevel, match="basic, low, substantial, high"):
        Level.from_name("medium")
