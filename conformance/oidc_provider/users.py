"""The simulator's test users and its own assurance vocabulary.

The acr values are deliberately *not* the eIDAS URIs: a private login means may use its own, and
the broker must map them through its configured ``acr_map`` (never guess).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from broker.assurance import Level

ACR_PREFIX: Final = "urn:toegang:sim:loa:"
LEVEL_VALUES: Final[dict[str, Level]] = {
    "low": Level.LOW,
    "substantial": Level.SUBSTANTIAL,
    "high": Level.HIGH,
}
ACR_OF_LEVEL: Final[dict[Level, str]] = {
    level: ACR_PREFIX + value for value, level in LEVEL_VALUES.items()
}
VALUE_OF_ACR: Final[dict[str, str]] = {ACR_PREFIX + value: value for value in LEVEL_VALUES}


@dataclass(frozen=True)
class TestUser:
    """A fictitious person. The BSNs are test numbers that pass the elfproef."""

    user_id: str
    given_name: str
    family_name: str
    bsn: str

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


USERS: Final[dict[str, TestUser]] = {
    user.user_id: user
    for user in (
        TestUser("anna", "Anna", "de Vries", "999993653"),
        TestUser("bram", "Bram", "Jansen", "999990019"),
        TestUser("fatima", "Fatima", "El Amrani", "999991772"),
    )
}
