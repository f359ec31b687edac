"""One assurance scale for the whole broker and its exact mappings to every scheme's vocabulary.

Facts: shared reference `nl-login-means.md` §0.1. Unknown values are refused, never guessed.
"""

from __future__ import annotations

from enum import IntEnum


class UnknownLevel(ValueError):
    """A level value that no mapping knows: refuse it rather than guess."""


class Level(IntEnum):
    """``basic < low < substantial < high``; DigiD Basis sits below eIDAS low."""

    BASIC = 0
    LOW = 1
    SUBSTANTIAL = 2
    HIGH = 3

    @property
    def acr(self) -> str:
        """The OIDC ``acr`` value (NL GOV profile: eIDAS LoA URIs; Basis has its ST-SAML URI)."""
        return _ACR[self]

    @classmethod
    def from_acr(cls, value: str) -> Level:
        # ST-SAML's table and example disagree on the case of the Basis URI: compare folded.
        level = _ACR_REVERSE.get(value.strip().lower())
        if level is None:
            raise UnknownLevel(f"unknown acr value: {value!r}")
        return level

    @property
    def digid_class_ref(self) -> str:
        return _DIGID[self]

    @classmethod
    def from_digid_class_ref(cls, value: str) -> Level:
        for level, ref in _DIGID.items():
            if ref == value.strip():
                return level
        raise UnknownLevel(f"unknown DigiD AuthnContextClassRef: {value!r}")

    @property
    def digid_number(self) -> int:
        """DigiD's numeric levels 10/20/25/30 (used by some DigiD tooling)."""
        return _DIGID_NUMBER[self]

    @classmethod
    def from_digid_number(cls, value: int) -> Level:
        for level, number in _DIGID_NUMBER.items():
            if number == value:
                return level
        raise UnknownLevel(f"unknown DigiD level number: {value!r}")

    @property
    def eherkenning(self) -> str:
        """eTD assurance class URI (§3.3); Basis has none (EH1 was abolished in 2021)."""
        if self is Level.BASIC:
            raise UnknownLevel("eHerkenning has no level below low (loa1 was abolished)")
        return _EHERKENNING[self]

    @classmethod
    def from_eherkenning(cls, value: str) -> Level:
        level = _EHERKENNING_REVERSE.get(value.strip())
        if level is None:
            raise UnknownLevel(f"unknown eHerkenning assurance class: {value!r}")
        return level

    @property
    def eidas(self) -> str:
        """eIDAS LoA URI (eIDAS SAML profile); Basis is not an eIDAS level."""
        if self is Level.BASIC:
            raise UnknownLevel("basic is not an eIDAS level")
        return _ACR[self]

    @classmethod
    def from_eidas(cls, value: str) -> Level:
        level = _ACR_REVERSE.get(value.strip().lower())
        if level is None or level is Level.BASIC:
            raise UnknownLevel(f"unknown eIDAS LoA: {value!r}")
        return level

    @classmethod
    def from_name(cls, value: str) -> Level:
        """Config and CLI spelling: ``basic``, ``low``, ``substantial``, ``high``."""
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise UnknownLevel(
                f"unknown level {value!r}; use one of basic, low, substantial, high"
            ) from None

    @property
    def label(self) -> str:
        return self.name.lower()


EIDAS_LOW = "http://eidas.europa.eu/LoA/low"
EIDAS_SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
EIDAS_HIGH = "http://eidas.europa.eu/LoA/high"
STSAML_BASIC = "http://eID.logius.nl/LoA/basic"

_ACR = {
    Level.BASIC: STSAML_BASIC,
    Level.LOW: EIDAS_LOW,
    Level.SUBSTANTIAL: EIDAS_SUBSTANTIAL,
    Level.HIGH: EIDAS_HIGH,
}
_ACR_REVERSE = {uri.lower(): level for level, uri in _ACR.items()}

_DIGID = {
    Level.BASIC: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    Level.LOW: "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
    Level.SUBSTANTIAL: "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
    Level.HIGH: "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
}
_DIGID_NUMBER = {Level.BASIC: 10, Level.LOW: 20, Level.SUBSTANTIAL: 25, Level.HIGH: 30}

_EHERKENNING = {
    Level.LOW: "urn:etoegang:core:assurance-class:loa2",
    Level.SUBSTANTIAL: "urn:etoegang:core:assurance-class:loa3",
    Level.HIGH: "urn:etoegang:core:assurance-class:loa4",
}
# EH2 and EH2+ are both eIDAS low (eherkenning.nl equivalence table, §3.3).
_EHERKENNING_REVERSE = {
    "urn:etoegang:core:assurance-class:loa2": Level.LOW,
    "urn:etoegang:core:assurance-class:loa2plus": Level.LOW,
    "urn:etoegang:core:assurance-class:loa3": Level.SUBSTANTIAL,
    "urn:etoegang:core:assurance-class:loa4": Level.HIGH,
}

ACR_VALUES_SUPPORTED = [_ACR[level] for level in Level]
