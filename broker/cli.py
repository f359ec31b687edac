"""``toegang``: the command line for operators and newcomers.

Exit codes: 0 success; 1 the command ran but failed (unknown client, database unreachable,
keys missing); 2 the command line or the configuration is wrong (argparse, invalid config,
a registration the register refuses). Errors go to stderr as one line, without a traceback.

Every command is added by a *registrar*: a function that adds its sub-parser(s) and sets
``handler`` (``(args, config) -> exit code``). New commands, such as ``toegang bench``, add
their registrar to :data:`COMMANDS` and keep their code in their own module.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from broker.assurance import Level
from broker.bench import add_bench_command
from broker.config import CONFIG_ENV, Config, ConfigError, load_config
from broker.keys import MANIFEST, KeyRing, init_keys, rotate_keys
from broker.register.clients import (
    add_client,
    add_service,
    list_clients,
    list_services,
    remove_client,
    remove_service,
)
from broker.register.database import (
    create_engine_for,
    current_revision,
    head_revision,
    masked,
    migrate,
    migrated_engine,
)
from broker.register.demo import DEMO_PATH
from broker.register.errors import RegisterError, UnknownClient
from broker.register.models import (
    AUTH_METHODS,
    LEGAL_DOMAINS,
    REPRESENTATION_STYLES,
    SIGNING_ALGS,
    Client,
    Service,
)
from conformance.checks.cli import add_conformance_command
from mandates.catalogue import RepresentationKind
from mandates.import_command import add_relations_command

PROG = "toegang"
LEVEL_NAMES = [level.label for level in Level]
Handler = Callable[[argparse.Namespace, Config], int]


class CommandFailed(Exception):
    """The command could not do its work (exit 1); the message says why."""


class UsageError(Exception):
    """An argument is unusable, e.g. a file that cannot be read (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line instead of argparse's usage dump; --help still has the full usage.
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[_Parser]


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _engine(config: Config) -> Engine:
    return migrated_engine(config.database.url)


# --- JSON views (never secrets or hashes) -------------------------------------------------------


def _service_json(service: Service) -> dict[str, Any]:
    return {
        "service_id": service.service_id,
        "client_id": service.client_id,
        "name_nl": service.name_nl,
        "name_en": service.name_en,
        "min_level": Level(service.min_level).label,
        "allows_representation": service.allows_representation,
        "legal_domain": service.legal_domain,
        "representation_kinds": service.representation_kinds,
        "max_mandate_days": service.max_mandate_days,
    }


def _client_json(client: Client, services: Sequence[Service]) -> dict[str, Any]:
    return {
        "client_id": client.client_id,
        "name": client.name,
        "redirect_uris": client.redirect_uris,
        "post_logout_redirect_uris": client.post_logout_redirect_uris,
        "token_endpoint_auth_method": client.token_endpoint_auth_method,
        "jwks": client.jwks,
        "jwks_uri": client.jwks_uri,
        "bsn_entitled": client.bsn_entitled,
        "subject_type": client.subject_type,
        "sector_identifier": client.sector_identifier or client.client_id,
        "id_token_signed_response_alg": client.id_token_signed_response_alg,
        "userinfo_signed_response_alg": client.userinfo_signed_response_alg,
        "request_uris": client.request_uris,
        "backchannel_logout_uri": client.backchannel_logout_uri,
        "representation_style": client.representation_style,
        "created_at": client.created_at.isoformat(timespec="seconds"),
        "services": [_service_json(s) for s in services],
    }


def _keys_json(directory: Path, entries: list[dict[str, Any]]) -> dict[str, Any]:
    fields = ("kid", "kty", "use", "status", "created")
    return {
        "directory": str(directory),
        "keys": [{f: entry.get(f) for f in fields} for entry in entries],
    }


# --- check-config -------------------------------------------------------------------------------


def _check_config(args: argparse.Namespace, config: Config) -> int:
    ring = KeyRing.load(config.keys.directory)
    engine = create_engine_for(config.database.url)
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        raise CommandFailed(
            f"database {masked(config.database.url)} is not reachable: {exc.__class__.__name__}"
        ) from None
    finally:
        engine.dispose()
    head = head_revision()
    if current == head:
        schema = f"schema {current}, up to date"
    elif current is None:
        schema = f"empty; migration to {head} runs at start"
    else:
        schema = f"schema {current}; migration to {head} runs at start"
    store: str = config.store.backend
    if store == "redis":
        store += " " + make_url(config.store.redis_url).render_as_string(hide_password=True)
    current_keys = sum(1 for k in ring.keys if k.status == "current")
    print("configuration OK")
    print(f"  issuer:   {config.issuer}")
    print(f"  store:    {store}")
    print(f"  database: {masked(config.database.url)} ({schema})")
    print(
        f"  keys:     {config.keys.directory} ({current_keys} current, "
        f"{len(ring.keys) - current_keys} previous)"
    )
    print(f"  digid:    {'simulator' if config.digid.simulator else 'real DigiD'}")
    return 0


def _add_check_config(sub: Subparsers) -> None:
    parser = sub.add_parser(
        "check-config", help="validate configuration, keys and database, then summarise"
    )
    parser.set_defaults(handler=_check_config)


# --- keys ---------------------------------------------------------------------------------------


def _keys_init(args: argparse.Namespace, config: Config) -> int:
    directory = config.keys.directory
    _print_json(_keys_json(directory, init_keys(directory, force=args.force)))
    return 0


def _keys_rotate(args: argparse.Namespace, config: Config) -> int:
    directory = config.keys.directory
    _print_json(_keys_json(directory, rotate_keys(directory)))
    return 0


def _add_keys(sub: Subparsers) -> None:
    keys = sub.add_parser("keys", help="generate or rotate the broker's keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="COMMAND")
    init = keys_sub.add_parser("init", help="create missing keys in keys.directory")
    init.add_argument("--force", action="store_true", help="replace all existing keys")
    init.set_defaults(handler=_keys_init)
    rotate = keys_sub.add_parser("rotate", help="new current keys; current ones become previous")
    rotate.set_defaults(handler=_keys_rotate)


# --- clients ------------------------------------------------------------------------------------


def _read_jwks(path: str) -> dict[str, Any]:
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read JWKS file {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"JWKS file {path} is not JSON: {exc}") from None
    if isinstance(value, dict) and "kty" in value:  # a single JWK: wrap it
        value = {"keys": [value]}
    if not isinstance(value, dict):
        raise UsageError(f'JWKS file {path} must hold a JSON object {{"keys": [...]}}')
    return value


def _clients_add(args: argparse.Namespace, config: Config) -> int:
    jwks = _read_jwks(args.jwks_file) if args.jwks_file else None
    if args.service is not None and not args.service.strip():
        raise UsageError("--service needs a non-empty name")
    engine = _engine(config)
    client, secret = add_client(
        engine,
        name=args.name or _default_name(args.redirect_uri),
        redirect_uris=args.redirect_uri,
        auth_method=args.auth_method,
        jwks=jwks,
        jwks_uri=args.jwks_uri,
        bsn_entitled=args.bsn_entitled,
        post_logout_redirect_uris=args.post_logout_redirect_uri,
        backchannel_logout_uri=args.backchannel_logout_uri,
        id_token_alg=args.id_token_alg,
        userinfo_alg=args.userinfo_alg,
        request_uris=args.request_uri,
        subject_type=args.subject_type,
        sector_identifier=args.sector_identifier,
        representation_style=args.representation_style,
    )
    services = []
    if args.service is not None:
        services.append(
            add_service(
                engine,
                client.client_id,
                name_nl=args.service,
                name_en=args.service,
                min_level=Level.from_name(args.service_level),
            )
        )
    result = _client_json(client, services)
    if secret is not None:
        result["client_secret"] = secret  # shown once; only its hash is stored
    _print_json(result)
    return 0


def _default_name(redirect_uris: Sequence[str]) -> str:
    try:
        return urlsplit(redirect_uris[0]).hostname or "client"
    except (IndexError, ValueError):
        return "client"


def _clients_list(args: argparse.Namespace, config: Config) -> int:
    engine = _engine(config)
    by_client: dict[str, list[Service]] = {}
    for service in list_services(engine):
        by_client.setdefault(service.client_id, []).append(service)
    _print_json([_client_json(c, by_client.get(c.client_id, [])) for c in list_clients(engine)])
    return 0


def _clients_remove(args: argparse.Namespace, config: Config) -> int:
    if not remove_client(_engine(config), args.client_id):
        raise UnknownClient(args.client_id)
    _print_json({"removed": args.client_id})
    return 0


def _add_clients(sub: Subparsers) -> None:
    clients = sub.add_parser("clients", help="register service providers")
    clients_sub = clients.add_subparsers(dest="clients_command", required=True, metavar="COMMAND")

    add = clients_sub.add_parser("add", help="register a client; prints its id (and secret)")
    add.add_argument(
        "--redirect-uri", action="append", required=True, metavar="URI", help="repeatable"
    )
    add.add_argument("--auth-method", required=True, choices=AUTH_METHODS)
    keys = add.add_mutually_exclusive_group()
    keys.add_argument("--jwks-file", metavar="FILE", help="the client's public JWKS (JSON)")
    keys.add_argument("--jwks-uri", metavar="URL")
    add.add_argument("--bsn-entitled", action="store_true", help="may receive the BSN")
    add.add_argument("--name", help="display name (default: host of the first redirect URI)")
    add.add_argument("--post-logout-redirect-uri", action="append", default=[], metavar="URI")
    add.add_argument("--backchannel-logout-uri", metavar="URI")
    add.add_argument("--id-token-alg", choices=SIGNING_ALGS, default="RS256")
    add.add_argument("--userinfo-alg", choices=SIGNING_ALGS, help="sign userinfo responses")
    add.add_argument(
        "--request-uri",
        action="append",
        default=[],
        metavar="URI",
        help="pre-registered request_uri (repeatable)",
    )
    add.add_argument("--subject-type", choices=("pairwise", "public"), default="pairwise")
    add.add_argument("--sector-identifier", help="share pairwise subjects with this sector")
    add.add_argument(
        "--representation-style",
        choices=REPRESENTATION_STYLES,
        default="nlgov",
        help="nlgov: `represents` claim (NL GOV §1.6); rfc8693: sub = represented, act = actor",
    )
    add.add_argument("--service", metavar="NAME", help="also register one service (nl = en name)")
    add.add_argument("--service-level", choices=LEVEL_NAMES, default="substantial")
    add.set_defaults(handler=_clients_add)

    list_ = clients_sub.add_parser("list", help="all clients as JSON (without secrets)")
    list_.set_defaults(handler=_clients_list)

    remove = clients_sub.add_parser("remove", help="remove a client and its services")
    remove.add_argument("client_id", metavar="CLIENT_ID")
    remove.set_defaults(handler=_clients_remove)


# --- services -----------------------------------------------------------------------------------


def _services_add(args: argparse.Namespace, config: Config) -> int:
    service = add_service(
        _engine(config),
        args.client_id,
        name_nl=args.name_nl,
        name_en=args.name_en,
        min_level=Level.from_name(args.min_level),
        allows_representation=args.allows_representation,
        legal_domain=args.legal_domain,
        service_id=args.service_id,
        representation_kinds=args.representation_kind,
        max_mandate_days=args.max_mandate_days,
    )
    _print_json(_service_json(service))
    return 0


def _services_list(args: argparse.Namespace, config: Config) -> int:
    _print_json([_service_json(s) for s in list_services(_engine(config), args.client_id)])
    return 0


def _services_remove(args: argparse.Namespace, config: Config) -> int:
    if not remove_service(_engine(config), args.service_id):
        raise CommandFailed(f"unknown service {args.service_id!r}")
    _print_json({"removed": args.service_id})
    return 0


def _add_services(sub: Subparsers) -> None:
    services = sub.add_parser("services", help="the catalogue of services per client")
    services_sub = services.add_subparsers(
        dest="services_command", required=True, metavar="COMMAND"
    )
    add = services_sub.add_parser("add", help="add a service to a client")
    add.add_argument("--client-id", required=True)
    add.add_argument("--name-nl", required=True)
    add.add_argument("--name-en", required=True)
    add.add_argument("--min-level", required=True, choices=LEVEL_NAMES)
    add.add_argument("--allows-representation", action="store_true")
    add.add_argument("--legal-domain", choices=LEGAL_DOMAINS)
    add.add_argument("--service-id", metavar="UUID", help="default: a new random UUID")
    add.add_argument(
        "--representation-kind",
        action="append",
        choices=[kind.value for kind in RepresentationKind],
        help="a kind of representation the service accepts (repeatable; default: all kinds "
        "with --allows-representation)",
    )
    add.add_argument(
        "--max-mandate-days",
        type=int,
        metavar="DAYS",
        help="the longest a mandate for this service may count, in calendar days (default: "
        "the global maximum)",
    )
    add.set_defaults(handler=_services_add)

    list_ = services_sub.add_parser("list", help="services as JSON")
    list_.add_argument("--client-id")
    list_.set_defaults(handler=_services_list)

    remove = services_sub.add_parser("remove", help="remove one service")
    remove.add_argument("service_id", metavar="SERVICE_ID")
    remove.set_defaults(handler=_services_remove)


# --- demo and serve (need broker.app) ------------------------------------------------------------


def _with_server(config: Config, host: str | None, port: int | None) -> Config:
    """``config`` with the command line's host/port, validated again (issuer depends on them)."""
    server = config.server.model_dump()
    if host is not None:
        server["host"] = host
    if port is not None:
        server["port"] = port
    try:
        return Config.model_validate({**config.model_dump(), "server": server})
    except ValidationError as exc:
        raise ConfigError("; ".join(f"server: {err['msg']}" for err in exc.errors())) from None


def _demo(args: argparse.Namespace, config: Config) -> int:
    config = _with_server(config, args.host, args.port)
    directory = config.keys.directory
    if not (directory / MANIFEST).exists():
        init_keys(directory)
    try:
        from broker.app import create_app
    except ImportError as exc:
        raise CommandFailed(f"the broker app cannot be loaded: {exc}") from None
    import uvicorn

    # create_app migrates the database; with demo=True it also registers the demo service
    # provider (broker.register.demo.ensure_demo_client).
    app = create_app(config, demo=True)
    issuer = config.issuer
    print("Stelsel Toegang demo")
    print(f"  demo service provider:  {issuer}{DEMO_PATH}")
    print(f"  issuer:                 {issuer}")
    print(f"  discovery:              {issuer}/.well-known/openid-configuration")
    print(f"  JWKS:                   {issuer}/jwks")
    print(f"  DigiD simulator:        {issuer}/sim/digid/metadata")
    print(f"  eHerkenning simulator:  {issuer}/sim/eherkenning/metadata")
    print(f"  eIDAS node simulator:   {issuer}/sim/eidas/metadata")
    print(f"  test wallet:            {issuer}/sim/wallet/")
    print(f"  private means simulator: {issuer}/sim/oidc/voorbeeld-id/")
    print("Stop with Ctrl+C.", flush=True)
    uvicorn.run(app, host=config.server.host, port=config.server.port)
    return 0


def _serve(args: argparse.Namespace, config: Config) -> int:
    workers = args.workers or config.server.workers
    if workers > 1 and config.store.backend == "memory":
        raise UsageError(
            f'{workers} workers need a shared store: set store.backend = "redis" '
            "(TOEGANG__STORE__BACKEND=redis)"
        )
    KeyRing.load(config.keys.directory)  # refuse to start without keys, before forking
    migrate(config.database.url)  # once, here, not in every worker
    if args.config:
        # The workers build their own Config from the environment (broker.app:app_from_env).
        os.environ[CONFIG_ENV] = str(Path(args.config).resolve())
    import uvicorn

    uvicorn.run(
        "broker.app:app_from_env",
        factory=True,
        host=config.server.host,
        port=config.server.port,
        workers=workers,
        access_log=False,  # per-request access lines cost CPU; the broker logs what matters
    )
    return 0


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 64:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number from 1 to 64")
    return number


def _add_demo(sub: Subparsers) -> None:
    demo = sub.add_parser("demo", help="run the broker with simulators and a demo service provider")
    demo.add_argument("--host", help="default: server.host (127.0.0.1)")
    demo.add_argument("--port", type=int, help="default: server.port (8000)")
    demo.set_defaults(handler=_demo)


def _add_serve(sub: Subparsers) -> None:
    serve = sub.add_parser("serve", help="run the broker (production)")
    serve.add_argument("--workers", type=_positive, help="default: server.workers")
    serve.set_defaults(handler=_serve)


# Registrars of every command, in --help order. `toegang bench` goes here: its module
# (e.g. broker/bench.py) provides `add_bench_command(sub)` and it is appended to this tuple.
COMMANDS: tuple[Callable[[Subparsers], None], ...] = (
    _add_check_config,
    _add_keys,
    _add_clients,
    _add_services,
    _add_demo,
    _add_serve,
    add_bench_command,
    add_conformance_command,
    add_relations_command,
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Stelsel Toegang identity broker")
    parser.add_argument(
        "--config", metavar="FILE", help=f"TOML configuration (default: ${CONFIG_ENV})"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_command in COMMANDS:
        add_command(sub)
    return parser


def _one_line(message: object) -> str:
    return " ".join(str(message).split())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``toegang`` console script; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed by argparse
        return exc.code if isinstance(exc.code, int) else 2
    handler: Handler = args.handler

    def fail(code: int, message: object) -> int:
        print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)
        return code

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        return fail(2, exc)
    try:
        return handler(args, config)
    except UnknownClient as exc:
        return fail(1, exc)
    except (RegisterError, UsageError) as exc:
        return fail(2, exc)
    except (ConfigError, CommandFailed) as exc:
        return fail(1, exc)
    except SQLAlchemyError as exc:
        return fail(
            1,
            f"database {masked(config.database.url)}: {exc.__class__.__name__}: "
            f"{getattr(exc, 'orig', None) or exc}",
        )
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head`: stop quietly (Python docs, "Note on SIGPIPE").
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
