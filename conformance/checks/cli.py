"""``toegang conformance``: run the black-box checks against a deployment and print a verdict."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from conformance.checks.registry import FAIL, ClientConfig, Result, run_checks, summary

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[Any]

DEMO_CLIENT_ID = "demo-sp"
DEMO_CALLBACK_PATH = "/demo-sp/callback"


def add_conformance_command(sub: SubParsers) -> None:
    """Registrar for ``broker.cli.COMMANDS``."""
    parser = sub.add_parser(
        "conformance",
        help="run black-box NL GOV OpenID Connect checks against a deployment",
        description=(
            "Protocol checks anyone can point at a deployment (the demo, or their own). "
            "Without a client only discovery, keys and the unknown-client case are checked; "
            "with --client-id/--redirect-uri the authorization endpoint's errors; with "
            "--client-key too, and a DigiD simulator at /sim/digid/, a full login, the token "
            "endpoint, the ID token and userinfo. Exit code 1 if any check failed."
        ),
    )
    parser.add_argument("--issuer", required=True, help="the provider's issuer URL")
    parser.add_argument("--client-id", help="a client registered at the deployment")
    parser.add_argument(
        "--client-key", metavar="JWK_FILE", help="the client's private JWK (private_key_jwt)"
    )
    parser.add_argument(
        "--redirect-uri",
        help=f"a registered redirect URI of the client (default for {DEMO_CLIENT_ID}: "
        f"<issuer>{DEMO_CALLBACK_PATH})",
    )
    parser.add_argument("--scope", help="extra scopes besides openid (e.g. urn:uuid:<service>)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=lambda args, config: main(args))


class UsageError(Exception):
    pass


def client_from_args(args: argparse.Namespace) -> ClientConfig | None:
    issuer = args.issuer.rstrip("/")
    if not args.client_id:
        if args.client_key or args.redirect_uri:
            raise UsageError("--client-key and --redirect-uri need --client-id")
        return None
    redirect_uri = args.redirect_uri
    if not redirect_uri:
        if args.client_id != DEMO_CLIENT_ID:
            raise UsageError("--redirect-uri is required with --client-id")
        redirect_uri = issuer + DEMO_CALLBACK_PATH
    jwk = None
    if args.client_key:
        try:
            jwk = json.loads(Path(args.client_key).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"--client-key {args.client_key}: {exc}") from None
        if not isinstance(jwk, dict) or "d" not in jwk:
            raise UsageError(f"--client-key {args.client_key}: not a private JWK")
    return ClientConfig(args.client_id, redirect_uri, jwk, args.scope)


def report(results: list[Result], issuer: str, out: TextIO, *, as_json: bool) -> None:
    if as_json:
        counts = {
            "passed": sum(r.status == "PASS" for r in results),
            "failed": sum(r.status == "FAIL" for r in results),
            "skipped": sum(r.status == "SKIP" for r in results),
        }
        body = {"issuer": issuer, "results": [r.as_dict() for r in results], **counts}
        print(json.dumps(body, indent=2), file=out)
        return
    width = max((len(r.name) for r in results), default=0)
    for r in results:
        line = f"{r.status}  {r.name:<{width}}  [{r.section}]"
        print(line + (f"\n      {r.detail}" if r.detail else ""), file=out)
    print(summary(results), file=out)


def main(args: argparse.Namespace) -> int:
    try:
        client = client_from_args(args)
    except UsageError as exc:
        print(f"toegang conformance: error: {exc}", file=sys.stderr)
        return 2
    issuer = args.issuer.rstrip("/")
    results = asyncio.run(run_checks(issuer, client=client))
    report(results, issuer, sys.stdout, as_json=args.json)
    return 1 if any(r.status == FAIL for r in results) else 0
