"""Test persons the simulated node can log in, one or more per member state.

PersonIdentifiers follow the Attribute Profile format ``<origin>/NL/<unique>`` (the Netherlands
is the destination). The unique parts are made up, shaped like what the member states send
(hashes, document-like numbers, prefixed tax codes); names carry the non-ASCII letters that a
relying party must pass through intact. ``nl-jansen`` is a Dutch citizen coming back through
eIDAS: the unique part is a valid-looking BSN, which the broker must still treat as an eIDAS
identifier, never as a BSN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class TestPerson:
    __test__ = False  # not a pytest test class
    id: str  # stable form value
    country: str
    person_identifier: str
    family_name: str
    given_name: str
    birthdate: str  # YYYY-MM-DD


PERSONS: Final[tuple[TestPerson, ...]] = (
    TestPerson("de-mueller", "DE", "DE/NL/7a3f0c9d2b1e48f6a5c4d3e2f1a0b9c8", "Müller",
               "Jürgen", "1968-04-23"),
    TestPerson("be-lefevre", "BE", "BE/NL/85072312345", "Lefèvre", "Amélie", "1985-07-23"),
    TestPerson("es-nunez", "ES", "ES/NL/02635542Y", "Núñez García", "José Ramón", "1979-11-02"),
    TestPerson("it-dalessandro", "IT", "IT/NL/TINIT-DLSNCC92C14H501X", "D'Alessandro",
               "Niccolò", "1992-03-14"),
    TestPerson("pl-wisniewska", "PL", "PL/NL/PNOPL-90010112345", "Wiśniewska", "Małgorzata",
               "1990-01-01"),
    TestPerson("nl-jansen", "NL", "NL/NL/999999990", "Jansen", "Anna", "1975-05-05"),
)

BY_ID: Final[dict[str, TestPerson]] = {person.id: person for person in PERSONS}
