"""Test measures of the CCBR simulator; BSNs pass the elfproef (999990xxx, not issued)."""

from __future__ import annotations

from typing import Any

HENK = "999990196"  # curator
GERRIT = "999990202"  # under curatele
INGRID = "999990214"  # bewindvoerder (person)
BEWIND_BV = "12345678"  # bewindvoerder (organisation, KvK)
WIM = "999990226"  # under beschermingsbewind
JOKE = "999990238"  # mentor
RIA = "999990251"  # under mentorschap
BERT = "999990263"  # curatele ended on 2023-01-01

MEASURES: tuple[dict[str, Any], ...] = (
    {
        "id": "CCBR-2020-000001",
        "soort": "curatele",
        "betrokkene": {"bsn": GERRIT},
        "vertegenwoordigers": [{"bsn": HENK}],
        "ingangsdatum": "2020-01-01",
        "einddatum": None,
    },
    {
        "id": "CCBR-2021-000002",
        "soort": "beschermingsbewind",
        "betrokkene": {"bsn": WIM},
        "vertegenwoordigers": [{"bsn": INGRID}, {"kvk": BEWIND_BV}],
        "ingangsdatum": "2021-05-01",
        "einddatum": None,
    },
    {
        "id": "CCBR-2022-000003",
        "soort": "mentorschap",
        "betrokkene": {"bsn": RIA},
        "vertegenwoordigers": [{"bsn": JOKE}],
        "ingangsdatum": "2022-03-01",
        "einddatum": None,
    },
    {
        "id": "CCBR-2015-000004",
        "soort": "curatele",
        "betrokkene": {"bsn": BERT},
        "vertegenwoordigers": [{"bsn": HENK}],
        "ingangsdatum": "2015-01-01",
        "einddatum": "2023-01-01",
    },
)
