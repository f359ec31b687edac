"""Starlette simulator of ``GET /api/v1/maatregelen?bsn=…|kvk=…`` (interface defined in
``mandates.sources.ccbr``). Returns every measure naming the party as subject or
representative. ``app.state.unavailable = True`` (or ``PUT /simulator/unavailable``) ⇒ 503.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.ccbr.measures import MEASURES

_NUMBER = {"bsn": re.compile(r"^[0-9]{9}$"), "kvk": re.compile(r"^[0-9]{8}$")}


def _names(measure: dict[str, Any], kind: str, number: str) -> bool:
    parties = [measure["betrokkene"], *measure["vertegenwoordigers"]]
    return any(party.get(kind) == number for party in parties)


def create_app(measures: tuple[dict[str, Any], ...] = MEASURES) -> Starlette:
    async def maatregelen(request: Request) -> Response:
        if request.app.state.unavailable:
            return JSONResponse("Register niet beschikbaar", status_code=503)
        given = [(k, v) for k, v in request.query_params.items() if k in _NUMBER]
        if len(given) != 1 or not _NUMBER[given[0][0]].match(given[0][1]):
            return JSONResponse(
                {"status": 400, "detail": "Geef precies één van bsn (9 cijfers), kvk (8 cijfers)."},
                status_code=400,
            )
        kind, number = given[0]
        return JSONResponse({"maatregelen": [m for m in measures if _names(m, kind, number)]})

    async def switch(request: Request) -> Response:
        request.app.state.unavailable = bool(await request.json())
        return Response(status_code=204)

    app = Starlette(
        routes=[
            Route("/api/v1/maatregelen", maatregelen, methods=["GET"]),
            Route("/simulator/unavailable", switch, methods=["PUT"]),
        ]
    )
    app.state.unavailable = False
    return app
