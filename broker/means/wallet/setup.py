"""Construction of the wallet means and, with ``simulator``, the test wallet in this app.

In simulator mode the test PID issuer's CA is trusted at ``simulator_level`` and its status list
is served in-process (its https URI is not reachable); everything else goes over ``http``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from starlette.routing import BaseRoute, Mount

from broker.errors import ConfigError
from broker.keys import KeyRing
from broker.means.wallet.config import WalletConfig
from broker.means.wallet.identity import VerifierIdentity, demo_identity, load_identity
from broker.means.wallet.mapping import AnchorPolicy, anchor_fingerprint
from broker.means.wallet.means import WalletMeans, WalletSettings
from broker.means.wallet.status import http_fetcher
from broker.means.wallet.verification import PidVerifier
from broker.store import Store
from wallet_adapters.status_list import FetchedToken, StatusFetcher, StatusListClient
from wallet_adapters.trust import TrustList

SIMULATOR_PATH = "/sim/wallet"
MEANS_PATH = "/means/wallet"


def _load_anchors(config: WalletConfig) -> tuple[list[x509.Certificate], dict[bytes, AnchorPolicy]]:
    certificates: list[x509.Certificate] = []
    policies: dict[bytes, AnchorPolicy] = {}
    for anchor in config.trust_anchors:
        try:
            loaded = x509.load_pem_x509_certificates(anchor.file.read_bytes())
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"wallet.trust_anchors[{anchor.name}].file: cannot read PEM certificates: {exc}"
            ) from None
        policy = AnchorPolicy(
            anchor.name,
            anchor.assurance,
            anchor.personal_administrative_number_is_bsn,
            frozenset(anchor.pid_variants or config.pid_variants),
        )
        for cert in loaded:
            certificates.append(cert)
            policies[anchor_fingerprint(cert.public_bytes(Encoding.DER))] = policy
    return certificates, policies


def _identity(config: WalletConfig, issuer: str, keys_dir: Path) -> VerifierIdentity:
    host = urlsplit(issuer).hostname or "localhost"
    dns_name = config.client_id_dns_name or host
    if config.client_id_scheme == "x509_san_dns" and dns_name != host:
        # OpenID4VP 1.0 §5.9.3: a wallet checks that the FQDN of response_uri (on the issuer's
        # host) equals the x509_san_dns Client Identifier; another name makes every request
        # unanswerable.
        raise ConfigError(
            f"wallet.client_id_dns_name {dns_name!r} must be the broker's host name {host!r} "
            "(x509_san_dns: wallets compare it with the response_uri host)"
        )
    if config.access_certificate is not None and config.access_key is not None:
        return load_identity(
            config.access_certificate, config.access_key, config.client_id_scheme, dns_name
        )
    return demo_identity(keys_dir, config.client_id_scheme, dns_name)


def _routed_fetcher(simulated: StatusFetcher, host: str, fallback: StatusFetcher) -> StatusFetcher:
    async def fetch(uri: str) -> FetchedToken:
        if urlsplit(uri).hostname == host:
            return await simulated(uri)
        return await fallback(uri)

    return fetch


def build_wallet(
    config: WalletConfig,
    issuer: str,
    keys: KeyRing,
    store: Store,
    http: httpx.AsyncClient,
    keys_dir: Path,
    *,
    clock: Callable[[], dt.datetime] | None = None,
) -> tuple[WalletMeans, list[BaseRoute]]:
    """The wallet means; with ``config.simulator`` also the test wallet at /sim/wallet.

    ``keys`` is unused: the verifier signs with its access certificate key (HAIP), not with the
    broker's OIDC keys; it is accepted so the app wires every means alike.
    """
    del keys
    issuer = issuer.rstrip("/")
    identity = _identity(config, issuer, keys_dir)
    certificates, anchors = _load_anchors(config)
    hosts = set(config.status_list_hosts)
    fetcher: StatusFetcher = http_fetcher(http)
    mounts: list[BaseRoute] = []
    simulator_url = None
    if config.simulator:
        from conformance.wallet import (
            STATUS_HOST,
            SimulatedIssuers,
            TestWallet,
            TestWalletSettings,
        )

        simulator_url = issuer + SIMULATOR_PATH
        issuers = SimulatedIssuers()
        access_trust = TrustList([identity.anchor]) if identity.anchor is not None else None
        wallet = TestWallet(
            TestWalletSettings(
                base_url=simulator_url, http=http, access_trust=access_trust, issuers=issuers
            )
        )
        mounts.append(Mount(SIMULATOR_PATH, app=wallet.app))
        root = issuers.pki.root
        certificates.append(root)
        anchors[anchor_fingerprint(root.public_bytes(Encoding.DER))] = AnchorPolicy(
            "simulator", config.simulator_assurance
        )
        hosts.add(STATUS_HOST)
        fetcher = _routed_fetcher(issuers.fetch_status, STATUS_HOST, fetcher)
    if not certificates:
        raise ConfigError("wallet: no PID trust anchors (set wallet.trust_anchors)")
    trust = TrustList(certificates)
    status_kwargs = {"clock": clock} if clock is not None else {}
    status_client = StatusListClient(
        fetcher,
        trust,
        allowed_hosts=frozenset(hosts),
        **status_kwargs,  # type: ignore[arg-type]
    )
    verifier = PidVerifier(
        trust,
        anchors,
        status_client,
        variants=config.pid_variants,
        formats=config.formats,
        require_status=config.require_status,
    )
    settings = WalletSettings(
        base_url=issuer + MEANS_PATH,
        identity=identity,
        universal_link=config.universal_link,
        cross_device=config.cross_device,
        cross_device_for_high=config.cross_device_for_high,
        request_lifetime=config.request_lifetime,
        simulator_url=simulator_url,
    )
    return WalletMeans(settings, verifier, store, clock=clock), mounts


__all__ = ["MEANS_PATH", "SIMULATOR_PATH", "build_wallet"]
