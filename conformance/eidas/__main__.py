"""Run the simulator on its own: ``python -m conformance.eidas --sp-cert SP_ID=sp.pem``.

Binds to 127.0.0.1 unless told otherwise: it hands out identities to whoever asks.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from cryptography import x509
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from conformance.eidas.app import EidasNodeSimulator
from conformance.eidas.settings import NodeSettings

STATIC_DIR = Path(__file__).resolve().parents[2] / "broker" / "pages" / "static"


def _sp_cert(value: str) -> tuple[str, bytes]:
    entity_id, sep, path = value.rpartition("=")
    if not sep or not entity_id or not path:
        raise argparse.ArgumentTypeError("expected SP_ENTITY_ID=path/to/cert.pem")
    try:
        pem = Path(path).read_bytes()
        x509.load_pem_x509_certificate(pem)
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError:
        raise argparse.ArgumentTypeError(f"{path} is not a PEM certificate") from None
    return entity_id, pem


def build_app(settings: NodeSettings, static_dir: Path = STATIC_DIR) -> Starlette:
    """The simulator at its base URL's path, plus the NL Design System CSS when available."""
    routes: list[BaseRoute] = []
    if static_dir.is_dir():
        routes.append(Mount(settings.static_prefix, app=StaticFiles(directory=static_dir)))
    path = urlsplit(settings.base_url).path.rstrip("/")
    routes.append(Mount(path, app=EidasNodeSimulator(settings).app))
    return Starlette(routes=routes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m conformance.eidas", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--base-url", help="public URL of the simulator (default http://HOST:PORT/eidas)")
    parser.add_argument("--entity-id", default="")
    parser.add_argument("--sp-cert", type=_sp_cert, action="append", default=[],
                        metavar="SP_ENTITY_ID=PEM",
                        help="register an SP and a certificate that verifies its requests")
    parser.add_argument("--keys-dir", type=Path, help="keep the simulator's key here")
    args = parser.parse_args(argv)
    certificates: dict[str, list[bytes]] = {}
    for entity_id, pem in args.sp_cert:
        certificates.setdefault(entity_id, []).append(pem)
    settings = NodeSettings.generate(
        args.base_url or f"http://{args.host}:{args.port}/eidas",
        keys_dir=args.keys_dir,
        sp_certificates=certificates,
        entity_id=args.entity_id,
    )
    print(f"eIDAS node simulator metadata: {settings.metadata_url}", flush=True)
    uvicorn.run(build_app(settings), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
