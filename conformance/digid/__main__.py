"""Run the simulator on its own: ``python -m conformance.digid --sp-cert SP_ID=sp.pem``.

For SPs' own test environments. It binds to 127.0.0.1 unless told otherwise, because it hands
out assertions for any BSN to whoever asks.
"""

from __future__ import annotations

import argparse
import gc
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from cryptography import x509
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from conformance.digid.app import DigidSimulator
from conformance.digid.settings import DEFAULT_ENTITY_ID, SimulatorSettings

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


def build_app(settings: SimulatorSettings, static_dir: Path = STATIC_DIR) -> Starlette:
    """The simulator mounted at its base URL's path, plus the NLDS CSS when it is available."""
    routes: list[BaseRoute] = []
    if static_dir.is_dir():
        routes.append(Mount(settings.static_prefix, app=StaticFiles(directory=static_dir)))
    path = urlsplit(settings.base_url).path.rstrip("/")
    routes.append(Mount(path, app=DigidSimulator(settings).app))
    return Starlette(routes=routes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m conformance.digid", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--base-url", help="public URL of the simulator (default http://HOST:PORT)")
    parser.add_argument("--entity-id", default=DEFAULT_ENTITY_ID)
    parser.add_argument(
        "--sp-cert",
        type=_sp_cert,
        action="append",
        default=[],
        metavar="SP_ENTITY_ID=PEM",
        help="register an SP and a certificate that verifies its requests (repeatable)",
    )
    parser.add_argument("--keys-dir", type=Path, help="keep the simulator's key here")
    parser.add_argument(
        "--allow-unsigned", action="store_true", help="accept unsigned AuthnRequests/resolves"
    )
    parser.add_argument(
        "--require-mtls",
        action="store_true",
        help="demand a TLS client certificate on /artifact (needs an ASGI server that fills in "
        "the TLS extension; uvicorn does not, so every resolve is then refused)",
    )
    parser.add_argument("--default-bsn", default="999999990")
    args = parser.parse_args(argv)

    certificates: dict[str, list[bytes]] = {}
    for entity_id, pem in args.sp_cert:
        certificates.setdefault(entity_id, []).append(pem)
    settings = SimulatorSettings.generate(
        args.base_url or f"http://{args.host}:{args.port}",
        keys_dir=args.keys_dir,
        sp_certificates=certificates,
        entity_id=args.entity_id,
        require_signed_requests=not args.allow_unsigned,
        require_mtls=args.require_mtls,
        default_bsn=args.default_bsn,
    )
    print(f"DigiD simulator metadata: {settings.metadata_url}", flush=True)
    app = build_app(settings)
    # What is alive now (modules, key, templates) lives as long as the process: frozen, the
    # cycle collector no longer walks it in every full collection, which stalled every
    # login in flight (as in broker.app.app_from_env).
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
