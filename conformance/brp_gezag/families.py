"""Test families of the BRP API Gezag simulator. All BSNs pass the elfproef and lie in the
999990xxx range, which is not issued to real people.

Dates are fixed so tests can aim at exact instants: Sanne turns 18 on 2026-12-10; Bram was
born on 29 February 2012 and turns 18 on 1 March 2030 (2030 is a common year).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Person:
    bsn: str
    voornamen: str
    geslachtsnaam: str
    geslacht: str = "O"  # M | V | O (onbekend)


@dataclass(frozen=True, slots=True)
class Child:
    """A minor and what the gezagsmodule says about them."""

    person: Person
    geboortedatum: str  # GbaDatum YYYYMMDD
    gezag_type: str
    legal_parents: tuple[Person, ...]
    holders: tuple[Person, ...] = ()  # ouders / ouder (+ derde) / derden, per type
    in_onderzoek: bool = False
    toelichting: str | None = None


JAN = Person("999990007", "Jan", "Jansen", "M")
ELS = Person("999990019", "Els", "Jansen", "V")
SANNE = Person("999990020", "Sanne", "Jansen", "V")
BRAM = Person("999990032", "Bram", "Jansen", "M")
FATIMA = Person("999990044", "Fatima", "El Amrani", "V")
NOOR = Person("999990056", "Noor", "El Amrani", "V")
PETER = Person("999990068", "Peter", "de Voogd", "M")
LOTTE = Person("999990081", "Lotte", "Bakker", "V")
KEES = Person("999990093", "Kees", "Visser", "M")
DAAN = Person("999990111", "Daan", "Visser", "M")
ANNA = Person("999990123", "Anna", "Smit", "V")
MILA = Person("999990135", "Mila", "Smit", "V")
TOM = Person("999990147", "Tom", "Mulder", "M")
FINN = Person("999990159", "Finn", "Mulder", "M")
SARA = Person("999990160", "Sara", "de Boer", "V")
MARK = Person("999990172", "Mark", "Hendriks", "M")
EVA = Person("999990184", "Eva", "de Boer", "V")

CHILDREN: tuple[Child, ...] = (
    # A couple with two children: one turns 18 soon, one born on 29 February.
    Child(SANNE, "20081210", "GezamenlijkOuderlijkGezag", (JAN, ELS), (JAN, ELS)),
    Child(BRAM, "20120229", "GezamenlijkOuderlijkGezag", (JAN, ELS), (JAN, ELS)),
    # A single parent.
    Child(NOOR, "20150601", "EenhoofdigOuderlijkGezag", (FATIMA,), (FATIMA,)),
    # A guardian (voogdij) who is not a parent.
    Child(LOTTE, "20130909", "Voogdij", (), (PETER,)),
    # Authority under investigation.
    Child(DAAN, "20140404", "EenhoofdigOuderlijkGezag", (KEES,), (KEES,), in_onderzoek=True),
    # Temporarily nobody has authority.
    Child(
        MILA,
        "20170120",
        "TijdelijkGeenGezag",
        (ANNA,),
        toelichting="Tijdelijk geen gezag omdat de ouder onder curatele staat.",
    ),
    # Authority cannot be determined.
    Child(
        FINN,
        "20190505",
        "GezagNietTeBepalen",
        (TOM,),
        toelichting="Gezag is niet te bepalen omdat de minderjarige in het buitenland is geboren.",
    ),
    # Parent plus a third party (gezamenlijk gezag).
    Child(EVA, "20160707", "GezamenlijkGezag", (SARA,), (SARA, MARK)),
)
