"""Starlette simulator of ``POST /api/v1/opvragenBevoegdheidTotGezag`` (BRP API Gezag v2).

Answers like the real module for the families in ``families``: for a person with legal
children (or authority over a minor) the relations over those children; for a minor the
authority over them (nl-login-means.md §5.2). Children are returned even after they turn 18
(the real API *may* skip them), so clients are tested on their own age check.
``app.state.unavailable = True`` (or ``PUT /simulator/unavailable`` with ``true``) makes it
answer 503, as the real API does when its source is down.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.brp_gezag.families import CHILDREN, Child, Person

_BSN = re.compile(r"^[0-9]{9}$")


def _naam(person: Person) -> dict[str, str]:
    return {"voornamen": person.voornamen, "geslachtsnaam": person.geslachtsnaam}


def _ouder(person: Person) -> dict[str, Any]:
    return {
        "burgerservicenummer": person.bsn,
        "naam": _naam(person),
        "geslacht": {"code": person.geslacht},
    }


def _derde(person: Person) -> dict[str, Any]:
    return {"type": "BekendeDerde", **_ouder(person)}


def relation(child: Child) -> dict[str, Any]:
    """The ``Gezagsrelatie`` for ``child`` in the v2 shape."""
    body: dict[str, Any] = {
        "type": child.gezag_type,
        "minderjarige": {
            "burgerservicenummer": child.person.bsn,
            "naam": _naam(child.person),
            "geslacht": {"code": child.person.geslacht},
            "geboorte": {"datum": child.geboortedatum},
        },
    }
    if child.in_onderzoek:
        body["inOnderzoek"] = True
    if child.gezag_type == "GezamenlijkOuderlijkGezag":
        body["ouders"] = [_ouder(p) for p in child.holders]
    elif child.gezag_type == "EenhoofdigOuderlijkGezag":
        body["ouder"] = _ouder(child.holders[0])
    elif child.gezag_type == "GezamenlijkGezag":
        body["ouder"] = _ouder(child.holders[0])
        body["derde"] = _derde(child.holders[1])
    elif child.gezag_type == "Voogdij":
        body["derden"] = [_derde(p) for p in child.holders]
    else:
        body["toelichting"] = child.toelichting
    return body


def gezag_of(bsn: str, children: tuple[Child, ...]) -> list[dict[str, Any]]:
    found = []
    for child in children:
        involved = {p.bsn for p in (*child.holders, *child.legal_parents)} | {child.person.bsn}
        if bsn in involved:
            found.append(relation(child))
    return found


def create_app(children: tuple[Child, ...] = CHILDREN) -> Starlette:
    async def opvragen(request: Request) -> Response:
        if request.app.state.unavailable:
            return JSONResponse("Gegevensbron niet beschikbaar", status_code=503)
        if request.headers.get("accept-gezag-version") != "2":
            return _problem(400, "Accept-Gezag-Version header moet 2 zijn.")
        try:
            body = await request.json()
            bsns = body["burgerservicenummer"]
        except (ValueError, KeyError, TypeError):
            return _problem(400, "Body moet een lijst burgerservicenummer bevatten.")
        if (
            not isinstance(bsns, list)
            or not 1 <= len(bsns) <= 30
            or not all(isinstance(b, str) and _BSN.match(b) for b in bsns)
        ):
            return _problem(400, "burgerservicenummer: 1 tot 30 nummers van 9 cijfers.")
        personen = [{"burgerservicenummer": b, "gezag": gezag_of(b, children)} for b in bsns]
        return JSONResponse({"personen": personen})

    async def switch(request: Request) -> Response:
        request.app.state.unavailable = bool(await request.json())
        return Response(status_code=204)

    app = Starlette(
        routes=[
            Route("/api/v1/opvragenBevoegdheidTotGezag", opvragen, methods=["POST"]),
            Route("/simulator/unavailable", switch, methods=["PUT"]),
        ]
    )
    app.state.unavailable = False
    return app


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse(
        {
            "title": "Ten minste één parameter moet worden opgegeven.",
            "status": status,
            "detail": detail,
        },
        status_code=status,
        media_type="application/problem+json",
    )
