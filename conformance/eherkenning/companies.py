"""Test organisations the tester can log in for. Numbers are made up: KvK numbers of 8 digits,
RSINs that pass the elfproef, one 12-digit branch number (vestigingsnummer)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Company:
    kvk: str
    name: str
    rsin: str | None = None
    branch: str | None = None


COMPANIES: tuple[Company, ...] = (
    Company("90000001", "Bakkerij De Korenschoof B.V.", rsin="100023757"),
    Company("90000002", "Installatiebedrijf Van Dijk", branch="000012345678"),
    Company("90000003", "Stichting Buurthuis De Linde", rsin="100039595"),
)
# Intermediaries for a chain mandate (ketenmachtiging, §3.5): an accountancy firm acting for
# a client company.
INTERMEDIARIES: tuple[Company, ...] = (
    Company("90000010", "Accountantskantoor Cijfer & Co", rsin="100126704"),
)


# Who can log in for themselves: an intermediary is a company too (it manages the mandates it
# received, e.g. in the portal's organisation pages).
LOGIN_COMPANIES: tuple[Company, ...] = COMPANIES + INTERMEDIARIES


def company(kvk: str) -> Company | None:
    return next((c for c in LOGIN_COMPANIES if c.kvk == kvk), None)


def intermediary(kvk: str) -> Company | None:
    return next((c for c in INTERMEDIARIES if c.kvk == kvk), None)
