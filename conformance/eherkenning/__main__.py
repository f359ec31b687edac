"""Run the simulator on its own::

    python -m conformance.eherkenning --dv DV_ENTITY_ID=sp.pem --acs-url URL --service-id ID

Binds to 127.0.0.1 unless told otherwise: it hands out assertions for test companies to whoever
asks. The DV's certificate both verifies its requests and receives the EncryptedIDs.
"""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from cryptography import x509
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from conformance.eherkenning.app import EherkenningSimulator
from conformance.eherkenning.settings import DEFAULT_ENTITY_ID, RegisteredDv, SimulatorSettings

STATIC_DIR = Path(__file__).resolve().parents[2] / "broker" / "pages" / "static"


def build_app(settings: SimulatorSettings, static_dir: Path = STATIC_DIR) -> Starlette:
    """The simulator at its base URL's path, plus the NLDS CSS when available."""
    routes: list[BaseRoute] = []
    if static_dir.is_dir():
        routes.append(Mount(settings.static_prefix, app=StaticFiles(directory=static_dir)))
    routes.append(Mount(urlsplit(settings.base_url).path.rstrip("/"),
                        app=EherkenningSimulator(settings).app))
    return Starlette(routes=routes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m conformance.eherkenning", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--base-url", help="public URL of the simulator (default http://HOST:PORT)")
    parser.add_argument("--entity-id", default=DEFAULT_ENTITY_ID)
    parser.add_argument("--dv", required=True, metavar="DV_ENTITY_ID=PEM",
                        help="the DV (SP) and its certificate (signing and encryption)")
    parser.add_argument("--acs-url", required=True, help="the DV's artifact ACS (index 0)")
    parser.add_argument("--service-id", required=True, help="ServiceID of the DV's service")
    parser.add_argument("--service-index", type=int, default=1)
    parser.add_argument("--service-uuid", default=None)
    parser.add_argument("--keys-dir", type=Path, help="keep the simulator's key here")
    parser.add_argument("--allow-unsigned", action="store_true")
    args = parser.parse_args(argv)

    entity_id, sep, path = str(args.dv).rpartition("=")
    if not sep or not entity_id:
        parser.error("--dv expects DV_ENTITY_ID=path/to/cert.pem")
    try:
        pem = Path(path).read_bytes()
        x509.load_pem_x509_certificate(pem)
    except (OSError, ValueError) as exc:
        parser.error(f"cannot read a PEM certificate from {path}: {exc}")
    service_uuid = args.service_uuid or str(uuid.uuid5(uuid.NAMESPACE_URL, args.service_id))
    dv = RegisteredDv([pem], pem, args.acs_url,
                      {args.service_index: (args.service_id, service_uuid)})
    settings = SimulatorSettings.generate(
        args.base_url or f"http://{args.host}:{args.port}", keys_dir=args.keys_dir,
        dvs={entity_id: dv}, entity_id=args.entity_id,
        require_signed_requests=not args.allow_unsigned,
    )
    print(f"eHerkenning simulator metadata: {settings.metadata_url}", flush=True)
    uvicorn.run(build_app(settings), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
