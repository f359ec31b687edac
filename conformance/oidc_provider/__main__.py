"""Run the simulator on its own.

``python -m conformance.oidc_provider --redirect-uri http://127.0.0.1:8000/means/sim/callback
--jwks http://127.0.0.1:8000/jwks`` (or ``--secret S`` for client_secret_basic).

It binds to 127.0.0.1 unless told otherwise, because it logs in anyone as anyone.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from conformance.oidc_provider.app import ALGS, OidcSimulator
from conformance.oidc_provider.client_auth import ClientRegistration

STATIC_DIR = Path(__file__).resolve().parents[2] / "broker" / "pages" / "static"


def load_jwks(source: str) -> dict[str, Any]:
    """A JWKS from a file or, once at start-up, from a URL (the broker's ``/jwks``)."""
    if source.startswith(("http://", "https://")):
        response = httpx.get(source, timeout=10.0, follow_redirects=False)
        response.raise_for_status()
        document = response.json()
    else:
        document = json.loads(Path(source).read_text())
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise SystemExit(f"{source}: not a JWKS")
    return document


def build_app(simulator: OidcSimulator, static_dir: Path = STATIC_DIR) -> Starlette:
    """The simulator at its issuer's path, plus the NL Design System CSS when available."""
    routes: list[BaseRoute] = []
    if static_dir.is_dir():
        routes.append(Mount(simulator.static_prefix, app=StaticFiles(directory=static_dir)))
    routes.append(Mount(urlsplit(simulator.issuer).path.rstrip("/"), app=simulator.app))
    return Starlette(routes=routes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m conformance.oidc_provider", description=__doc__
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument(
        "--issuer", help="public URL of the simulator (default http://HOST:PORT/op)"
    )
    parser.add_argument("--client-id", default="stelsel-toegang")
    parser.add_argument("--redirect-uri", action="append", required=True, help="repeatable")
    auth = parser.add_mutually_exclusive_group(required=True)
    auth.add_argument("--jwks", help="the client's JWKS: a file, or a URL read once at start")
    auth.add_argument("--secret", help="client secret (client_secret_basic)")
    parser.add_argument("--alg", choices=ALGS, default="ES256", help="ID token algorithm")
    args = parser.parse_args(argv)

    registration = ClientRegistration(
        client_id=args.client_id,
        redirect_uris=tuple(args.redirect_uri),
        jwks=load_jwks(args.jwks) if args.jwks else None,
        secret=args.secret,
    )
    issuer = args.issuer or f"http://{args.host}:{args.port}/op"
    simulator = OidcSimulator(issuer, [registration], signing_alg=args.alg)
    print(f"OIDC simulator issuer: {simulator.issuer}", flush=True)
    uvicorn.run(build_app(simulator), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
